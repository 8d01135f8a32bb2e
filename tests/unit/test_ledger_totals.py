"""月度合计的重建、一个人一个月的明细、管理员命令触发的记分：HR 看到的数必须和账本一致。"""

from datetime import UTC, date, datetime

import pytest

from qungui import ledger, months, rules, standings
from qungui.models import LedgerEntry, MonthTotal
from qungui.roles import Role

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
DAY = date(2026, 11, 27)
FIRST, LAST = date(2026, 11, 1), date(2026, 11, 30)


async def share(user: int, day: date = DAY, org: str = "jgs") -> LedgerEntry:
    entry = await ledger.award(
        org=org,
        user_id=user,
        rule=rules.SHARE_DAILY,
        period=day.isoformat(),
        delta=1,
        business_date=day,
        now=NOW,
    )
    assert entry is not None
    return entry


async def manual(user: int, delta: int, key: str, org: str = "jgs") -> LedgerEntry:
    written = await ledger.record(
        org=org,
        user_id=user,
        delta=delta,
        business_date=DAY,
        now=NOW,
        actor_id=30001,
        actor_role=Role.ADMIN,
        reason="测试",
        command_key=key,
    )
    return written.entry


async def featured(key: str, user: int = 1, ref: str | None = None) -> ledger.Written | None:
    return await ledger.award_by_command(
        command_key=key,
        org="jgs",
        user_id=user,
        rule=rules.SHARE_FEATURED,
        period="share-7",
        delta=5,
        business_date=DAY,
        now=NOW,
        actor_id=30001,
        actor_role=Role.ADMIN,
        ref=ref,
    )


async def totals(user: int) -> tuple[int, int, int]:
    row = await MonthTotal.get(org="jgs", user_id=user, month="2026-11")
    return (row.points, row.share_days, row.entries)


async def test_a_reversed_share_point_is_not_a_share_day_after_a_rebuild(db) -> None:
    point = await share(1)
    await share(1, date(2026, 11, 28))
    await ledger.reverse(
        org="jgs",
        entry_id=point.id,
        now=NOW,
        actor_id=30001,
        actor_role=Role.ADMIN,
        reason="不是原创",
        command_key="undo-1",
    )
    assert await totals(1) == (1, 1, 3)
    # 合计本来就对：重建不该找出不一致，也不该把撤销掉的那天算回来
    assert await ledger.rebuild_month_totals("jgs", "2026-11", FIRST, LAST) == 0
    assert await totals(1) == (1, 1, 3)
    await MonthTotal.filter(user_id=1).update(share_days=2)
    assert await ledger.rebuild_month_totals("jgs", "2026-11", FIRST, LAST) == 1
    assert await totals(1) == (1, 1, 3)


async def test_fixing_one_persons_total_keeps_everyone_elses(db) -> None:
    await share(1)
    await share(2)
    await MonthTotal.filter(user_id=1).update(points=9)
    assert await ledger.rebuild_month_totals("jgs", "2026-11", FIRST, LAST) == 1
    assert await totals(1) == (1, 1, 1)
    assert await totals(2) == (1, 1, 1)


async def test_a_missing_total_row_is_written_again(db) -> None:
    await manual(1, 1, "evt-1")
    await MonthTotal.filter(user_id=1).delete()
    assert await ledger.rebuild_month_totals("jgs", "2026-11", FIRST, LAST) == 1
    assert await totals(1) == (1, 0, 1)


async def test_month_entries_are_one_persons_in_one_organisation(db) -> None:
    mine = await share(1)
    await share(2)
    await share(1, org="xscy")
    entries = await ledger.month_entries("jgs", 1, FIRST, LAST)
    assert [entry.id for entry in entries] == [mine.id]


async def test_a_featured_share_keeps_its_reference_and_has_no_reason_unless_given(db) -> None:
    written = await featured("evt-f", ref="share:7")
    assert written is not None and written.created
    stored = await LedgerEntry.get(id=written.entry.id)
    assert (stored.ref, stored.reason, stored.delta) == ("share:7", "", 5)


async def test_a_featuring_replayed_after_its_month_froze_answers_what_it_wrote(
    db, clock_at
) -> None:
    first = await featured("evt-f")
    assert first is not None
    await months.freeze("jgs", "2026-11", NOW)
    clock_at(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))
    again = await featured("evt-f")
    assert again is not None and (again.entry.id, again.created) == (first.entry.id, False)
    with pytest.raises(ledger.MonthFrozen) as frozen:
        await featured("evt-g", user=2)
    assert (frozen.value.entry_id, frozen.value.month) == (0, "2026-11")
    assert await LedgerEntry.all().count() == 1


