"""连续分享奖励：一个月里连续（或累计）分享满 `share.streak_days`（27）天，月底加 `share.streak_bonus`（20）分，
每人每月一次。怎么数、谁得、什么时候记，都在这里。

请假和节假日（`leave`）既不打断连续，也不算天数；制度 `leave.leave_counts_for_streak = true` 时算作分享了的日子。

月底任务先让这个月进入“结算中”（`months`），再调用 `settle`：此后这个月不再补分享，数到的天数不会再变。
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from tortoise.expressions import RawSQL

from . import leave, ledger, rules
from .dates import month_days
from .models import LedgerEntry
from .policy import Policy


def longest_run(
    days: Iterable[date], excused: Iterable[date] = (), *, count_excused: bool = False
) -> int:
    """最长的连续天数。`excused` 是不用分享的日子（请假、节假日）：没分享也不打断，
    但不算天数（`count_excused` 时算作分享了）。20 天分享、3 天请假、7 天分享是连续 27 天。"""
    shared, off = set(days), set(excused)
    if count_excused:
        shared |= off
    if not shared:
        return 0
    start = min(shared | off)
    return _longest(day_bits(shared, start), day_bits(off, start))


def _longest(have: int, off: int) -> int:
    # 每人每月都要数（月底两千人、网页的本月页每次打开）：日子记成二进制位，一段不断的日子
    # （分享或不用分享）是一段连着的 1，里面分享了几天就是这一段的连续天数
    unbroken = have | off
    best = 0
    while unbroken:
        lowest = unbroken & -unbroken
        stretch = unbroken & ~(unbroken + lowest)  # 最低的那一段连着的 1
        best = max(best, (have & stretch).bit_count())
        unbroken &= ~stretch
    return best


def day_bits(days: Iterable[date], start: date) -> int:
    """日子记成二进制位：第 n 位是 `start` 之后第 n 天。"""
    return sum(1 << (day - start).days for day in set(days))


def bit_days(bits: int, start: date) -> list[date]:
    """`day_bits` 的反过来：二进制位 → 从早到晚的日子。"""
    return [start + timedelta(days=n) for n in range(bits.bit_length()) if bits >> n & 1]


def current_run(
    days: Iterable[date], today: date, excused: Iterable[date] = (), *, count_excused: bool = False
) -> int:
    """截至今天（今天还没分享则截至昨天）连续分享的天数；请假、节假日跳过（同 `longest_run`）。"""
    have, off = set(days), set(excused)
    if count_excused:
        have |= off
    cursor = today if today in have or today in off else today - timedelta(days=1)
    run = 0
    while cursor in have or cursor in off:
        run += cursor in have
        cursor -= timedelta(days=1)
    return run


def shared_count(
    days: Iterable[date], excused: Iterable[date] = (), *, count_excused: bool = False
) -> int:
    """累计的分享天数（`streak_consecutive = false` 时看它）。"""
    return len(set(days) | set(excused)) if count_excused else len(set(days))


def counted_days(policy: Policy, days: Iterable[date], excused: Iterable[date] = ()) -> int:
    """奖励看的天数：`streak_consecutive` 时是最长连续，否则是累计天数。
    `excused` 是此人这个月不用分享的日子（`leave.Calendar.days_for`）。"""
    days, excused = set(days), set(excused)
    if not days and not excused:
        return 0
    start = min(days | excused)
    return counted_bits(policy, day_bits(days, start), day_bits(excused, start))


def counted_bits(policy: Policy, shared: int, excused: int) -> int:
    """同 `counted_days`，日子记成二进制位（`day_bits`、`share_bits`，同一个起点）。"""
    if policy.leave.leave_counts_for_streak:
        shared |= excused
    if policy.share.streak_consecutive:
        return _longest(shared, excused)
    return shared.bit_count()


def earned(policy: Policy, days: Iterable[date], excused: Iterable[date] = ()) -> bool:
    """这些分享日够不够拿奖励（`counted_days` 达到 `streak_days`）。"""
    return counted_days(policy, days, excused) >= policy.share.streak_days


# 二进制位放得进 SQL 的 64 位整数：一次最多数这么多天（一个月用不到一半）
MAX_SPAN_DAYS = 62


async def share_bits(org: str, first: date, last: date) -> dict[int, int]:
    """每个人这段时间里有分享得分的日子（撤销过的不算），记成二进制位：第 n 位是 `first` 之后第 n 天。
    网页的本月页每次打开都要两千人一个月五万多行：在库里按人拼成一个整数，只取出两千个整数。"""
    if (last - first).days >= MAX_SPAN_DAYS:
        raise ValueError(f"一次最多数 {MAX_SPAN_DAYS} 天：{first} 至 {last}")
    undone = await ledger.reversed_between(org, first, last)
    entries = LedgerEntry.filter(
        org=org, rule=rules.SHARE_DAILY, business_date__gte=first, business_date__lte=last
    )
    if undone:
        entries = entries.exclude(id__in=list(undone))
    # 同一天两条分享分也只算一天：PostgreSQL 有按位或的聚合；SQLite 没有，各天的位互不相同，
    # DISTINCT 之后相加就是按位或
    if LedgerEntry._meta.db.capabilities.dialect == "postgres":
        offset = f"(business_date - DATE '{first.isoformat()}')"
        bits = f"BIT_OR(1::bigint << {offset})"
    else:
        offset = f"CAST(julianday(business_date) - julianday('{first.isoformat()}') AS INTEGER)"
        bits = f"SUM(DISTINCT 1 << {offset})"
    rows = (
        await entries.annotate(bits=RawSQL(bits)).group_by("user_id").values_list("user_id", "bits")
    )
    return {user: int(value) for user, value in rows}


async def share_days(org: str, first: date, last: date) -> dict[int, list[date]]:
    """每个人这段时间里有分享得分的日子（撤销过的不算），从早到晚。"""
    return {
        user: bit_days(bits, first) for user, bits in (await share_bits(org, first, last)).items()
    }


async def settle(policy: Policy, month: str, now: datetime) -> int:
    """月底：够天数的人加 `streak_bonus`，每人每月一次（重跑不重复）。返回这次新加的人数。"""
    share = policy.share
    if share.streak_bonus == 0:
        return 0
    first, last = month_days(month)
    days = await share_days(policy.id, first, last)
    off = await leave.calendar(policy, first, last)
    people = set(days)
    if policy.leave.leave_counts_for_streak:
        people |= set(off.leave)  # 请假的日子算分享了：整月请假的人也可能够天数
    winners = [
        user for user in sorted(people) if earned(policy, days.get(user, []), off.days_for(user))
    ]
    return await ledger.award_many(
        org=policy.id,
        user_ids=winners,
        rule=rules.SHARE_STREAK,
        period=month,
        delta=share.streak_bonus,
        business_date=last,
        now=now,
        reason=f"{month} 分享满 {share.streak_days} 天",
    )


async def winners(policy: Policy, month: str) -> set[int]:
    """这个月拿到奖励的人（账本里有、没被撤销的奖励）。"""
    first, last = month_days(month)
    rows = await LedgerEntry.filter(
        org=policy.id, rule=rules.SHARE_STREAK, business_date__gte=first, business_date__lte=last
    ).values_list("id", "user_id")
    undone = await ledger.reversed_between(policy.id, first, last)
    return {user for entry_id, user in rows if entry_id not in undone}
