"""月底：结算、冻结、排行快照、排行帖的文字；每周值班加分。只收普通值。

一个月在它最后一条分享不可能再到达时结束：次月 1 日 `share.grace_until`（02:00）。
排行在 `leaderboard.post_day` 日 `post_time` 公布，那时依次：结算连续分享奖励 → 冻结 → 存快照 → 发帖。
每一步都能重做或先认领：重启在任何一步之后都不会重复记分、重复发帖。
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tortoise.transactions import in_transaction

from . import derived, ledger, members, rules, shares
from .dates import month_days, month_key
from .jobs import claim
from .models import LedgerEntry, MonthStanding
from .policy import Policy
from .standings import month_standings


@dataclass(frozen=True)
class Row:
    rank: int
    user_id: int
    name: str
    points: int
    share_days: int
    streak: bool


@dataclass(frozen=True)
class MonthBoard:
    org_name: str
    month: str
    rows: list[Row]
    posted: bool
    """来自月底公布时的快照（否则是现算的）"""

    @property
    def average(self) -> float:
        return sum(row.points for row in self.rows) / len(self.rows) if self.rows else 0.0

    @property
    def streaks(self) -> int:
        return sum(row.streak for row in self.rows)

    def top(self, n: int) -> list[Row]:
        return self.rows[:n]

    def bottom(self, top: int, n: int) -> list[Row]:
        """末尾 n 名，不与前 top 名重复。"""
        if n <= 0:
            return []
        return self.rows[max(top, len(self.rows) - n) :]


def previous_month(moment: datetime) -> str:
    """公布时刻 → 要结算的月份（上个月）。"""
    return month_key(moment.date().replace(day=1) - timedelta(days=1))


async def streak_winners(policy: Policy, month: str) -> set[int]:
    first, last = month_days(month)
    rows = await LedgerEntry.filter(
        org=policy.id, rule=rules.SHARE_STREAK, business_date__gte=first, business_date__lte=last
    ).values_list("id", "user_id")
    undone = await ledger.reversed_between(policy.id, first, last)
    return {user for entry_id, user in rows if entry_id not in undone}


async def live_board(policy: Policy, month: str, exclude: Iterable[int]) -> MonthBoard:
    """按账本现算的排行（当月预览，或还没公布的月份）。"""
    standings = await month_standings(policy, month, exclude)
    names = await members.display_names(policy, [s.user_id for s in standings])
    winners = await streak_winners(policy, month)
    rows = [
        Row(s.rank, s.user_id, names[s.user_id], s.points, s.share_days, s.user_id in winners)
        for s in standings
    ]
    return MonthBoard(policy.org.name, month, rows, posted=False)


async def stored_board(policy: Policy, month: str) -> MonthBoard | None:
    rows = await MonthStanding.filter(org=policy.id, month=month).order_by("rank", "user_id")
    if not rows:
        return None
    return MonthBoard(
        policy.org.name,
        month,
        [Row(r.rank, r.user_id, r.name, r.points, r.share_days, r.streak) for r in rows],
        posted=True,
    )


async def board(policy: Policy, month: str, exclude: Iterable[int]) -> MonthBoard:
    """公布过的月份用快照，否则现算。"""
    return await stored_board(policy, month) or await live_board(policy, month, exclude)


async def settle(policy: Policy, month: str, now: datetime) -> int:
    first, last = month_days(month)
    return await shares.settle_streaks(policy, month, first, last, now)


async def freeze(policy: Policy, month: str, now: datetime) -> None:
    """冻结：此后这个月不能再记分，撤销要主席写明理由。"""
    await claim(ledger.FREEZE_JOB, policy.id, month, now)


async def take_snapshot(
    policy: Policy, month: str, exclude: Iterable[int], now: datetime
) -> MonthBoard:
    """存下这个月的排行；已经存过就用已存的（重跑不会改掉公布过的名次）。"""
    if (stored := await stored_board(policy, month)) is not None:
        return stored
    live = await live_board(policy, month, exclude)
    async with in_transaction():
        if not await MonthStanding.exists(org=policy.id, month=month):
            await MonthStanding.bulk_create(
                [
                    MonthStanding(
                        org=policy.id,
                        month=month,
                        user_id=row.user_id,
                        rank=row.rank,
                        name=row.name[:64],
                        points=row.points,
                        share_days=row.share_days,
                        streak=row.streak,
                        created_at=now.astimezone(UTC),
                    )
                    for row in live.rows
                ]
            )
    derived.changed(policy.id, derived.SNAPSHOTS)
    return await stored_board(policy, month) or live


def _row_text(row: Row) -> str:
    return f"{row.rank}. {row.name} {row.points} 分（分享 {row.share_days} 天）"


def board_text(
    policy: Policy, board: MonthBoard, *, late_since: datetime | None = None, preview: bool = False
) -> str:
    """排行帖：前 top 名、末尾 bottom 名、合计。只有名字，没有电话和 QQ 号。"""
    settings = policy.leaderboard
    title = f"【{board.org_name} {board.month} 积分排行】"
    if preview:
        title += "（本月预览，尚未结算）"
    lines = [title]
    if not board.rows:
        lines.append("这个月没有人参与统计。")
        return "\n".join(lines)
    top = board.top(settings.top)
    lines.append(f"前 {len(top)} 名：")
    lines += [_row_text(row) for row in top]
    bottom = board.bottom(settings.top, settings.bottom)
    if bottom:
        lines.append(f"末尾 {len(bottom)} 名：")
        lines += [_row_text(row) for row in bottom]
    streak = policy.share.streak_days
    lines.append(
        f"共 {len(board.rows)} 人，平均 {board.average:.1f} 分；"
        f"{board.streaks} 人连续分享满 {streak} 天，各得 {policy.share.streak_bonus} 分。"
    )
    if late_since is not None:
        lines.append(f"（机器人停机，本帖晚于计划的 {late_since:%m-%d %H:%M} 发出）")
    return "\n".join(lines)


# —— 每周值班 ——


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def previous_week(moment: datetime) -> str:
    """发放时刻 → 上一个自然周（周一到周日）的 ISO 周号。"""
    return iso_week(moment.date() - timedelta(days=7))


async def pay_duty(policy: Policy, week: str, paid_on: date, now: datetime) -> list[int]:
    """给每位值班人员记上周的值班分，每人每周一次。返回这次新记的人。"""
    paid = []
    if not policy.duty.weekly_bonus:
        return paid
    for user in dict.fromkeys(policy.duty.members):
        entry = await ledger.award(
            org=policy.id,
            user_id=user,
            rule=rules.DUTY_WEEKLY,
            period=week,
            delta=policy.duty.weekly_bonus,
            business_date=paid_on,
            now=now,
            reason=f"{week} 群管理/统计值班",
        )
        if entry is not None:
            paid.append(user)
    return paid
