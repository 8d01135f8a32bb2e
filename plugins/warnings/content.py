"""内容过滤（关键词、链接、隐私号码、刷屏）、举报，以及审核命令 /确认 /驳回 /规则统计。

过滤在公司群和分享群的每条普通消息上运行，判断只用编译好的正则和内存里的计数；
只有命中时才写库、发消息。
"""

from datetime import UTC, datetime

from nonebot import logger
from nonebot.adapters.onebot.v11 import Bot, GroupMessageEvent, Message
from nonebot.compat import type_validate_python

from plugins.core import (
    API_FAILURES,
    Command,
    CommandContext,
    Refusal,
    UsageError,
    bot_ids,
    failure_reason,
    replied_message_id,
    review_kinds,
    rights,
    router,
    superusers,
)
from plugins.core.args import (
    QQ_NUMBER,
    SCORE,
    Amount,
    CampaignNumber,
    Category,
    Count,
    Params,
    Reason,
    Text,
    review_id,
    review_or_campaign_id,
)
from plugins.core.identity import event_key, message_key, reply_key
from qungui import appeals, cards, members, reviews, warning_cases
from qungui.content_filter import FloodTracker, Hit, Scanner, defang, redact
from qungui.dates import business_date
from qungui.models import FilterHit
from qungui.outgoing import ascii_digits, mask_digits
from qungui.policy import Policy
from qungui.roles import Role, resolve_role
from qungui.rules import (
    BUILTIN_FLOOD,
    BUILTIN_LINK,
    BUILTIN_PRIVACY,
    BUILTIN_REPORT,
    REVIEW_CLAIM,
    REVIEW_KINDS,
)
from qungui.rules import label as rule_label

from . import content_replies as replies
from . import refusal_for, tell_group, tell_reviewers

_scanners: dict[str, Scanner] = {}
flood = FloodTracker()


def _scanner(policy: Policy) -> Scanner:
    # 制度重载后 policy 是新对象：按对象本身判断是否要重新编译
    scanner = _scanners.get(policy.id)
    if scanner is None or scanner.policy is not policy:
        scanner = _scanners[policy.id] = Scanner(policy)
    return scanner


def _own_phones(event: GroupMessageEvent, policy: Policy) -> frozenset[str]:
    """发消息的人自己名片上的电话：发自己的号码不算泄露隐私（`Scanner.scan` 只比数字）。"""
    parts = cards.parse_card(policy, event.sender.card or "")
    return frozenset([parts.phone]) if parts and parts.phone else frozenset()


def _card_phone(event: GroupMessageEvent, policy: Policy, text: str) -> frozenset[str]:
    """/改名片 [@某人|QQ号] 姓名 电话：照用法写的那个电话是要写进名片的，不算别人的号码；
    消息里别的号码（多写了词、又带了一个号码）照查。@ 不在纯文字里，写 QQ 号时多一个词。

    给别人改名片要管理员：成员这样写，命令会被拒，电话进不了任何名片，留在群里的就是别人的号码。"""
    words = text.split()
    by_number = len(words) == 4 and QQ_NUMBER.fullmatch(words[1])
    if len(words) != 3 and not by_number:
        return frozenset()
    named = {
        int(seg.data["qq"])
        for seg in event.message
        if seg.type == "at" and seg.data.get("qq", "").isdigit()
    }
    if by_number:
        named.add(int(words[1]))
    if named - {event.user_id}:
        role = resolve_role(policy, event.user_id, superusers, [event.sender.role or "member"])
        if role < Role.ADMIN:
            return frozenset()
    return frozenset([ascii_digits(words[-1])])


def _hits(event: GroupMessageEvent, policy: Policy, command: Command | None = None) -> list[Hit]:
    """每条组织群消息（命令也算：命令词后面的文字同样发在了群里）都会问一次：命中的规则
    （通常为空列表）。看的是整条消息的文字，命令词在内。"""
    group_id = event.group_id
    if group_id not in policy.groups.work and group_id not in policy.groups.share:
        return []
    if str(event.user_id) in superusers or event.user_id == int(event.self_id):
        return []
    text = event.get_plaintext()
    scanner = _scanner(policy)
    hits = []
    if scanner.active and text:
        own = _own_phones(event, policy) if scanner.privacy else frozenset()
        if command is not None and command.card_phone:
            own |= _card_phone(event, policy, text)
        hits = scanner.scan(text, own)
    raw = event.raw_message
    if raw.startswith("[CQ:reply,"):
        raw = raw.partition("]")[2]  # 回复段里是被回复消息在本账号的编号，各账号不同
    burst = flood.add(policy, group_id, event.user_id, event.time, raw, int(event.self_id))
    if burst is not None:
        hits.append(burst)
    return hits


