"""月底存下的排行（快照）：每个组织自己一份，存过就不再变；连续分享奖励带着理由，排行马上算上它。"""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from qungui import cards, ledger, month_end, rules, standings, streaks
from qungui.models import LedgerEntry, MonthStanding
from qungui.policy import Policy, load_policies
from qungui.roles import Role
from tests.conftest import two_orgs

MONTH = "2026-11"
FIRST = date(2026, 11, 1)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def orgs(tmp_path: Path) -> tuple[Policy, Policy]:
    both = load_policies(two_orgs(tmp_path / "policies")).orgs
    return both["jgs"], both["xscy"]


async def give(policy: Policy, user: int, delta: int, key: str) -> None:
    await ledger.record(
        org=policy.id,
        user_id=user,
        delta=delta,
        business_date=date(2026, 11, 20),
        now=datetime(2026, 11, 20, 9, tzinfo=UTC),
        actor_id=30001,
        actor_role=Role.ADMIN,
        reason="测试",
        command_key=key,
    )


async def join(policy: Policy, user: int) -> None:
    await cards.joined(policy, policy.groups.work[0], user, datetime(2026, 11, 2, 9, tzinfo=UTC))


async def test_each_organisation_keeps_its_own_snapshot(db, orgs) -> None:
    a, b = orgs
    for policy, user in ((a, 1), (b, 2)):
        await join(policy, user)
        await give(policy, user, 5, f"evt-{policy.id}")
    first = await month_end.take_snapshot(a, MONTH, (), NOW)
    second = await month_end.take_snapshot(b, MONTH, (), NOW)
    assert [row.user_id for row in first.rows] == [1]
    assert [row.user_id for row in second.rows] == [2]
    stored = await MonthStanding.all().order_by("org").values_list("org", "user_id", "points")
    assert stored == [("jgs", 1, 5), ("xscy", 2, 5)]


async def test_a_snapshot_taken_again_answers_what_was_posted(db, orgs) -> None:
    a, _ = orgs
    await join(a, 1)
    await give(a, 1, 5, "evt-1")
    posted = await month_end.take_snapshot(a, MONTH, (), NOW)
    assert posted.posted and [(r.user_id, r.points) for r in posted.rows] == [(1, 5)]
    # 公布之后账本又变了：再存一次（任务重跑）答的仍是公布过的名次
    await give(a, 1, 3, "evt-2")
    again = await month_end.take_snapshot(a, MONTH, (), NOW + timedelta(minutes=1))
    assert again.posted and [(r.user_id, r.points) for r in again.rows] == [(1, 5)]
    shown = await month_end.board(a, MONTH, ())
    assert [(r.user_id, r.points) for r in shown.rows] == [(1, 5)]


async def test_a_board_with_no_bottom_section_lists_nobody_twice(db, orgs) -> None:
    a, _ = orgs
    for user in (1, 2, 3):
        await join(a, user)
        await give(a, user, user, f"evt-{user}")
    board = await month_end.take_snapshot(a, MONTH, (), NOW)
    assert board.bottom(1, 0) == []
    assert [row.user_id for row in board.bottom(1, 1)] == [1]
    assert [row.user_id for row in board.bottom(2, 5)] == [1]


async def test_the_streak_bonus_carries_its_reason_and_shows_in_the_ranking_at_once(
    db, orgs
) -> None:
    a, _ = orgs
    await join(a, 1)
    for offset in range(a.share.streak_days):
        day = FIRST + timedelta(days=offset)
        await ledger.award(
            org=a.id,
            user_id=1,
            rule=rules.SHARE_DAILY,
            period=day.isoformat(),
            delta=1,
            business_date=day,
            now=NOW,
        )
    before = await standings.month_standings(a, MONTH)
    assert [(s.user_id, s.points) for s in before] == [(1, a.share.streak_days)]
    assert await streaks.settle(a, MONTH, NOW) == 1
    bonus = await LedgerEntry.get(rule=rules.SHARE_STREAK)
    assert bonus.reason == f"{MONTH} 分享满 {a.share.streak_days} 天"
    after = await standings.month_standings(a, MONTH)
    assert [(s.user_id, s.points) for s in after] == [
        (1, a.share.streak_days + a.share.streak_bonus)
    ]


async def test_a_months_snapshot_is_taken_though_an_earlier_month_has_one(db, orgs) -> None:
    a, _ = orgs
    await join(a, 1)
    await ledger.record(
        org=a.id,
        user_id=1,
        delta=3,
        business_date=date(2026, 10, 20),
        now=datetime(2026, 10, 20, 9, tzinfo=UTC),
        actor_id=30001,
        actor_role=Role.ADMIN,
        reason="测试",
        command_key="evt-october",
    )
    await give(a, 1, 5, "evt-1")
    await month_end.take_snapshot(a, "2026-10", (), NOW - timedelta(days=30))
    november = await month_end.take_snapshot(a, MONTH, (), NOW)
    assert [(row.user_id, row.points) for row in november.rows] == [(1, 5)]
    stored = await MonthStanding.filter(org="jgs").order_by("month").values_list("month", "points")
    assert stored == [("2026-10", 3), ("2026-11", 5)]


