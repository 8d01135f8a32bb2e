"""要大家确认的通知：/通知 /通知状态 /撤回通知，认出“收到”、引用和表情回应，截止时提醒并报告。"""

from datetime import UTC, datetime, timedelta

from nonebot import get_driver, logger, require
from nonebot.adapters.onebot.v11 import Bot, GroupMessageEvent, Message, MessageSegment
from nonebot.plugin import PluginMetadata

require("core")

from plugins.core import (  # noqa: E402
    API_FAILURES,
    CommandContext,
    Refusal,
    SendFailed,
    bot_ids,
    failure_reason,
    online_bot,
    policies,
    private_roles,
    replied_message_id,
    rights,
    router,
    sender,
    ticks,
)
from plugins.core.args import Mentions, Text, notice_id  # noqa: E402
from plugins.core.events import GroupMsgEmojiLikeNoticeEvent  # noqa: E402
from qungui import clock, members, notices  # noqa: E402
from qungui.jobs import NotNow  # noqa: E402
from qungui.models import Notice  # noqa: E402
from qungui.outgoing import mask_digits  # noqa: E402
from qungui.policy import Policy  # noqa: E402
from qungui.roles import Role  # noqa: E402
from qungui.state import STATE  # noqa: E402

from . import replies  # noqa: E402

EXCERPT = 30
CATCH_UP = timedelta(minutes=2)
"""时钟每分钟走一次：截止之后这么久才处理的，是停机后补的，提醒里说明晚了"""


def _section(policy: Policy):
    if policy.notices is None:
        raise Refusal(replies.NOT_ENABLED)
    return policy.notices


def _clock_text(policy: Policy, moment: datetime) -> str:
    local = moment.astimezone(policy.tz)
    today = clock.now().astimezone(policy.tz).date()
    return f"{local:%H:%M}" if local.date() == today else f"{local:%m-%d %H:%M}"


@router.command(
    "通知",
    args=(Mentions(), Text(empty=replies.EMPTY)),
    summary="发一条要大家确认的通知，截止时提醒没确认的人（管理员）",
    example="/通知 明天上午九点全员开会，请准时参加",
    role=Role.ADMIN,
)
async def post(ctx: CommandContext) -> None:
    section = _section(ctx.policy)
    group_id = ctx.group_id
    if group_id is None:
        raise Refusal(replies.GROUP_ONLY)
    if group_id not in (*ctx.policy.groups.work, *ctx.policy.groups.share):
        raise Refusal(replies.NOT_HERE)
    text, mentioned = ctx.params.text, ctx.params.mentions
    named = bool(mentioned)
    targets = await notices.audience(
        ctx.policy, group_id, ctx.user_id, mentioned, bot_ids(), ctx.month
    )
    if not targets:
        raise Refusal(replies.NOBODY)
    made = await notices.create(
        ctx.policy,
        group_id=group_id,
        sender_id=ctx.user_id,
        text=text,
        targets=targets,
        named=named,
        now=clock.now(),
        event_key=ctx.event_key,
    )
    if not made.created:
        return  # 同一条命令的重放：通知早已发过
    notice = made.notice
    body = replies.POST.format(
        title=notices.title(notice.id),
        text=text,
        deadline=_clock_text(ctx.policy, notice.deadline),
        count=len(targets),
    )
    message = Message(MessageSegment.text(body))
    if named:
        message += MessageSegment.text(replies.POST_NAMED)
        message.extend(MessageSegment.at(user) for user in targets)
    try:
        ids = await ctx.reply(message)
    except SendFailed:
        # 通知没到群里：不能让人为没看到的通知挨罚
        await notices.unsent(notice, clock.now())
        raise
    await notices.posted(notice, int(ctx.bot.self_id), ids)
    if section.post_as_group_notice:
        await _group_notice(ctx, group_id, body)


async def _group_notice(ctx: CommandContext, group_id: int, body: str) -> None:
    """另发一条 QQ 群公告（要求确认）。谁确认了群公告查不到，所以确认仍以群里那条消息为准。"""
    if not await rights.is_admin(ctx.bot, group_id):
        told = STATE.org(ctx.policy.id).told_not_admin
        if group_id not in told:
            told.add(group_id)
            await ctx.reply(replies.NOT_ADMIN)
        return
    try:
        # 群公告不经过发送器：群里能看到的文字，号码照发送器的规矩打码
        await ctx.bot.call_api(
            "_send_group_notice", group_id=group_id, content=mask_digits(body), confirm_required=1
        )
    except API_FAILURES as exc:
        logger.warning(f"群 {group_id} 的群公告没有发出去：{exc}")
        await ctx.reply(replies.GROUP_NOTICE_FAILED.format(reason=failure_reason(exc)))