@router.watch(_hits, commands=True)
async def on_hits(bot: Bot, event: GroupMessageEvent, policy: Policy, hits: list[Hit]) -> None:
    if event.user_id in members.not_counted(policy, bot_ids()):
        return  # 机器人（本进程的，或制度里列出、连在别的进程上的）
    message = reviews.Message(
        group_id=event.group_id,
        user_id=event.user_id,
        message_id=event.message_id,
        text=event.get_plaintext(),
        types=",".join(dict.fromkeys(seg.type for seg in event.message)),
        at=datetime.fromtimestamp(event.time, UTC),
    )
    # 同一条消息经几个机器人账号上报，身份相同：只记一次、只罚一次
    base = event_key(policy.id, event)
    acted = False
    for hit in reviews.order(hits):
        # 一条消息只按最重的一条规则处理，其余只记下（shadow 规则总是只记下）
        merged = acted and hit.action != "shadow"
        row = await reviews.record(policy, message, hit, f"{base}:{hit.rule}", merged=merged)
        if row is None or merged or hit.action == "shadow":
            continue
        acted = True
        if hit.action == "review":
            await _ask_reviewers(bot, policy, row)
            continue
        if hit.action == "recall":
            await _recall(bot, policy, row)
        today = business_date(event.time, policy.tz)
        issued = await reviews.warn_now(policy, row, today)
        if issued.created:
            await tell_group(bot, policy, row.group_id, row.user_id, issued)


async def _recall(bot: Bot, policy: Policy, hit: FilterHit) -> None:
    """NapCat 的消息编号只在缓存里短暂有效：命中后立即撤回，不等审核。撤不了时告诉管理员是哪条消息
    （群、谁、几点、打过码的命中内容），让他们能在群里找到它、手动撤回。"""
    if not await rights.is_admin(bot, hit.group_id):
        await tell_reviewers(bot, policy, await _recall_text(policy, hit, replies.CANNOT_RECALL))
        return
    try:
        await bot.call_api("delete_msg", message_id=hit.message_id)
    except API_FAILURES as exc:
        text = await _recall_text(policy, hit, replies.RECALL_FAILED, reason=failure_reason(exc))
        await tell_reviewers(bot, policy, text)
        return
    await reviews.mark_recalled(hit)


async def _recall_text(policy: Policy, hit: FilterHit, template: str, **extra: str) -> str:
    names = await members.display_names(policy, [hit.user_id])
    return template.format(
        group=members.group_name(policy, hit.group_id),
        name=names[hit.user_id],
        qq=hit.user_id,
        time=hit.created_at.astimezone(policy.tz).strftime("%m月%d日 %H:%M"),
        what=f"{hit.rule}：{hit.excerpt}" if hit.excerpt else hit.rule,
        **extra,
    )


def _points_label(policy: Policy, category: str) -> str:
    value = policy.warnings.categories.get(category)
    if value is None:
        return "类别待定"
    return f"{category} {warning_cases.points_text(value)}"


async def _ask_reviewers(bot: Bot, policy: Policy, hit: FilterHit) -> None:
    people = [hit.user_id] + ([hit.reporter_id] if hit.reporter_id else [])
    names = await members.display_names(policy, people)
    text = defang(hit.text)
    defanged = text != hit.text
    text = text or "（没有文字）"
    if hit.rule in (BUILTIN_PRIVACY, BUILTIN_REPORT):
        text = redact(text)  # 别人的号码不再转发一遍
    what = (
        replies.REVIEW_REPORTED
        if hit.rule == BUILTIN_REPORT
        else replies.REVIEW_MATCHED.format(rule=hit.rule)
    )
    lines = [
        replies.REVIEW_HEAD.format(
            group=members.group_name(policy, hit.group_id),
            name=names[hit.user_id],
            qq=hit.user_id,
            what=what,
            points=_points_label(policy, hit.category),
        )
    ]
    if hit.reporter_id:
        lines.append(
            replies.REVIEW_REPORTER.format(
                name=names[hit.reporter_id],
                qq=hit.reporter_id,
                reason=hit.report_reason or "未写理由",
            )
        )
    elif hit.excerpt:
        lines.append(replies.REVIEW_EXCERPT.format(excerpt=hit.excerpt))
    lines.append(replies.REVIEW_TEXT.format(text=text[:300]))
    if defanged:
        lines.append(replies.REVIEW_DEFANGED)
    lines.append(replies.REVIEW_ACTIONS.format(id=hit.id))
    await tell_reviewers(bot, policy, "\n".join(lines))


