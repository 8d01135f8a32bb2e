"""申诉：/申诉 编号 理由、/申诉记录；申诉是审核队列里的 审N，由 /确认 /驳回 决定（登记在 review_kinds）。"""

from datetime import UTC, datetime

from nonebot import require
from nonebot.plugin import PluginMetadata

require("core")
require("warnings")  # 告诉管理员的地方（tell_reviewers）和 /确认 /驳回 都在那里

from plugins.core import (  # noqa: E402
    CommandContext,
    Refusal,
    UsageError,
    review_kinds,
    router,
    sender,
)
from plugins.core.args import Person, Reason, entry_id  # noqa: E402
from plugins.warnings import tell_reviewers  # noqa: E402
from qungui import appeals, members, points, rules  # noqa: E402
from qungui.models import FilterHit, LedgerEntry  # noqa: E402
from qungui.reviews import AlreadyDecided  # noqa: E402
from qungui.roles import SYSTEM, OwnCase, Role, role_to_reverse  # noqa: E402

from . import replies  # noqa: E402

_WRITERS = {SYSTEM: "系统", **{role.code: role.label for role in Role}}


def _day(entry: LedgerEntry) -> str:
    return entry.business_date.strftime("%m-%d")


def _refusal(exc: appeals.AppealRefused, ctx: CommandContext) -> Refusal:
    """申诉不成立的原因翻成回复。"""
    entry = exc.entry_id
    match exc:
        case appeals.EntryNotFound():
            return Refusal(replies.NOT_FOUND.format(id=entry))
        case appeals.NotYours():
            return Refusal(replies.NOT_YOURS.format(id=entry))
        case appeals.IsReversal():
            return Refusal(replies.IS_REVERSAL.format(id=entry))
        case appeals.AlreadyReversed():
            return Refusal(replies.ALREADY_REVERSED.format(id=entry))
        case appeals.TooLate(last_day=last):
            days = ctx.policy.appeals.appeal_days
            return Refusal(replies.TOO_LATE.format(id=entry, days=days, last=last.isoformat()))
        case appeals.MonthFrozen(month=month):
            return Refusal(replies.FROZEN.format(id=entry, month=month))
        case appeals.AlreadyAppealed(review_id=review):
            return Refusal(replies.ALREADY_APPEALED.format(id=entry, review=review))
    raise exc


@router.command(
    "申诉",
    args=(entry_id(), Reason(label="申诉理由", mentions=True)),
    summary="对自己的一条积分记录提出申诉，交另一位管理员复核",
    example="/申诉 #12 那天我发过原创分享",
    private=True,
)
async def appeal(ctx: CommandContext) -> None:
    text = ctx.params.reason
    if len(text) > appeals.TEXT_LIMIT:
        raise UsageError(replies.TOO_LONG.format(limit=appeals.TEXT_LIMIT))
    try:
        filed = await appeals.file(
            ctx.policy,
            entry_id=ctx.params.entry_id,
            user_id=ctx.user_id,
            text=text,
            group_id=ctx.group_id,
            at=datetime.fromtimestamp(ctx.event.time, UTC),
            event_key=ctx.event_key,
        )
    except appeals.AppealRefused as exc:
        raise _refusal(exc, ctx) from None
    if not filed.created:
        return  # 同一条申诉重放：已经回复过、告诉过管理员
    entry = filed.entry
    await ctx.reply(
        replies.FILED.format(
            id=filed.hit.id,
            entry=entry.id,
            delta=points.change_text(entry.delta),
            label=rules.label(entry.rule),
        )
    )
    await _ask_reviewers(ctx, filed)


