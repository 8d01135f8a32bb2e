"""警告：/警告 与 /警告记录；窗口内次数达到门槛时通知主席和管理员，可选禁言。"""

from datetime import UTC, datetime

from nonebot import require
from nonebot.adapters.onebot.v11 import Bot
from nonebot.plugin import PluginMetadata

require("core")

from plugins.core import (  # noqa: E402
    API_FAILURES,
    CommandContext,
    Refusal,
    UsageError,
    bot_ids,
    failure_reason,
    notify_superusers,
    rights,
    router,
    sender,
    superusers,
)
from plugins.core.args import Amount, Category, Person, Reason  # noqa: E402
from qungui import members, reviews, warning_cases  # noqa: E402
from qungui.policy import Policy  # noqa: E402
from qungui.roles import Role  # noqa: E402

from . import content_replies, replies  # noqa: E402

REASON_LIMIT = 200


def _target_and_evidence(ctx: CommandContext) -> tuple[int, warning_cases.Evidence]:
    reply = getattr(ctx.event, "reply", None)
    if reply is not None and ctx.params.member is None:
        types = ",".join(dict.fromkeys(seg.type for seg in reply.message))
        evidence = warning_cases.Evidence(
            reply.message.extract_plain_text(), types, int(reply.message_id)
        )
        return int(reply.sender.user_id), evidence
    return ctx.params.member, warning_cases.Evidence()


@router.command(
    "警告",
    args=(
        Person(bad=replies.ONE_TARGET, or_reply=True),
        Category(),
        Amount(),
        Reason(optional=True),
    ),
    after="（或回复那条消息：/警告 类别 [理由]）",
    summary="按群规类别警告并扣分（管理员；范围类别需主席）",
    example="/警告 @张三 不良信息 群里发赌博链接",
    role=Role.ADMIN,
)
async def warn(ctx: CommandContext) -> None:
    if ctx.group_id is None:
        raise UsageError()
    target, evidence = _target_and_evidence(ctx)
    category, amount, reason = ctx.params.category, ctx.params.amount, ctx.params.reason
    if target == int(ctx.bot.self_id) or target in members.not_counted(ctx.policy, bot_ids()):
        raise Refusal(replies.NOT_BOT)
    if str(target) in superusers:
        raise Refusal(replies.NOT_SUPERUSER)
    if len(reason) > REASON_LIMIT:
        raise UsageError(replies.TOO_LONG.format(limit=REASON_LIMIT))
    try:
        issued = await warning_cases.issue(
            ctx.policy,
            group_id=ctx.group_id,
            user_id=target,
            category=category,
            amount=amount,
            reason=reason,
            actor_id=ctx.user_id,
            actor_role=ctx.role,
            at=datetime.fromtimestamp(ctx.event.time, UTC),
            today=ctx.today,
            command_key=ctx.event_key,
            evidence=evidence,
        )
    except warning_cases.WarningRefused as exc:
        raise refusal_for(exc) from None
    if issued.created:
        await tell_group(ctx.bot, ctx.policy, ctx.group_id, target, issued)


async def tell_group(bot: Bot, policy: Policy, group_id: int, target: int, issued) -> None:
    """警告立案后在群里说一次（类别、分数、编号、窗口内第几次），达到门槛时升级。"""
    names = await members.display_names(policy, [target])
    await sender.send_group(
        bot,
        group_id,
        replies.ISSUED.format(
            name=names[target],
            category=issued.case.category,
            points=warning_cases.points_text(issued.case.points),
            id=issued.entry.id,
            window=policy.warnings.window_days,
            count=issued.active,
        ),
    )
    if issued.escalate:
        await _escalate(bot, policy, group_id, target, names[target], issued)


