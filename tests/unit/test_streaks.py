"""连续分享奖励：怎么数连续天数、谁够天数、月底结算每人每月一次。"""

from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qungui import ledger, rules, streaks
from qungui.models import LedgerEntry
from qungui.policy import Policy, load_policies
from qungui.roles import Role

POLICY = load_policies(Path(__file__).parents[1] / "policy.toml").orgs["jgs"]
CST = POLICY.tz
NOW = datetime(2026, 12, 1, 9, tzinfo=CST)


def with_share(**changes) -> Policy:
    return POLICY.model_copy(update={"share": POLICY.share.model_copy(update=changes)})


def nov(*days: int) -> list[date]:
    return [date(2026, 11, d) for d in days]


def test_current_run() -> None:
    days = nov(1, 2, 5, 6, 7)
    assert streaks.current_run(days, date(2026, 11, 7)) == 3
    assert streaks.current_run(days, date(2026, 11, 8)) == 3
    assert streaks.current_run(days, date(2026, 11, 9)) == 0


@pytest.mark.parametrize(
    ("days", "run"),
    [
        (nov(1, 2, 3, 5, 6, 7, 8, 8, 10), 4),
        ([], 0),
        (nov(30, 29, 28), 3),
        ([date(2026, 10, 31), date(2026, 11, 1)], 2),
        ([date(2028, 2, 28), date(2028, 2, 29), date(2028, 3, 1)], 3),
    ],
)
def test_longest_run(days: list[date], run: int) -> None:
    assert streaks.longest_run(days) == run


@pytest.mark.parametrize(
    ("consecutive", "days", "earned"),
    [
        (True, nov(*range(1, 28)), True),
        (True, nov(*range(1, 27)), False),
        (True, nov(*range(1, 14), *range(15, 30)), False),  # 28 天，但 14 日断了
        (False, nov(*range(1, 14), *range(15, 30)), True),
        (False, nov(*range(1, 27), 26, 26), False),  # 同一天算一次
    ],
)
def test_who_earns_the_bonus(consecutive: bool, days: list[date], earned: bool) -> None:
    assert streaks.earned(with_share(streak_consecutive=consecutive), days) is earned


async def share_days(user: int, days: list[int], month: int = 11, year: int = 2026) -> None:
    """这个人这些天（`year` 年 `month` 月）各有一次分享得分。"""
    for day in days:
        await ledger.award(
            org="jgs",
            user_id=user,
            rule=rules.SHARE_DAILY,
            period=f"{year}-{month:02d}-{day:02d}",
            delta=1,
            business_date=date(year, month, day),
            now=datetime(year, month, day, 9, tzinfo=CST),
        )


async def undo(entry_id: int) -> None:
    """管理员撤销这条记录。"""
    await ledger.reverse(
        org="jgs",
        entry_id=entry_id,
        now=NOW,
        actor_id=30001,
        actor_role=Role.ADMIN,
        reason="测试",
        command_key=f"undo-{entry_id}",
    )


async def test_streak_bonus_once_for_27_days_in_a_row(db) -> None:
    await share_days(1, list(range(1, 28)))  # 张三：11 月 1–27 日连续
    await share_days(2, [*range(1, 14), *range(15, 30)])  # 李四：28 天但 14 日断了
    assert await streaks.settle(POLICY, "2026-11", NOW) == 1
    assert await streaks.settle(POLICY, "2026-11", NOW) == 0
    rows = await LedgerEntry.filter(rule="share.streak").values_list(
        "user_id", "delta", "business_date"
    )
    assert rows == [(1, 20, date(2026, 11, 30))]
    assert await streaks.winners(POLICY, "2026-11") == {1}
    assert await streaks.settle(with_share(streak_consecutive=False), "2026-11", NOW) == 1
    assert await streaks.winners(POLICY, "2026-11") == {1, 2}


