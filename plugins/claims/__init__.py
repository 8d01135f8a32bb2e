"""申报（/申报）与转发推广（/推广、/已转发）：截图交管理员审核，用 /确认 /驳回 决定，本人私聊得知结果。"""

from datetime import UTC, date, datetime

from nonebot import logger, require
from nonebot.adapters.onebot.v11 import Bot, Message, MessageSegment
from nonebot.compat import type_validate_python
from nonebot.plugin import PluginMetadata

require("core")

from plugins.core import (  # noqa: E402
    API_FAILURES,
    CommandContext,
    Refusal,
    SendFailed,
    UsageError,
    failure_reason,
    notify_superusers,
    online_bot,
    policies,
    replied_message_id,
    review_kinds,
    router,
    sender,
    ticks,
)
from plugins.core.args import Text, Word, campaign_id  # noqa: E402
from plugins.core.sender import account_wide  # noqa: E402
from qungui import claims, members, reviews  # noqa: E402
from qungui.jobs import NotNow  # noqa: E402
from qungui.models import Campaign, FilterHit  # noqa: E402
from qungui.policy import Policy  # noqa: E402
from qungui.roles import Role  # noqa: E402
from qungui.rules import REVIEW_CLAIM  # noqa: E402

from . import replies  # noqa: E402

TITLE_EXCERPT = 30