async def test_a_very_long_name_is_cut_to_what_the_snapshot_holds(db, orgs) -> None:
    from qungui.models import Member

    a, _ = orgs
    await join(a, 1)
    await Member.filter(user_id=1).update(nickname="长" * 70)
    await give(a, 1, 5, "evt-1")
    await month_end.take_snapshot(a, MONTH, (), NOW)
    assert await MonthStanding.get(user_id=1).values_list("name", flat=True) == "长" * 64


async def test_the_ranking_asked_for_switches_to_the_snapshot_once_it_is_taken(db, orgs) -> None:
    """/排行 11 月在月底前按账本现算（缓存着）；快照一存下，问的人看到的就是公布的那一份。"""
    from qungui import points

    a, _ = orgs
    for user in (1, 2):
        await join(a, user)
        await give(a, user, 5 + user, f"evt-{user}")
    live = await points.board(a, MONTH, ())
    assert [s.user_id for s in live.standings] == [2, 1]
    await month_end.take_snapshot(a, MONTH, (2,), NOW)  # 结算时 2 不参与统计（如机器人账号）
    posted = await points.board(a, MONTH, ())
    assert [s.user_id for s in posted.standings] == [1]


async def test_a_posted_board_lists_equal_ranks_by_number_and_only_its_month(db, orgs) -> None:
    """同分同名次的人按 QQ 号排（每次重发都一样）；存下的快照只属于它那个月；结算时不参与统计的人不上榜。"""
    a, _ = orgs
    for user in (3, 1, 2):
        await join(a, user)
        await give(a, user, 5, f"evt-{user}")
    preview = await month_end.live_board(a, MONTH, (2,))
    assert [row.user_id for row in preview.rows] == [1, 3]
    await ledger.record(
        org=a.id,
        user_id=9,
        delta=1,
        business_date=date(2026, 10, 20),
        now=datetime(2026, 10, 20, 9, tzinfo=UTC),
        actor_id=30001,
        actor_role=Role.ADMIN,
        reason="测试",
        command_key="evt-october",
    )
    october = await month_end.take_snapshot(a, "2026-10", (), NOW - timedelta(days=30))
    assert [row.user_id for row in october.rows] == [9]
    await month_end.take_snapshot(a, MONTH, (2,), NOW)
    posted = await month_end.stored_board(a, MONTH)
    assert posted is not None
    assert [(row.rank, row.user_id) for row in posted.rows] == [(1, 1), (1, 3)]


async def test_a_stored_board_reads_in_rank_then_number_order_whatever_the_row_order(
    db, orgs
) -> None:
    """快照的行不一定按名次存着（搬过库、PostgreSQL 不保证顺序）：读出来总是按名次、同名次按 QQ 号。"""
    a, _ = orgs
    for user, rank in ((3, 1), (2, 3), (1, 1)):
        await MonthStanding.create(
            org=a.id,
            month=MONTH,
            user_id=user,
            rank=rank,
            name=f"u{user}",
            points=5,
            share_days=0,
            streak=False,
            created_at=NOW,
        )
    posted = await month_end.stored_board(a, MONTH)
    assert posted is not None and [row.user_id for row in posted.rows] == [1, 3, 2]


async def test_a_snapshot_another_process_stored_meanwhile_is_kept_not_written_twice(
    db, orgs, monkeypatch
) -> None:
    """两个进程同时结算：这边看的时候还没有快照，写之前那边已经存下了：用那边的，不再写一份。"""
    a, _ = orgs
    await join(a, 1)
    await give(a, 1, 5, "evt-1")
    theirs = await month_end.take_snapshot(a, MONTH, (), NOW)
    real = month_end.stored_board
    calls: list[str] = []

    async def not_yet_then_real(policy, month):
        calls.append(month)
        return None if len(calls) == 1 else await real(policy, month)

    monkeypatch.setattr(month_end, "stored_board", not_yet_then_real)
    await give(a, 1, 3, "evt-2")  # 那之后账本又变了：这边现算的排行和存下的不同
    ours = await month_end.take_snapshot(a, MONTH, (), NOW + timedelta(minutes=1))
    assert [(r.user_id, r.points) for r in ours.rows] == [
        (r.user_id, r.points) for r in theirs.rows
    ]
    assert await MonthStanding.filter(org=a.id, month=MONTH).count() == 1