async def test_a_reversed_bonus_is_not_a_winner(db) -> None:
    await share_days(1, list(range(1, 28)))
    await streaks.settle(POLICY, "2026-11", NOW)
    bonus = await LedgerEntry.get(rule="share.streak")
    await undo(bonus.id)
    assert await streaks.winners(POLICY, "2026-11") == set()


async def test_no_bonus_settles_without_reading_the_ledger(
    db, monkeypatch: pytest.MonkeyPatch
) -> None:
    await share_days(1, list(range(1, 28)))

    def no_query(*args, **kwargs):
        raise AssertionError("streak_bonus = 0 时不该读账本")

    monkeypatch.setattr(LedgerEntry, "filter", no_query)
    assert await streaks.settle(with_share(streak_bonus=0), "2026-11", NOW) == 0


async def test_the_same_person_earns_the_bonus_again_the_next_month(db) -> None:
    """11 月满 27 天得了奖励，12 月又满 27 天：再得一次，记在 12 月；11 月末、12 月初的分享不跨月连起来。"""
    await share_days(1, list(range(1, 28)))
    await share_days(1, list(range(1, 28)), month=12)
    assert await streaks.settle(POLICY, "2026-11", NOW) == 1
    assert await streaks.settle(POLICY, "2026-12", datetime(2027, 1, 1, 9, tzinfo=CST)) == 1
    rows = (
        await LedgerEntry.filter(rule="share.streak")
        .order_by("id")
        .values_list("user_id", "business_date", "reason")
    )
    assert [(u, d) for u, d, _ in rows] == [(1, date(2026, 11, 30)), (1, date(2026, 12, 31))]
    assert await streaks.winners(POLICY, "2026-12") == {1}


async def test_a_months_streak_counts_only_that_months_shares(db) -> None:
    """10 月 20–31 日和 11 月 1–15 日天天分享，合起来 27 天，但跨了月：11 月不够。"""
    await share_days(1, list(range(20, 32)), month=10)
    await share_days(1, list(range(1, 16)))
    await share_days(2, list(range(1, 28)), month=12)  # 12 月的分享也不算进 11 月
    assert await streaks.settle(POLICY, "2026-11", NOW) == 0
    assert await streaks.winners(POLICY, "2026-11") == set()


async def test_the_winners_of_a_month_are_that_months_and_that_orgs(db) -> None:
    await share_days(1, list(range(1, 28)))
    await streaks.settle(POLICY, "2026-11", NOW)
    await ledger.award(  # 另一个组织 11 月的连续分享奖励（同一个 QQ 号 2）
        org="xscy",
        user_id=2,
        rule=rules.SHARE_STREAK,
        period="2026-11",
        delta=20,
        business_date=date(2026, 11, 30),
        now=NOW,
    )
    assert await streaks.winners(POLICY, "2026-11") == {1}
    assert await streaks.winners(POLICY, "2026-10") == set()
    assert await streaks.winners(POLICY, "2026-12") == set()


def count_by_walking(policy: Policy, shared: set[date], excused: set[date]) -> int:
    """奖励看的天数，照制度的话一天一天走一遍：不用分享的日子不打断，也不算（除非制度说算）。"""
    if policy.leave.leave_counts_for_streak:
        shared = shared | excused
    if not policy.share.streak_consecutive:
        return len(shared)
    best = run = 0
    day, last = date(2026, 11, 1), date(2026, 11, 30)
    while day <= last:
        if day in shared:
            run += 1
        elif day not in excused:
            run = 0
        best = max(best, run)
        day = date.fromordinal(day.toordinal() + 1)
    return best


NOVEMBER_DAYS = st.sets(st.integers(1, 30).map(lambda d: date(2026, 11, d)))