def _day(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _in_org_group(ctx: CommandContext) -> int:
    group_id = ctx.group_id
    groups = ctx.policy.groups
    if group_id is None or (group_id not in groups.work and group_id not in groups.share):
        raise Refusal(replies.GROUP_ONLY)
    return group_id


def _images(message: Message) -> list[str]:
    """消息里的图片：存链接（没有链接时存文件名），给管理员看、进导出。"""
    return [
        str(seg.data.get("url") or seg.data.get("file") or "")
        for seg in message
        if seg.type == "image"
    ]


async def _replied(ctx: CommandContext) -> tuple[int | None, Message] | None:
    """命令回复的那条消息：(发送人, 内容)。适配器取到了就用它，否则 get_msg 再取一次；没有回复时 None。"""
    reply = getattr(ctx.event, "reply", None)
    if reply is not None:
        return reply.sender.user_id, reply.message
    message_id = replied_message_id(ctx.event)
    if message_id is None:
        return None
    try:
        data = await ctx.bot.call_api("get_msg", message_id=message_id)
    except API_FAILURES as exc:
        logger.warning(f"取不到被回复的消息 {message_id}：{failure_reason(exc)}")
        return None
    sender_id = (data.get("sender") or {}).get("user_id")
    message = type_validate_python(Message, data.get("message") or [])
    return (int(sender_id) if sender_id else None), message


async def _screenshots(ctx: CommandContext) -> list[str]:
    """同一条消息里的截图；没有时看回复的那条：只认本人发的图片（别人的截图不能拿来申报）。"""
    own = _images(ctx.event.message)
    if own or replied_message_id(ctx.event) is None:
        return own
    replied = await _replied(ctx)
    if replied is None:
        raise Refusal(replies.IMAGE_LOST)
    sender_id, message = replied
    found = _images(message)
    if found and sender_id != ctx.user_id:
        raise Refusal(replies.NOT_OWN_IMAGE)
    return found


def _filing(ctx: CommandContext, group_id: int, text: str, images: list[str]) -> claims.Filing:
    return claims.Filing(
        group_id=group_id,
        user_id=ctx.user_id,
        message_id=ctx.event.message_id,
        text=text,
        images=images,
        at=datetime.fromtimestamp(ctx.event.time, UTC),
        today=ctx.today,
        event_key=ctx.event_key,
    )


def _refusal(exc: claims.ClaimError, review_id: int | None = None) -> Exception:
    """申报被拒的原因翻成回复。没有对应回复的原样交回：宁可按出错处理，也不说成别的原因。"""
    match exc:
        case claims.NoSuchItem(choices=choices):
            return Refusal(replies.NO_ITEMS) if not choices else exc
        case claims.NoImage():
            return Refusal(replies.NO_IMAGE)
        case claims.SlotsUsed(item=item, per_day=per_day):
            return Refusal(replies.SLOTS_USED.format(item=item, per_day=per_day))
        case claims.MonthFrozen(month=month):
            return Refusal(replies.FROZEN.format(month=month))
        case claims.RepostOff():
            return Refusal(replies.REPOST_OFF)
        case claims.CampaignNotFound(campaign_id=number):
            return Refusal(replies.NO_CAMPAIGN.format(id=number))
        case claims.ItemGone(item=item):
            return Refusal(replies.ITEM_GONE.format(item=item))
        case claims.FixedScore(label=label, points=points):
            return Refusal(replies.SCORE_FIXED.format(item=label, points=points))
        case claims.ScoreOutOfRange(item=item, low=low, high=high):
            return Refusal(replies.SCORE_RANGE.format(item=item, low=low, high=high))
        case claims.ScoreNeeded(item=item, low=low, high=high):
            return Refusal(replies.SCORE_NEEDED.format(item=item, low=low, high=high, id=review_id))
    return exc


def _may_retry(exc: SendFailed) -> bool:
    """确知没有发出，且是整个账号一时发不出（风控、断线、等到过时），不是这个收件人收不到：
    过一会儿再发有用，也不会重复。"""
    cause = exc.__cause__
    return exc.unsent and (cause is None or account_wide(cause))


async def _tell_reviewers(bot: Bot, policy: Policy, message: Message) -> None:
    """给管理员看的事，发到审核命中去的地方（管理群，或私聊管理小组/主席，都没有时告诉运维）。
    私聊的几个人都因账号一时发不出而没收到时抛出 SendFailed（和发到管理群一样），由调用方决定要不要再发。"""
    route = reviews.reviewers(policy)
    if route.group_id is not None:
        await sender.send_group(bot, route.group_id, message)
        return
    failed = []
    for user in route.people:
        try:
            await sender.send_private(bot, user, message)
        except SendFailed as exc:
            logger.warning(f"申报审核消息没有发到 {user}：{exc}")
            failed.append(exc)
    if failed and len(failed) == len(route.people) and all(map(_may_retry, failed)):
        raise failed[-1]
    if route.tell_superusers:
        await notify_superusers(bot, message.extract_plain_text())


async def _tell_member(bot: Bot, user_id: int, text: str) -> None:
    try:
        await sender.send_private(bot, user_id, text)
    except SendFailed as exc:
        # 不是好友等：决定已经记下，/积分明细 里看得到
        logger.warning(f"申报结果没有私聊到 {user_id}：{exc}")


@router.command(
    "申报",
    args=(Word("item", "项目"), Text(label="说明", optional=True)),
    after="（附截图）",
    summary="申报制度里列出的、机器人看不到的加分项，附截图交管理员确认",
    example="/申报 客户表扬 王总来电表扬我的服务（附截图）",
)
async def file_item(ctx: CommandContext) -> None:
    group_id = _in_org_group(ctx)
    item, text = ctx.params.item, ctx.params.text or ""
    items = ctx.policy.claims.items
    if not items:
        raise Refusal(replies.NO_ITEMS)
    if item not in items:
        raise Refusal(replies.UNKNOWN_ITEM.format(item=item, choices="、".join(items)))
    images = await _screenshots(ctx)
    try:
        filed = await claims.file_item(ctx.policy, item, _filing(ctx, group_id, text, images))
    except claims.ClaimError as exc:
        raise _refusal(exc) from None
    if not filed.created:
        return  # 同一条申报的重放：上次已经回复过、已经交给管理员
    names = await members.display_names(ctx.policy, [ctx.user_id])
    await ctx.reply(replies.FILED.format(name=names[ctx.user_id], item=item, id=filed.hit.id))
    spec = items[item]
    lines = [
        replies.REVIEW_ITEM.format(
            group=members.group_name(ctx.policy, group_id),
            name=names[ctx.user_id],
            qq=ctx.user_id,
            item=item,
            points=claims.points_label(spec.points),
        )
    ]
    if text:
        lines.append(replies.REVIEW_TEXT.format(text=text[:200]))
    if spec.fixed is not None:
        lines.append(replies.REVIEW_FIXED.format(id=filed.hit.id))
    else:
        low, high = spec.points
        lines.append(replies.REVIEW_RANGE.format(id=filed.hit.id, low=low, high=high))
    lines.append(replies.REVIEW_IMAGES.format(count=len(images)))
    message = Message(MessageSegment.text("\n".join(lines)))
    message.extend(MessageSegment.image(image) for image in images)
    await _tell_reviewers(ctx.bot, ctx.policy, message)


@router.command(
    "推广",
    args=(Text(label="标题", optional=True),),
    after="（或回复公司的推文：/推广）",
    summary="开一次转发推广：成员限期转发到朋友圈并截图申报，到期后统一确认加分（管理员）",
    example="/推广 鸡公山酒业新品发布",
    role=Role.ADMIN,
)
async def open_campaign(ctx: CommandContext) -> None:
    group_id = _in_org_group(ctx)
    try:
        repost = claims.repost_section(ctx.policy)
    except claims.ClaimError as exc:
        raise _refusal(exc) from None
    title = ctx.params.text or ""
    message_id = replied_message_id(ctx.event)
    if message_id is not None and not title:
        replied = await _replied(ctx)
        if replied is not None:
            text = " ".join(replied[1].extract_plain_text().split())
            title = text[:TITLE_EXCERPT] + ("…" if len(text) > TITLE_EXCERPT else "")
    if not title:
        raise UsageError(replies.NEED_TITLE)
    try:
        campaign, created = await claims.open_campaign(
            ctx.policy,
            group_id=group_id,
            title=title,
            message_id=message_id,
            by=ctx.user_id,
            at=datetime.fromtimestamp(ctx.event.time, UTC),
            event_key=ctx.event_key,
        )
    except claims.AlreadyOpen as exc:
        earlier = exc.campaign
        last_day = claims.last_claim_day(earlier, ctx.policy.tz)
        raise Refusal(
            replies.ALREADY_OPEN.format(id=earlier.id, title=earlier.title, last_day=_day(last_day))
        ) from None
    if not created:
        return  # 同一条命令的重放：推广早已宣布
    await ctx.reply(
        replies.OPENED.format(
            id=campaign.id,
            title=title,
            keep=repost.keep_days,
            last_day=_day(claims.last_claim_day(campaign, ctx.policy.tz)),
            due_day=_day(claims.due_day(campaign, ctx.policy.tz)),
            points=repost.points,
        )
    )


@router.command(
    "已转发",
    args=(campaign_id(),),
    after="（附截图）",
    summary="申报已把某次推广转发到朋友圈，附截图；截止前每次推广报一次",
    example="/已转发 推3（附朋友圈截图）",
)
async def file_repost(ctx: CommandContext) -> None:
    group_id = _in_org_group(ctx)
    number = ctx.params.campaign_id
    images = await _screenshots(ctx)
    try:
        filed = await claims.file_repost(ctx.policy, number, _filing(ctx, group_id, "", images))
    except claims.ClaimLate as exc:
        last_day = claims.last_claim_day(exc.campaign, ctx.policy.tz)
        raise Refusal(replies.LATE.format(id=number, last_day=_day(last_day))) from None
    except claims.AlreadyClaimed as exc:
        raise Refusal(replies.ALREADY_CLAIMED.format(id=number, review=exc.review_id)) from None
    except claims.ClaimError as exc:
        raise _refusal(exc) from None
    if not filed.created:
        return  # 重放
    campaign = await claims.get_campaign(ctx.policy, number)
    names = await members.display_names(ctx.policy, [ctx.user_id])
    await ctx.reply(
        replies.CLAIMED.format(
            name=names[ctx.user_id],
            id=number,
            review=filed.hit.id,
            due_day=_day(claims.due_day(campaign, ctx.policy.tz)),
        )
    )


# —— /确认 /驳回（plugins/warnings/content.py 找到 审N 后交到这里）——


def _decision(ctx: CommandContext) -> claims.Decision:
    return claims.Decision(
        by=ctx.user_id,
        role=ctx.role,
        at=datetime.fromtimestamp(ctx.event.time, UTC),
        today=ctx.today,
        event_key=ctx.event_key,
        note=(ctx.params.get("reason") or "")[:200],
    )


def _already(exc: reviews.ReviewError) -> Refusal:
    hit = exc.hit
    status = {"confirmed": "已确认", "dismissed": "已驳回"}.get(hit.status if hit else "")
    return Refusal(replies.ALREADY.format(id=hit.id if hit else "", status=status or "已处理"))


def _not_due(policy: Policy, campaign: Campaign) -> Refusal:
    keep = policy.claims.repost.keep_days if policy.claims.repost else 0
    return Refusal(
        replies.NOT_DUE.format(
            id=campaign.id, due_day=_day(claims.due_day(campaign, policy.tz)), keep=keep
        )
    )


async def confirm_claim(ctx: CommandContext, hit: FilterHit) -> None:
    if ctx.params.get("category") is not None:
        raise Refusal(replies.CATEGORY_NOT_FOR_CLAIMS.format(id=hit.id))
    try:
        done = await claims.approve(ctx.policy, hit, ctx.params.get("amount"), _decision(ctx))
    except reviews.AlreadyDecided as exc:
        if exc.replayed:
            return  # 同一条命令再来一次：上次已经处理、回复过
        raise _already(exc) from None
    except claims.NotDue as exc:
        raise _not_due(ctx.policy, exc.campaign) from None
    except claims.ClaimError as exc:
        raise _refusal(exc, hit.id) from None
    await _told_confirmed(ctx, done)
    names = await members.display_names(ctx.policy, [done.claim.user_id])
    await ctx.reply(
        replies.CONFIRMED.format(
            id=hit.id,
            name=names[done.claim.user_id],
            item=claims.label(done.claim),
            points=done.claim.points,
            entry=done.claim.entry_id,
        )
    )


async def _told_confirmed(ctx: CommandContext, done: claims.Approved) -> None:
    await _tell_member(
        ctx.bot,
        done.claim.user_id,
        replies.TOLD_CONFIRMED.format(
            item=claims.label(done.claim),
            id=done.hit.id,
            points=done.claim.points,
            entry=done.claim.entry_id,
        ),
    )


async def dismiss_claim(ctx: CommandContext, hit: FilterHit) -> None:
    decision = _decision(ctx)
    try:
        claim = await claims.refuse(ctx.policy, hit, decision)
    except reviews.AlreadyDecided as exc:
        if exc.replayed:
            return
        raise _already(exc) from None
    what = claims.label(claim)
    await _tell_member(
        ctx.bot,
        claim.user_id,
        replies.TOLD_DISMISSED.format(item=what, id=hit.id, note=decision.note or replies.NO_NOTE),
    )
    names = await members.display_names(ctx.policy, [claim.user_id])
    await ctx.reply(replies.DISMISSED.format(id=hit.id, name=names[claim.user_id], item=what))


async def confirm_campaign(ctx: CommandContext, number: int) -> None:
    if ctx.params.get("category") is not None or ctx.params.get("amount") is not None:
        points = ctx.policy.claims.repost.points if ctx.policy.claims.repost else 0
        raise Refusal(replies.SCORE_FIXED.format(item=f"推{number}", points=points))
    try:
        batch = await claims.approve_campaign(ctx.policy, number, _decision(ctx))
    except claims.NotDue as exc:
        raise _not_due(ctx.policy, exc.campaign) from None
    except claims.NothingPending:
        raise Refusal(replies.NOTHING_PENDING.format(id=number)) from None
    except claims.ClaimError as exc:
        raise _refusal(exc) from None
    if batch.replayed:
        return
    for done in batch.approved:
        await _told_confirmed(ctx, done)
    lines = []
    if batch.approved:
        people = [done.claim.user_id for done in batch.approved]
        names = await members.display_names(ctx.policy, people)
        lines.append(
            replies.BATCH.format(
                id=number,
                count=len(people),
                points=batch.approved[0].claim.points,
                names="、".join(names[user] for user in people),
            )
        )
    if batch.own:
        reviews_text = "、".join(f"审{claim.review_id}" for claim in batch.own)
        lines.append(replies.BATCH_OWN.format(reviews=reviews_text, id=number))
    await ctx.reply("\n".join(lines))


review_kinds.register(
    REVIEW_CLAIM, confirm=confirm_claim, dismiss=dismiss_claim, confirm_campaign=confirm_campaign
)


# —— 到期：每次推广给管理员一条审核消息 ——


async def _due(now: datetime) -> None:
    """每次时钟走动：保持期已过的推广，认领（几个进程、重启都只一个拿到）后把申报人列给管理员。"""
    for campaign in await claims.due_campaigns(now):
        policy = policies.get(campaign.org)
        if policy is None:
            continue
        try:
            bot = online_bot()
        except NotNow:
            return  # 没有在线的机器人：还没认领，下次走动再来
        if sender.backoff_left(bot.self_id) > 0:
            return  # 账号暂停发送中：发也是白发，还要在这里等；还没认领，暂停结束后的走动再来
        if not await claims.claim_review(campaign, now):
            continue
        try:
            await _tell_due(bot, policy, campaign)
        except SendFailed as exc:
            if _may_retry(exc):
                # 确知谁也没收到：放开认领，否则管理员不知道该 /确认 推N，申报的人一直拿不到分
                await claims.unclaim_review(campaign)
            logger.warning(f"推{campaign.id} 到期的审核消息没有发出：{exc}")
        except Exception:
            logger.exception(f"推{campaign.id} 到期的审核消息出错")


async def _tell_due(bot: Bot, policy: Policy, campaign: Campaign) -> None:
    pending = await claims.pending_of(campaign)
    if not pending:
        text = replies.DUE_NOBODY.format(id=campaign.id, title=campaign.title)
        await _tell_reviewers(bot, policy, Message(MessageSegment.text(text)))
        return
    names = await members.display_names(policy, [claim.user_id for claim, _ in pending])
    lines = [replies.DUE_HEAD.format(id=campaign.id, title=campaign.title, count=len(pending))]
    lines += [
        replies.DUE_LINE.format(review=claim.review_id, name=names[claim.user_id], qq=claim.user_id)
        for claim, _ in pending
    ]
    points = policy.claims.repost.points if policy.claims.repost else 0
    lines.append(replies.DUE_ACTIONS.format(points=points, id=campaign.id))
    await _tell_reviewers(bot, policy, Message(MessageSegment.text("\n".join(lines))))


ticks.append(_due)


__plugin_meta__ = PluginMetadata(
    name="申报",
    description="申报机器人看不到的加分项，开转发推广并统一确认；都交管理员用 /确认 /驳回 决定",
    usage=router.usage(__name__),
    type="application",
    supported_adapters={"~onebot.v11"},
)
