"""积分：/积分 /积分明细 /排行 /加分 /扣分 /撤销。"""

from nonebot import require
from nonebot.plugin import PluginMetadata

require("core")

from plugins.core import (  # noqa: E402
    CommandContext,
    Refusal,
    UsageError,
    bot_ids,
    member_target,
    private_roles,
    router,
    undo_kinds,
)
from plugins.core.args import Month, OtherId, Person, Points, Reason, entry_id  # noqa: E402
from plugins.core.lookup import fill_unknown  # noqa: E402
from qungui import appeals, clock, points, rules  # noqa: E402
from qungui.ledger import (  # noqa: E402
    AlreadyReversed,
    EntryNotFound,
    IsReversal,
    MonthFrozen,
    RoleTooLow,
)
from qungui.roles import Role  # noqa: E402

from . import replies  # noqa: E402

DETAIL_LIMIT = 40


def _target(ctx: CommandContext) -> int:
    return ctx.params.member or ctx.user_id


@router.command(
    "积分",
    args=(Person(optional=True),),
    summary="本月积分、排名、累计积分",
    example="/积分 或 /积分 @张三",
    private=True,
)
async def show_points(ctx: CommandContext) -> None:
    found = await points.summary(ctx.policy, _target(ctx), ctx.month, bot_ids())
    text = replies.SUMMARY if found.rank is not None else replies.SUMMARY_UNRANKED
    await ctx.reply(text.format(**vars(found)))


@router.command(
    "积分明细",
    args=(Person(optional=True), Month()),
    summary="某月的每一条积分记录（看别人的需管理员；警告的理由私聊查看）",
    example="/积分明细 2026-10",
    private=True,
)
async def show_detail(ctx: CommandContext) -> None:
    user = _target(ctx)
    month = ctx.params.month
    if user != ctx.user_id and (role := await private_roles.role_for_admin_part(ctx)) < Role.ADMIN:
        raise Refusal(replies.OTHERS_DETAIL.format(role=role.label))
    name, lines = await points.detail(ctx.policy, user, month)
    if not lines:
        await ctx.reply(replies.DETAIL_EMPTY.format(name=name, month=month))
        return
    total = sum(line.entry.delta for line in lines)
    text = [
        replies.DETAIL_HEAD.format(
            name=name, month=month, count=len(lines), total=points.change_text(total)
        )
    ]
    if len(lines) > DETAIL_LIMIT:
        text.append(replies.DETAIL_MORE.format(hidden=len(lines) - DETAIL_LIMIT))
    shown = lines[-DETAIL_LIMIT:]
    appealed = await appeals.of_entries(ctx.policy, [line.entry.id for line in shown])
    # 群里只说警告的类别和分数（和警告当时在群里说的一样）；违规的具体理由只在私聊里给本人和管理员看
    in_group = ctx.group_id is not None
    text += [_detail_line(line, appealed.get(line.entry.id), in_group) for line in shown]
    if in_group and any(_reason_withheld(line) for line in shown):
        text.append(replies.DETAIL_REASONS_PRIVATE)
    await ctx.reply("\n".join(text))


def _reason_withheld(line: points.DetailLine) -> bool:
    return rules.is_warning(line.entry.rule) and bool(line.entry.reason)


def _detail_line(
    line: points.DetailLine, appeal: appeals.Listed | None = None, in_group: bool = False
) -> str:
    entry = line.entry
    label = rules.label(entry.rule)
    if entry.reverses is not None:
        label = replies.DETAIL_REVERSES.format(id=entry.reverses)
    parts = [
        f"#{entry.id}",
        entry.business_date.strftime("%m-%d"),
        points.change_text(entry.delta),
        label,
    ]
    if entry.reason and not (in_group and _reason_withheld(line)):
        parts.append(entry.reason)
    if line.actor_name:
        parts.append(f"— {line.actor_name}")
    if line.reversed:
        parts[-1] += replies.DETAIL_REVERSED
    if appeal is not None:
        # 明细在群里回答：只标结果和 审N，不说申诉理由（理由在 /申诉记录 的私聊里看）
        parts[-1] += f"（{replies.APPEAL_MARKS[appeal.status]} 审{appeal.appeal.review_id}）"
    return " ".join(parts)