async def _chosen(ctx: CommandContext, what: str) -> Notice:
    """命令说的是哪条通知：给了编号就是那条，否则是最近的一条；只有发送人或管理员可以看、可以撤。"""
    _section(ctx.policy)
    if (number := ctx.params.notice_id) is not None:
        try:
            notice = await notices.get(ctx.policy, number)
        except notices.NoticeMissing:
            raise Refusal(replies.MISSING.format(id=number)) from None
    else:
        mine = None if ctx.role >= Role.ADMIN else ctx.user_id
        notice = await notices.latest(ctx.policy, ctx.group_id, mine)
        if notice is None:
            raise Refusal(replies.NONE_YET)
    if (
        notice.sender_id != ctx.user_id
        and (role := await private_roles.role_for_admin_part(ctx)) < Role.ADMIN
    ):
        raise Refusal(replies.NOT_YOURS.format(id=notice.id, what=what, role=role.label))
    return notice


@router.command(
    "通知状态",
    args=(notice_id(optional=True),),
    summary="一条通知谁确认了、谁迟到、谁没确认（发通知的人或管理员）",
    example="/通知状态 3",
    private=True,
    audience=Role.ADMIN,
)
async def show_status(ctx: CommandContext) -> None:
    notice = await _chosen(ctx, "查看确认情况")
    await ctx.reply(await _status_text(ctx.policy, notice))


async def _status_text(policy: Policy, notice: Notice) -> str:
    state = await notices.status(notice)
    names = await members.display_names(
        policy, [notice.sender_id, *state.on_time, *state.late, *state.silent]
    )
    if notice.withdrawn_at is not None:
        label = replies.STATE_WITHDRAWN
    elif notice.deadline <= clock.now():
        label = replies.STATE_PAST
    else:
        label = replies.STATE_OPEN
    excerpt = notice.text if len(notice.text) <= EXCERPT else notice.text[:EXCERPT] + "…"
    lines = [
        replies.STATUS_HEAD.format(
            title=notices.title(notice.id),
            excerpt=excerpt,
            sender=names[notice.sender_id],
            created=f"{notice.created_at.astimezone(policy.tz):%m-%d %H:%M}",
            deadline=f"{notice.deadline.astimezone(policy.tz):%m-%d %H:%M}",
            state=label,
        ),
        replies.STATUS_COUNTS.format(
            total=state.total,
            on_time=len(state.on_time),
            late=len(state.late),
            silent=len(state.silent),
        ),
    ]
    for template, people in (
        (replies.ON_TIME, state.on_time),
        (replies.LATE, state.late),
        (replies.SILENT, state.silent),
    ):
        if people:
            lines.append(template.format(names="、".join(names[u] for u in people)))
    return "\n".join(lines)


@router.command(
    "撤回通知",
    args=(notice_id(),),
    summary="提前关掉一条通知：不提醒、不处罚（发通知的人或管理员）",
    example="/撤回通知 3",
    private=True,
    audience=Role.ADMIN,
)
async def withdraw(ctx: CommandContext) -> None:
    notice = await _chosen(ctx, "撤回")
    try:
        await notices.withdraw(
            ctx.policy, notice.id, actor_id=ctx.user_id, actor_role=ctx.role, now=clock.now()
        )
    except notices.NoticeWithdrawn:
        raise Refusal(replies.ALREADY_WITHDRAWN.format(id=notice.id)) from None
    except notices.NoticePast:
        raise Refusal(replies.PAST.format(id=notice.id)) from None
    await ctx.reply(replies.WITHDRAWN.format(id=notice.id))


def _quoted(event: GroupMessageEvent, policy: Policy, pending: list[notices.OpenNotice]):
    """这条消息引用的是不是此人还没确认的某条通知：先按本账号上的消息编号认，再按被引用消息的
    发送人（本组织的机器人）和开头的“【通知 N】”认（别的机器人账号发的通知，编号对不上）。"""
    message_id = replied_message_id(event)
    if message_id is None:
        return None
    for notice in pending:
        if (int(event.self_id), message_id) in notice.messages:
            return notice
    reply = event.reply
    if reply is None or reply.sender.user_id is None:
        return None
    if int(reply.sender.user_id) not in (bot_ids() | set(policy.org.bots)):
        return None
    number = notices.quoted_id(reply.message.extract_plain_text())
    return next((n for n in pending if n.id == number), None)


def _interest(event: GroupMessageEvent, policy: Policy):
    """每条群消息都问一次：这个群里此人没有要确认的通知时，只查一次字典就结束。"""
    pending = notices.board.pending(event.group_id, event.user_id)
    if not pending or policy.notices is None:
        return None
    quoted = _quoted(event, policy, pending)
    if quoted is not None:
        return notices.QUOTE, [quoted]
    if not notices.is_ack(event.message.extract_plain_text(), policy.notices.ack_words):
        return None
    if len(pending) > 1 and _several_key(event, pending) in STATE.org(policy.id).told_several:
        return None  # 已经请他引用过了：之后的“收到”不再进处理函数
    return notices.WORD, pending


def _several_key(event: GroupMessageEvent, pending: list[notices.OpenNotice]):
    return event.group_id, event.user_id, tuple(n.id for n in pending)


