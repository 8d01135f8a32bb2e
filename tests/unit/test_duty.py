"""每周值班加分：发哪一周、每人每周一次、什么时候发。"""

from datetime import datetime, time
from pathlib import Path

from qungui import duty
from qungui.jobs import Schedule
from qungui.models import LedgerEntry
from qungui.policy import Policy, load_policies

POLICY = load_policies(Path(__file__).parents[1] / "policy.toml").orgs["jgs"]
CST = POLICY.tz


def cst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CST)


def with_duty(**changes) -> Policy:
    return POLICY.model_copy(update={"duty": POLICY.duty.model_copy(update=changes)})


def test_the_week_a_monday_pays_for() -> None:
    assert duty.previous_week(cst(2026, 11, 30, 9)) == "2026-W48"  # 11-23 至 11-29
    assert duty.previous_week(cst(2027, 1, 4, 9)) == "2026-W53"


def test_a_week_is_named_by_its_number_and_days() -> None:
    assert duty.week_label("2026-W48") == "第 48 周（11-23 至 11-29）"
    assert duty.week_label("2026-W53") == "第 53 周（12-28 至 01-03）"
    assert duty.week_label("2027-W01") == "第 1 周（01-04 至 01-10）"


def test_the_schedule_is_the_policy_weekday_and_time_or_none() -> None:
    assert duty.schedule(with_duty(members=[30001])) == Schedule(time(9, 0), weekday=0)
    assert duty.schedule(with_duty(members=[30001], weekday=7, time="18:30")) == Schedule(
        time(18, 30), weekday=6
    )
    assert duty.schedule(with_duty(members=[])) is None
    assert duty.schedule(with_duty(members=[30001], weekly_bonus=0)) is None


async def test_duty_pays_once_per_week(db) -> None:
    policy = with_duty(members=[30001, 30001, 30003])
    now = cst(2026, 11, 30, 9)
    assert await duty.pay_duty(policy, "2026-W48", now.date(), now) == [30001, 30003]
    assert await duty.pay_duty(policy, "2026-W48", now.date(), now) == []
    rows = await LedgerEntry.filter(rule="duty.weekly").values_list("user_id", "delta", "reason")
    assert rows == [
        (30001, 5, "第 48 周（11-23 至 11-29）群管理值班"),
        (30003, 5, "第 48 周（11-23 至 11-29）群管理值班"),
    ]
