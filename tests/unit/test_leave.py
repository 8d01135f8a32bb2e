"""请假与节假日：MM-DD 取哪一年、谁哪天不用分享（每天一条查询）、连续分享怎么跨过请假和节假日
（含月初月末、组织时区与服务器不同）、一次最多几天、冻结的月份、撤销只去掉还没过去的日子，以及制度的写法。"""

import re
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from qungui import export, leave, ledger, members, months, rules, shares, streaks
from qungui.models import FilterHit, Leave
from qungui.policy import Policy, PolicyError, load_policies, parse_policy
from qungui.roles import OwnCase, Role
from qungui.shares import Draft

TESTS = Path(__file__).parents[1]
SHIPPED = TESTS.parent / "config" / "policy.toml"
POLICY = load_policies(TESTS / "policy.toml").orgs["jgs"]
CST = POLICY.tz
ADMIN, ZHANG, LI, WANG = 30001, 20001, 20002, 20003
NOW = datetime(2026, 11, 27, 10, tzinfo=CST)


def with_policy(
    policy: Policy = POLICY, *, holidays=(), timezone: str | None = None, **leave_changes
) -> Policy:
    update = {
        "leave": policy.leave.model_copy(update=leave_changes),
        "calendar": policy.calendar.model_copy(update={"holidays": tuple(holidays)}),
    }
    if timezone:
        update["org"] = policy.org.model_copy(update={"timezone": timezone})
    return policy.model_copy(update=update)


def nov(*days: int) -> list[date]:
    return [date(2026, 11, d) for d in days]


# ---- MM-DD 取哪一年 ----


@pytest.mark.parametrize(
    ("today", "written", "meant"),
    [
        (date(2026, 12, 28), "01-03", date(2027, 1, 3)),  # 年底请年初的假：明年
        (date(2027, 1, 2), "12-30", date(2026, 12, 30)),  # 年初补记年底的：去年
        (date(2026, 12, 28), "12-24", date(2026, 12, 24)),
        (date(2026, 7, 1), "06-15", date(2026, 6, 15)),  # 上个月的：补记
        (date(2026, 7, 1), "12-31", date(2026, 12, 31)),
        (date(2026, 7, 1), "05-31", date(2027, 5, 31)),  # 再早的月份已冻结：是明年的
        (date(2026, 3, 5), "02-01", date(2026, 2, 1)),
        (date(2026, 11, 27), "2027-01-05", date(2027, 1, 5)),
        (date(2026, 11, 27), "１２－０８", date(2026, 12, 8)),  # 全角（中文输入法）
        (date(2026, 11, 27), "2-29", date(2028, 2, 29)),  # 下一个 2 月 29 日
        (date(2026, 11, 27), "02-30", None),
        (date(2026, 11, 27), "13-01", None),
        (date(2026, 11, 27), "明天", None),
        (date(2026, 11, 27), "20261208", None),
    ],
)
def test_which_year_a_month_and_day_means(today: date, written: str, meant: date | None) -> None:
    assert leave.parse_first_day(written, today) == meant


@pytest.mark.parametrize(
    ("first", "written", "meant"),
    [
        (date(2026, 12, 30), "01-02", date(2027, 1, 2)),  # 跨年的请假
        (date(2026, 12, 8), "12-10", date(2026, 12, 10)),
        (date(2026, 12, 8), "12-08", date(2026, 12, 8)),
        (
            date(2026, 12, 8),
            "2026-12-01",
            date(2026, 12, 1),
        ),  # 写全了的照写的算（早于开始由命令拒绝）
        (date(2026, 3, 1), "02-29", date(2028, 2, 29)),
    ],
)
def test_the_last_day_is_on_or_after_the_first(first: date, written: str, meant: date) -> None:
    assert leave.parse_last_day(written, first) == meant


# ---- 连续分享 ----


def test_twenty_shared_three_on_leave_seven_shared_is_a_run_of_27() -> None:
    shared, off = nov(*range(1, 21), *range(24, 31)), nov(21, 22, 23)
    assert streaks.longest_run(shared) == 20
    assert streaks.longest_run(shared, off) == 27
    assert streaks.longest_run(shared, off, count_excused=True) == 30
    assert streaks.current_run(shared, date(2026, 11, 30), off) == 27
    assert streaks.current_run(shared, date(2026, 11, 22), off) == 20  # 请假当天：到昨天为止
    assert streaks.shared_count(shared, off) == 27
    assert streaks.shared_count(shared, off, count_excused=True) == 30


