"""测试公用：NoneBot 初始化（nonebug）与每个测试一个新的 SQLite 文件。"""

import os
from pathlib import Path

import pytest
from hypothesis import settings
from nonebug import NONEBOT_INIT_KWARGS, NONEBOT_START_LIFESPAN

from qungui import clock
from qungui.db import close_database, open_database, sqlite_url
from qungui.state import STATE

from . import databases, fake

# CI 设 HYPOTHESIS_PROFILE=ci：模糊测试每次走同样的例子、不读写例子库，同一份代码结果不变。
# 手动运行时照常随机探索，找到的反例存在 .hypothesis/（不进仓库），下次先试它们
settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or "default")

TEST_POLICY = Path(__file__).parent / "policy.toml"
B_WORK_GROUP, B_SHARE_GROUP = 555000001, 555000002
B_ADMIN = 30003


def two_orgs(folder: Path, timezone: str = "Asia/Shanghai") -> Path:
    """放着两个组织的制度文件夹：测试制度（jgs，鸡公山酒业）在前，西山茶业（xscy）在后。
    西山茶业（下称 B）有自己的工作群、分享群；管理小组是 30003 和 jgs 的管理员 30001。
    成员的 QQ 号两边通用：同一个人可以同时在两个组织里。`timezone` 是 B 的时区。"""
    folder.mkdir(parents=True, exist_ok=True)
    text = TEST_POLICY.read_text("utf-8")
    (folder / "1-jgs.toml").write_text(text, "utf-8")
    for old, new in (
        ('id = "jgs"', 'id = "xscy"'),
        ('name = "鸡公山酒业"', 'name = "西山茶业"'),
        ("admins = [30001]", f"admins = [30001, {B_ADMIN}]"),
        ("chairmen = [30002]", "chairmen = []"),
        ("work = [987654321]", f"work = [{B_WORK_GROUP}]"),
        ("share = [987654322]", f"share = [{B_SHARE_GROUP}]"),
        ('timezone = "Asia/Shanghai"', f"timezone = {timezone!r}"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    (folder / "2-xscy.toml").write_text(text, "utf-8")
    return folder


def pytest_configure(config: pytest.Config) -> None:
    config.stash[NONEBOT_INIT_KWARGS] = {
        "driver": "~fastapi",
        "superusers": {str(fake.SUPERUSER)},
        "command_start": {"/"},
        "qungui_policy_file": str(TEST_POLICY),
        "qungui_send_interval": 0,
        "qungui_send_jitter": 0,
        "log_level": "WARNING",
    }
    # 数据库由下面的 db 夹具按测试打开，不走启动钩子
    config.stash[NONEBOT_START_LIFESPAN] = False


@pytest.fixture(scope="session", autouse=True)
async def after_nonebot_init(after_nonebot_init: None) -> None:
    import nonebot
    from nonebot.adapters.onebot.v11 import Adapter

    nonebot.get_driver().register_adapter(Adapter)
    nonebot.load_from_toml("pyproject.toml")


@pytest.fixture(scope="session")
async def postgres_url():
    """设置了 QUNGUI_TEST_DB_URL 时：这次运行专用的 PostgreSQL 库，运行结束删掉。"""
    if not databases.ON_POSTGRES:
        yield None
        return
    url = await databases.create_postgres()
    yield url
    await databases.drop_postgres(url)


@pytest.fixture
async def db(tmp_path: Path, postgres_url: str | None):
    """一个空的、迁移到最新结构的库：SQLite 时是新文件，PostgreSQL 时清空全部表。"""
    STATE.reset()
    if postgres_url is None:
        await open_database(sqlite_url(tmp_path / "qungui.sqlite3"))
    else:
        await open_database(postgres_url)
        await _empty_tables()
    yield postgres_url or sqlite_url(tmp_path / "qungui.sqlite3")
    await close_database()


async def _empty_tables() -> None:
    from tortoise import Tortoise, connections

    tables = ", ".join(f'"{model._meta.db_table}"' for model in Tortoise.apps["qungui"].values())
    await connections.get("default").execute_script(f"TRUNCATE {tables} RESTART IDENTITY")


@pytest.fixture
def clock_at():
    """把唯一的时钟（`clock.now()`）拨到给定时刻；测试结束恢复真实时间。"""
    yield clock.set_now
    clock.set_now(None)
