"""连续分享奖励：一个月里连续（或累计）分享满 `share.streak_days`（27）天，月底加 `share.streak_bonus`（20）分，
每人每月一次。怎么数、谁得、什么时候记，都在这里。

月底任务先让这个月进入“结算中”（`months`），再调用 `settle`：此后这个月不再补分享，数到的天数不会再变。
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tortoise.expressions import RawSQL

from . import ledger, rules
from .dates import month_days
from .models import LedgerEntry
from .policy import Policy


def longest_run(days: list[date]) -> int:
    """最长的连续天数。"""
    best = run = 0
    previous: date | None = None
    for day in sorted(set(days)):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    return best


def current_run(days: list[date], today: date) -> int:
    """截至今天（今天还没分享则截至昨天）连续分享的天数。"""
    have = set(days)
    cursor = today if today in have else today - timedelta(days=1)
    run = 0
    while cursor in have:
        run += 1
        cursor -= timedelta(days=1)
    return run


def earned(policy: Policy, days: list[date]) -> bool:
    """这些分享日够不够拿奖励：`streak_consecutive` 时看最长连续，否则看累计天数。"""
    share = policy.share
    counted = longest_run(days) if share.streak_consecutive else len(set(days))
    return counted >= share.streak_days


async def _share_days(org: str, first: date, last: date) -> dict[int, list[date]]:
    """每个人这段时间里有分享得分的日子（撤销过的不算）。"""
    # 日期按原样取出（SQLite 是文本，PostgreSQL 是 date）：ORM 逐行把两千人一个月五万多个日期
    # 解析成 date 要七八百毫秒，date.fromisoformat 只要几毫秒
    rows = (
        await LedgerEntry.filter(
            org=org, rule=rules.SHARE_DAILY, business_date__gte=first, business_date__lte=last
        )
        .annotate(day=RawSQL("business_date"))
        .values_list("id", "user_id", "day")
    )
    undone = await ledger.reversed_between(org, first, last)
    days: dict[int, list[date]] = {}
    for entry_id, user, day in rows:
        if entry_id not in undone:
            days.setdefault(user, []).append(
                day if isinstance(day, date) else date.fromisoformat(day)
            )
    return days


async def settle(policy: Policy, month: str, now: datetime) -> int:
    """月底：够天数的人加 `streak_bonus`，每人每月一次（重跑不重复）。返回这次新加的人数。"""
    share = policy.share
    if share.streak_bonus == 0:
        return 0
    first, last = month_days(month)
    days = await _share_days(policy.id, first, last)
    winners = [user for user, shared in sorted(days.items()) if earned(policy, shared)]
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