def test_leave_does_not_bridge_a_day_that_was_neither_shared_nor_leave() -> None:
    shared, off = nov(*range(1, 11), *range(15, 31)), nov(11, 12)  # 13、14 日既没分享也没请假
    assert streaks.longest_run(shared, off) == 16


@pytest.mark.parametrize("count", [False, True])
def test_a_month_that_starts_or_ends_on_leave(count: bool) -> None:
    # 月初 1–3 日请假（从上个月请过来的）、月末 29–30 日节假日：都不打断，按制度算或不算天数
    shared, off = nov(*range(4, 29)), nov(1, 2, 3, 29, 30)
    assert streaks.longest_run(shared, off, count_excused=count) == (30 if count else 25)
    assert streaks.current_run(shared, date(2026, 11, 30), off, count_excused=count) == (
        30 if count else 25
    )


async def share_days(user: int, days: list[date], org: str = "jgs") -> None:
    for day in days:
        await ledger.award(
            org=org,
            user_id=user,
            rule=rules.SHARE_DAILY,
            period=day.isoformat(),
            delta=1,
            business_date=day,
            now=datetime.combine(day, datetime.min.time(), CST) + timedelta(hours=9),
        )


async def give_leave(user: int, first: date, last: date, policy: Policy = POLICY) -> Leave:
    done = await leave.record(
        policy,
        user_id=user,
        group_id=None,
        first=first,
        last=last,
        reason="事假",
        by=ADMIN,
        role=Role.ADMIN,
        at=NOW,
        event_key=f"leave:{user}:{first}",
    )
    return done.leave


async def test_month_end_counts_the_run_across_leave_and_a_holiday(db) -> None:
    policy = with_policy(holidays=[(date(2026, 11, 14), date(2026, 11, 14))])
    await share_days(ZHANG, nov(*range(1, 21), *range(24, 31)))  # 20 + 请假 3 天 + 7
    await give_leave(ZHANG, date(2026, 11, 21), date(2026, 11, 23))
    await share_days(LI, nov(*range(1, 14), *range(15, 30)))  # 14 日是节假日：连续 28 天
    await share_days(WANG, nov(*range(1, 11), *range(12, 30)))  # 11 日断了，没请假
    assert await streaks.settle(policy, "2026-11", NOW) == 2
    assert await streaks.winners(policy, "2026-11") == {ZHANG, LI}


async def test_leave_counts_for_the_streak_when_the_policy_says_so(db) -> None:
    # 11 月 1–3 日的请假是从 10 月 30 日请起的一次：月底按这个月里的那几天算
    await give_leave(ZHANG, date(2026, 10, 30), date(2026, 11, 3))
    await share_days(ZHANG, nov(*range(4, 30)))  # 26 天
    assert await streaks.settle(with_policy(), "2026-11", NOW) == 0
    counted = with_policy(leave_counts_for_streak=True)
    assert await streaks.settle(counted, "2026-11", NOW) == 1
    off = await leave.calendar(POLICY, date(2026, 10, 1), date(2026, 10, 31))
    assert off.days_for(ZHANG) == {date(2026, 10, 30), date(2026, 10, 31)}