def refusal_for(exc: warning_cases.WarningRefused) -> Exception:
    """警告不成立的原因翻成回复。没有对应回复的原因原样交回：宁可按出错处理，也不说成别的原因。"""
    match exc:
        case warning_cases.UnknownCategory(choices=choices):
            return Refusal(replies.UNKNOWN.format(choices="、".join(choices)))
        case warning_cases.CategoryNeeded(choices=choices):
            return UsageError(content_replies.NEEDS_CATEGORY.format(choices="、".join(choices)))
        case warning_cases.ChairmanOnly():
            return Refusal(replies.CHAIRMAN)
        case warning_cases.FixedPoints(points=points):
            return UsageError(replies.FIXED.format(points=points))
        case warning_cases.OutOfRange(low=low, high=high):
            return UsageError(replies.RANGE.format(low=low, high=high))
    return exc


async def tell_reviewers(bot: Bot, policy: Policy, text: str) -> None:
    """给管理员看的事，发到 `reviews.reviewers` 说的地方。"""
    route = reviews.reviewers(policy)
    if route.group_id is not None:
        await sender.send_group(bot, route.group_id, text)
        return
    await sender.send_private_each(bot, route.people, text)
    if route.tell_superusers:
        await notify_superusers(bot, text)


async def _escalate(
    bot: Bot, policy: Policy, group_id: int, target: int, name: str, issued
) -> None:
    warnings = policy.warnings
    plan = warning_cases.escalation(policy)
    text = replies.ESCALATE.format(
        name=name, window=warnings.window_days, count=issued.active, category=issued.case.category
    )
    await sender.send_private_each(bot, plan.tell, f"【群规助手】{text}")
    if plan.tell_superusers:
        await notify_superusers(bot, text)
    if not plan.mute_seconds:
        return
    if not await rights.is_admin(bot, group_id):
        await sender.send_group(bot, group_id, replies.CANNOT_MUTE.format(name=name))
        return
    try:
        await bot.call_api(
            "set_group_ban",
            group_id=group_id,
            user_id=target,
            duration=plan.mute_seconds,
        )
    except API_FAILURES as exc:
        reason = failure_reason(exc)
        await sender.send_group(bot, group_id, replies.MUTE_FAILED.format(name=name, reason=reason))
        return
    await sender.send_group(
        bot,
        group_id,
        replies.MUTED.format(
            name=name,
            window=warnings.window_days,
            count=issued.active,
            minutes=warnings.mute_minutes,
        ),
    )


@router.command(
    "警告记录",
    args=(Person(optional=True),),
    summary="近期的警告（看别人的需管理员）",
    example="/警告记录 @张三",
)
async def history(ctx: CommandContext) -> None:
    target = ctx.params.member or ctx.user_id
    if target != ctx.user_id and ctx.role < Role.ADMIN:
        raise Refusal(replies.OTHERS_HISTORY.format(role=ctx.role.label))
    cases = await warning_cases.history(
        ctx.policy, target, datetime.fromtimestamp(ctx.event.time, UTC)
    )
    names = await members.display_names(ctx.policy, [target])
    window = ctx.policy.warnings.window_days
    if not cases:
        await ctx.reply(replies.HISTORY_NONE.format(name=names[target], window=window))
        return
    active = sum(1 for case in cases if case.revoked_at is None)
    lines = [replies.HISTORY_HEAD.format(name=names[target], window=window, count=active)]
    for case in cases:
        lines.append(
            replies.HISTORY_LINE.format(
                id=case.entry_id,
                day=case.created_at.astimezone(ctx.policy.tz).strftime("%m-%d"),
                category=case.category,
                points=warning_cases.points_text(case.points),
                revoked="（已撤回）" if case.revoked_at else "",
            )
        )
    await ctx.reply("\n".join(lines))


from . import content  # noqa: E402, F401  内容过滤、审核与举报（用到上面的 tell_group）

__plugin_meta__ = PluginMetadata(
    name="警告",
    description="按制度的类别警告并扣分，窗口内次数达到门槛时升级；内容过滤、举报与审核",
    usage=router.usage(__name__),
    type="application",
    supported_adapters={"~onebot.v11"},
)
