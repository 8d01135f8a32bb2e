"""qungui 核心（库插件）：制度、数据库、命令路由、唯一出口、定时任务。

每个功能插件先 `require("core")`，再从这里取 `router`、`sender`、`policies`、`runner`。
各部分按用途分在几个模块里：`services` 共享对象，`lifecycle` 启动、时钟走动与关闭，
`dispatch` 唯一的匹配器与事件的分派；这里只放元数据和对外的名字。
"""

from nonebot import require
from nonebot.plugin import PluginMetadata

require("nonebot_plugin_apscheduler")
require("nonebot_plugin_localstore")

from . import review_kinds, undo_kinds  # noqa: E402
from .batch import GroupBatcher  # noqa: E402
from .config import Config  # noqa: E402
from .dispatch import routed, run_for_web  # noqa: E402
from .events import GroupCardNoticeEvent  # noqa: E402
from .lifecycle import advance, crash_point, ticks  # noqa: E402
from .rights import API_FAILURES, failure_reason  # noqa: E402
from .router import Command, CommandContext, Refusal, UsageError, replied_message_id  # noqa: E402
from .sender import SendFailed  # noqa: E402
from .services import (  # noqa: E402
    bot_ids,
    config,
    db_url,
    member_target,
    notify_superusers,
    online_bot,
    policies,
    presence,
    private_roles,
    rights,
    router,
    runner,
    sender,
    superusers,
)

__plugin_meta__ = PluginMetadata(
    name="群规助手核心",
    description="制度文件、积分账本、定时任务与统一发送",
    usage="供其他 qungui 插件使用，本身没有命令",
    type="library",
    config=Config,
    supported_adapters={"~onebot.v11"},
)

__all__ = [
    "API_FAILURES",
    "Command",
    "CommandContext",
    "GroupBatcher",
    "GroupCardNoticeEvent",
    "Refusal",
    "SendFailed",
    "UsageError",
    "advance",
    "bot_ids",
    "config",
    "crash_point",
    "db_url",
    "failure_reason",
    "member_target",
    "notify_superusers",
    "online_bot",
    "policies",
    "presence",
    "private_roles",
    "replied_message_id",
    "review_kinds",
    "rights",
    "routed",
    "router",
    "run_for_web",
    "runner",
    "sender",
    "superusers",
    "ticks",
    "undo_kinds",
]
