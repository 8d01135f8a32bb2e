"""网页后台每个请求先过这里：Cookie 里的会话、按私聊规则重新算的身份、表单的 CSRF 令牌。

身份不存在会话里：被撤掉的管理员（制度名单里去掉了，或 QQ 说他已是普通成员）下一个请求就失去权限。
"""

import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi import Request
from nonebot.adapters.onebot.v11 import Bot

from plugins.core import online_bot, policies, private_roles
from plugins.core.private_roles import RoleUnknown
from qungui import web_access
from qungui.jobs import NotNow
from qungui.models import WebSession
from qungui.policy import Policy
from qungui.roles import Role

from . import replies

COOKIE = "qungui_session"


class Refused(Exception):
    """这个请求不给看：HTTP 状态码和页面上的一句话。"""

    def __init__(self, status: int, text: str):
        super().__init__(text)
        self.status = status
        self.text = text


@dataclass(frozen=True)
class Viewer:
    session: WebSession
    policy: Policy
    role: Role

    @property
    def user_id(self) -> int:
        return self.session.user_id

    @property
    def is_admin(self) -> bool:
        return self.role >= Role.ADMIN


def current_bot() -> Bot | None:
    try:
        return online_bot()
    except NotNow:
        return None


async def role_of(policy: Policy, user_id: int, needed: Role) -> Role:
    """此人现在的身份，与私聊命令的算法相同（plugins/core/private_roles.py）。页面只要成员身份时，
    也试着确认他是不是管理员（导航栏要知道）；问不到 QQ 就按成员算，不拒绝。"""
    try:
        return await private_roles.current(current_bot(), policy, user_id, max(needed, Role.ADMIN))
    except RoleUnknown:
        if needed >= Role.ADMIN:
            raise Refused(403, replies.ROLE_UNCONFIRMED) from None
        return await private_roles.current(None, policy, user_id, Role.MEMBER)


async def viewer(request: Request, needed: Role = Role.ADMIN) -> Viewer:
    found = await web_access.session(request.cookies.get(COOKIE, ""))
    policy = policies.get(found.org) if found is not None else None
    if found is None or policy is None:
        raise Refused(401, replies.LOGIN_FIRST)
    role = await role_of(policy, found.user_id, needed)
    if role < needed:
        text = replies.NEEDS_SUPERUSER if needed >= Role.SUPERUSER else replies.NEEDS_ADMIN
        raise Refused(403, text)
    return Viewer(found, policy, role)


async def form(request: Request, who: Viewer) -> dict[str, str]:
    """表单的字段（application/x-www-form-urlencoded）；`csrf` 不是这次登录的令牌时拒绝。"""
    fields = {
        key: values[0]
        for key, values in parse_qs((await request.body()).decode("utf-8", "replace")).items()
    }
    if not secrets.compare_digest(fields.get("csrf", ""), who.session.csrf):
        raise Refused(403, replies.STALE_FORM)
    return fields
