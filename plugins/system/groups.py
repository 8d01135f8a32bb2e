"""/群列表：机器人这个 QQ 号在哪些群，每个群在制度里是什么（公司群、分享群、公告群、未配置）。

给第一次部署的运维找群号用：不用翻 QQ 客户端，私聊问一句就能抄进 config/policy.toml。
"""

from plugins.core import CommandContext, policies, router
from plugins.core.rights import API_FAILURES, failure_reason
from plugins.core.setup_checks import POLICY_HINT, UNCONFIGURED, group_list, listing
from qungui.roles import Role

PRIVATE_ONLY = "/群列表 含群号，请私聊机器人查看。"
HEAD = "QQ {self_id} 所在的群（群号 群名：在制度里是什么）："
NONE = "QQ {self_id} 一个群也没有加入。"
FAILED = "取不到 QQ {self_id} 所在的群：{reason}。请稍后再试。"


@router.command(
    "群列表",
    summary="机器人所在的群和它们在制度里的用途，找群号用（超级用户私聊）",
    example="/群列表",
    role=Role.SUPERUSER,
    private=True,
)
async def show_groups(ctx: CommandContext) -> None:
    if ctx.group_id is not None:
        await ctx.reply(PRIVATE_ONLY)
        return
    self_id = ctx.bot.self_id
    try:
        groups = await group_list(ctx.bot)
    except API_FAILURES as exc:
        await ctx.reply(FAILED.format(self_id=self_id, reason=failure_reason(exc)))
        return
    if not groups:
        await ctx.reply(NONE.format(self_id=self_id))
        return
    lines = [HEAD.format(self_id=self_id), *listing(policies.all, groups)]
    if any(line.endswith(UNCONFIGURED) for line in lines):
        lines.append(f"要管理标着「{UNCONFIGURED}」的群，{POLICY_HINT}")
    await ctx.reply("\n".join(lines))
