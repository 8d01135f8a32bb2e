"""人事名单的命令：/名单 重载（重新读取名单文件）、/名单 未进群（含电话，只在私聊）。

名单怎么解析、名片怎么对上名单在 `qungui/roster.py`；没进群的人怎么处理在 `qungui/absence.py`，
每日检查里公布“未进群”的是 `sweeps.check_roster`。"""

from datetime import UTC, datetime

from plugins.core import CommandContext, Refusal, router
from plugins.core.args import Choice
from qungui import absence
from qungui.roles import Role

from . import replies
from .roster_files import rosters


@router.command(
    "名单",
    args=(Choice("action", "操作", choices=("重载", "未进群")),),
    summary="重新读取人事名单，或查看未进公司群的人（管理员；未进群请私聊）",
    example="/名单 未进群",
    role=Role.ADMIN,
    private=True,
)
async def roster_command(ctx: CommandContext) -> None:
    if ctx.params.action == "重载":
        await _reload_roster(ctx)
    else:
        await _list_absent(ctx)


async def _reload_roster(ctx: CommandContext) -> None:
    roster = rosters.reload(ctx.policy)
    if roster is None:
        raise Refusal(replies.NO_ROSTER)
    matched = await absence.matched_phones(ctx.policy, roster)
    lines = [
        replies.ROSTER_RELOADED.format(
            rows=len(roster.rows), rejected=len(roster.rejected), matched=len(matched)
        )
    ]
    lines += [replies.ROSTER_LINE.format(line=line, why=why) for line, why in roster.rejected]
    await ctx.reply("\n".join(lines))


async def _list_absent(ctx: CommandContext) -> None:
    if ctx.group_id is not None:
        raise Refusal(replies.ABSENT_PRIVATE_ONLY)
    roster = rosters.get(ctx.policy)
    if roster is None:
        raise Refusal(replies.NO_ROSTER)
    cases = await absence.open_cases(ctx.policy)
    if not cases:
        await ctx.reply(replies.ABSENT_NONE)
        return
    rows = roster.by_phone
    now = datetime.fromtimestamp(ctx.event.time, UTC)
    lines = [replies.ABSENT_HEAD.format(count=len(cases))]
    for case in cases:
        row = rows.get(case.phone)
        lines.append(
            replies.ABSENT_LINE.format(
                name=case.name,
                phone=case.phone,
                department=row.department if row else "",
                days=(now - case.opened_at).days,
            )
        )
    await ctx.reply("\n".join(lines))
