"""一个月的状态（开放 → 结算中 → 冻结）、月底任务的计划、/补分享能补到哪天。"""

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from qungui import months
from qungui.jobs import Schedule, occurrences
from qungui.months import MonthState
from qungui.policy import Policy, load_policies

POLICY = load_policies(Path(__file__).parents[1] / "policy.toml").orgs["jgs"]
CST = POLICY.tz


def cst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CST)


def posting(day: int, at: str) -> Policy:
    board = POLICY.leaderboard.model_copy(update={"post_day": day, "post_time": at})
    return POLICY.model_copy(update={"leaderboard": board})


@pytest.mark.parametrize(
    ("policy", "now", "window"),
    [
        # 公布（1 日 09:00）之前还能补上个月
        (POLICY, cst(2026, 12, 1, 8, 59, 59), (date(2026, 11, 1), date(2026, 12, 1))),
        (POLICY, cst(2026, 12, 1, 9, 0), (date(2026, 12, 1), date(2026, 12, 1))),
        (POLICY, cst(2026, 12, 1, 9, 0, 30), (date(2026, 12, 1), date(2026, 12, 1))),
        (POLICY, cst(2026, 12, 1, 0, 0), (date(2026, 11, 1), date(2026, 12, 1))),
        (POLICY, cst(2026, 11, 30, 23, 59, 59), (date(2026, 11, 1), date(2026, 11, 30))),
        (POLICY, cst(2026, 11, 27, 10), (date(2026, 11, 1), date(2026, 11, 27))),
        # 年底、闰年二月
        (POLICY, cst(2027, 1, 1, 8), (date(2026, 12, 1), date(2027, 1, 1))),
        (POLICY, cst(2028, 3, 1, 8), (date(2028, 2, 1), date(2028, 3, 1))),
        (POLICY, cst(2028, 3, 1, 9), (date(2028, 3, 1), date(2028, 3, 1))),
        # 5 日 18:30 公布：4 日和 5 日白天都还能补上个月
        (posting(5, "18:30"), cst(2026, 12, 4, 23), (date(2026, 11, 1), date(2026, 12, 4))),
        (posting(5, "18:30"), cst(2026, 12, 5, 18, 29), (date(2026, 11, 1), date(2026, 12, 5))),
        (posting(5, "18:30"), cst(2026, 12, 5, 18, 30), (date(2026, 12, 1), date(2026, 12, 5))),
        (posting(5, "18:30"), cst(2026, 12, 6, 0, 0), (date(2026, 12, 1), date(2026, 12, 6))),
        # 按组织时区算：UTC 11-30 23:00 在上海已是 12 月 1 日 07:00
        (POLICY, datetime(2026, 11, 30, 23, 0, tzinfo=UTC), (date(2026, 11, 1), date(2026, 12, 1))),
        (POLICY, datetime(2026, 12, 1, 1, 0, tzinfo=UTC), (date(2026, 12, 1), date(2026, 12, 1))),
    ],
)
def test_backfill_window(policy: Policy, now: datetime, window: tuple[date, date]) -> None:
    assert months.backfill_window(policy, now) == window


def test_the_close_runs_on_the_policy_day_and_time() -> None:
    assert months.close_schedule(POLICY) == Schedule(time(9, 0), day=1)
    schedule = months.close_schedule(posting(5, "18:30"))
    assert occurrences(schedule, POLICY, cst(2026, 11, 20), cst(2027, 1, 31)) == [
        cst(2026, 12, 5, 18, 30),
        cst(2027, 1, 5, 18, 30),
    ]


