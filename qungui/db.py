"""数据库：连接、迁移、关闭。默认 SQLite 文件；`QUNGUI_DB_URL` 可指向 PostgreSQL。"""

from pathlib import Path

from tortoise import Tortoise
from tortoise.exceptions import IntegrityError
from tortoise.migrations.api import migrate
from tortoise.models import Model
from tortoise.transactions import in_transaction

MODEL_MODULES = ["qungui.models"]


def tortoise_config(db_url: str, connection: str = "default") -> dict:
    """`connection` 是连接名：tortoise 按连接名缓存生成的 SQL，同一进程先后连两种库（如复制数据）
    时要用不同的名字。"""
    return {
        "connections": {connection: _with_sqlite_pragmas(db_url)},
        "apps": {
            "qungui": {
                "models": MODEL_MODULES,
                "migrations": "qungui.migrations",
                "default_connection": connection,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _with_sqlite_pragmas(db_url: str) -> str:
    """SQLite 默认已是 WAL；再加 synchronous=NORMAL：每次提交不再等磁盘同步（实测每条分享
    三次提交、每次约 6 ms），数据库不会因此损坏，只是断电时可能丢最后几次提交。"""
    if (
        not db_url.startswith("sqlite://")
        or "synchronous=" in db_url
        or db_url.endswith(":memory:")
    ):
        return db_url
    return db_url + ("&" if "?" in db_url else "?") + "synchronous=NORMAL"


def sqlite_url(path: Path) -> str:
    return f"sqlite://{path}"


def sqlite_path(db_url: str) -> Path | None:
    """SQLite 地址对应的文件；其他数据库返回 None。"""
    if db_url.startswith("sqlite://") and db_url != "sqlite://:memory:":
        return Path(db_url.removeprefix("sqlite://").split("?", 1)[0])
    return None


async def open_database(db_url: str, connection: str = "default") -> None:
    """连接并把库升级到最新结构（迁移只加不丢行）。"""
    path = sqlite_path(db_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    config = tortoise_config(db_url, connection)
    await migrate(config=config)
    # migrate() 打开的连接只属于当前任务；关掉它，再以全局回退打开，
    # 这样 NoneBot 处理事件的其他任务（WebSocket、定时任务）也能用同一个库
    await Tortoise.close_connections()
    await Tortoise.init(config=config, _enable_global_fallback=True)


async def close_database() -> None:
    await Tortoise.close_connections()


async def insert_once(model: type[Model], **fields) -> bool:
    """插入一行；唯一约束上已有这一行（另一个进程、重跑）时什么也不改，返回 False。

    冲突只回滚自己的保存点：PostgreSQL 上事务里出了 IntegrityError 整个事务就废了，外层事务要照常可用。"""
    try:
        async with in_transaction():
            await model.create(**fields)
    except IntegrityError:
        return False
    return True


# 供 `tortoise -c qungui.db.TORTOISE_ORM makemigrations` 生成迁移使用
TORTOISE_ORM = tortoise_config("sqlite://:memory:")
