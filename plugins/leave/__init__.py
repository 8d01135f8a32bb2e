"""请假：管理员 /请假 @某人 记下，成员 /请假 为自己申请（审N，/确认 或 /驳回），/撤销 假N。

请假和节假日让那几天不提醒分享、不算没交、不打断连续分享；这些效果在分享插件和 qungui/streaks.py 里，
这里只管记下请假。
"""

from collections.abc import Callable
from datetime import date, timedelta

from nonebot import require
from nonebot.adapters.onebot.v11 import ActionFailed
from nonebot.plugin import PluginMetadata

require("core")
require("warnings")

from plugins.core import (  # noqa: E402
    CommandContext,
    Refusal,
    SendFailed,
    UsageError,
    failure_reason,
    member_target,
    review_kinds,
    router,
    sender,
    undo_kinds,
)
from plugins.core.args import LeaveDay, Person, Reason  # noqa: E402
from plugins.core.record_ids import LEAVE  # noqa: E402
from plugins.warnings import tell_reviewers  # noqa: E402
from qungui import leave, members, rules  # noqa: E402
from qungui.models import FilterHit, Leave  # noqa: E402
from qungui.reviews import AlreadyDecided  # noqa: E402
from qungui.roles import Role  # noqa: E402

from . import replies  # noqa: E402


def _day(day: date, today: date) -> str:
    return (
        f"{day.month}月{day.day}日"
        if day.year == today.year
        else f"{day:%Y}年{day.month}月{day.day}日"
    )


def span(first: date, last: date, today: date) -> str:
    """“12月8日至12月10日”；只有一天时“12月8日”；不在今年的日子带上年份。"""
    if first == last:
        return _day(first, today)
    return f"{_day(first, today)}至{_day(last, today)}"


async def _name(ctx: CommandContext, user_id: int) -> str:
    return (await members.display_names(ctx.policy, [user_id]))[user_id]


async def _refusal(ctx: CommandContext, exc: leave.LeaveError, user_id: int) -> Refusal:
    """写法对、但不能这样记的原因。"""
    if isinstance(exc, leave.TooLong):
        return Refusal(replies.TOO_LONG.format(limit=exc.limit, days=exc.days))
    if isinstance(exc, leave.MonthFrozen):
        return Refusal(replies.FROZEN.format(month=exc.month))
    if isinstance(exc, leave.SelfRequestOff):
        return Refusal(replies.SELF_REQUEST_OFF)
    if isinstance(exc, leave.TooManyPending):
        reviews = "、".join(f"审{review}" for review in exc.reviews)
        return Refusal(replies.TOO_MANY_PENDING.format(count=len(exc.reviews), reviews=reviews))
    if isinstance(exc, leave.Overlaps):
        other = exc.other
        text = replies.OVERLAPS_PENDING if other.status == leave.PENDING else replies.OVERLAPS
        return Refusal(
            text.format(
                name=await _name(ctx, user_id),
                id=other.id,
                review=other.review_id,
                span=span(*leave.in_force_days(other), ctx.today),
            )
        )
    raise exc


@router.command(
    "请假",
    args=(
        Person(optional=True, leading=True),
        LeaveDay(),
        LeaveDay("last", "结束", optional=True, after="first"),
        Reason(label=replies.REASON_LABEL, mentions=True),
    ),
    summary="为自己申请请假，管理员确认后生效（给别人记需管理员）；请假的日子不提醒分享",
    example="/请假 12-08 12-10 回老家办事 或 /请假 @张三 12-08 病假",
)
async def ask(ctx: CommandContext) -> None:
    if ctx.group_id is None:
        raise UsageError()
    first = ctx.params.first
    last = ctx.params.last or first
    # 回复和审核通知里写的就是存下的那些字：几千字的事由会把一条申请拆成好几条私聊
    reason = ctx.params.reason[: leave.REASON_LIMIT]
    if last < first:
        raise UsageError(replies.BACKWARDS)
    if ctx.params.member is None or ctx.params.member == ctx.user_id:
        await _request(ctx, first, last, reason)
        return
    if ctx.role < Role.ADMIN:
        raise Refusal(replies.FOR_OTHERS_NEEDS_ADMIN.format(role=ctx.role.label))
    user = member_target(ctx.policy, ctx.params.member)
    try:
        done = await leave.record(
            ctx.policy,
            user_id=user,
            group_id=ctx.group_id,
            first=first,
            last=last,
            reason=reason,
            by=ctx.user_id,
            role=ctx.role,
            at=ctx.time,
            event_key=ctx.event_key,
        )
    except leave.LeaveError as exc:
        raise await _refusal(ctx, exc, user) from None
    if not done.created:
        return  # 同一条命令重放：已经记过、回复过
    await ctx.reply(
        replies.RECORDED.format(
            name=await _name(ctx, user),
            span=span(first, last, ctx.today),
            days=leave.length(first, last),
            id=done.leave.id,
            reason=reason,
        )
    )


async def _request(ctx: CommandContext, first: date, last: date, reason: str) -> None:
    """为自己申请：不论是谁（管理员也一样），都交另一位管理员批。"""
    try:
        done = await leave.request(
            ctx.policy,
            user_id=ctx.user_id,
            group_id=ctx.group_id,
            first=first,
            last=last,
            reason=reason,
            at=ctx.time,
            event_key=ctx.event_key,
        )
    except leave.LeaveError as exc:
        raise await _refusal(ctx, exc, ctx.user_id) from None
    if not done.created:
        return
    days = leave.length(first, last)
    await ctx.reply(
        replies.REQUESTED.format(
            span=span(first, last, ctx.today), days=days, review=done.review_id
        )
    )
    await tell_reviewers(
        ctx.bot,
        ctx.policy,
        replies.REVIEW.format(
            review=done.review_id,
            group=members.group_name(ctx.policy, ctx.group_id),
            name=await _name(ctx, ctx.user_id),
            qq=ctx.user_id,
            span=span(first, last, ctx.today),
            days=days,
            reason=reason,
        ),
    )