async def test_a_month_goes_from_open_through_settling_to_frozen(db, clock_at) -> None:
    clock_at(cst(2026, 12, 1, 9, 1))
    assert await months.status("jgs", "2026-11") is MonthState.OPEN
    assert not await months.settling_begun("jgs", date(2026, 11, 30))
    await months.begin_settling("jgs", "2026-11", cst(2026, 12, 1, 9))
    assert await months.status("jgs", "2026-11") is MonthState.SETTLING
    assert await months.settling_begun("jgs", date(2026, 11, 1))
    assert not await months.is_frozen("jgs", date(2026, 11, 30))
    await months.freeze("jgs", "2026-11", cst(2026, 12, 1, 9, 0, 5))
    assert await months.status("jgs", "2026-11") is MonthState.FROZEN
    assert await months.is_frozen("jgs", date(2026, 11, 30))
    # 其他组织、其他月份不受影响
    assert await months.status("xscy", "2026-11") is MonthState.OPEN
    assert await months.status("jgs", "2026-10") is MonthState.OPEN
    assert await months.status("jgs", "2026-12") is MonthState.OPEN


async def test_each_step_again_changes_nothing(db) -> None:
    from qungui.models import MonthClose

    await months.begin_settling("jgs", "2026-11", cst(2026, 12, 1, 9))
    await months.begin_settling("jgs", "2026-11", cst(2026, 12, 1, 9, 5))
    await months.freeze("jgs", "2026-11", cst(2026, 12, 1, 9, 1))
    await months.freeze("jgs", "2026-11", cst(2026, 12, 1, 9, 6))
    await months.begin_settling("jgs", "2026-11", cst(2026, 12, 1, 9, 7))
    rows = await MonthClose.all().values_list("org", "month", "settling_since", "frozen_at")
    assert rows == [("jgs", "2026-11", cst(2026, 12, 1, 9), cst(2026, 12, 1, 9, 1))]
    assert await months.status("jgs", "2026-11") is MonthState.FROZEN


async def test_freezing_an_open_month_also_records_when_settling_began(db) -> None:
    await months.freeze("jgs", "2026-10", cst(2026, 11, 1, 9))
    assert await months.status("jgs", "2026-10") is MonthState.FROZEN
    assert await months.settling_begun("jgs", date(2026, 10, 15))


async def test_two_processes_begin_settling_the_same_month_once(db) -> None:
    import asyncio

    from qungui.models import MonthClose

    at = cst(2026, 12, 1, 9)
    await asyncio.gather(*(months.begin_settling("jgs", "2026-11", at) for _ in range(5)))
    assert await MonthClose.filter(org="jgs", month="2026-11").count() == 1


@pytest.mark.parametrize(
    ("now", "frozen"),
    [
        # 11 月在 UTC+14 还没过完：不查库，不可能已冻结
        (datetime(2026, 11, 30, 9, 59, 59, tzinfo=UTC), False),
        (datetime(2026, 11, 30, 10, 0, tzinfo=UTC), True),
        (datetime(2027, 5, 1, tzinfo=ZoneInfo("America/New_York")), True),
    ],
)
async def test_frozen_only_once_the_month_may_have_ended(db, clock_at, now, frozen) -> None:
    await months.freeze("jgs", "2026-11", cst(2026, 12, 1, 9))
    clock_at(now)
    assert await months.is_frozen("jgs", date(2026, 11, 30)) is frozen


async def test_one_month_closing_leaves_other_months_and_organisations_open(db) -> None:
    """一个组织的 11 月开始结算、冻结，别的组织的 11 月、自己的 12 月都照旧开放，之后照样能各自结算。"""
    at = cst(2026, 12, 1, 9)
    await months.begin_settling("xscy", "2026-11", at)
    await months.begin_settling("jgs", "2026-10", at)
    await months.begin_settling("jgs", "2026-11", at)
    assert await months.status("jgs", "2026-11") == "settling"
    await months.freeze("jgs", "2026-11", at)
    assert await months.status("jgs", "2026-11") == "frozen"
    assert await months.status("jgs", "2026-10") == "settling"
    assert await months.status("xscy", "2026-11") == "settling"
    assert await months.status("jgs", "2026-12") == "open"