async def _hit_category(ctx: CommandContext, params: Params) -> object:
    """没写类别时按命中规则的类别：它是不是范围类别，决定后面的数字是数额还是理由。
    申报（审N 或 推N）后面的数字是确认时定的分数（对不对由申报插件判断）。"""
    if isinstance(params.review_id, CampaignNumber):
        return SCORE
    try:
        hit = await reviews.find(ctx.policy, params.review_id)
    except reviews.ReviewError as exc:
        raise _decided(exc) from None
    return SCORE if hit.rule == REVIEW_CLAIM else hit.category


async def _other_kind(ctx: CommandContext, hit_id: int) -> review_kinds.ReviewKind | None:
    """申诉、申报由各自的插件决定（plugins/core/review_kinds.py）。"""
    try:
        return review_kinds.handler(await reviews.find(ctx.policy, hit_id))
    except reviews.ReviewError as exc:
        raise _decided(exc) from None


def _decided(exc: reviews.ReviewError) -> Refusal:
    hit = exc.hit
    if hit is None:
        return Refusal(replies.NOT_FOUND)
    status = {"confirmed": "已确认", "dismissed": "已驳回"}.get(hit.status)
    if status is None:
        return Refusal(replies.NOT_PENDING.format(id=hit.id))
    return Refusal(replies.ALREADY.format(id=hit.id, status=status))


@router.command(
    "确认",
    args=(
        review_or_campaign_id(),
        Category(optional=True),
        Amount(fallback=_hit_category),
        Reason(optional=True, mentions=True),
    ),
    summary="确认一条待审的违规或举报，按类别警告（管理员）",
    example="/确认 审17",
    role=Role.ADMIN,
    private=True,
)
async def confirm(ctx: CommandContext) -> None:
    hit_id, category, amount = ctx.params.review_id, ctx.params.category, ctx.params.amount
    if isinstance(hit_id, CampaignNumber):
        # 推N：一次确认一次转发推广的全部申报（plugins/claims）
        decide = review_kinds.campaign_handler()
        if decide is None:
            raise Refusal(replies.NOT_FOUND)
        await decide(ctx, int(hit_id))
        return
    kind = await _other_kind(ctx, hit_id)
    if kind is not None:
        await kind.confirm(ctx, await reviews.find(ctx.policy, hit_id))
        return
    note = ctx.params.reason[:200]
    try:
        done = await reviews.confirm(
            ctx.policy,
            hit_id,
            category=category,
            amount=amount,
            note=note,
            by=ctx.user_id,
            role=ctx.role,
            at=datetime.fromtimestamp(ctx.event.time, UTC),
            today=ctx.today,
            event_key=ctx.event_key,
        )
    except reviews.AlreadyDecided as exc:
        if exc.replayed:
            return  # 同一条命令再来一次（重连、几个机器人账号）：上次已经处理、回复过
        raise _decided(exc) from None
    except reviews.ReviewError as exc:
        raise _decided(exc) from None
    except warning_cases.WarningRefused as exc:
        raise refusal_for(exc) from None
    hit = done.hit
    if done.issued.created:
        await tell_group(ctx.bot, ctx.policy, hit.group_id, hit.user_id, done.issued)
    bonus = ""
    if done.bonus is not None:
        bonus = replies.BONUS.format(points=done.bonus.delta)
    if ctx.group_id != hit.group_id:
        names = await members.display_names(ctx.policy, [hit.user_id])
        case = done.issued.case
        await ctx.reply(
            replies.CONFIRMED.format(
                name=names[hit.user_id],
                category=case.category,
                points=warning_cases.points_text(case.points),
                entry=done.issued.entry.id,
                bonus=bonus,
            )
        )