async def test_a_holiday_in_an_org_whose_zone_differs_from_the_server(db) -> None:
    """组织在洛杉矶（服务器按上海或 UTC 跑）：哪天是节假日、分享算哪天，都按组织的日期。"""
    policy = with_policy(
        holidays=[(date(2026, 11, 26), date(2026, 11, 26))], timezone="America/Los_Angeles"
    )
    la = ZoneInfo("America/Los_Angeles")
    # 洛杉矶 11 月 26 日 20:00 = UTC 27 日 04:00 = 上海 27 日 12:00：仍是洛杉矶的节假日
    moment = datetime(2026, 11, 26, 20, tzinfo=la)
    day = await shares.share_day(policy, moment)
    assert day == date(2026, 11, 26)
    assert (await leave.excused_on(policy, day)).holiday
    assert not (await leave.excused_on(policy, date(2026, 11, 27))).holiday
    # 1–25 日、27–30 日每天洛杉矶晚上 21:00 分享（UTC 已是第二天）：26 日节假日不打断，连续 29 天
    for n in [*range(1, 26), *range(27, 31)]:
        sent = datetime(2026, 11, n, 21, tzinfo=la).astimezone(UTC)
        await shares.record(
            policy,
            group_id=policy.groups.share[0],
            user_id=ZHANG,
            message_id=1000 + n,
            event_key=f"la:{n}",
            sent_at=sent,
            draft=Draft(own_text=f"第{n}天的心得：今天拜访了{n}家经销商，复盘了备货节奏。"),
        )
    days = await shares.month_days(policy.id, ZHANG, date(2026, 11, 1), date(2026, 11, 30))
    assert days == nov(*range(1, 26), *range(27, 31))
    off = await leave.calendar(policy, date(2026, 11, 1), date(2026, 11, 30))
    assert streaks.longest_run(days, off.days_for(ZHANG)) == 29
    assert await streaks.settle(policy, "2026-11", datetime(2026, 12, 1, 9, tzinfo=la)) == 1


# ---- 谁哪天不用分享 ----


async def test_who_is_excused_on_a_day_takes_one_query(db, monkeypatch) -> None:
    for user in range(20001, 20301):
        await give_leave(user, date(2026, 11, 27), date(2026, 11, 28))
    await give_leave(LI - 1000, date(2026, 11, 1), date(2026, 11, 2))
    calls = []
    original = Leave.filter

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(Leave, "filter", counting)
    excused = await leave.excused_on(POLICY, date(2026, 11, 27))
    assert len(calls) == 1
    assert len(excused.people) == 300 and ZHANG in excused and LI - 1000 not in excused
    holiday = with_policy(holidays=[(date(2026, 11, 27), date(2026, 11, 27))])
    assert 99999 in await leave.excused_on(holiday, date(2026, 11, 27))
    assert len(calls) == 1  # 节假日不用查库


# ---- 记请假的规矩 ----


async def test_max_days_overlap_and_own_leave_are_refused(db) -> None:
    policy = with_policy(max_days=3)
    with pytest.raises(leave.TooLong) as caught:
        await give_leave(ZHANG, date(2026, 12, 1), date(2026, 12, 4), policy)
    assert (caught.value.days, caught.value.limit) == (4, 3)
    await give_leave(ZHANG, date(2026, 12, 1), date(2026, 12, 3), policy)
    with pytest.raises(leave.Overlaps):
        await give_leave(ZHANG, date(2026, 12, 3), date(2026, 12, 3), policy)
    with pytest.raises(leave.Backwards):
        await give_leave(LI, date(2026, 12, 3), date(2026, 12, 1), policy)
    with pytest.raises(OwnCase):
        await give_leave(ADMIN, date(2026, 12, 1), date(2026, 12, 1), policy)
    assert await Leave.all().count() == 1


async def test_a_frozen_month_takes_no_leave_and_an_open_month_takes_past_days(
    db, clock_at
) -> None:
    clock_at(datetime(2026, 11, 27, 10, tzinfo=CST))
    await months.freeze("jgs", "2026-10", datetime(2026, 11, 1, 9, tzinfo=UTC))
    with pytest.raises(leave.MonthFrozen) as caught:
        await give_leave(ZHANG, date(2026, 10, 31), date(2026, 11, 2))
    assert caught.value.month == "2026-10"
    past = await give_leave(ZHANG, date(2026, 11, 2), date(2026, 11, 3))  # 本月过去的日子：可以补记
    assert past.status == leave.APPROVED


