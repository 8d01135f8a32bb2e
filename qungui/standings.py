"""月度排名：谁参与、怎么排、并列怎么算。"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from . import derived, ledger, members
from .policy import Policy


@dataclass(frozen=True)
class Standing:
    rank: int
    user_id: int
    points: int
    share_days: int


def rank(rows: Iterable[tuple[int, int, int]]) -> list[Standing]:
    """(QQ, 积分, 分享天数) → 排名。按积分、分享天数降序，再按 QQ 号；积分和分享天数都相同则名次相同（1, 2, 2, 4）。"""
    ordered = sorted(rows, key=lambda row: (-row[1], -row[2], row[0]))
    standings: list[Standing] = []
    for position, (user, points, days) in enumerate(ordered, start=1):
        previous = standings[-1] if standings else None
        tied = previous is not None and (previous.points, previous.share_days) == (points, days)
        standings.append(Standing(previous.rank if tied else position, user, points, days))
    return standings


@dataclass(frozen=True)
class MonthView:
    """一个组织一个月的排名和每人的当月合计。"""

    standings: list[Standing]
    by_user: dict[int, Standing]
    totals: dict[int, ledger.MonthSummary]

    def summary(self, user_id: int) -> ledger.MonthSummary:
        return self.totals.get(user_id, _EMPTY)


_EMPTY = ledger.MonthSummary(0, 0, 0)


async def month_view(policy: Policy, month: str, exclude: Iterable[int] = ()) -> MonthView:
    """该月全部参与统计者（`members.counted`）的排名；没有记录的人按 0 分计入。2,000 人算一次要二三十毫秒，
    所以缓存（derived.py）：账本或成员表一变就重算。"""
    excluded = members.not_ranked(policy, exclude)
    return await derived.cached(
        ("month", policy.id, month, excluded),
        policy.id,
        (derived.LEDGER, derived.MEMBERS),
        lambda: _compute(policy, month, excluded),
    )


async def month_standings(
    policy: Policy, month: str, exclude: Iterable[int] = ()
) -> list[Standing]:
    return (await month_view(policy, month, exclude)).standings


async def _compute(policy: Policy, month: str, exclude: frozenset[int]) -> MonthView:
    totals = await ledger.month_totals(policy.id, month)
    people = (await members.counted(policy, month, exclude) | set(totals)) - exclude
    standings = rank(
        (user, totals.get(user, _EMPTY).points, totals.get(user, _EMPTY).share_days)
        for user in people
    )
    return MonthView(standings, {s.user_id: s for s in standings}, totals)


async def all_time_points(policy: Policy, user_id: int) -> int:
    """累计积分（所有月份的合计之和）。全组织一次算好缓存起来，账本一变就重算。"""
    totals = await derived.cached(
        ("all_time", policy.id),
        policy.id,
        (derived.LEDGER,),
        lambda: ledger.all_time_totals(policy.id),
    )
    return totals.get(user_id, 0)
