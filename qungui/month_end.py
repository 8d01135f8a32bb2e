"""月底：结算、排行快照，以及排行帖要显示的数据（帖子的文字由排行插件写）。只收普通值。

一个月在它最后一条分享不可能再到达时结束：次月 1 日 `share.grace_until`（02:00）。
排行在 `leaderboard.post_day` 日 `post_time` 公布，那时依次：结算（月份进入“结算中”、连续分享奖励）
→ 冻结（`months`）→ 存快照 → 发帖。每一步都能重做或先认领：重启在任何一步之后都不会重复记分、重复发帖。
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from . import derived, members, months, streaks
from .dates import month_key
from .models import MonthStanding
from .policy import Policy
from .standings import month_standings

MONTH_CLOSE_JOB = "month.close"
"""月底任务：每个月认领一次（`job_run`）；月份的状态见 `months`"""


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


async def live_board(policy: Policy, month: str, exclude: Iterable[int]) -> MonthBoard:
    """按账本现算的排行（当月预览，或还没公布的月份）。"""
    standings = await month_standings(policy, month, exclude)
    names = await members.display_names(policy, [s.user_id for s in standings])
    winners = await streaks.winners(policy, month)
    rows = [
        Row(s.rank, s.user_id, names[s.user_id], s.points, s.share_days, s.user_id in winners)
        for s in standings
    ]
    return MonthBoard(policy.org.name, month, rows, posted=False)


async def stored_board(policy: Policy, month: str) -> MonthBoard | None:
    # 只取要的几列：两千个模型对象（连同各自的存档时刻）要几十毫秒，网页的本月页每次打开都读
    rows = (
        await MonthStanding.filter(org=policy.id, month=month)
        .order_by("rank", "user_id")
        .values_list("rank", "user_id", "name", "points", "share_days", "streak")
    )
    if not rows:
        return None
    return MonthBoard(policy.org.name, month, [Row(*row) for row in rows], posted=True)


async def board(policy: Policy, month: str, exclude: Iterable[int]) -> MonthBoard:
    """公布过的月份用快照，否则现算。"""
    return await stored_board(policy, month) or await live_board(policy, month, exclude)


async def settle(policy: Policy, month: str, now: datetime) -> int:
    """月底的第一步：这个月进入“结算中”（不再补分享），再结算连续分享奖励。返回新得奖的人数。"""
    await months.begin_settling(policy.id, month, now)
    return await streaks.settle(policy, month, now)


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
