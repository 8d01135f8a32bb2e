"""每日分享：什么算分享、算不算原创、记到哪一天、得 1 分。只收普通值，不碰 NoneBot 事件。

“原创”只能推断：合并转发、没有自己文字的链接卡片、与 90 天内组织里任何人的分享文字相同
（标点、空白、全半角都不算区别），或者与它引用的那条消息相同，都不算原创。
"""

from __future__ import annotations

import asyncio
import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import RawSQL

from . import ledger
from .dates import local_time, month_key, share_day
from .models import JobRun, LedgerEntry, Share
from .policy import Policy, parse_clock

SHARE_RULE = ledger.SHARE_DAY_RULE
COPY_WINDOW = timedelta(days=90)

FORWARD = "合并转发"
CARD = "链接或小程序卡片"
COPY = "与之前的分享重复"
QUOTE = "照搬引用的消息"


def normalise(text: str) -> str:
    """去掉空白和标点符号、全角转半角、英文转小写：只留下“说了什么”。"""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PZSC")


def text_hash(text: str) -> str:
    normal = normalise(text)
    return hashlib.sha1(normal.encode("utf-8")).hexdigest() if normal else ""


@dataclass(frozen=True)
class Draft:
    """一条消息里与分享有关的部分（由适配器一侧从消息段整理出来）。"""

    own_text: str
    """文字段连起来（不含 @）"""
    has_forward: bool = False
    has_card: bool = False
    """json 段：链接分享、小程序"""
    quoted_text: str | None = None
    """它引用的那条消息的文字"""


