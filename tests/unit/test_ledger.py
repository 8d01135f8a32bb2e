import asyncio
from datetime import UTC, date, datetime

import pytest

from qungui import ledger, months
from qungui.models import LedgerEntry, MonthTotal
from qungui.roles import Role

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
DAY = date(2026, 11, 27)


async def share_award(user: int = 1, day: date = DAY):
    return await ledger.award(
        org="jgs",
        user_id=user,
        rule="share.daily",
        period=day.isoformat(),
        delta=1,
        business_date=day,
        now=NOW,
    )


async def manual(delta: int, key: str, user: int = 1, role: Role = Role.ADMIN):
    return await ledger.record(
        org="jgs",
        user_id=user,
        delta=delta,
        business_date=DAY,
        now=NOW,
        actor_id=30001,
        actor_role=role,
        reason="测试",
        command_key=key,
    )


async def undo(entry_id: int, key: str, role: Role = Role.ADMIN):
    return await ledger.reverse(
        org="jgs",
        entry_id=entry_id,
        now=NOW,
        actor_id=30001,
        actor_role=role,
        reason="录错了",
        command_key=key,
    )


async def test_concurrent_awards_write_one_entry(db) -> None:
    results = await asyncio.gather(*(share_award() for _ in range(20)))
    assert sum(r is not None for r in results) == 1
    assert await LedgerEntry.filter(rule="share.daily").count() == 1
    total = await MonthTotal.get(org="jgs", user_id=1, month="2026-11")
    assert (total.points, total.share_days, total.entries) == (1, 1, 1)


async def test_a_reversed_award_can_be_earned_again_once(db) -> None:
    first = await share_award()
    await undo(first.id, "k-undo")
    again = await asyncio.gather(share_award(), share_award())
    assert sum(r is not None for r in again) == 1
    keys = (
        await LedgerEntry.filter(rule="share.daily")
        .order_by("id")
        .values_list("dedupe_key", flat=True)
    )
    assert keys == ["share.daily:jgs:1:2026-11-27:0", "share.daily:jgs:1:2026-11-27:1"]
    summary = await ledger.month_summary("jgs", 1, "2026-11")
    assert (summary.points, summary.share_days) == (1, 1)


async def test_same_command_event_twice_writes_once(db) -> None:
    results = await asyncio.gather(*(manual(5, "evt-1") for _ in range(10)))
    assert sum(r.created for r in results) == 1
    assert {r.entry.id for r in results} == {results[0].entry.id}
    assert await LedgerEntry.all().count() == 1
    assert (await ledger.month_summary("jgs", 1, "2026-11")).points == 5


async def test_reversal_points_at_original_keeps_its_date_and_is_once_only(db) -> None:
    original = (await manual(-7, "evt-1")).entry
    done = await undo(original.id, "evt-2")
    assert done.created
    assert (done.entry.delta, done.entry.reverses, done.entry.rule) == (7, original.id, "reversal")
    assert done.entry.business_date == original.business_date
    with pytest.raises(ledger.AlreadyReversed) as caught:
        await undo(original.id, "evt-3")
    assert caught.value.reversal.id == done.entry.id
    with pytest.raises(ledger.IsReversal):
        await undo(done.entry.id, "evt-4")
    assert (await ledger.month_summary("jgs", 1, "2026-11")).points == 0
    assert await LedgerEntry.all().count() == 2


async def test_the_bot_itself_may_reverse_what_an_admin_may(db) -> None:
    """`actor_role=None` 是机器人按规则自己撤销（同 `record`）：记为系统，权限同管理员。"""
    earned = await share_award()
    done = await ledger.reverse(
        org="jgs",
        entry_id=earned.id,
        now=NOW,
        actor_id=0,
        actor_role=None,
        reason="规则撤销",
        command_key="sys-1",
    )
    assert (done.entry.reverses, done.entry.actor_role, done.entry.delta) == (
        earned.id,
        "system",
        -1,
    )
    assert (await ledger.month_summary("jgs", 1, "2026-11")).share_days == 0
    by_chairman = (await manual(-9, "evt-c", role=Role.CHAIRMAN)).entry
    with pytest.raises(ledger.RoleTooLow) as caught:
        await ledger.reverse(
            org="jgs",
            entry_id=by_chairman.id,
            now=NOW,
            actor_id=0,
            actor_role=None,
            reason="规则撤销",
            command_key="sys-2",
        )
    assert caught.value.needed == Role.CHAIRMAN


async def test_concurrent_reversals_write_one(db) -> None:
    original = (await manual(3, "evt-1")).entry
    results = await asyncio.gather(
        *(undo(original.id, f"evt-undo-{n}") for n in range(5)), return_exceptions=True
    )
    assert sum(isinstance(r, ledger.Written) for r in results) == 1
    assert all(isinstance(r, ledger.Written | ledger.AlreadyReversed) for r in results)
    assert await LedgerEntry.filter(rule="reversal").count() == 1


