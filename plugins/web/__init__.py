"""网页后台：管理员和人事在浏览器里看今日分享、本月排行、成员账本、待审、通知，下载导出表。

挂在机器人自己的 FastAPI 应用上（`nonebot.get_app()`），不另开服务；QUNGUI_WEB=false 时一个地址也不挂。
私聊发 /后台 拿到一次性的登录链接。
"""

import nonebot
from nonebot import get_driver, get_plugin_config, logger, require
from nonebot.plugin import PluginMetadata

require("core")
require("leaderboard")
require("system")

from plugins.core import CommandContext, router  # noqa: E402
from qungui import web_access  # noqa: E402

from . import replies  # noqa: E402
from .config import Config, link_base, link_problem, session_hours  # noqa: E402
from .pages import install  # noqa: E402

config = get_plugin_config(Config)
_driver = get_driver()
base_url = link_base(config.qungui_web_url, str(_driver.config.host), _driver.config.port)
if config.qungui_web and (
    problem := link_problem(config.qungui_web_url, str(_driver.config.host), _driver.config.port)
):
    logger.warning(problem)
config.qungui_web_session_hours, hours_problem = session_hours(config.qungui_web_session_hours)
if config.qungui_web and hours_problem:
    logger.warning(hours_problem)


@router.command(
    "后台",
    summary="网页后台的一次性登录链接，在浏览器里看今日、本月、待审等",
    example="/后台",
    private=True,
    after="（私聊）",
)
async def web_login(ctx: CommandContext) -> None:
    if not config.qungui_web:
        await ctx.reply(replies.WEB_OFF)
        return
    if ctx.group_id is not None:
        await ctx.reply(replies.GROUP_ONLY_HINT)
        return
    token = await web_access.issue(ctx.policy.id, ctx.user_id)
    await ctx.reply(replies.LOGIN_LINK.format(url=f"{base_url}/qungui/login?token={token}"))


if config.qungui_web:
    install(nonebot.get_app(), config, base_url)


__plugin_meta__ = PluginMetadata(
    name="网页后台",
    description="在浏览器里看今日分享、本月排行、成员账本、待审与通知，下载导出表",
    usage=router.usage(__name__),
    type="application",
    config=Config,
    supported_adapters={"~onebot.v11"},
)