@router.watch(_interest)
async def on_reply(bot: Bot, event: GroupMessageEvent, policy: Policy, found) -> None:
    how, pending = found
    at = datetime.fromtimestamp(event.time, UTC)
    if len(pending) == 1:
        await notices.acknowledge(pending[0].id, event.group_id, event.user_id, how, at)
        return
    # 有几条通知没确认时，一句“收到”说不清是哪条：请他引用，每组通知只说一次
    key = _several_key(event, pending)
    told = STATE.org(policy.id).told_several
    if key in told:
        return  # 同一条消息经两个处理同时到这里（重放）：只说一次
    told.add(key)
    names = await members.display_names(policy, [event.user_id])
    await sender.send_group(
        bot,
        event.group_id,
        replies.SEVERAL.format(
            name=names[event.user_id],
            count=len(pending),
            titles="、".join(f"通知 {n.id}" for n in pending),
        ),
    )


@router.notice("group_msg_emoji_like")
async def on_reaction(bot: Bot, event: GroupMsgEmojiLikeNoticeEvent, policy: Policy) -> None:
    """给通知点了表情就算确认（NapCat 只上报机器人自己消息上的表情；取消表情不算）。"""
    if not event.is_add:
        return
    notice = notices.board.find(event.group_id, int(event.self_id), event.message_id)
    if notice is None or event.user_id not in notice.pending:
        return
    at = datetime.fromtimestamp(event.time, UTC)
    await notices.acknowledge(notice.id, event.group_id, event.user_id, notices.EMOJI, at)


async def _deadlines(now: datetime) -> None:
    """每次时钟走动：重读还能确认的通知（别的进程发的、确认的也看得到），处理到了截止时刻的。"""
    await notices.refresh(now)
    for notice in await notices.due(now):
        policy = policies.get(notice.org)
        if policy is None or policy.notices is None:
            continue
        try:
            await _close(policy, notice, now)
        except NotNow:
            return  # 没有在线的机器人：下次走动再来（还没认领）
        except Exception:
            logger.exception(f"通知 {notice.id} 截止时的处理出错")


async def _close(policy: Policy, notice: Notice, now: datetime) -> None:
    """截止：先记处罚（可重做），再认领提醒（只有一个进程拿到），然后在群里提醒、私聊报告发通知的人。"""
    bot = online_bot()
    section = policy.notices
    written = await notices.penalise(policy, notice, now)
    if not await notices.claim_deadline(notice, now):
        return
    state = await notices.status(notice)
    names = await members.display_names(policy, [*state.on_time, *state.silent])
    deadline = _clock_text(policy, notice.deadline)
    too_late = now - notice.deadline > timedelta(minutes=section.ack_minutes)
    if state.silent and not too_late:
        await _remind(
            bot, policy, notice, state.silent, deadline, late=now - notice.deadline > CATCH_UP
        )
    lines = [
        replies.REPORT_HEAD.format(
            title=notices.title(notice.id),
            deadline=deadline,
            total=state.total,
            on_time=len(state.on_time),
            silent=len(state.silent),
        )
    ]
    if state.on_time:
        lines.append(replies.ON_TIME.format(names="、".join(names[u] for u in state.on_time)))
    if state.silent:
        lines.append(replies.SILENT.format(names="、".join(names[u] for u in state.silent)))
        if too_late:
            lines.append(replies.REPORT_NO_REMINDER.format(minutes=section.ack_minutes))
    if written or (state.silent and section.penalty):
        lines.append(replies.REPORT_PENALTY.format(points=section.penalty))
    try:
        await sender.send_private(bot, notice.sender_id, "\n".join(lines))
    except SendFailed as exc:
        logger.warning(f"通知 {notice.id} 的报告没有发到 {notice.sender_id}：{exc}")


async def _remind(
    bot: Bot, policy: Policy, notice: Notice, silent: list[int], deadline: str, late: bool
) -> None:
    most = policy.notices.remind_max
    head = replies.REMIND.format(
        title=notices.title(notice.id), deadline=deadline, count=len(silent)
    )
    if late:
        head = replies.REMIND_LATE + head
    message = Message(MessageSegment.text(head))
    message.extend(MessageSegment.at(user) for user in silent[:most])
    if len(silent) > most:
        message += MessageSegment.text(replies.REMIND_MORE.format(more=len(silent) - most))
    try:
        await sender.send_group(
            bot,
            notice.group_id,
            message,
            # 风控暂停后补发：过了截止时刻再 ack_minutes 就不再发
            valid_until=notice.deadline + timedelta(minutes=policy.notices.ack_minutes),
        )
    except SendFailed as exc:
        logger.warning(f"通知 {notice.id} 的提醒没有发出去：{exc}")


ticks.append(_deadlines)


@get_driver().on_startup
async def _load() -> None:
    # 核心插件的启动钩子先跑（打开数据库）：重启后第一条“收到”就认得出来，不用等第一次时钟走动
    await notices.refresh(clock.now())


__plugin_meta__ = PluginMetadata(
    name="通知",
    description="发要大家确认的通知，记下谁确认了，截止时提醒没确认的人并报告给发通知的人",
    usage=router.usage(__name__),
    type="application",
    supported_adapters={"~onebot.v11"},
)