def _decided(exc: AlreadyDecided) -> Refusal:
    hit = exc.hit
    status = {"confirmed": replies.STATUS_CONFIRMED, "dismissed": replies.STATUS_DISMISSED}
    return Refusal(replies.ALREADY.format(review=hit.id, status=status.get(hit.status, hit.status)))


async def _tell(
    ctx: CommandContext,
    hit: FilterHit,
    in_group: str,
    elsewhere: str,
    not_told: Callable[[str], str],
) -> None:
    """结果在申请的那个群里说；管理员在别处（私聊、管理群）决定的，再回他一句。群里发不进去时
    （机器人被移出、群已解散）决定照样记下了：告诉管理员没说到，请他转告。"""
    try:
        await sender.send_group(ctx.bot, hit.group_id, in_group)
    except SendFailed as exc:
        if ctx.group_id == hit.group_id:
            raise  # 在同一个群里决定的：回复也发不进去
        cause = exc.__cause__
        reason = failure_reason(cause) if isinstance(cause, ActionFailed) else str(exc)
        await ctx.reply(not_told(reason))
        return
    if ctx.group_id != hit.group_id:
        await ctx.reply(elsewhere)


async def approve(ctx: CommandContext, hit: FilterHit) -> None:
    try:
        done = await leave.approve(
            ctx.policy, hit, by=ctx.user_id, role=ctx.role, at=ctx.time, event_key=ctx.event_key
        )
    except AlreadyDecided as exc:
        if exc.replayed:
            return
        raise _decided(exc) from None
    except leave.LeaveError as exc:
        raise await _refusal(ctx, exc, hit.user_id) from None
    fields = await _fields(ctx, done, hit) | {"id": done.id}
    await _tell(
        ctx,
        hit,
        replies.APPROVED.format(**fields),
        replies.APPROVED_ELSEWHERE.format(**fields),
        lambda reason: replies.APPROVED_NOT_TOLD.format(**fields, reason=reason),
    )


async def refuse(ctx: CommandContext, hit: FilterHit) -> None:
    note = ctx.params.reason[:200]
    try:
        done = await leave.refuse(
            ctx.policy,
            hit,
            note=note,
            by=ctx.user_id,
            role=ctx.role,
            at=ctx.time,
            event_key=ctx.event_key,
        )
    except AlreadyDecided as exc:
        if exc.replayed:
            return
        raise _decided(exc) from None
    fields = await _fields(ctx, done, hit) | {
        "note": replies.REFUSED_NOTE.format(note=note) if note else ""
    }
    await _tell(
        ctx,
        hit,
        replies.REFUSED.format(**fields),
        replies.REFUSED_ELSEWHERE.format(**fields),
        lambda reason: replies.REFUSED_NOT_TOLD.format(**fields, reason=reason),
    )


async def _fields(ctx: CommandContext, done: Leave, hit: FilterHit) -> dict[str, object]:
    return {
        "review": hit.id,
        "span": span(done.first_day, done.last_day, ctx.today),
        "name": await _name(ctx, done.user_id),
    }


review_kinds.register(rules.REVIEW_LEAVE, confirm=approve, dismiss=refuse)


async def revoke(ctx: CommandContext, leave_id: int) -> None:
    """`/撤销 假N`：今天起不再算请假，已经过去的日子照旧。"""
    try:
        done = await leave.revoke(
            ctx.policy,
            leave_id,
            by=ctx.user_id,
            role=ctx.role,
            today=ctx.today,
            at=ctx.time,
            event_key=ctx.event_key,
        )
    except leave.LeaveNotFound:
        raise Refusal(replies.NOT_FOUND.format(id=leave_id)) from None
    except leave.StillPending as exc:
        raise Refusal(
            replies.STILL_PENDING.format(id=leave_id, review=exc.leave.review_id)
        ) from None
    except leave.NotInForce as exc:
        text = replies.NOT_IN_FORCE_REFUSED
        if exc.leave.status != leave.REFUSED:
            text = replies.NOT_IN_FORCE_REVOKED
        raise Refusal(text.format(id=leave_id)) from None
    except leave.AllPassed as exc:
        whole = span(exc.leave.first_day, exc.leave.last_day, ctx.today)
        raise Refusal(replies.ALL_PASSED.format(id=leave_id, span=whole)) from None
    if not done.created:
        return
    row = done.leave
    name = await _name(ctx, row.user_id)
    if not done.kept:
        text = replies.REVOKED_ALL.format(
            id=row.id, name=name, span=span(row.first_day, row.last_day, ctx.today)
        )
    else:
        text = replies.REVOKED_REST.format(
            id=row.id,
            name=name,
            cut=_day(row.cut_from, ctx.today),
            kept=done.kept,
            kept_span=span(row.first_day, row.cut_from - timedelta(days=1), ctx.today),
        )
    await ctx.reply(text)


undo_kinds.register(LEAVE, revoke)


__plugin_meta__ = PluginMetadata(
    name="请假",
    description="请假与节假日：那几天不提醒分享、不算没交、不打断连续分享",
    usage=router.usage(__name__),
    type="application",
    supported_adapters={"~onebot.v11"},
)