async def test_one_undo_command_seen_at_once_by_several_accounts_is_one_reversal(db) -> None:
    # 几个机器人账号同时收到同一条 /撤销：事件键相同，都当作同一次撤销（不说“已经撤销过了”）
    original = (await manual(3, "evt-1")).entry
    results = await asyncio.gather(*(undo(original.id, "evt-undo") for _ in range(5)))
    assert sum(r.created for r in results) == 1
    assert {r.entry.id for r in results} == {results[0].entry.id}
    assert await LedgerEntry.filter(rule="reversal").count() == 1


async def test_unknown_or_other_org_entry_is_not_found(db) -> None:
    other = await ledger.record(
        org="other",
        user_id=1,
        delta=5,
        business_date=DAY,
        now=NOW,
        actor_id=1,
        actor_role=Role.ADMIN,
        reason="x",
        command_key="o-1",
    )
    with pytest.raises(ledger.EntryNotFound):
        await undo(other.entry.id, "evt-1")
    with pytest.raises(ledger.EntryNotFound):
        await undo(999, "evt-2")


@pytest.mark.parametrize(
    ("writer", "undoer", "allowed"),
    [
        (Role.ADMIN, Role.ADMIN, True),
        (Role.CHAIRMAN, Role.ADMIN, False),
        (Role.CHAIRMAN, Role.CHAIRMAN, True),
        (Role.SUPERUSER, Role.CHAIRMAN, False),
        (Role.SUPERUSER, Role.SUPERUSER, True),
    ],
)
async def test_reversal_needs_the_writers_role(
    db, writer: Role, undoer: Role, allowed: bool
) -> None:
    entry = (await manual(-300, "evt-1", role=writer)).entry
    if allowed:
        assert (await undo(entry.id, "evt-2", role=undoer)).created
    else:
        with pytest.raises(ledger.RoleTooLow) as caught:
            await undo(entry.id, "evt-2", role=undoer)
        assert caught.value.needed == writer
        assert await LedgerEntry.all().count() == 1


async def test_admin_may_reverse_a_system_entry(db) -> None:
    award = await share_award()
    assert (await undo(award.id, "evt-1", role=Role.ADMIN)).created


async def test_rebuild_finds_and_fixes_a_drifted_total(db) -> None:
    await share_award()
    await manual(5, "evt-1")
    assert (
        await ledger.rebuild_month_totals("jgs", "2026-11", date(2026, 11, 1), date(2026, 11, 30))
        == 0
    )
    await MonthTotal.filter(user_id=1).update(points=99)
    assert (
        await ledger.rebuild_month_totals("jgs", "2026-11", date(2026, 11, 1), date(2026, 11, 30))
        == 1
    )
    summary = await ledger.month_summary("jgs", 1, "2026-11")
    assert (summary.points, summary.share_days, summary.entries) == (6, 1, 2)


async def test_all_time_sums_every_month(db) -> None:
    await share_award(day=date(2026, 10, 31))
    await share_award()
    await manual(-4, "evt-1")
    totals = await ledger.all_time_totals("jgs")
    assert totals.get(1, 0) == -2
    assert totals.get(2, 0) == 0


STREAK = {
    "org": "jgs",
    "rule": "share.streak",
    "period": "2026-11",
    "delta": 20,
    "business_date": date(2026, 11, 30),
    "now": NOW,
}


async def streak_awards(users: list[int]) -> int:
    return await ledger.award_many(user_ids=users, reason="满 27 天", **STREAK)


async def test_award_many_matches_one_award_each(db) -> None:
    # 1：已记过；2：记过又撤销了（要记第 1 个键）；3：没有当月合计；4：已有当月合计
    await share_award(user=4)

    done = await ledger.award(user_id=1, **STREAK)
    undone = await ledger.award(user_id=2, **STREAK)
    assert done is not None and undone is not None
    await undo(undone.id, "k-undo")

    assert await streak_awards([1, 2, 3, 4]) == 3
    assert await streak_awards([1, 2, 3, 4]) == 0
    # 批量写的和退回逐个写的（2 记过又撤销了）都带着理由：/积分明细 里看得到为什么加分
    reasons = await LedgerEntry.filter(rule="share.streak", user_id__in=[2, 3]).values_list(
        "user_id", "reason"
    )
    assert sorted(reasons) == [(2, ""), (2, "满 27 天"), (3, "满 27 天")]
    keys = (
        await LedgerEntry.filter(rule="share.streak")
        .order_by("user_id", "id")
        .values_list("user_id", "dedupe_key")
    )
    assert keys == [
        (1, "share.streak:jgs:1:2026-11:0"),
        (2, "share.streak:jgs:2:2026-11:0"),
        (2, "share.streak:jgs:2:2026-11:1"),
        (3, "share.streak:jgs:3:2026-11:0"),
        (4, "share.streak:jgs:4:2026-11:0"),
    ]
    totals = {
        t.user_id: (t.points, t.share_days, t.entries)
        for t in await MonthTotal.filter(org="jgs", month="2026-11")
    }
    assert totals == {1: (20, 0, 1), 2: (20, 0, 3), 3: (20, 0, 1), 4: (21, 1, 2)}
    assert (
        await ledger.rebuild_month_totals("jgs", "2026-11", date(2026, 11, 1), date(2026, 11, 30))
        == 0
    )