async def _ask_reviewers(ctx: CommandContext, filed: appeals.Filed) -> None:
    entry, appeal = filed.entry, filed.appeal
    people = [appeal.user_id] + ([entry.actor_id] if entry.actor_id is not None else [])
    names = await members.display_names(ctx.policy, people)
    writer = _WRITERS.get(entry.actor_role, entry.actor_role)
    if entry.actor_id is None:
        written_by = replies.SYSTEM_WRITER
    else:
        written_by = f"{names[entry.actor_id]}（{writer}，QQ {entry.actor_id}）"
    lines = [
        replies.REVIEW_HEAD.format(entry=entry.id),
        replies.REVIEW_WHO.format(name=names[appeal.user_id], qq=appeal.user_id),
        replies.REVIEW_ENTRY.format(
            entry=entry.id,
            day=_day(entry),
            delta=points.change_text(entry.delta),
            label=rules.label(entry.rule),
            reason=entry.reason or "未写理由",
        ),
        replies.REVIEW_WRITER.format(writer=written_by),
        replies.REVIEW_TEXT.format(text=appeal.text),
    ]
    needed = role_to_reverse(entry.actor_role)
    if needed > Role.ADMIN:
        lines.append(replies.REVIEW_NEEDS.format(writer=writer, needed=needed.label))
    lines.append(replies.REVIEW_ACTIONS.format(id=filed.hit.id))
    await tell_reviewers(ctx.bot, ctx.policy, "\n".join(lines))


def _decision_refusal(exc: Exception, ctx: CommandContext, review_id: int, appeal) -> Exception:
    match exc:
        case OwnCase() if ctx.user_id == appeal.user_id:
            return Refusal(replies.OWN_APPEAL.format(id=review_id))
        case OwnCase() if ctx.user_id == appeal.entry_actor_id:
            return Refusal(replies.OWN_ENTRY.format(id=review_id, entry=appeal.entry_id))
        case OwnCase():  # 那条警告是因他的举报记下的
            return Refusal(replies.OWN_REPORT.format(id=review_id, entry=appeal.entry_id))
        case appeals.NeedsRole(needed=needed):
            return Refusal(
                replies.NEEDS_ROLE.format(
                    id=review_id,
                    entry=appeal.entry_id,
                    writer=_WRITERS.get(appeal.entry_actor_role, appeal.entry_actor_role),
                    needed=needed.label,
                    role=ctx.role.label,
                )
            )
        case appeals.MonthFrozen(month=month):
            return Refusal(
                replies.DECIDE_FROZEN.format(id=review_id, entry=appeal.entry_id, month=month)
            )
        case appeals.AlreadyReversed(reversal_id=reversal):
            return Refusal(
                replies.DECIDE_REVERSED.format(
                    id=review_id, entry=appeal.entry_id, reversal=reversal
                )
            )
        case appeals.NoteNeeded():
            return Refusal(replies.NOTE_NEEDED.format(id=review_id))
    return exc


def _note(ctx: CommandContext) -> str:
    """决定的理由。/确认 的声明先取走一个类别名（为内容命中准备的）：对申诉它只是理由的第一个词。"""
    words = (ctx.params.get("category"), ctx.params.reason)
    return " ".join(word for word in words if word)


async def _decide(ctx: CommandContext, hit: FilterHit, upheld: bool) -> None:
    decide = appeals.uphold if upheld else appeals.dismiss
    _, appeal = await appeals.find(ctx.policy, hit.id)
    try:
        done = await decide(
            ctx.policy,
            hit.id,
            note=_note(ctx)[:200],
            by=ctx.user_id,
            role=ctx.role,
            at=datetime.fromtimestamp(ctx.event.time, UTC),
            event_key=ctx.event_key,
        )
    except AlreadyDecided as exc:
        if exc.replayed:
            return  # 同一条命令再来一次：上次已经决定、告诉过
        status = replies.MARKS.get(exc.hit.status if exc.hit else "", "")
        raise Refusal(replies.ALREADY_DECIDED.format(id=hit.id, status=status)) from None
    except (OwnCase, appeals.AppealRefused) as exc:
        raise _decision_refusal(exc, ctx, hit.id, appeal) from None
    entry = done.entry
    names = await members.display_names(ctx.policy, [entry.user_id])
    name = names[entry.user_id]
    fields = {
        "id": hit.id,
        "entry": entry.id,
        "day": _day(entry),
        "delta": points.change_text(entry.delta),
        "label": rules.label(entry.rule),
    }
    if upheld:
        told = replies.MEMBER_UPHELD.format(**fields)
    elif done.undone is not None:
        told = replies.MEMBER_CLOSED_UNDONE.format(note=done.hit.decided_note, **fields)
    else:
        told = replies.MEMBER_DISMISSED.format(note=done.hit.decided_note, **fields)
    missed = await sender.send_private_each(ctx.bot, [entry.user_id], told)
    told_line = (replies.NOT_TOLD if missed else replies.TOLD).format(name=name)
    if upheld:
        withdrawn = await _tell_reporters(ctx, hit.id, done.withdrawn)
        await ctx.reply(
            replies.UPHELD.format(name=name, reversal=done.reversal.id, told=told_line, **fields)
            + withdrawn
        )
    elif done.undone is not None:
        await ctx.reply(
            replies.CLOSED_UNDONE.format(told=told_line, reversal=done.undone.id, **fields)
        )
    else:
        await ctx.reply(replies.DISMISSED.format(told=told_line, **fields))


