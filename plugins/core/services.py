"""core 的共享对象：设置、当前制度、数据库地址、命令路由、唯一出口、权限与在线、定时任务执行器，
以及各插件都要用的几个小查询（在线的机器人、告诉运维）。每样只有一个，其他插件从 `plugins.core` 取。"""

import asyncio
import sys
from datetime import time

import nonebot
import nonebot_plugin_localstore as localstore
from nonebot import get_driver, get_plugin_config, logger
from nonebot.adapters.onebot.v11 import Bot

from qungui import members
from qungui.checks import check_totals
from qungui.db import sqlite_url
from qungui.jobs import Job, JobRunner, NotNow, Schedule
from qungui.policy import Policy, PolicyError

from . import replies
from .config import Config
from .policy_store import PolicyStore
from .presence import Presence
from .private_roles import PrivateRoles
from .rights import BotRights
from .router import CommandRouter, Refusal
from .sender import Sender, SendFailed

config = get_plugin_config(Config)
driver = get_driver()
superusers: set[str] = driver.config.superusers

try:
    policies = PolicyStore(config.qungui_policy_file)
except PolicyError as exc:
    # 制度文件有错就不启动：逐条列出问题，退出码非零
    for problem in exc.problems:
        logger.error(problem)
    logger.error("制度文件有误，群规助手未启动。请按上面的提示修改后重试。")
    sys.exit(2)

db_url = config.qungui_db_url or sqlite_url(localstore.get_plugin_data_file("qungui.sqlite3"))


async def notify_superusers(bot: Bot, text: str) -> None:
    """告诉运维（私聊超级用户）；这条通知本身失败只记日志。"""
    for user in superusers:
        try:
            await sender.send_private(bot, int(user), f"【群规助手】{text}")
        except (SendFailed, ValueError) as exc:
            logger.error(f"无法通知超级用户 {user}：{exc}")


async def _report_to_operator(text: str) -> None:
    try:
        bot = online_bot()
    except NotNow:
        logger.error(f"没有在线的机器人，无法通知超级用户：{text}")
        return
    await notify_superusers(bot, text)


_background: set[asyncio.Task] = set()


async def _notify_in_background(bot: Bot, text: str) -> None:
    # 发送失败后的通知要排在退避之后才发得出去：不让出错的那条命令陪着等
    task = asyncio.create_task(notify_superusers(bot, text))
    _background.add(task)
    task.add_done_callback(_background.discard)


sender = Sender(
    config.qungui_send_interval,
    config.qungui_send_jitter,
    on_backoff=_notify_in_background,
    backoff_start=config.qungui_send_backoff,
    react_interval=config.qungui_react_interval,
)
router = CommandRouter()
rights = BotRights()
private_roles = PrivateRoles(rights, superusers)
router.notice("group_admin")(private_roles.admin_changed)
presence = Presence()
runner = JobRunner(report=_report_to_operator)
runner.register(Job("totals.check", "daily", lambda _: Schedule(time(4, 30)), check_totals))


def online_bot() -> Bot:
    """任一在线的 OneBot v11 机器人；没有时让定时任务稍后再试。"""
    for bot in nonebot.get_bots().values():
        if isinstance(bot, Bot):
            return bot
    raise NotNow("没有在线的机器人")


def bot_ids() -> set[int]:
    """在线机器人自己的 QQ 号：它们不参与排行。"""
    return {int(self_id) for self_id in nonebot.get_bots() if self_id.isdigit()}


def member_target(policy: Policy, user_id: int) -> int:
    """命令要给他记分的人。机器人（本进程连着的，或制度 `org.bots` 列的）不是成员：给它记的分
    不会出现在任何排行里，只是一笔说不清的账，所以拒绝。"""
    if user_id in members.not_counted(policy, bot_ids()):
        raise Refusal(replies.BOT_TARGET)
    return user_id