@given(
    shared=NOVEMBER_DAYS,
    excused=NOVEMBER_DAYS,
    consecutive=st.booleans(),
    leave_counts=st.booleans(),
)
def test_counting_share_days_as_bits_agrees_with_walking_the_month(
    shared: set[date], excused: set[date], consecutive: bool, leave_counts: bool
) -> None:
    """网页本月页和月底结算数的是同一个数：按位数（counted_bits）、按日子数（counted_days）、一天天走，三者相同。"""
    policy = with_share(streak_consecutive=consecutive).model_copy(
        update={"leave": POLICY.leave.model_copy(update={"leave_counts_for_streak": leave_counts})}
    )
    expected = count_by_walking(policy, shared, excused)
    first = date(2026, 11, 1)
    assert streaks.counted_days(policy, shared, excused) == expected
    bits = streaks.day_bits(shared, first), streaks.day_bits(excused, first)
    assert streaks.counted_bits(policy, *bits) == expected
    assert streaks.bit_days(bits[0], first) == sorted(shared)


async def test_share_days_are_each_day_once_without_reversed_ones_and_only_that_months_and_orgs(
    db,
) -> None:
    await share_days(1, [1, 2, 5, 30])
    await share_days(1, [31], month=10)
    await share_days(1, [1], month=12)
    await ledger.award(  # 同一天又一条分享分（补记）：这一天仍只算一天
        org="jgs",
        user_id=1,
        rule=rules.SHARE_DAILY,
        period="2026-11-05:补",
        delta=1,
        business_date=date(2026, 11, 5),
        now=NOW,
    )
    await share_days(2, [3, 4])
    await share_days(3, [31], month=10)  # 只在上个月分享过的人：这个月不在数里
    second = await LedgerEntry.get(user_id=2, business_date=date(2026, 11, 4))
    await undo(second.id)
    await ledger.award(  # 另一个组织里的同一个人
        org="xscy",
        user_id=1,
        rule=rules.SHARE_DAILY,
        period="2026-11-10",
        delta=1,
        business_date=date(2026, 11, 10),
        now=NOW,
    )
    first, last = date(2026, 11, 1), date(2026, 11, 30)
    assert await streaks.share_days("jgs", first, last) == {1: nov(1, 2, 5, 30), 2: nov(3)}
    assert await streaks.share_bits("jgs", first, last) == {
        1: 1 << 0 | 1 << 1 | 1 << 4 | 1 << 29,
        2: 1 << 2,
    }


async def test_share_days_refuse_a_span_too_long_for_one_number(db) -> None:
    """一次最多数 62 天（含首尾）：第 62 天的位还在一个有符号 64 位整数里，多一天就拒绝。"""
    await share_days(1, [1], month=1, year=2027)
    first = date(2026, 11, 1)
    assert await streaks.share_bits("jgs", first, date(2027, 1, 1)) == {1: 1 << 61}
    with pytest.raises(ValueError, match="62"):
        await streaks.share_bits("jgs", first, date(2027, 1, 2))
    with pytest.raises(ValueError, match="62"):
        await streaks.share_bits("jgs", first, date(2027, 1, 15))


async def test_when_leave_counts_as_shared_the_bonus_goes_to_sharers_and_to_people_on_leave(
    db,
) -> None:
    """制度写了请假算分享（`leave_counts_for_streak`）：天天分享的人照样得；分享 20 天、请假 7 天的得；
    整月请假、一天没分享的人也够天数。"""
    from qungui import leave

    policy = POLICY.model_copy(
        update={"leave": POLICY.leave.model_copy(update={"leave_counts_for_streak": True})}
    )
    await share_days(1, list(range(1, 28)))
    await share_days(2, list(range(1, 21)))
    for user, first, last in ((2, 21, 27), (3, 1, 30)):
        await leave.record(
            policy,
            user_id=user,
            group_id=None,
            first=date(2026, 11, first),
            last=date(2026, 11, last),
            reason="外派",
            by=30001,
            role=Role.ADMIN,
            at=datetime(2026, 10, 30, 9, tzinfo=CST),
            event_key=f"leave-{user}",
        )
    assert await streaks.settle(policy, "2026-11", NOW) == 3
    assert await streaks.winners(policy, "2026-11") == {1, 2, 3}
