"""每日分享：在分享群里认出原创分享并加分，提醒还没分享的人，/今日分享。

请假的人、节假日的所有人不提醒、不算没交（qungui/leave.py）；他们那天发的分享照样记分。"""

from datetime import UTC, date, datetime, timedelta

from nonebot import logger, require
from nonebot.adapters.onebot.v11 import Bot, GroupMessageEvent, Message, MessageSegment
from nonebot.adapters.onebot.v11.event import Reply
from nonebot.compat import type_validate_python
from nonebot.plugin import PluginMetadata

require("core")

from plugins.core import (  # noqa: E402
    API_FAILURES,
    CommandContext,
    GroupBatcher,
    Refusal,
    SendFailed,
    UsageError,
    bot_ids,
    failure_reason,
    member_target,
    online_bot,
    replied_message_id,
    rights,
    router,
    runner,
    sender,
    superusers,
    ticks,
)
from plugins.core.args import Choice, Day, Person, Reason  # noqa: E402
from plugins.core.events import EssenceNoticeEvent  # noqa: E402
from plugins.core.identity import event_key, reply_key  # noqa: E402
from qungui import clock, leave, ledger, members, months, shares, streaks  # noqa: E402
from qungui.dates import local_time, month_days, month_key  # noqa: E402
from qungui.jobs import Job, JobContext, Schedule  # noqa: E402
from qungui.ledger import AlreadyReversed, MonthFrozen, RoleTooLow  # noqa: E402
from qungui.policy import MAX_REMINDERS, Policy, parse_clock  # noqa: E402
from qungui.roles import OwnCase, Role, resolve_role  # noqa: E402
from qungui.state import STATE  # noqa: E402

from . import replies  # noqa: E402

# 不算原创的说明：每群每 10 分钟最多一条，只写名字，每人每天最多提一次
not_original = GroupBatcher(
    "not_original", sender, lambda items: replies.NOT_ORIGINAL.format(items="、".join(items))
)
ticks.append(not_original.flush)


def _interesting(event: GroupMessageEvent, policy: Policy) -> bool:
    """每条分享群消息都会问一次：只看内存里的消息段，够字数或是转发、卡片才往下走。"""
    if event.group_id not in policy.groups.share:
        return False
    chars = 0
    for segment in event.message:
        if segment.type in ("forward", "json"):
            return True
        if segment.type == "text":
            chars += shares.own_chars(segment.data["text"])
    return chars >= policy.share.min_chars


def _draft(event: GroupMessageEvent) -> shares.Draft:
    quoted = event.reply.message.extract_plain_text() if event.reply is not None else None
    return shares.Draft(
        own_text="".join(s.data["text"] for s in event.message if s.type == "text"),
        has_forward=any(s.type == "forward" for s in event.message),
        has_card=any(s.type == "json" for s in event.message),
        quoted_text=quoted,
    )


@router.watch(_interesting)
async def on_share(bot: Bot, event: GroupMessageEvent, policy: Policy, _found: bool) -> None:
    if event.user_id in members.not_counted(policy, bot_ids()):
        return  # 机器人发的提醒、公告不是分享
    sent_at = datetime.fromtimestamp(event.time, UTC)
    outcome = await shares.record(
        policy,
        group_id=event.group_id,
        user_id=event.user_id,
        message_id=event.message_id,
        event_key=event_key(policy.id, event),
        sent_at=sent_at,
        draft=_draft(event),
    )
    if outcome.share is not None and (emoji := shares.reaction(policy, outcome.share)):
        # 记了分：点个表情代替一句回复。只排进队，不等 NapCat
        sender.react(bot, event.message_id, emoji)
    if outcome.share is None or outcome.share.original:
        return
    day = local_time(sent_at, policy.tz).date()
    told = STATE.org(policy.id).told_not_original
    if (event.user_id, day) in told:
        return
    # 只留今天和昨天的记号：更早的日子不会再有人抄（迟到的事件至多再点一次名），进程连跑几个月也不攒着
    told.difference_update([key for key in told if key[1] < day - timedelta(days=1)])
    told.add((event.user_id, day))
    names = await members.display_names(policy, [event.user_id])
    item = replies.NOT_ORIGINAL_ITEM.format(name=names[event.user_id], reason=outcome.reason)
    await not_original.add(bot, event.group_id, item, sent_at)