@router.command(
    "排行",
    args=(Month(),),
    summary="某月积分排行前几名",
    example="/排行 或 /排行 2026-10",
)
async def show_board(ctx: CommandContext) -> None:
    month = ctx.params.month
    board = await points.board(ctx.policy, month, bot_ids())
    org = ctx.policy.org.name
    if not board.standings:
        await ctx.reply(replies.BOARD_EMPTY.format(org=org, month=month))
        return
    top = board.standings[: ctx.policy.leaderboard.top]
    if await fill_unknown(ctx.bot, ctx.policy, [s.user_id for s in top]):
        board = await points.board(ctx.policy, month, bot_ids())
        top = board.standings[: ctx.policy.leaderboard.top]
    text = [replies.BOARD_HEAD.format(org=org, month=month, count=len(board.standings))]
    text += [
        f"{s.rank}. {board.names[s.user_id]} {s.points} 分"
        + (f"（分享 {s.share_days} 天）" if s.share_days else "")
        for s in top
    ]
    own = board.standing_of(ctx.user_id)
    if own is not None and own not in top:
        text.append(replies.BOARD_SELF.format(rank=own.rank, points=own.points))
    await ctx.reply("\n".join(text))


ADJUST_ARGS = (Person(), Points(over_cap=replies.OVER_CAP), Reason())


async def _adjust(ctx: CommandContext, sign: int) -> None:
    amount, reason = ctx.params.amount, ctx.params.reason
    try:
        done = await points.adjust(
            ctx.policy,
            actor_id=ctx.user_id,
            actor_role=ctx.role,
            user_id=member_target(ctx.policy, ctx.params.member),
            delta=sign * amount,
            reason=reason,
            today=ctx.today,
            now=clock.now(),
            command_key=ctx.event_key,
        )
    except points.OverCap as exc:
        raise Refusal(replies.OVER_CAP.format(role=ctx.role.label, cap=exc.cap)) from None
    if not done.written.created:
        return  # 同一事件重放：已经记过、回复过
    entry = done.written.entry
    await ctx.reply(
        replies.ADJUSTED.format(
            id=entry.id, name=done.name, delta=entry.delta, reason=reason, total=done.month_total
        )
    )


@router.command(
    "加分",
    args=ADJUST_ARGS,
    summary="给成员加分（管理员）",
    example="/加分 @张三 5 协助整理客户资料",
    role=Role.ADMIN,
)
async def add_points(ctx: CommandContext) -> None:
    await _adjust(ctx, +1)


@router.command(
    "扣分",
    args=ADJUST_ARGS,
    summary="给成员扣分（管理员）",
    example="/扣分 @张三 5 群内发布无关广告",
    role=Role.ADMIN,
)
async def deduct_points(ctx: CommandContext) -> None:
    await _adjust(ctx, -1)


@router.command(
    "撤销",
    args=(entry_id(others=undo_kinds.FORMS), Reason(optional=True)),
    summary="撤销一条积分记录，或一次请假（假N）（管理员）",
    example="/撤销 #12 分数填错了",
    role=Role.ADMIN,
)
async def undo(ctx: CommandContext) -> None:
    entry_id = ctx.params.entry_id
    if isinstance(entry_id, OtherId):
        # 请假（假N）不是账本记录：交给登记了这种编号的插件
        other = undo_kinds.handler(entry_id.form)
        if other is None:
            raise UsageError()
        await other(ctx, entry_id.number)
        return
    try:
        done = await points.undo(
            ctx.policy,
            entry_id=entry_id,
            actor_id=ctx.user_id,
            actor_role=ctx.role,
            reason=ctx.params.reason,
            now=clock.now(),
            command_key=ctx.event_key,
        )
    except EntryNotFound:
        raise Refusal(replies.NOT_FOUND.format(id=entry_id)) from None
    except AlreadyReversed as exc:
        raise Refusal(
            replies.ALREADY_REVERSED.format(id=entry_id, reversal=exc.reversal.id)
        ) from None
    except IsReversal:
        raise Refusal(replies.IS_REVERSAL.format(id=entry_id)) from None
    except MonthFrozen as exc:
        raise Refusal(replies.FROZEN.format(id=entry_id, month=exc.month)) from None
    except RoleTooLow as exc:
        raise Refusal(
            replies.ROLE_TOO_LOW.format(
                id=entry_id,
                writer=_writer(exc.needed),
                needed=exc.needed.label,
                role=ctx.role.label,
            )
        ) from None
    if not done.written.created:
        return
    original = done.original
    await ctx.reply(
        replies.REVERSED.format(
            original=original.id,
            name=done.name,
            delta=original.delta,
            label=rules.label(original.rule),
            id=done.written.entry.id,
            month=original.business_date.strftime("%Y-%m"),
            total=done.month_total,
        )
    )


def _writer(needed: Role) -> str:
    return {Role.CHAIRMAN: "主席", Role.SUPERUSER: "超级用户"}.get(needed, "管理员")


__plugin_meta__ = PluginMetadata(
    name="积分",
    description="查询积分与排行，管理员加分、扣分、撤销",
    usage=router.usage(__name__),
    type="application",
    supported_adapters={"~onebot.v11"},
)