async def test_award_many_at_once_from_two_callers_awards_once(db) -> None:
    results = await asyncio.gather(streak_awards([1, 2, 3]), streak_awards([1, 2, 3]))
    assert sorted(results) == [0, 3]
    assert await LedgerEntry.filter(rule="share.streak").count() == 3


async def test_frozen_month_is_looked_up_once_it_may_have_ended(db, clock_at) -> None:
    await months.freeze("jgs", "2026-11", NOW)
    # 按时钟，11 月在 UTC+14 还没过完：不可能已冻结，不查库
    clock_at(datetime(2026, 11, 30, 9, 59, tzinfo=UTC))
    assert not await months.is_frozen("jgs", DAY)
    # UTC+14 已是 12 月 1 日：查库，看到已冻结
    clock_at(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    assert await months.is_frozen("jgs", DAY)
    assert await streak_awards([1]) == 0  # 已知冻结（记在缓存里）就不再记


async def test_a_late_event_stamped_inside_a_frozen_month_writes_nothing(db, clock_at) -> None:
    await share_award(user=2)
    await months.freeze("jgs", "2026-11", NOW)
    clock_at(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))
    # 事件自己的时刻是 11 月 30 日上午（月底最后一个上午）：它只决定记到哪天，冻结看时钟
    stamped = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    last_day = date(2026, 11, 30)
    assert not await ledger.award(
        org="jgs",
        user_id=1,
        rule="share.daily",
        period=last_day.isoformat(),
        delta=1,
        business_date=last_day,
        now=stamped,
    )
    assert not await ledger.award_many(
        org="jgs",
        user_ids=[1, 3],
        rule="share.streak",
        period="2026-11",
        delta=20,
        business_date=last_day,
        now=stamped,
        reason="满 27 天",
    )
    with pytest.raises(ledger.MonthFrozen):
        await ledger.record(
            org="jgs",
            user_id=1,
            delta=5,
            business_date=last_day,
            now=stamped,
            actor_id=30001,
            actor_role=Role.ADMIN,
            reason="迟到的加分",
            command_key="late-1",
        )
    entry = await LedgerEntry.get(user_id=2)
    with pytest.raises(ledger.MonthFrozen):
        await ledger.reverse(
            org="jgs",
            entry_id=entry.id,
            now=stamped,
            actor_id=30001,
            actor_role=Role.ADMIN,
            reason="录错了",
            command_key="late-2",
        )
    assert await LedgerEntry.all().values_list("user_id", "rule") == [(2, "share.daily")]


async def test_a_command_replayed_after_its_month_froze_returns_what_it_wrote(db, clock_at) -> None:
    first = await manual(5, "evt-before-freeze")
    await months.freeze("jgs", "2026-11", NOW)
    clock_at(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))
    again = await manual(5, "evt-before-freeze")
    assert (again.entry.id, again.created) == (first.entry.id, False)
    with pytest.raises(ledger.MonthFrozen):
        await manual(5, "evt-after-freeze")
    assert await LedgerEntry.all().count() == 1


