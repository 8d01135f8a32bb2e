"""角色：成员 < 管理员 < 主席 < 超级用户。"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from enum import IntEnum

from .policy import Policy

log = logging.getLogger("qungui.roles")


class Role(IntEnum):
    MEMBER = 0
    ADMIN = 1
    CHAIRMAN = 2
    SUPERUSER = 3

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def code(self) -> str:
        return self.name.lower()


_LABELS = {
    Role.MEMBER: "成员",
    Role.ADMIN: "管理员",
    Role.CHAIRMAN: "主席",
    Role.SUPERUSER: "超级用户",
}

# 账本里系统写入的记录用这个角色代码；撤销它只需管理员
SYSTEM = "system"


def resolve_role(
    policy: Policy,
    user_id: int,
    superusers: Iterable[str],
    group_roles: Iterable[str] = (),
) -> Role:
    """一个人在组织里的角色：超级用户、制度名单，或其在群里的 owner/admin 身份。"""
    if str(user_id) in set(superusers):
        return Role.SUPERUSER
    if user_id in policy.org.chairmen:
        return Role.CHAIRMAN
    if user_id in policy.org.admins or any(r in ("owner", "admin") for r in group_roles):
        return Role.ADMIN
    return Role.MEMBER


def role_to_reverse(actor_role: str) -> Role:
    """撤销一条记录需要的角色：系统和管理员写的归管理员，主席写的归主席，其余归超级用户。"""
    if actor_role in (SYSTEM, Role.MEMBER.code, Role.ADMIN.code):
        return Role.ADMIN
    if actor_role == Role.CHAIRMAN.code:
        return Role.CHAIRMAN
    return Role.SUPERUSER


LARGEST_NUMBER = 10**18
"""命令里写的数超过它就按它算：比任何分数上限、记录编号都大"""


def written_number(word: str) -> int | None:
    """命令里写的一个非负整数（数字可以是全角等写法）；不是整数时为 None。

    位数再多也能照常比大小、回复“超过上限”“编号太大”：18 位以上的按 `LARGEST_NUMBER` 算，
    因为 Python 的 int() 不肯转 4300 位以上的数字。分数、数额、记录编号都用这一个。"""
    if not re.fullmatch(r"\d+", word):
        return None
    digits = word.lstrip("0０")
    return int(digits or "0") if len(digits) <= 18 else LARGEST_NUMBER


def cap_for(policy: Policy, role: Role) -> int:
    """该角色单次加/扣分的上限。"""
    if role >= Role.CHAIRMAN:
        return policy.limits.chairman_max
    return policy.limits.admin_max


class OwnCase(Exception):
    """有人要裁决与自己有关的事：他是受益人、被处理的人或举报人。"""

    def __init__(self, actor_id: int, action: str):
        super().__init__(actor_id, action)
        self.actor_id = actor_id
        self.action = action


def check_not_own_case(
    actor_id: int | None, actor_role: Role | None, *parties: int | None, action: str
) -> None:
    """谁也不裁决与自己有关的事（受益人、被处理的人、举报人都算 `parties`）。

    加分扣分、撤销、补分享、精选、判非原创、确认或驳回审核都先过这一关。超级用户可以，但留一行日志：
    事后能查到是谁对自己做了什么。`action` 写进那行日志。
    """
    if actor_id is None or actor_id not in parties:
        return
    if actor_role is not None and actor_role >= Role.SUPERUSER:
        log.warning("超级用户 %s 处理了与自己有关的事：%s", actor_id, action)
        return
    raise OwnCase(actor_id, action)
