"""群名片：入群提醒、改名片致谢、每日检查与扣分、/名片检查 /改名片；人事名单的 /名单 在 roster.py。

规则本身（名片怎么拆、宽限到何时、逾期每天扣多少）在 `qungui/cards.py`。"""

from datetime import UTC, datetime

from nonebot import require
from nonebot.adapters.onebot.v11 import (
    Bot,
    GroupDecreaseNoticeEvent,
    GroupIncreaseNoticeEvent,
    Message,
    MessageSegment,
)
from nonebot.plugin import PluginMetadata

require("core")

from plugins.core import (  # noqa: E402
    API_FAILURES,
    CommandContext,
    GroupBatcher,
    GroupCardNoticeEvent,
    Refusal,
    UsageError,
    failure_reason,
    online_bot,
    rights,
    router,
    runner,
    sender,
    ticks,
)
from plugins.core.args import Person, Word  # noqa: E402
from qungui import cards, members  # noqa: E402
from qungui.jobs import Job, JobContext, Schedule  # noqa: E402
from qungui.policy import Policy, parse_clock  # noqa: E402
from qungui.roles import Role  # noqa: E402

from . import replies  # noqa: E402
from .roster_files import rosters  # noqa: E402
from .sweeps import check_roster, read_card, sweep  # noqa: E402

# 改好名片的致谢：每群每 10 分钟最多一条，只写名字，不 @ 人
thanks = GroupBatcher("thanks", sender, lambda names: replies.THANKS.format(names="、".join(names)))
ticks.append(thanks.flush)


def _at(moment: int) -> datetime:
    return datetime.fromtimestamp(moment, UTC)


@router.notice("group_increase")
async def greet(bot: Bot, event: GroupIncreaseNoticeEvent, policy: Policy) -> None:
    greeted = (*policy.groups.work, *policy.groups.share)
    if event.user_id == int(bot.self_id) or event.group_id not in greeted:
        return
    joined_at = _at(event.time)
    await cards.joined(policy, event.group_id, event.user_id, joined_at)
    card = await read_card(bot, event.group_id, event.user_id)
    staff = rosters.get(policy)
    if card is not None:
        await cards.card_seen(policy, event.group_id, event.user_id, card, joined_at, staff)
    head = Message([MessageSegment.text("欢迎 "), MessageSegment.at(event.user_id)])
    if card is not None and cards.card_ok(policy, card, staff, event.user_id):
        await sender.send_group(
            bot,
            event.group_id,
            head + MessageSegment.text(replies.WELCOME_OK.format(org=policy.org.name)),
        )
        return
    due = await cards.grace_deadline(policy, event.group_id, joined_at)
    text = replies.WELCOME.format(
        org=policy.org.name,
        deadline=due.astimezone(policy.tz).strftime("%m月%d日 %H:%M"),
        how_to=replies.how_to_set(policy),
        penalty=policy.nickname.daily_penalty,
    )
    await sender.send_group(bot, event.group_id, head + MessageSegment.text(text))


@router.notice("group_decrease")
async def farewell(bot: Bot, event: GroupDecreaseNoticeEvent, policy: Policy) -> None:
    if event.user_id != int(bot.self_id):
        await cards.left(policy, event.group_id, event.user_id, _at(event.time))


@router.notice("group_card")
async def card_changed(bot: Bot, event: GroupCardNoticeEvent, policy: Policy) -> None:
    change = await cards.card_seen(
        policy, event.group_id, event.user_id, event.card_new, _at(event.time), rosters.get(policy)
    )
    if change == "fixed":
        names = await members.display_names(policy, [event.user_id])
        await thanks.add(bot, event.group_id, names[event.user_id], _at(event.time))


