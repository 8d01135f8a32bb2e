"""月度排名：谁参与、怎么排、并列怎么算。"""

from __future__ import annotations

import time
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


CACHE_SECONDS = 30.0
"""别的进程（PostgreSQL 多进程）写的分，最多晚这么久反映到本进程的名次上"""
_cache: dict[tuple, tuple[float, tuple[int, int], list[Standing]]] = {}


def clear_cache() -> None:
    _cache.clear()


async def month_standings(
    policy: Policy, month: str, exclude: Iterable[int] = ()
) -> list[Standing]:
    """该月全部参与统计者的排名；没有记录的人按 0 分计入。

    2,000 人的组织算一次要二三十毫秒，而 /积分 每次都要名次：结果缓存起来，本进程写了账本或
    成员表就作废，否则最多留 CACHE_SECONDS 秒。
    """
    key = (policy.id, month, frozenset(exclude))
    stamp = (ledger.writes.get(policy.id, 0), members.changes.get(policy.id, 0))
    cached = _cache.get(key)
    if cached is not None and cached[1] == stamp and cached[0] > time.monotonic():
        return cached[2]
    found = await _compute(policy, month, key[2])
    if len(_cache) > 64:
        _cache.clear()
    _cache[key] = (time.monotonic() + CACHE_SECONDS, stamp, found)
    return found


async def _compute(policy: Policy, month: str, exclude: frozenset[int]) -> list[Standing]:
    totals = await ledger.month_totals(policy.id, month)
    people = await members.counted(policy, month, exclude) | set(totals)
    empty = ledger.MonthSummary(0, 0, 0)
    return rank(
        (user, totals.get(user, empty).points, totals.get(user, empty).share_days)
        for user in people
    )
