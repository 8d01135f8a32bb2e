"""私聊时的身份。

群里的命令带着发言人此刻的 `sender.role`；私聊没有，库里只有上次在群里看到的身份，可能是几周前的：
被撤掉的管理员不能靠它继续看电话名单、审核、导出。所以私聊里：
- 制度名单（管理小组、主席）和 SUPERUSERS 直接算；
- 群管理员的身份只在命令需要管理员及以上时才算，并且先问 QQ 现在的身份（get_group_member_info，
  缓存 60 秒）：只问记下是管理员的那几个群；问到是普通成员就改掉记下的身份，以后不再问；
  问不到（接口失败）不算数，告诉他稍后再试；
- QQ 的 group_admin 通知（设为/取消管理员）随时改记下的身份。
成员级的命令（如 /积分）不用查，也就不花一次接口调用。

属于几个组织的人：私聊命令用在他有这个命令所需身份的那个组织（按制度顺序的第一个）；
哪个组织都不够时，按他身份最高的那个组织回答“需要……权限”。
"""

from collections.abc import Iterable, Sequence
from dataclasses import replace

from nonebot.adapters.onebot.v11 import Bot, GroupAdminNoticeEvent, NoticeEvent

from qungui import members
from qungui.policy import Policy
from qungui.roles import Role, resolve_role

from .replies import ROLE_UNCONFIRMED
from .rights import BotRights
from .router import Command, CommandContext, Refusal

GROUP_ADMIN = ("owner", "admin")


class RoleUnknown(Exception):
    """记下的群管理员身份现在问不到 QQ 核实。"""


class PrivateRoles:
    def __init__(self, rights: BotRights, superusers: Iterable[str]):
        self.rights = rights
        self.superusers = superusers

    async def choose(
        self, bot: Bot, policies: Sequence[Policy], user_id: int, command: Command
    ) -> tuple[Policy, Role | Refusal]:
        """从此人所在的组织里（按制度顺序）选出私聊用 `command` 的那个，和他在那里的身份；
        只有问不到 QQ 现在的身份才可能够格时，给出那个组织和拒绝的理由。"""
        best: tuple[Policy, Role] | None = None
        unconfirmed: tuple[Policy, Refusal] | None = None
        for policy in policies:
            try:
                role = await self.role(bot, policy, user_id, command)
            except Refusal as exc:
                unconfirmed = unconfirmed or (policy, exc)
                continue
            if role >= command.role:
                return policy, role
            if best is None or role > best[1]:
                best = (policy, role)
        if unconfirmed is not None:
            return unconfirmed
        assert best is not None  # 至少有一个组织
        return best

    async def role(self, bot: Bot, policy: Policy, user_id: int, command: Command) -> Role:
        """此人私聊用 `command` 时的身份；查不到群里现在的身份、又只能靠它时拒绝（Refusal）。"""
        try:
            return await self.current(bot, policy, user_id, command.role)
        except RoleUnknown:
            raise Refusal(
                ROLE_UNCONFIRMED.format(command=command.name, needed=command.role.label)
            ) from None

    async def current(self, bot: Bot | None, policy: Policy, user_id: int, needed: Role) -> Role:
        """此人现在的身份，够不够 `needed` 要问 QQ 时才问（网页后台每个请求也走这里）。
        只能靠群管理员身份够格、又问不到（接口失败，或没有在线的机器人 `bot=None`）时抛 RoleUnknown。"""
        listed = resolve_role(policy, user_id, self.superusers)
        if needed < Role.ADMIN or listed >= needed:
            return listed
        unknown = False
        for group_id, stored in await members.group_roles(policy.id, user_id):
            if stored not in GROUP_ADMIN:
                continue
            now = None if bot is None else await self.rights.member_role(bot, group_id, user_id)
            if now is None:
                unknown = True
            elif now in GROUP_ADMIN:
                return resolve_role(policy, user_id, self.superusers, [now])
            else:
                await members.set_role(policy.id, group_id, user_id, now)
        if unknown:
            raise RoleUnknown()
        return listed

    async def role_for_admin_part(self, ctx: CommandContext) -> Role:
        """成员级命令里只有管理员能用的那一部分（看别人的记录、列出管理员的命令）要的身份。
        群里的命令带着此刻的身份；私聊时群管理员的身份还没向 QQ 确认过，这时才按管理员级的命令去问一次
        （问不到时 Refusal 请他稍后再试）。"""
        if ctx.role >= Role.ADMIN or ctx.group_id is not None:
            return ctx.role
        return await self.role(
            ctx.bot, ctx.policy, ctx.user_id, replace(ctx.command, role=Role.ADMIN)
        )

    async def admin_changed(self, bot: Bot, event: NoticeEvent, policy: Policy) -> None:
        """group_admin 通知：某人被设为或取消了群管理员。"""
        if not isinstance(event, GroupAdminNoticeEvent):
            return
        self.rights.changed(event.group_id, event.user_id)
        role = "admin" if event.sub_type == "set" else "member"
        await members.set_role(policy.id, event.group_id, event.user_id, role)