async def _daily_sweep(ctx: JobContext) -> str:
    bot = online_bot()
    # 检查算在计划时刻（今天的 check_time）上，不算时钟走到的那一瞬：几百毫秒的早晚不会把
    # 开始扣分推迟一天；停机后补跑的今天这一次也一样
    at = ctx.scheduled_at
    notes = []
    results = []
    unsent: list[str] = []
    for group_id in ctx.policy.groups.work:
        result = await sweep(bot, ctx.policy, group_id, at, unsent)
        results.append(result)
        notes.append(
            f"群 {group_id}："
            + (
                "读取成员列表失败"
                if result is None
                else f"规范 {result.compliant}，宽限中 {len(result.in_grace)}，逾期 {len(result.overdue)}"
            )
        )
    # 有哪个群没读到名单时不判“未进群”：数据不全不扣分
    if None not in results and (report := await check_roster(bot, ctx.policy, at, unsent)):
        notes.append(f"未进群 {report.absent}")
    if unsent:
        notes.append(f"没发出去：{'、'.join(unsent)}")
    return "；".join(notes)


runner.register(
    Job(
        "card.sweep",
        "daily",
        lambda policy: Schedule(parse_clock(policy.nickname.check_time)),
        _daily_sweep,
    )
)


@router.command(
    "名片检查",
    summary="立即检查本群群名片（管理员，公司群）",
    example="/名片检查",
    role=Role.ADMIN,
)
async def check_now(ctx: CommandContext) -> None:
    if ctx.group_id not in ctx.policy.groups.work:
        raise Refusal(replies.WORK_GROUP_ONLY)
    # 公告发不出去时发送出口已记下（/状态 可见）：这里照样检查完、回人数
    unsent: list[str] = []
    result = await sweep(ctx.bot, ctx.policy, ctx.group_id, _at(ctx.event.time), unsent)
    if result is None:
        return
    summary = replies.SWEEP_SUMMARY.format(
        ok=result.compliant, grace=len(result.in_grace), overdue=len(result.overdue)
    )
    report = await check_roster(ctx.bot, ctx.policy, _at(ctx.event.time), unsent)
    if report is not None:
        summary = (
            summary.removesuffix("。") + "，" + replies.SWEEP_ABSENT.format(absent=report.absent)
        )
    if result.unverified:
        summary += replies.UNVERIFIED.format(count=len(result.unverified))
    await ctx.reply(summary)


@router.command(
    "改名片",
    args=(Person(optional=True), Word("name", "姓名"), Word("phone", "手机号")),
    summary="机器人按规范格式设置群名片（给别人改需管理员）",
    example="/改名片 张三 你的11位手机号",
    card_phone=True,
)
async def set_card(ctx: CommandContext) -> None:
    if ctx.group_id is None:
        raise UsageError()
    target = ctx.params.member or ctx.user_id
    if target != ctx.user_id and ctx.role < Role.ADMIN:
        raise Refusal(replies.OTHERS_CARD.format(role=ctx.role.label))
    card = cards.build_card(ctx.policy, ctx.params.name, ctx.params.phone)
    if card is None:
        raise UsageError(
            replies.BAD_NAME_OR_PHONE.format(card_format=cards.card_format(ctx.policy))
        )
    if not await rights.is_admin(ctx.bot, ctx.group_id):
        raise Refusal(replies.BOT_NOT_ADMIN)
    try:
        await ctx.bot.call_api("set_group_card", group_id=ctx.group_id, user_id=target, card=card)
    except API_FAILURES as exc:
        raise Refusal(replies.SET_FAILED.format(reason=failure_reason(exc))) from None
    # 有的实现报成功却没生效：读回来核对
    actual = await read_card(ctx.bot, ctx.group_id, target)
    if actual is None or cards.halfwidth_trimmed(actual) != card:
        raise Refusal(replies.NOT_EFFECTIVE)
    await cards.card_seen(ctx.policy, ctx.group_id, target, card, _at(ctx.event.time))
    who = "你" if target == ctx.user_id else cards.display_name(ctx.policy, card, "")
    await ctx.reply(replies.CARD_SET.format(who=who, card=card))


from . import roster  # noqa: E402, F401  /名单（登记在 /名片检查、/改名片 之后，/帮助 按登记顺序列出）

__plugin_meta__ = PluginMetadata(
    name="群名片",
    description="群名片须为 公司-姓名-电话：入群提醒、每日检查、宽限后每天扣分；人事名单",
    usage=router.usage(__name__),
    type="application",
    supported_adapters={"~onebot.v11"},
)