@router.command(
    "驳回",
    args=(review_id(), Reason(optional=True, mentions=True)),
    summary="驳回一条待审的违规或举报（管理员）",
    example="/驳回 审17 正常的业务链接",
    role=Role.ADMIN,
    private=True,
)
async def dismiss(ctx: CommandContext) -> None:
    hit_id = ctx.params.review_id
    kind = await _other_kind(ctx, hit_id)
    if kind is not None:
        await kind.dismiss(ctx, await reviews.find(ctx.policy, hit_id))
        return
    note = ctx.params.reason[:200]
    try:
        hit = await reviews.dismiss(
            ctx.policy,
            hit_id,
            note=note,
            by=ctx.user_id,
            role=ctx.role,
            at=datetime.fromtimestamp(ctx.event.time, UTC),
            event_key=ctx.event_key,
        )
    except reviews.AlreadyDecided as exc:
        if exc.replayed:
            return  # 同一条命令再来一次（重连、几个机器人账号）：上次已经处理、回复过
        raise _decided(exc) from None
    except reviews.ReviewError as exc:
        raise _decided(exc) from None
    await ctx.reply(replies.DISMISSED.format(id=hit.id))


@router.command(
    "举报",
    args=(Reason(optional=True, mentions=True),),
    before="回复那条消息：",
    summary="举报一条违规消息，交管理员审核",
    example="（回复一条消息）/举报 发赌博链接",
)
async def report(ctx: CommandContext) -> None:
    if ctx.group_id is None:
        raise UsageError()
    reported = await _reported(ctx)
    if reported is None:
        raise UsageError(replies.REPORT_REPLY)
    user_id, message_id, text, types, key = reported
    if user_id == ctx.user_id:
        raise Refusal(replies.REPORT_SELF)
    if user_id in members.not_counted(ctx.policy, bot_ids()) or str(user_id) in superusers:
        raise Refusal(replies.REPORT_BOT)
    reason = ctx.params.reason[:200]
    message = reviews.Message(
        group_id=ctx.group_id,
        user_id=user_id,
        message_id=message_id,
        text=text,
        types=types,
        at=datetime.fromtimestamp(ctx.event.time, UTC),
    )
    category = ctx.policy.filter.report_category
    hit_key = f"{key}:{BUILTIN_REPORT}"
    hit = await reviews.record(
        ctx.policy,
        message,
        Hit(BUILTIN_REPORT, category, "review", ""),
        hit_key,
        reporter_id=ctx.user_id,
        report_reason=reason,
    )
    if hit is None:
        earlier = await FilterHit.get_or_none(hit_key=hit_key)
        if earlier is not None and earlier.reporter_id == ctx.user_id:
            return  # 同一条举报重放：已经回复过
        await ctx.reply(replies.REPORT_DUPLICATE)
        return
    await ctx.reply(replies.REPORTED.format(id=hit.id))
    await _ask_reviewers(ctx.bot, ctx.policy, hit)


async def _reported(ctx: CommandContext) -> tuple[int, int, str, str, str] | None:
    """被举报的消息：发送者、本账号上的编号、文字、消息段类型、身份（identity.py：
    经哪个机器人账号举报都一样）。用适配器取到的回复原文，取不到时用 get_msg 再取一次。"""
    reply = getattr(ctx.event, "reply", None)
    if reply is not None:
        types = ",".join(dict.fromkeys(seg.type for seg in reply.message))
        key = reply_key(ctx.policy.id, ctx.group_id, reply)
        if key is None:
            return None
        text = reply.message.extract_plain_text()
        return int(reply.sender.user_id), int(reply.message_id), text, types, key
    message_id = replied_message_id(ctx.event)
    if message_id is None:
        return None
    try:
        data = await ctx.bot.call_api("get_msg", message_id=message_id)
    except API_FAILURES as exc:
        logger.warning(f"取不到被举报的消息 {message_id}：{failure_reason(exc)}")
        raise Refusal(replies.REPORT_LOST) from None
    sender_id = (data.get("sender") or {}).get("user_id")
    if not sender_id:
        raise Refusal(replies.REPORT_LOST)
    message = type_validate_python(Message, data.get("message") or [])
    key = message_key(
        ctx.policy.id,
        ctx.group_id,
        int(sender_id),
        int(data.get("time") or 0),
        message,
        data.get("real_seq"),
    )
    types = ",".join(dict.fromkeys(seg.type for seg in message))
    return int(sender_id), message_id, message.extract_plain_text(), types, key


