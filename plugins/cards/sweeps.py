"""每日检查与 /名片检查 的共同部分：读名单、检查、在群里公布；有人事名单时再查“未进群”。

公告发不出去（风控、超时……）不中断检查：记进 `unsent`，这个群的其余步骤、别的群、名单检查照常做，
每日检查把它写进任务结果。"""

from datetime import datetime

from nonebot import logger
from nonebot.adapters.onebot.v11 import ActionFailed, Bot, Message, MessageSegment

from plugins.core import (
    API_FAILURES,
    SendFailed,
    bot_ids,
    failure_reason,
    notify_superusers,
    sender,
)
from qungui import absence, cards, members
from qungui.policy import Policy

from . import replies
from .roster_files import rosters


async def read_card(bot: Bot, group_id: int, user_id: int) -> str | None:
    """不走缓存地读一次名片；读不到返回 None（之后不据此扣分）。"""
    try:
        info = await bot.call_api(
            "get_group_member_info", group_id=group_id, user_id=user_id, no_cache=True
        )
    except API_FAILURES as exc:
        logger.warning(f"读取群 {group_id} 成员 {user_id} 的名片失败：{exc}")
        return None
    return str(info.get("card") or "")


async def announce(bot: Bot, group_id: int, message: str | Message, unsent: list[str]) -> None:
    """发一条检查公告；发不出去时记进 `unsent`（“群 号（原因）”），不抛出。"""
    try:
        await sender.send_group(bot, group_id, message)
    except SendFailed as exc:
        cause = exc.__cause__
        reason = failure_reason(cause) if isinstance(cause, ActionFailed) else str(exc)
        unsent.append(f"群 {group_id}（{reason}）")


async def sweep(
    bot: Bot, policy: Policy, group_id: int, at: datetime, unsent: list[str]
) -> cards.SweepResult | None:
    """检查一个工作群并在群里公布；读不到成员列表时说明原因、不扣分，返回 None。"""
    try:
        listed = await bot.call_api("get_group_member_list", group_id=group_id, no_cache=True)
    except API_FAILURES as exc:
        text = replies.SWEEP_FAILED.format(reason=failure_reason(exc))
        await announce(bot, group_id, text, unsent)
        return None
    # 成员列表里也有机器人自己（和同组织的其他机器人号）：它们不是成员，名片不归制度管
    bots = members.not_counted(policy, bot_ids())
    people = [
        cards.Listed(
            int(m["user_id"]),
            str(m.get("card") or ""),
            str(m.get("nickname") or ""),
            str(m.get("role") or "member"),
            int(m.get("join_time") or 0),
        )
        for m in listed
        if int(m["user_id"]) not in bots
    ]

    async def reread(user_id: int) -> str | None:
        return await read_card(bot, group_id, user_id)

    result = await cards.sweep_group(policy, group_id, people, at, reread, rosters.get(policy))
    nickname = policy.nickname
    if result.first_sweep and result.bites_at is not None:
        bites = result.bites_at.astimezone(policy.tz)
        text = replies.FIRST_SWEEP.format(
            how_to=replies.how_to_set(policy),
            bites=bites.strftime("%m月%d日 %H:%M"),
            penalty=nickname.daily_penalty,
        )
        await announce(bot, group_id, text, unsent)
    if result.overdue:
        text = replies.OVERDUE.format(
            penalty=nickname.daily_penalty, how_to=replies.how_to_set(policy)
        )
        mentions = (MessageSegment.at(u) for u in result.overdue)
        await announce(bot, group_id, Message([MessageSegment.text(text), *mentions]), unsent)
    if result.duplicates:
        names = await members.display_names(policy, result.duplicates)
        text = replies.DUPLICATES.format(names="、".join(names.values()))
        await announce(bot, group_id, text, unsent)
    return result


async def check_roster(
    bot: Bot, policy: Policy, at: datetime, unsent: list[str]
) -> absence.AbsenceReport | None:
    """有名单时：找出没进群的人，按规矩提醒、扣分、报主席；名字发到公司群，电话只私聊。"""
    roster = rosters.get(policy)
    if roster is None or not roster.rows or not policy.groups.work:
        return None
    report = await absence.check_absent(policy, roster, at)
    group_id = policy.groups.work[0]

    def names(rows) -> str:
        return "、".join(row.name for row in rows)

    if report.opened:
        await announce(bot, group_id, replies.ABSENT_NEW.format(names=names(report.opened)), unsent)
    if report.penalised:
        text = replies.ABSENT_FINED.format(
            days=policy.roster.absent_days,
            points=absence.absent_points(policy),
            names=names(report.penalised),
        )
        await announce(bot, group_id, text, unsent)
    if report.leavers_present:
        text = replies.LEAVERS.format(names=names(report.leavers_present))
        await announce(bot, group_id, text, unsent)
    if report.escalated:
        lines = "\n".join(f"{row.name} {row.phone} {row.department}" for row in report.escalated)
        text = replies.ABSENT_CHAIRMEN.format(days=absence.escalate_days(policy), lines=lines)
        missed = await sender.send_private_each(bot, policy.org.chairmen, text)
        unsent += [f"主席 {user}（私聊）" for user in missed]
        if len(missed) == len(policy.org.chairmen):
            # 没有主席，或哪位主席都没收到（没加机器人好友……）：这一级只做一次，告诉运维
            await notify_superusers(bot, text)
    return report
