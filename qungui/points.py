"""积分命令背后的服务：查询、排行、手动加扣分、撤销。只收普通值，不碰 NoneBot 事件。"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from . import derived, ledger, members, month_end, warning_cases
from .dates import month_days, month_key
from .ledger import LedgerError, Written
from .models import LedgerEntry
from .policy import Policy
from .roles import Role, cap_for, check_not_own_case
from .standings import Standing, all_time_points, month_standings, month_view


class OverCap(LedgerError):
    def __init__(self, cap: int):
        self.cap = cap


@dataclass(frozen=True)
class Summary:
    user_id: int
    name: str
    month: str
    points: int
    rank: int | None
    """None：不参加排名（制度里不排名的人，或这个月还没在组织的群里出现过）"""
    count: int
    """参加排名的人数：与 /排行、月榜是同一个集合（`members.counted`）"""
    all_time: int
    entries: int


@dataclass(frozen=True)
class DetailLine:
    entry: LedgerEntry
    reversed: bool
    actor_name: str | None


@dataclass(frozen=True)
class Adjusted:
    written: Written
    name: str
    month_total: int


@dataclass(frozen=True)
class Undone:
    written: Written
    original: LedgerEntry
    name: str
    month_total: int
    """原记录所在月份的新合计"""


@dataclass(frozen=True)
class Board:
    month: str
    standings: list[Standing]
    names: dict[int, str]
    """前几名（公布过的月份是全部）的名字"""

    def standing_of(self, user_id: int) -> Standing | None:
        return self._by_user.get(user_id)

    @cached_property
    def _by_user(self) -> dict[int, Standing]:
        return {s.user_id: s for s in self.standings}


def change_text(delta: int) -> str:
    """一条记录（或合计）的分数写给人看：+5 分、-5 分、0 分（口头警告不写成“+0”）。"""
    return f"{delta:+d} 分" if delta else "0 分"


async def summary(policy: Policy, user_id: int, month: str, exclude: Iterable[int]) -> Summary:
    view = await month_view(policy, month, exclude)
    standings = view.standings
    own = view.by_user.get(user_id)
    totals = view.summary(user_id)
    names = await members.display_names(policy, [user_id])
    return Summary(
        user_id=user_id,
        name=names[user_id],
        month=month,
        points=totals.points,
        rank=own.rank if own else None,
        count=len(standings),
        all_time=await all_time_points(policy, user_id),
        entries=totals.entries,
    )


async def detail(policy: Policy, user_id: int, month: str) -> tuple[str, list[DetailLine]]:
    first, last = month_days(month)
    entries = await ledger.month_entries(policy.id, user_id, first, last)
    undone = await ledger.reversed_ids(policy.id, [e.id for e in entries])
    actors = [e.actor_id for e in entries if e.actor_id is not None]
    names = await members.display_names(policy, [user_id, *actors])
    lines = [
        DetailLine(e, e.id in undone, names[e.actor_id] if e.actor_id is not None else None)
        for e in entries
    ]
    return names[user_id], lines


async def board(policy: Policy, month: str, exclude: Iterable[int]) -> Board:
    """公布过的月份按当时的快照（人走了、名片改了都不变），否则按账本现算。缓存起来（derived.py）。"""
    excluded = frozenset(exclude)
    return await derived.cached(
        ("board", policy.id, month, excluded),
        policy.id,
        (derived.LEDGER, derived.MEMBERS, derived.NAMES, derived.SNAPSHOTS),
        lambda: _board(policy, month, excluded),
    )


async def _board(policy: Policy, month: str, exclude: frozenset[int]) -> Board:
    if (posted := await month_end.stored_board(policy, month)) is not None:
        standings = [Standing(r.rank, r.user_id, r.points, r.share_days) for r in posted.rows]
        return Board(month, standings, {r.user_id: r.name for r in posted.rows})
    standings = await month_standings(policy, month, exclude)
    # 只查要显示的前几名的名字
    shown = [s.user_id for s in standings[: policy.leaderboard.top]]
    return Board(month, standings, await members.display_names(policy, shown))


async def adjust(
    policy: Policy,
    *,
    actor_id: int,
    actor_role: Role,
    user_id: int,
    delta: int,
    reason: str,
    today: date,
    now: datetime,
    command_key: str,
) -> Adjusted:
    """手动加分（delta > 0）或扣分（delta < 0）。"""
    action = f"{'加分' if delta > 0 else '扣分'} {abs(delta)}（{reason}）"
    check_not_own_case(actor_id, actor_role, user_id, action=action)
    cap = cap_for(policy, actor_role)
    if abs(delta) > cap:
        raise OverCap(cap)
    written = await ledger.record(
        org=policy.id,
        user_id=user_id,
        delta=delta,
        business_date=today,
        now=now,
        actor_id=actor_id,
        actor_role=actor_role,
        reason=reason,
        command_key=command_key,
    )
    total = await ledger.month_summary(policy.id, user_id, month_key(today))
    names = await members.display_names(policy, [user_id])
    return Adjusted(written, names[user_id], total.points)


async def undo(
    policy: Policy,
    *,
    entry_id: int,
    actor_id: int,
    actor_role: Role,
    reason: str,
    now: datetime,
    command_key: str,
) -> Undone:
    """撤销一条记录。"""
    written = await ledger.reverse(
        org=policy.id,
        entry_id=entry_id,
        now=now,
        actor_id=actor_id,
        actor_role=actor_role,
        reason=reason,
        command_key=command_key,
    )
    original = await LedgerEntry.get(id=written.entry.reverses)
    if written.created:
        await warning_cases.mark_revoked(policy.id, original, actor_id, reason, now)
    month = month_key(original.business_date)
    total = await ledger.month_summary(policy.id, original.user_id, month)
    names = await members.display_names(policy, [original.user_id])
    return Undone(written, original, names[original.user_id], total.points)
