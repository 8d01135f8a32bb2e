"""测试公用：NoneBot 初始化（nonebug）与每个测试一个新的 SQLite 文件。"""

from pathlib import Path

import pytest
from nonebug import NONEBOT_INIT_KWARGS, NONEBOT_START_LIFESPAN

from qungui import ledger, members
from qungui.db import close_database, open_database, sqlite_url

from . import fake

TEST_POLICY = Path(__file__).parent / "policy.toml"


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


@pytest.fixture
async def db(tmp_path: Path):
    """一个全新的 SQLite 文件，迁移到最新结构。"""
    members.clear_cache()
    ledger.forget_frozen()
    await open_database(sqlite_url(tmp_path / "qungui.sqlite3"))
    yield tmp_path / "qungui.sqlite3"
    await close_database()