async def test_a_rebuild_removes_totals_of_people_with_no_entry_that_month(db) -> None:
    """合计表里有、账本里这个月却没有记录的人（写了一半的合计、手工改过的库）：重建把他们清掉，
    不管那一行碰巧写的是什么。"""
    await share(1)
    for user, (points, days, entries) in {
        2: (1, 0, 0),
        3: (0, 1, 0),
        4: (0, 0, 1),
        5: (5, 1, 1),
    }.items():
        await MonthTotal.create(
            org="jgs",
            user_id=user,
            month="2026-11",
            points=points,
            share_days=days,
            entries=entries,
        )
    assert await ledger.rebuild_month_totals("jgs", "2026-11", FIRST, LAST) == 4
    assert await ledger.month_totals("jgs", "2026-11") == {1: ledger.MonthSummary(1, 1, 1)}


async def test_a_months_detail_holds_only_that_month(db) -> None:
    october = await share(1, date(2026, 10, 31))
    november = await share(1, date(2026, 11, 1))
    december = await share(1, date(2026, 12, 1))
    got = await ledger.month_entries("jgs", 1, FIRST, LAST)
    assert [entry.id for entry in got] == [november.id]
    assert october.id != november.id != december.id


async def test_a_repaired_total_shows_at_once_in_the_all_time_points(db) -> None:
    """重建改了合计：缓存的累计积分（/积分 里那一项）随之重算，不再显示坏掉的数。"""
    from pathlib import Path

    from qungui.policy import load_policies

    policy = load_policies(Path(__file__).parents[1] / "policy.toml").orgs["jgs"]
    await share(1)
    await MonthTotal.filter(org="jgs", user_id=1, month="2026-11").update(points=99)
    assert await standings.all_time_points(policy, 1) == 99
    assert await ledger.rebuild_month_totals("jgs", "2026-11", FIRST, LAST) == 1
    assert await standings.all_time_points(policy, 1) == 1


async def test_a_command_handled_by_two_processes_at_once_writes_once(db, monkeypatch) -> None:
    """两个进程同时处理同一条命令（同一个事件键）：都看到“还没处理过”，先提交的那个写下记录，
    后来的那个在认领事件键时撞上，整笔回滚，答的是先来的那条（created=False）。"""

    def feature(key: str):
        return ledger.award_by_command(
            command_key=key,
            org="jgs",
            user_id=1,
            rule=rules.SHARE_FEATURED,
            period="4242",
            delta=5,
            business_date=DAY,
            now=NOW,
            actor_id=30001,
            actor_role=Role.ADMIN,
        )

    first = await feature("k1")
    assert first is not None and first.created
    # 那条后来被撤销了：同一周期还有空位，后来的进程真会插进一条新记录，再在认领事件键时撞上
    await ledger.reverse(
        org="jgs",
        entry_id=first.entry.id,
        now=NOW,
        actor_id=30002,
        actor_role=Role.ADMIN,
        reason="评错了",
        command_key="undo-1",
    )

    async def not_seen_yet(command_key: str, org: str, day: date):
        return None  # 另一个进程检查的时候，先来的那个还没提交

    monkeypatch.setattr(ledger, "_replayed_or_frozen", not_seen_yet)
    late = await feature("k1")
    assert late is not None and (late.entry.id, late.created) == (first.entry.id, False)
    assert await LedgerEntry.filter(rule=rules.SHARE_FEATURED).count() == 1


async def test_a_months_totals_are_only_that_months(db) -> None:
    await share(1, date(2026, 10, 31))
    await share(1, DAY)
    await share(2, date(2026, 12, 1))
    assert await ledger.month_totals("jgs", "2026-11") == {1: ledger.MonthSummary(1, 1, 1)}


async def test_a_rule_award_given_by_an_admin_records_the_admins_role(db) -> None:
    """举报属实的加分由确认的管理员署名：/积分明细 里写着是谁、以什么身份。"""
    entry = await ledger.award(
        org="jgs",
        user_id=1,
        rule=rules.FILTER_REPORT,
        period="g-4242",
        delta=2,
        business_date=DAY,
        now=NOW,
        actor_id=30001,
        actor_role=Role.ADMIN,
    )
    assert entry is not None
    stored = await LedgerEntry.get(id=entry.id)
    assert (stored.actor_id, stored.actor_role) == (30001, "admin")