async def test_a_request_waits_for_another_admin(db) -> None:
    asked = await leave.request(
        POLICY,
        user_id=ZHANG,
        group_id=987654321,
        first=date(2026, 12, 8),
        last=date(2026, 12, 9),
        reason="家里有事",
        at=NOW,
        event_key="ask-1",
    )
    again = await leave.request(
        POLICY,
        user_id=ZHANG,
        group_id=987654321,
        first=date(2026, 12, 8),
        last=date(2026, 12, 9),
        reason="家里有事",
        at=NOW,
        event_key="ask-1",
    )
    assert asked.created and not again.created and again.review_id == asked.review_id
    assert ZHANG not in await leave.excused_on(POLICY, date(2026, 12, 8))  # 待审的不算
    hit = await FilterHit.get(id=asked.review_id)
    assert (hit.rule, hit.status) == (rules.REVIEW_LEAVE, "pending")
    with pytest.raises(OwnCase):
        await leave.approve(POLICY, hit, by=ZHANG, role=Role.ADMIN, at=NOW, event_key="own")
    await leave.approve(POLICY, hit, by=ADMIN, role=Role.ADMIN, at=NOW, event_key="ok")
    assert ZHANG in await leave.excused_on(POLICY, date(2026, 12, 8))


# ---- 撤销 ----


async def test_revoking_partly_passed_leave_keeps_the_days_gone_by(db) -> None:
    row = await give_leave(ZHANG, date(2026, 11, 25), date(2026, 11, 29))
    done = await leave.revoke(
        POLICY,
        row.id,
        by=ADMIN,
        role=Role.ADMIN,
        today=date(2026, 11, 27),
        at=NOW,
        event_key="undo-1",
    )
    assert (done.kept, done.removed, done.created) == (2, 3, True)
    assert ZHANG in await leave.excused_on(POLICY, date(2026, 11, 26))
    assert ZHANG not in await leave.excused_on(POLICY, date(2026, 11, 27))
    off = await leave.calendar(POLICY, date(2026, 11, 1), date(2026, 11, 30))
    assert off.days_for(ZHANG) == {date(2026, 11, 25), date(2026, 11, 26)}
    replay = await leave.revoke(
        POLICY,
        row.id,
        by=ADMIN,
        role=Role.ADMIN,
        today=date(2026, 11, 27),
        at=NOW,
        event_key="undo-1",
    )
    assert not replay.created
    with pytest.raises(leave.NotInForce):
        await leave.revoke(
            POLICY,
            row.id,
            by=ADMIN,
            role=Role.ADMIN,
            today=date(2026, 11, 27),
            at=NOW,
            event_key="undo-2",
        )
    # 撤销之后同一个人今天起可以重新记
    await give_leave(ZHANG, date(2026, 11, 28), date(2026, 11, 28))


async def test_revoking_leave_not_yet_begun_removes_all_of_it(db) -> None:
    row = await give_leave(ZHANG, date(2026, 12, 1), date(2026, 12, 3))
    done = await leave.revoke(
        POLICY, row.id, by=ADMIN, role=Role.ADMIN, today=date(2026, 11, 27), at=NOW, event_key="u"
    )
    assert (done.kept, done.removed, done.leave.status) == (0, 3, leave.REVOKED)
    assert (await leave.calendar(POLICY, date(2026, 12, 1), date(2026, 12, 31))).leave == {}
    passed = await give_leave(LI, date(2026, 11, 20), date(2026, 11, 21))
    with pytest.raises(leave.AllPassed):
        await leave.revoke(
            POLICY,
            passed.id,
            by=ADMIN,
            role=Role.ADMIN,
            today=date(2026, 11, 27),
            at=NOW,
            event_key="v",
        )


# ---- 制度的写法 ----


def _with(text: str) -> Policy:
    return parse_policy(tomllib.loads(SHIPPED.read_text("utf-8") + text), "policy.toml")


def test_the_shipped_holiday_example_loads_when_uncommented() -> None:
    text = SHIPPED.read_text("utf-8")
    uncommented = re.sub(r"^# (\[calendar\]|holidays = \[|    \[\"20|\])", r"\1", text, flags=re.M)
    policy = parse_policy(tomllib.loads(uncommented), "policy.toml")
    assert (date(2026, 10, 1), date(2026, 10, 7)) in policy.calendar.holidays
    assert leave.is_holiday(policy, date(2026, 2, 17))
    shipped = load_policies(SHIPPED).orgs["jgs"]
    assert shipped.calendar.holidays == () and shipped.leave.max_days == 30
    assert not shipped.leave.leave_counts_for_streak and shipped.leave.self_request