async def test_each_refusal_names_the_entry_it_is_about(db, clock_at) -> None:
    chairman = (await manual(-300, "evt-1", role=Role.CHAIRMAN)).entry
    admin = (await manual(-7, "evt-2")).entry
    kept = (await manual(4, "evt-2b")).entry
    done = (await undo(admin.id, "evt-3")).entry
    with pytest.raises(ledger.AlreadyReversed) as twice:
        await undo(admin.id, "evt-4")
    assert (twice.value.entry_id, twice.value.reversal.id) == (admin.id, done.id)
    with pytest.raises(ledger.IsReversal) as of_a_reversal:
        await undo(done.id, "evt-5")
    assert of_a_reversal.value.entry_id == done.id
    with pytest.raises(ledger.RoleTooLow) as too_low:
        await undo(chairman.id, "evt-6")
    assert (too_low.value.entry_id, too_low.value.needed) == (chairman.id, Role.CHAIRMAN)
    with pytest.raises(ledger.EntryNotFound) as missing:
        await undo(chairman.id + 1000, "evt-7")
    assert missing.value.entry_id == chairman.id + 1000
    await months.freeze("jgs", "2026-11", NOW)
    clock_at(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))
    # 冻结的月份只有主席写明理由才能撤销：管理员被拒，说的是哪条、哪个月
    with pytest.raises(ledger.MonthFrozen) as frozen:
        await undo(kept.id, "evt-8")
    assert (frozen.value.entry_id, frozen.value.month) == (kept.id, "2026-11")
    with pytest.raises(ledger.MonthFrozen) as frozen_new:
        await manual(5, "evt-9")
    assert (frozen_new.value.entry_id, frozen_new.value.month) == (0, "2026-11")


async def test_a_third_award_of_the_same_rule_after_two_reversals(db) -> None:
    for n in range(2):
        award = await share_award()
        assert award is not None
        await undo(award.id, f"undo-{n}")
        assert await ledger.active_award("jgs", "share.daily", 1, DAY.isoformat()) is None
    third = await share_award()
    assert third is not None and third.dedupe_key == "share.daily:jgs:1:2026-11-27:2"
    assert await ledger.active_award("jgs", "share.daily", 1, DAY.isoformat()) == third
    assert await share_award() is None
    summary = await ledger.month_summary("jgs", 1, "2026-11")
    assert (summary.points, summary.share_days, summary.entries) == (1, 1, 5)


async def test_rebuilding_one_month_leaves_the_other_months_alone(db) -> None:
    october = date(2026, 10, 15)
    await share_award(day=october)
    await share_award()
    await manual(5, "evt-1")
    await MonthTotal.filter(user_id=1, month="2026-10").update(points=99)
    assert (
        await ledger.rebuild_month_totals("jgs", "2026-10", date(2026, 10, 1), date(2026, 10, 31))
        == 1
    )
    assert await ledger.month_summary("jgs", 1, "2026-10") == ledger.MonthSummary(1, 1, 1)
    assert await ledger.month_summary("jgs", 1, "2026-11") == ledger.MonthSummary(6, 1, 2)
    # 十一月的合计本来就对：重建它什么也不改，也不把十月的记录算进来
    assert (
        await ledger.rebuild_month_totals("jgs", "2026-11", date(2026, 11, 1), date(2026, 11, 30))
        == 0
    )


async def test_award_many_writes_the_batch_without_falling_back_on_clean_data(
    db, monkeypatch
) -> None:
    async def no_fallback(**_):
        raise AssertionError("逐个记分的退路不该用到")

    await share_award(user=3)  # 已有当月合计的人
    monkeypatch.setattr(ledger, "award", no_fallback)
    assert await streak_awards([1, 2, 3]) == 3
    rows = await LedgerEntry.filter(rule="share.streak").order_by("user_id")
    assert [(r.user_id, r.delta, r.business_date, r.reason) for r in rows] == [
        (user, 20, date(2026, 11, 30), "满 27 天") for user in (1, 2, 3)
    ]
    assert [r.dedupe_key for r in rows] == [f"share.streak:jgs:{u}:2026-11:0" for u in (1, 2, 3)]
    assert await ledger.month_totals("jgs", "2026-11") == {
        1: ledger.MonthSummary(20, 0, 1),
        2: ledger.MonthSummary(20, 0, 1),
        3: ledger.MonthSummary(21, 1, 2),
    }


async def test_award_many_falls_back_only_for_people_awarded_before(db, monkeypatch) -> None:
    await ledger.award(user_id=2, **STREAK)
    one_by_one = []
    award = ledger.award

    async def counted(**fields):
        one_by_one.append(fields["user_id"])
        return await award(**fields)

    monkeypatch.setattr(ledger, "award", counted)
    assert await streak_awards([1, 2, 3]) == 2
    assert one_by_one == [2]
    assert await LedgerEntry.filter(rule="share.streak").count() == 3


async def test_a_streak_bonus_in_a_second_month_for_the_same_person(db) -> None:
    october = {**STREAK, "period": "2026-10", "business_date": date(2026, 10, 31)}
    assert await ledger.award_many(user_ids=[1, 2], reason="满 27 天", **october) == 2
    assert await streak_awards([1, 2]) == 2
    assert await ledger.month_summary("jgs", 1, "2026-10") == ledger.MonthSummary(20, 0, 1)
    assert await ledger.month_summary("jgs", 1, "2026-11") == ledger.MonthSummary(20, 0, 1)
    assert await ledger.all_time_totals("jgs") == {1: 40, 2: 40}
