"""一个月的状态：开放 → 结算中 → 冻结（docs/design.md“一个月的状态”）。

- 开放（open）：什么都可以记。
- 结算中（settling）：月底任务开始了（次月 `leaderboard.post_day` 日 `post_time`）。这个月不再补分享、
  不再判非原创；次月 1 日凌晨宽限时段里的分享不再记到这个月。连续分享奖励在这时结算。
- 冻结（frozen）：结算做完。账本不再收这个月的新记录（迟到、重放的事件也一样），撤销要主席写明理由。

状态存在 `month_close` 表里（没有行的月份是开放的），只往前走。月底任务仍在 `job_run` 里认领它的周期
（只跑一次）：那是任务的认领，不是月份的状态。
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum

from . import clock
from .dates import month_days, month_key
from .db import insert_once
from .jobs import Schedule
from .models import MonthClose
from .policy import Policy
from .state import STATE


class MonthState(StrEnum):
    OPEN = "open"
    SETTLING = "settling"
    FROZEN = "frozen"


_EARLIEST_ZONE = timezone(timedelta(hours=14))
"""世界上最早进入新的一天的时区：这一刻之前，哪个组织的这个月都还没过完"""


async def status(org: str, month: str) -> MonthState:
    """这个月（`YYYY-MM`）现在的状态。冻结不会撤回，所以本进程只记住“已冻结”。"""
    frozen = STATE.org(org).frozen_months
    if month in frozen:
        return MonthState.FROZEN
    row = await MonthClose.get_or_none(org=org, month=month)
    if row is None:
        return MonthState.OPEN
    if row.frozen_at is None:
        return MonthState.SETTLING
    frozen.add(month)
    return MonthState.FROZEN


async def settling_begun(org: str, day: date) -> bool:
    """这一天所在的月份已开始月底结算（或已冻结）：不再补分享、不再判非原创。"""
    return await status(org, month_key(day)) is not MonthState.OPEN


async def is_frozen(org: str, day: date) -> bool:
    """这一天所在的月份是否已冻结。

    看的是时钟的现在，不是事件自己的时刻：迟到或重放的事件盖着冻结月份里的时间戳，照样写不进去。
    这个月按时钟在任何时区都还没过完时不必查库：月底结算之前不会冻结（每条分享都要问一次）。
    """
    month = month_key(day)
    if month in STATE.org(org).frozen_months:
        return True
    following = month_days(month)[1] + timedelta(days=1)
    if clock.now() < datetime.combine(following, time.min, _EARLIEST_ZONE):
        return False
    return await status(org, month) is MonthState.FROZEN


async def begin_settling(org: str, month: str, now: datetime) -> None:
    """开放 → 结算中。已经开始过（重跑、另一个进程）时什么也不改。"""
    # 先看一眼：重跑时不去撞唯一约束（PostgreSQL 的日志里每撞一次就是一行错误）
    if not await MonthClose.exists(org=org, month=month):
        await insert_once(MonthClose, org=org, month=month, settling_since=now)


async def freeze(org: str, month: str, now: datetime) -> None:
    """结算中 → 冻结：此后这个月不能再记分，撤销要主席写明理由。"""
    await begin_settling(org, month, now)
    await MonthClose.filter(org=org, month=month, frozen_at=None).update(frozen_at=now)


def close_schedule(policy: Policy) -> Schedule:
    """月底任务的计划：每月 `post_day` 日 `post_time`（组织时区），上个月在那一刻开始结算。"""
    return Schedule(policy.leaderboard.post_at, day=policy.leaderboard.post_day)


def backfill_window(policy: Policy, now: datetime) -> tuple[date, date]:
    """`/补分享` 能补的日子（含两端）：本月到今天；上月排行公布（上月开始结算）之前，也含上月。

    按组织时区的日期和钟点比：`now` 可以带任何时区。"""
    local = now.astimezone(policy.tz)
    today = local.date()
    board = policy.leaderboard
    earliest = today.replace(day=1)
    if (today.day, local.time()) < (board.post_day, board.post_at):
        earliest = (earliest - timedelta(days=1)).replace(day=1)
    return earliest, today
