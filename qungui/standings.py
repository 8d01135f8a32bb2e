"""月度排名：谁参与、怎么排、并列怎么算。"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from . import ledger, members
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


async def month_standings(
    policy: Policy, month: str, exclude: Iterable[int] = ()
) -> list[Standing]:
    """该月全部参与统计者的排名；没有记录的人按 0 分计入。"""
    totals = await ledger.month_totals(policy.id, month)
    people = await members.counted(policy, month, exclude) | set(totals)
    empty = ledger.MonthSummary(0, 0, 0)
    return rank(
        (user, totals.get(user, empty).points, totals.get(user, empty).share_days)
        for user in people
    )