def own_chars(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


def is_candidate(draft: Draft, min_chars: int) -> bool:
    """值得记下的消息：够字数，或是转发、卡片（要记下“不算原创”）。其余是闲聊，什么也不做。"""
    return draft.has_forward or draft.has_card or own_chars(draft.own_text) >= min_chars


def not_original_reason(draft: Draft, min_chars: int, seen_before: bool) -> str | None:
    """不算原创的原因；是原创返回 None。`seen_before`：同样的文字 90 天内出现过。"""
    if draft.has_forward:
        return FORWARD
    if own_chars(draft.own_text) < min_chars:
        return CARD
    if seen_before:
        return COPY
    if draft.quoted_text is not None and text_hash(draft.quoted_text) == text_hash(draft.own_text):
        return QUOTE
    return None


@dataclass(frozen=True)
class Outcome:
    share: Share | None
    """None：同一事件已经处理过（重放）"""
    credited: date | None = None
    entry: LedgerEntry | None = None

    @property
    def reason(self) -> str:
        return self.share.reason if self.share else ""


async def has_share(org: str, user_id: int, day: date) -> bool:
    """这一天是否已经有（未被撤销的）分享得分。"""
    awarded = await LedgerEntry.filter(
        org=org, user_id=user_id, rule=SHARE_RULE, business_date=day
    ).values_list("id", flat=True)
    if not awarded:
        return False
    return len(await ledger.reversed_ids(org, list(awarded))) < len(awarded)


_locks: dict[str, asyncio.Lock] = {}


async def record(
    policy: Policy,
    *,
    group_id: int,
    user_id: int,
    message_id: int,
    sent_at: datetime,
    draft: Draft,
) -> Outcome:
    """记下一条分享群消息并在它是当天第一条原创分享时记 1 分。同一事件再来一次什么也不改。

    查重和写入在组织的锁里一条条做：两个人同一秒贴出同一段文字，只有先处理的那条算原创。
    """
    async with _locks.setdefault(policy.id, asyncio.Lock()):
        rules = policy.share
        # SQLite 把时刻存成 UTC 文本、按文本比较：查询参数也必须是 UTC，否则 +08:00 的时刻比错
        sent_at = sent_at.astimezone(UTC)
        digest = text_hash(draft.own_text)
        seen = (
            bool(digest)
            and await Share.filter(
                org=policy.id,
                text_hash=digest,
                sent_at__gte=sent_at - COPY_WINDOW,
                # 同一秒里已经处理过的同样文字也算“之前的”：先处理的那条是原创
                sent_at__lte=sent_at,
            ).exists()
        )
        reason = not_original_reason(draft, rules.min_chars, seen)
        try:
            # 单独一句 INSERT 本身就是原子的：不另开事务（每个事务在 SQLite 上要多三次往返）。
            # 调用方不在事务里，所以重放时的唯一键冲突也不会弄坏别的事务
            share = await Share.create(
                org=policy.id,
                group_id=group_id,
                user_id=user_id,
                message_id=message_id,
                sent_at=sent_at,
                text_hash=digest,
                chars=own_chars(draft.own_text),
                original=reason is None,
                reason=reason or "",
            )
        except IntegrityError:
            return Outcome(None)
        if reason is not None:
            return Outcome(share)
        return await _credit(policy, share, sent_at)


async def _credit(policy: Policy, share: Share, sent_at: datetime) -> Outcome:
    moment = local_time(sent_at, policy.tz)
    yesterday = moment.date() - timedelta(days=1)
    in_grace = moment.time() < parse_clock(policy.share.grace_until)
    # 昨天的月份已开始月底结算（随后冻结）时补不回去：记到发出的那一天，而不是哪天都不算。
    # 只有每月 1 日的宽限时段才要多查这一次
    previous_open = (
        in_grace
        and not await has_share(policy.id, share.user_id, yesterday)
        and (yesterday.month == moment.month or not await month_settled(policy, yesterday))
    )
    day = share_day(moment, parse_clock(policy.share.grace_until), previous_open)
    # 当天已有（未撤销的）分享分时，去重键相同，award 什么也不写：不必先查一次
    entry = await ledger.award(
        org=policy.id,
        user_id=share.user_id,
        rule=SHARE_RULE,
        period=day.isoformat(),
        delta=policy.share.points,
        business_date=day,
        now=sent_at,
        reason="每日原创分享",
        ref=str(share.message_id),
    )
    if entry is None:
        return Outcome(share)
    await Share.filter(id=share.id).update(share_day=day, entry_id=entry.id)
    share.share_day, share.entry_id = day, entry.id
    return Outcome(share, credited=day, entry=entry)


async def shared_on(org: str, day: date, user_ids: list[int]) -> set[int]:
    """这些人里哪天已有分享得分的（撤销过的不算）。"""
    rows = await LedgerEntry.filter(
        org=org, rule=SHARE_RULE, business_date=day, user_id__in=user_ids
    ).values_list("id", "user_id")
    undone = await ledger.reversed_between(org, day, day)
    return {user for entry_id, user in rows if entry_id not in undone}


async def month_days(org: str, user_id: int, first: date, last: date) -> list[date]:
    """这个月里有分享得分的日子（撤销过的不算），升序。"""
    rows = await LedgerEntry.filter(
        org=org,
        user_id=user_id,
        rule=SHARE_RULE,
        business_date__gte=first,
        business_date__lte=last,
    ).values_list("id", "business_date")
    undone = await ledger.reversed_ids(org, [entry_id for entry_id, _ in rows])
    return sorted({day for entry_id, day in rows if entry_id not in undone})


def current_run(days: list[date], today: date) -> int:
    """截至今天（今天还没分享则截至昨天）连续分享的天数。"""
    have = set(days)
    cursor = today if today in have else today - timedelta(days=1)
    run = 0
    while cursor in have:
        run += 1
        cursor -= timedelta(days=1)
    return run


def reporting_day(moment: datetime, grace_until: str, yesterday_open: bool) -> date:
    """/今日分享 和提醒说的是哪一天：宽限时段里、昨天还没分享时说昨天。"""
    return share_day(moment, parse_clock(grace_until), yesterday_open)


FEATURED_RULE = "share.featured"
STREAK_RULE = "share.streak"
MONTH_CLOSE_JOB = "month.close"
"""月底结算任务：开始后这个月不再补分享"""
REJECTED = "管理员判定非原创"


class ShareRefused(ledger.LedgerError):
    """对一条分享的操作被拒绝；`kind` 说明原因。"""

    def __init__(self, kind: str, entry: LedgerEntry | None = None):
        super().__init__(kind)
        self.kind = kind
        self.entry = entry


async def month_settled(policy: Policy, day: date) -> bool:
    """这一天所在的月份是否已经开始月底结算：开始后不再补分享、不再判非原创。"""
    return await JobRun.exists(job=MONTH_CLOSE_JOB, org=policy.id, period=month_key(day))


async def find(policy: Policy, group_id: int, message_id: int) -> Share | None:
    return (
        await Share.filter(org=policy.id, group_id=group_id, message_id=message_id)
        .order_by("-id")
        .first()
    )


async def feature(
    policy: Policy, share: Share, *, actor_id: int, actor_role, now: datetime
) -> LedgerEntry:
    """评为经典分享：作者加 featured_bonus，每条分享一次（撤销后可再评）。"""
    if not share.original:
        raise ShareRefused("not_original")
    day = share.share_day or local_time(share.sent_at, policy.tz).date()
    entry = await ledger.award(
        org=policy.id,
        user_id=share.user_id,
        rule=FEATURED_RULE,
        period=f"share{share.id}",
        delta=policy.share.featured_bonus,
        business_date=day,
        now=now,
        reason="经典分享",
        ref=str(share.message_id),
        actor_id=actor_id,
        actor_role=actor_role,
    )
    if entry is None:
        earlier = await ledger.active_award(
            policy.id, FEATURED_RULE, share.user_id, f"share{share.id}"
        )
        raise ShareRefused("already", earlier)
    return entry


async def reject(
    policy: Policy, share: Share, *, actor_id: int, actor_role, now: datetime, command_key: str
) -> LedgerEntry | None:
    """判为非原创：撤销它当天的分享分（写明是哪位管理员），此人当天可以重新分享得分。"""
    if share.share_day is not None and await month_settled(policy, share.share_day):
        raise ShareRefused("settled")
    await Share.filter(id=share.id).update(original=False, reason=REJECTED, share_day=None)
    if share.entry_id is None:
        return None
    written = await ledger.reverse(
        org=policy.id,
        entry_id=share.entry_id,
        now=now,
        actor_id=actor_id,
        actor_role=actor_role,
        reason=REJECTED,
        command_key=command_key,
    )
    return written.entry


async def backfill(
    policy: Policy,
    *,
    user_id: int,
    day: date,
    actor_id: int,
    actor_role,
    reason: str,
    now: datetime,
) -> LedgerEntry:
    """补记某天的分享（制度里的“特殊情况”）；那天已有分享、或那个月已结算则拒绝。"""
    if await month_settled(policy, day):
        raise ShareRefused("settled")
    if await has_share(policy.id, user_id, day):
        raise ShareRefused("already")
    entry = await ledger.award(
        org=policy.id,
        user_id=user_id,
        rule=SHARE_RULE,
        period=day.isoformat(),
        delta=policy.share.points,
        business_date=day,
        now=now,
        reason=f"补分享：{reason}",
        actor_id=actor_id,
        actor_role=actor_role,
    )
    if entry is None:
        raise ShareRefused("already")
    return entry


def longest_run(days: list[date]) -> int:
    """最长的连续天数。"""
    best = run = 0
    previous: date | None = None
    for day in sorted(set(days)):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    return best


async def settle_streaks(policy: Policy, month: str, first: date, last: date, now: datetime) -> int:
    """月底：连续（或累计）分享满 streak_days 天的人加 streak_bonus，每人每月一次。返回这次新加的人数。"""
    # 日期按原样取出（SQLite 是文本，PostgreSQL 是 date）：ORM 逐行把两千人一个月五万多个日期
    # 解析成 date 要七八百毫秒，date.fromisoformat 只要几毫秒
    rows = (
        await LedgerEntry.filter(
            org=policy.id, rule=SHARE_RULE, business_date__gte=first, business_date__lte=last
        )
        .annotate(day=RawSQL("business_date"))
        .values_list("id", "user_id", "day")
    )
    undone = await ledger.reversed_between(policy.id, first, last)
    days: dict[int, list[date]] = {}
    for entry_id, user, day in rows:
        if entry_id not in undone:
            days.setdefault(user, []).append(
                day if isinstance(day, date) else date.fromisoformat(day)
            )
    rules = policy.share
    if rules.streak_bonus == 0:
        return 0
    winners = [
        user
        for user, shared in sorted(days.items())
        if (longest_run(shared) if rules.streak_consecutive else len(set(shared)))
        >= rules.streak_days
    ]
    return await ledger.award_many(
        org=policy.id,
        user_ids=winners,
        rule=STREAK_RULE,
        period=month,
        delta=rules.streak_bonus,
        business_date=last,
        now=now,
        reason=f"{month} 分享满 {rules.streak_days} 天",
    )