def _deadline(policy: Policy, day: date, moment: datetime) -> str:
    grace = policy.share.grace_until
    if day < moment.date():
        return replies.DEADLINE_GRACE.format(grace=grace)
    return replies.DEADLINE_TODAY.format(grace=grace)


def _day_text(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _day_phrase(day: date, moment: datetime) -> str:
    """还没交的是哪天：今天（11月24日），凌晨宽限时段里是昨天（11月23日）。"""
    template = replies.DAY_GRACE if day < moment.date() else replies.DAY_TODAY
    return template.format(day=_day_text(day))


@router.command(
    "今日分享",
    args=(Choice("remind", replies.REMIND_WORD, optional=True, choices=(replies.REMIND_WORD,)),),
    summary="今天的分享交了没有；管理员看全员，加“提醒”会 @ 没交的人",
    example="/今日分享",
)
async def today(ctx: CommandContext) -> None:
    if ctx.role >= Role.ADMIN:
        await _overview(ctx, remind=ctx.params.remind is not None)
    elif ctx.params.remind:
        raise UsageError("“提醒”需要管理员及以上权限。")
    else:
        await _mine(ctx)


async def _mine(ctx: CommandContext) -> None:
    moment = ctx.time
    day = await shares.share_day(ctx.policy, moment, ctx.user_id)
    first, last = month_days(month_key(day))
    days = await shares.month_days(ctx.policy.id, ctx.user_id, first, last)
    off = await leave.calendar(ctx.policy, first, last, ctx.user_id)
    names = await members.display_names(ctx.policy, [ctx.user_id])
    template = replies.MINE_MISSING
    if day in days:
        template = replies.MINE_DONE  # 请假、节假日里发的分享照样记分
    elif (mark := off.mark(ctx.user_id, day)) is not None:
        template = replies.MINE_HOLIDAY if mark == "holiday" else replies.MINE_LEAVE
    run = streaks.current_run(
        days,
        day,
        off.days_for(ctx.user_id),
        count_excused=ctx.policy.leave.leave_counts_for_streak,
    )
    await ctx.reply(
        template.format(
            name=names[ctx.user_id],
            day=_day_phrase(day, moment),
            days=len(days),
            run=run,
            deadline=_deadline(ctx.policy, day, moment),
        )
    )


async def _overview(ctx: CommandContext, remind: bool) -> None:
    day = await shares.share_day(ctx.policy, ctx.time)
    status = await shares.day_status(ctx.policy, day, exclude=bot_ids())
    if status.excused.holiday:
        await ctx.reply(replies.ADMIN_HOLIDAY.format(day=_day_text(day), done=len(status.done)))
        return
    missing = status.missing
    text = replies.ADMIN_COUNTS.format(day=_day_text(day), done=len(status.done))
    if status.off:
        names = await members.display_names(ctx.policy, status.off)
        text += replies.ADMIN_LEAVE.format(
            count=len(status.off), names="、".join(names[u] for u in status.off)
        )
    text += replies.ADMIN_MISSING.format(missing=len(missing))
    if not missing:
        await ctx.reply(text + "。")
        return
    names = await members.display_names(ctx.policy, missing)
    unreachable = ""
    if status.unreachable:
        unreachable = replies.ADMIN_UNREACHABLE.format(
            names="、".join(names[u] for u in status.unreachable)
        )
    if remind:
        await ctx.reply(
            Message(
                [MessageSegment.text(text + "："), *map(MessageSegment.at, missing)]
                + ([MessageSegment.text("\n" + unreachable)] if unreachable else [])
            )
        )
        return
    await ctx.reply(
        text + replies.ADMIN_NAMES.format(names="、".join(names[u] for u in missing)) + unreachable
    )


def _reminder(index: int):
    def schedule(policy: Policy) -> Schedule | None:
        times = policy.share.reminder_times
        return Schedule(parse_clock(times[index])) if index < len(times) else None

    async def run(ctx: JobContext) -> str:
        bot = online_bot()
        moment = ctx.scheduled_at.astimezone(ctx.policy.tz)
        day = await shares.share_day(ctx.policy, moment)
        sent, unsent = 0, []
        excused = await leave.excused_on(ctx.policy, day)
        if excused.holiday:
            return replies.REMIND_HOLIDAY
        status = await shares.day_status(ctx.policy, day, exclude=bot_ids(), excused=excused)
        head = replies.REMIND.format(
            day=_day_phrase(day, moment), deadline=_deadline(ctx.policy, day, moment)
        )
        for group_id, missing in status.reachable.items():
            if not missing:
                continue
            try:
                await sender.send_group(
                    bot,
                    group_id,
                    Message([MessageSegment.text(head), *map(MessageSegment.at, missing)]),
                    # 风控暂停后还没过截止时间才补发；过了就不再提醒
                    valid_until=shares.share_deadline(ctx.policy, day),
                )
            except SendFailed as exc:
                # 发送出口已经重发过、或判定过时：记在任务结果里，其余的群照常提醒
                unsent.append(f"群 {group_id}（{exc}）")
                continue
            sent += len(missing)
        return f"提醒 {sent} 人" + (f"；没发出去：{'、'.join(unsent)}" if unsent else "")

    return Job(
        f"share.remind.{index + 1}",
        "timed",
        schedule,
        run,
        period=lambda moment: moment.strftime("%Y-%m-%dT%H:%M"),
    )


for _index in range(MAX_REMINDERS):
    runner.register(_reminder(_index))


async def _replied_share(ctx: CommandContext) -> shares.Share:
    message_id = replied_message_id(ctx.event)
    if message_id is None or ctx.group_id is None:
        raise UsageError(replies.REPLY_FIRST)
    reply = getattr(ctx.event, "reply", None)
    key = reply_key(ctx.policy.id, ctx.group_id, reply)
    author = int(reply.sender.user_id) if key is not None else None
    found = await shares.find(ctx.policy, ctx.group_id, message_id, key, author)
    if found is None:
        raise Refusal(replies.NOT_A_SHARE)
    return found


async def _name_and_day(ctx: CommandContext, share: shares.Share) -> tuple[str, str]:
    names = await members.display_names(ctx.policy, [share.user_id])
    return names[share.user_id], _day_text(shares.day_of(ctx.policy, share))


@router.command(
    "精选",
    before="回复一条分享：",
    summary="把一条分享评为经典分享（管理员；在 QQ 里设为精华也一样）",
    example="（回复那条分享）/精选",
    role=Role.ADMIN,
)
async def feature(ctx: CommandContext) -> None:
    share = await _replied_share(ctx)
    try:
        written = await shares.feature(
            ctx.policy,
            share,
            actor_id=ctx.user_id,
            actor_role=ctx.role,
            now=clock.now(),
            command_key=ctx.event_key,
        )
    except MonthFrozen as exc:
        raise Refusal(replies.FEATURE_FROZEN.format(month=exc.month)) from None
    except shares.NotOriginal:
        raise Refusal(replies.CANNOT_FEATURE) from None
    except shares.AlreadyCredited as exc:
        raise Refusal(
            replies.ALREADY_FEATURED.format(id=exc.entry.id if exc.entry else "?")
        ) from None
    if not written.created:
        return  # 同一事件重放：已经记过、回复过
    entry = written.entry
    name, day = await _name_and_day(ctx, share)
    message_id = replied_message_id(ctx.event)
    note = await _set_essence(ctx, message_id)
    await ctx.reply(
        replies.FEATURED.format(name=name, day=day, points=entry.delta, id=entry.id) + note
    )
    if ctx.policy.share.featured_emoji:
        sender.react(ctx.bot, message_id, ctx.policy.share.featured_emoji)


async def _set_essence(ctx: CommandContext, message_id: int) -> str:
    """评了经典的分享也设为 QQ 精华消息（要求机器人是群管理员）。返回回复末尾要加的说明。
    QQ 随后推来的 essence 通知操作人是机器人自己，on_essence 不理它；就算理，同一条分享的经典奖
    也只有一份（去重键相同）。"""
    group_id = ctx.group_id
    if not await rights.is_admin(ctx.bot, group_id):
        told = STATE.org(ctx.policy.id).told_no_essence
        if group_id in told:
            return ""
        told.add(group_id)
        return replies.NO_ESSENCE_NOT_ADMIN
    try:
        await ctx.bot.call_api("set_essence_msg", message_id=message_id)
    except API_FAILURES as exc:
        logger.warning(f"群 {group_id} 的消息 {message_id} 没能设为精华：{exc}")
        return replies.NO_ESSENCE_FAILED.format(reason=failure_reason(exc))
    return ""


@router.notice("essence")
async def on_essence(bot: Bot, event: EssenceNoticeEvent, policy: Policy) -> None:
    """有人在 QQ 里把分享群的消息设为 / 取消精华：管理员（或群主）设的就是 /精选，取消的就是撤销
    经典分享奖。普通成员设的、不是记了分的分享，什么也不做。机器人自己设的（/精选 之后）不理。"""
    if event.group_id not in policy.groups.share:
        return
    operator = event.operator_id
    if operator in members.not_counted(policy, bot_ids()) or operator <= 0:
        return
    role = resolve_role(policy, operator, superusers)
    if role < Role.ADMIN:
        # 通知里没有操作人的身份：问 QQ 他现在是不是群主、群管理员（短暂缓存）
        qq_role = await rights.member_role(bot, event.group_id, operator)
        role = resolve_role(policy, operator, superusers, [qq_role or "member"])
    if role < Role.ADMIN:
        return
    share = await _essence_share(bot, event, policy)
    if share is None or not share.original or share.entry_id is None:
        return
    key = f"essence:{share.id}:{event.sub_type}:{operator}:{event.time}"
    now = clock.now()
    try:
        if event.sub_type == "add":
            written = await shares.feature(
                policy, share, actor_id=operator, actor_role=role, now=now, command_key=key
            )
        else:
            written = await shares.unfeature(
                policy, share, actor_id=operator, actor_role=role, now=now, command_key=key
            )
    except (shares.ShareRefused, ledger.EntryRefused, OwnCase) as exc:
        # 已经评过（/精选 在先）、没有可撤的、月份已冻结、自己的分享：QQ 里的精华照旧，分不变
        logger.info(
            f"群 {event.group_id} 的精华{event.sub_type}（操作人 {operator}）不改分：{exc!r}"
        )
        return
    if not written.created:
        return
    names = await members.display_names(policy, [share.user_id])
    name, day = names[share.user_id], _day_text(shares.day_of(policy, share))
    entry = written.entry
    if event.sub_type == "add":
        text = replies.ESSENCE_FEATURED.format(name=name, day=day, points=entry.delta, id=entry.id)
    else:
        text = replies.ESSENCE_UNFEATURED.format(name=name, day=day)
    await sender.send_group(bot, event.group_id, text)
    if event.sub_type == "add" and policy.share.featured_emoji:
        sender.react(bot, event.message_id, policy.share.featured_emoji)


async def _essence_share(
    bot: Bot, event: EssenceNoticeEvent, policy: Policy
) -> shares.Share | None:
    """精华通知说的是哪条分享。通知里的作者（sender_id）有时是 0：用 get_msg 取回原消息，
    按它的身份找（经哪个账号收到都一样）；取不到时按本账号的消息编号找。"""
    author = event.sender_id or None
    key = None
    try:
        original = type_validate_python(
            Reply, await bot.call_api("get_msg", message_id=event.message_id)
        )
    except (*API_FAILURES, ValueError) as exc:
        logger.info(f"取不到精华消息 {event.message_id} 的原文：{exc!r}")
    else:
        key = reply_key(policy.id, event.group_id, original)
        if original.sender.user_id is not None:
            author = int(original.sender.user_id)
    return await shares.find(policy, event.group_id, event.message_id, key, author)


@router.command(
    "非原创",
    before="回复一条分享：",
    summary="判定一条分享非原创，撤销当天的分享分和经典分享奖（管理员）",
    example="（回复那条分享）/非原创",
    role=Role.ADMIN,
)
async def reject(ctx: CommandContext) -> None:
    share = await _replied_share(ctx)
    name, day = await _name_and_day(ctx, share)
    try:
        done = await shares.reject(
            ctx.policy,
            share,
            actor_id=ctx.user_id,
            actor_role=ctx.role,
            now=clock.now(),
            command_key=ctx.event_key,
        )
    except AlreadyReversed as exc:
        raise Refusal(replies.ALREADY_REJECTED.format(id=exc.reversal.id)) from None
    except RoleTooLow as exc:
        raise Refusal(
            replies.REJECT_ROLE.format(
                id=exc.entry_id, needed=exc.needed.label, role=ctx.role.label
            )
        ) from None
    except shares.MonthSettled:
        month = month_key(shares.day_of(ctx.policy, share))
        raise Refusal(replies.SETTLED.format(month=month)) from None
    if not done.created:
        return
    undone = [
        (what, e) for what, e in ((replies.DAILY, done.daily), (replies.BONUS, done.featured)) if e
    ]
    if not undone:
        await ctx.reply(replies.REJECTED_NO_POINT)
        return
    await ctx.reply(
        replies.REJECTED_WITH_POINT.format(
            name=name,
            day=day,
            what="和".join(what for what, _ in undone),
            ids="、".join(f"#{e.id}" for _, e in undone),
        )
    )


def _backfill_day(ctx: CommandContext, day: date) -> date:
    """补分享的日期：本月，或上月（上月排行公布之前），不晚于今天。"""
    earliest, latest = months.backfill_window(ctx.policy, ctx.time)
    if not earliest <= day <= latest:
        raise UsageError(replies.BAD_DAY)
    return day


@router.command(
    "补分享",
    args=(Person(), Day(bad=replies.BAD_DAY), Reason()),
    summary="为特殊情况补记某天的分享（管理员）",
    example="/补分享 @张三 2026-11-20 出差在外当天无网络",
    role=Role.ADMIN,
)
async def backfill(ctx: CommandContext) -> None:
    day = _backfill_day(ctx, ctx.params.day)
    reason = ctx.params.reason
    user = member_target(ctx.policy, ctx.params.member)
    names = await members.display_names(ctx.policy, [user])
    try:
        written = await shares.backfill(
            ctx.policy,
            user_id=user,
            day=day,
            actor_id=ctx.user_id,
            actor_role=ctx.role,
            reason=reason,
            now=clock.now(),
            command_key=ctx.event_key,
        )
    except (MonthFrozen, shares.MonthSettled):
        raise Refusal(replies.SETTLED.format(month=month_key(day))) from None
    except shares.AlreadyCredited:
        raise Refusal(replies.ALREADY_SHARED.format(name=names[user], day=_day_text(day))) from None
    if not written.created:
        return  # 同一事件重放：已经补记、回复过（哪怕那条补记后来被撤销了）
    entry = written.entry
    await ctx.reply(
        replies.BACKFILLED.format(
            name=names[user], day=_day_text(day), points=entry.delta, id=entry.id, reason=reason
        )
    )


__plugin_meta__ = PluginMetadata(
    name="每日分享",
    description="每天一条原创分享加 1 分；提醒还没分享的人",
    usage=router.usage(__name__),
    type="application",
    supported_adapters={"~onebot.v11"},
)