_ACTION_LABELS = {
    "review": "交管理员审核",
    "warn": "直接警告",
    "recall": "撤回并警告",
    "shadow": "只记录",
}
_STATUS_LABELS = {
    "pending": "待审",
    "confirmed": "已确认",
    "dismissed": "已驳回",
    "warned": "已警告",
    "merged": "并入其他规则",
}


@router.command(
    "规则统计",
    args=(Count("days", "天数", optional=True, fallback=7, out_of_range=replies.STATS_DAYS),),
    summary="各条内容规则最近的命中，以及只记录的规则若生效会怎样（管理员）",
    example="/规则统计 7",
    role=Role.ADMIN,
    private=True,
)
async def rule_stats(ctx: CommandContext) -> None:
    days = ctx.params.days
    at = datetime.fromtimestamp(ctx.event.time, UTC)
    found = await reviews.stats(ctx.policy, at, days)
    for kind in REVIEW_KINDS:  # 申诉、申报也在审核队列里，但不是内容规则的命中
        found.pop(kind, None)
    section = ctx.policy.filter
    rules = [(rule.name, rule.category, rule.action) for rule in section.rules]
    builtin = (
        (BUILTIN_LINK, section.links),
        (BUILTIN_PRIVACY, section.privacy),
        (BUILTIN_FLOOD, section.flood),
    )
    for name, rule in builtin:
        if rule is not None:
            rules.append((name, rule.category, rule.action))
    rules.append((BUILTIN_REPORT, section.report_category, "review"))
    lines = [replies.STATS_HEAD.format(days=days)]
    for name, category, action in rules:
        item = found.pop(name, None)
        lines.append(_stats_line(ctx.policy, name, category, action, item))
    for name, item in found.items():  # 制度里已删掉的规则，历史命中仍列出
        lines.append(_stats_line(ctx.policy, name, "", "", item))
    if len(lines) == 1:
        lines.append(replies.STATS_NO_RULES)
    # 按被申诉记录的规则：常被申诉成立的规则多半本身定得不对
    for item in await appeals.stats(ctx.policy, at, days):
        lines.append(
            replies.STATS_APPEALS.format(
                rule=rule_label(item.rule), upheld=item.upheld, total=item.total
            )
        )
    await ctx.reply("\n".join(lines))


def _stats_line(policy: Policy, name: str, category: str, action: str, item) -> str:
    label = _ACTION_LABELS.get(action, "已从制度删除")
    head = f"「{name}」（{label}，{_points_label(policy, category)}）"
    if item is None:
        return f"{head}：没有命中"
    parts = [f"{_STATUS_LABELS.get(k, k)} {n}" for k, n in item.by_status.items() if k != "shadow"]
    line = f"{head}：命中 {item.hits} 次，{item.people} 人"
    if parts:
        line += "；" + "、".join(parts)
    shadow = item.by_status.get("shadow", 0)
    value = policy.warnings.categories.get(category)
    if shadow and isinstance(value, int):
        line += f"；若生效将警告 {shadow} 次，共扣 {shadow * value} 分"
    elif shadow:
        line += f"；若生效将警告 {shadow} 次"
    return line


@router.command(
    "过滤测试",
    args=(Text(label="一段文字"),),
    after="（私聊）",
    summary="看一段文字会命中哪些内容规则、为什么，不记录、不处理（管理员，私聊）",
    example="/过滤测试 加V看百家乐",
    role=Role.ADMIN,
    private=True,
)
async def filter_test(ctx: CommandContext) -> None:
    if ctx.group_id is not None:
        # 群里发的这段文字本身会被过滤，回答又会把命中的内容在群里再说一遍
        raise Refusal(replies.TEST_PRIVATE_ONLY)
    text = ctx.params.text
    hits = reviews.order(_scanner(ctx.policy).scan(text))
    if not hits:
        await ctx.reply(replies.TEST_NO_HIT)
        return
    lines = [replies.TEST_HEAD]
    for hit in hits:
        label = _ACTION_LABELS[hit.action]
        excerpt = mask_digits(hit.excerpt)
        lines.append(replies.TEST_HIT.format(rule=hit.rule, action=label, excerpt=excerpt))
    if len([hit for hit in hits if hit.action != "shadow"]) > 1:
        lines.append(replies.TEST_HEAVIEST)
    await ctx.reply("\n".join(lines))