async def _tell_reporters(ctx: CommandContext, review_id: int, bonuses) -> str:
    """私聊告诉举报人奖励撤回了；返回给决定的人看的那几句。举报人只告诉管理员：决定发在私聊或
    管理群里才说出名字，发在别的群里（被举报的人可能就在群里）只说“举报人”。"""
    review_group = ctx.policy.filter.review_group
    named = ctx.group_id is None or (bool(review_group) and ctx.group_id == review_group)
    names = await members.display_names(ctx.policy, [bonus.user_id for bonus in bonuses])
    lines = []
    for bonus in bonuses:
        delta = points.change_text(bonus.delta)
        told = replies.REPORTER_WITHDRAWN.format(id=review_id, entry=bonus.id, delta=delta)
        missed = await sender.send_private_each(ctx.bot, [bonus.user_id], told)
        told_line = replies.REPORTER_NOT_TOLD if missed else replies.REPORTER_TOLD
        line = replies.UPHELD_BONUS if named else replies.UPHELD_BONUS_UNNAMED
        lines.append(
            line.format(name=names[bonus.user_id], entry=bonus.id, delta=delta, told=told_line)
        )
    return "".join(lines)


async def uphold(ctx: CommandContext, hit: FilterHit) -> None:
    await _decide(ctx, hit, upheld=True)


async def dismiss(ctx: CommandContext, hit: FilterHit) -> None:
    await _decide(ctx, hit, upheld=False)


review_kinds.register(rules.REVIEW_APPEAL, confirm=uphold, dismiss=dismiss)


@router.command(
    "申诉记录",
    args=(Person(optional=True),),
    summary="申诉和各自的结果（看别人的需管理员）",
    example="/申诉记录 @张三",
    private=True,
)
async def history(ctx: CommandContext) -> None:
    target = ctx.params.member or ctx.user_id
    if target != ctx.user_id and ctx.role < Role.ADMIN:
        raise Refusal(replies.OTHERS_HISTORY.format(role=ctx.role.label))
    found = await appeals.history(ctx.policy, target)
    name = (await members.display_names(ctx.policy, [target]))[target]
    if not found:
        await ctx.reply(replies.HISTORY_NONE.format(name=name))
        return
    in_private = ctx.group_id is None
    lines = [replies.HISTORY_HEAD.format(name=name, count=len(found))]
    for item in found:
        entry = item.entry
        lines.append(
            replies.HISTORY_LINE.format(
                id=item.appeal.review_id,
                entry=entry.id,
                day=_day(entry),
                delta=points.change_text(entry.delta),
                label=rules.label(entry.rule),
                mark=replies.MARKS.get(item.status, item.status),
            )
        )
        if in_private:  # 申诉理由、驳回理由只在私聊里说，群里只说结果
            lines.append(replies.HISTORY_TEXT.format(text=item.appeal.text))
            if item.status == appeals.DISMISSED and item.note:
                lines.append(replies.HISTORY_NOTE.format(note=item.note))
    await ctx.reply("\n".join(lines))


__plugin_meta__ = PluginMetadata(
    name="申诉",
    description="成员对自己的积分记录申诉，由另一位管理员用 /确认 /驳回 复核",
    usage=router.usage(__name__),
    type="application",
    supported_adapters={"~onebot.v11"},
)