def test_holidays_as_days_ranges_and_toml_dates() -> None:
    policy = _with(
        '\n[calendar]\nholidays = ["2026-10-01", ["2026-10-02", "2026-10-07"], 2027-01-01]\n'
    )
    assert leave.holidays(policy, date(2026, 9, 30), date(2026, 10, 3)) == {
        date(2026, 10, 1),
        date(2026, 10, 2),
        date(2026, 10, 3),
    }
    assert leave.is_holiday(policy, date(2027, 1, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('holidays = ["2026-13-01"]', "calendar.holidays：第 1 项：'2026-13-01' 不是日期"),
        ('holidays = ["10-01"]', "calendar.holidays：第 1 项：'10-01' 不是日期"),
        (
            'holidays = ["2026-10-01", ["2026-10-07", "2026-10-01"]]',
            "calendar.holidays：第 2 项：结束日期早于开始日期",
        ),
        ('holidays = [["2026-10-01"]]', "calendar.holidays：第 1 项：一段假期写作 [开始, 结束]"),
        ('holidays = "2026-10-01"', "calendar.holidays：应为列表"),
        ("days = []", "calendar.days：未知的键"),
    ],
)
def test_bad_holidays_are_named_in_chinese(text: str, expected: str) -> None:
    with pytest.raises(PolicyError) as caught:
        _with(f"\n[calendar]\n{text}\n")
    assert len(caught.value.problems) == 1
    assert expected in caught.value.problems[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("max_days = 0", "leave.max_days：应不小于 1"),
        ('self_request = "是"', "leave.self_request：应为 true 或 false"),
        ("counts_for_streak = true", "leave.counts_for_streak：未知的键"),
    ],
)
def test_bad_leave_settings_are_named_in_chinese(text: str, expected: str) -> None:
    base = (TESTS / "policy.toml").read_text("utf-8")
    with pytest.raises(PolicyError) as caught:
        parse_policy(tomllib.loads(f"{base}\n[leave]\n{text}\n"), "policy.toml")
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems


# ---- 导出 ----


async def test_the_export_share_sheet_marks_leave_and_holidays(db, tmp_path: Path) -> None:
    policy = with_policy(holidays=[(date(2026, 11, 28), date(2026, 11, 29))])
    for user, name in [(ZHANG, "张三"), (LI, "李四")]:
        card = f"鸡公山酒业-{name}-13800000000"
        at = datetime(2026, 11, 1, 8, tzinfo=CST)
        await members.upsert("jgs", 987654322, user, at, card=card, nickname=name, role="member")
    await share_days(ZHANG, nov(1, 2, 28))  # 节假日里也分享了：照样是 ✓
    await share_days(LI, nov(1))
    await give_leave(LI, date(2026, 11, 2), date(2026, 11, 3))
    path = await export.write(policy, "2026-11", [], tmp_path / "out.xlsx")
    grid = load_workbook(path)["分享"]
    rows = {
        row[1].value: [c.value for c in row] for row in grid.iter_rows(min_row=2) if row[1].value
    }
    zhang, li = rows[ZHANG], rows[LI]
    # 列：姓名、QQ、天数，然后 1 日起每天一列
    assert zhang[2] == 3 and zhang[3:6] == ["✓", "✓", "—"] and zhang[3 + 27 : 3 + 29] == ["✓", "休"]
    assert li[2] == 1 and li[3:7] == ["✓", "假", "假", "—"] and li[3 + 27 : 3 + 29] == ["休", "休"]
    legend = [row[0].value for row in grid.iter_rows() if row[0].value][-1]
    assert "假 请假" in legend and "休 节假日" in legend


async def test_a_month_whose_settling_has_begun_takes_no_leave(db, clock_at) -> None:
    """月底任务先进入“结算中”，再按那一刻的请假数连续分享，随后冻结：结算开始后记的请假不会再被数到，
    所以和 /补分享 一样，结算一开始就不收（不等冻结）。"""
    clock_at(datetime(2026, 12, 1, 9, 0, 1, tzinfo=CST))
    await months.begin_settling("jgs", "2026-11", datetime(2026, 12, 1, 1, tzinfo=UTC))
    with pytest.raises(leave.MonthFrozen) as caught:
        await give_leave(ZHANG, date(2026, 11, 28), date(2026, 11, 30))
    assert caught.value.month == "2026-11"
    assert await Leave.all().count() == 0
