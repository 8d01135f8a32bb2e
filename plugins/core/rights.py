"""谁在群里是管理员：机器人自己（设置名片、禁言、撤回之前），和私聊里要用管理命令的人。
都是问一次 get_group_member_info（no_cache），短暂缓存。"""

import time

from nonebot.adapters.onebot.v11 import ActionFailed, ApiNotAvailable, Bot, NetworkError
from nonebot.exception import WebSocketClosed
from starlette.websockets import WebSocketDisconnect

from qungui.state import STATE

CACHE_SECONDS = 60.0

DISCONNECTED = (ApiNotAvailable, WebSocketClosed, WebSocketDisconnect)
"""连接已经断了，请求根本没发出去：这个机器人已下线（ApiNotAvailable），或正在断开的那一刻
驱动发请求时抛的异常（FastAPI 驱动抛 starlette 的 WebSocketDisconnect，不经适配器转换）。"""

API_FAILURES = (ActionFailed, NetworkError, *DISCONNECTED)
"""调用 OneBot 接口可能的失败：对方拒绝（ActionFailed）、超时或断网（NetworkError）、
连接已断（DISCONNECTED）。调用接口的地方都捕获这一组，而不是只捕获前两个。"""


def failure_reason(exc: Exception) -> str:
    """OneBot 调用失败的原因，给管理员看（NapCat 把中文原因放在 wording/message 里）。"""
    if isinstance(exc, NetworkError):
        return "等 NapCat 回执超时"  # 超时没有错误码可说
    info = getattr(exc, "info", None) or {}
    return str(info.get("wording") or info.get("message") or f"错误码 {info.get('retcode', '?')}")


class BotRights:
    """问到的身份缓存在 `STATE.group_roles`：和进程记住的其他东西一起清空。"""

    async def member_role(self, bot: Bot, group_id: int, user_id: int) -> str | None:
        """此人现在在该群的身份（owner/admin/member）；查不到返回 None。"""
        key = (bot.self_id, group_id, user_id)
        cached = STATE.group_roles.get(key)
        # 缓存只管“别每条命令都问一次”，与业务时间无关，所以用单调时钟
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        try:
            info = await bot.call_api(
                "get_group_member_info", group_id=group_id, user_id=user_id, no_cache=True
            )
        except API_FAILURES:
            return None
        role = str(info.get("role") or "member")
        STATE.group_roles[key] = (role, time.monotonic() + CACHE_SECONDS)
        return role

    async def role(self, bot: Bot, group_id: int) -> str | None:
        """机器人自己在该群的身份；查不到返回 None。"""
        return await self.member_role(bot, group_id, int(bot.self_id))

    async def is_admin(self, bot: Bot, group_id: int) -> bool:
        return await self.role(bot, group_id) in ("owner", "admin")

    def changed(self, group_id: int, user_id: int) -> None:
        """QQ 通知此人的身份变了：缓存的旧身份作废（不管是哪个机器人问到的）。"""
        roles = STATE.group_roles
        for key in [k for k in roles if k[1:] == (group_id, user_id)]:
            del roles[key]
