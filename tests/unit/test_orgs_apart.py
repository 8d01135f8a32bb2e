"""两个组织共用一个库：同一个人同时在鸡公山酒业（A）和西山茶业（B），一边的记分、合计、排行、
名片和分享从不出现在另一边。每条都两个方向各做一次：在一边动手，另一边原样不动。"""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from qungui import cards, ledger, rules, shares, standings, streaks
from qungui.models import LedgerEntry, Member, MonthTotal
from qungui.policy import Policy, load_policies
from qungui.roles import Role
from qungui.shares import Draft
from tests.conftest import two_orgs

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
MONTH = "2026-11"
FIRST, LAST = date(2026, 11, 1), date(2026, 11, 30)
PERSON = 10001
"""两个组织里都有的人"""
GROUP = 987654321
"""原是 A 的工作群，后来划给了 B（制度改了，A 当时的成员记录还在库里）"""
CARD_OK = "鸡公山酒业-张三-13800000000"


@pytest.fixture
def orgs(tmp_path: Path) -> tuple[Policy, Policy]:
    both = load_policies(two_orgs(tmp_path / "policies")).orgs
    return both["jgs"], both["xscy"]


def directions(orgs: tuple[Policy, Policy]) -> list[tuple[Policy, Policy]]:
    a, b = orgs
    return [(a, b), (b, a)]


async def give(org: str, delta: int, key: str, user: int = PERSON, day: date = LAST):
    return await ledger.record(
        org=org,
        user_id=user,
        delta=delta,
        business_date=day,
        now=NOW,
        actor_id=30001,
        actor_role=None,
        reason="测试",
        command_key=key,
    )


async def share_days(org: str, days: int, user: int = PERSON) -> None:
    for n in range(days):
        day = FIRST + timedelta(days=n)
        await ledger.award(
            org=org,
            user_id=user,
            rule=rules.SHARE_DAILY,
            period=day.isoformat(),
            delta=1,
            business_date=day,
            now=NOW,
        )


@pytest.mark.parametrize("acting", [0, 1], ids=["in-A", "in-B"])
async def test_points_written_in_one_org_leave_the_other_orgs_month_alone(
    db, orgs, acting: int
) -> None:
    here, there = directions(orgs)[acting]
    await give(there.id, 7, "there-1")
    before = await ledger.month_summary(there.id, PERSON, MONTH)

    await give(here.id, 3, "here-1")
    await give(here.id, -1, "here-2")

    assert (
        await ledger.month_summary(there.id, PERSON, MONTH)
        == before
        == (ledger.MonthSummary(7, 0, 1))
    )
    assert await ledger.month_summary(here.id, PERSON, MONTH) == ledger.MonthSummary(2, 0, 2)
    assert await ledger.month_totals(there.id, MONTH) == {PERSON: ledger.MonthSummary(7, 0, 1)}
    assert await ledger.all_time_totals(there.id) == {PERSON: 7}


@pytest.mark.parametrize("acting", [0, 1], ids=["in-A", "in-B"])
async def test_a_month_summary_shows_nothing_from_the_other_org(db, orgs, acting: int) -> None:
    here, there = directions(orgs)[acting]
    await give(here.id, 5, "here-1")
    assert await ledger.month_summary(there.id, PERSON, MONTH) == ledger.MonthSummary(0, 0, 0)
    await give(there.id, 2, "there-1")
    assert await ledger.month_summary(there.id, PERSON, MONTH) == ledger.MonthSummary(2, 0, 1)
    assert await ledger.month_summary(here.id, PERSON, MONTH) == ledger.MonthSummary(5, 0, 1)


@pytest.mark.parametrize("acting", [0, 1], ids=["in-A", "in-B"])
async def test_rebuilding_one_orgs_month_reads_and_writes_only_that_org(
    db, orgs, acting: int
) -> None:
    here, there = directions(orgs)[acting]
    await share_days(here.id, 3)
    await give(here.id, 4, "here-1")
    await share_days(there.id, 2)
    await give(there.id, 10, "there-1")
    # 合计正确时什么也不改：另一个组织的记录不算进来
    assert await ledger.rebuild_month_totals(here.id, MONTH, FIRST, LAST) == 0
    # 弄坏这边的合计，重建只修这边
    await MonthTotal.filter(org=here.id, user_id=PERSON).update(points=999)
    assert await ledger.rebuild_month_totals(here.id, MONTH, FIRST, LAST) == 1
    assert await ledger.month_summary(here.id, PERSON, MONTH) == ledger.MonthSummary(7, 3, 4)
    assert await ledger.month_summary(there.id, PERSON, MONTH) == ledger.MonthSummary(12, 2, 3)


@pytest.mark.parametrize("acting", [0, 1], ids=["in-A", "in-B"])
async def test_a_streak_counts_only_the_share_days_of_its_own_org(db, orgs, acting: int) -> None:
    here, there = directions(orgs)[acting]
    streak = here.share.streak_days
    # 这边差一天，那边早已满了：这边不得奖，那边的奖只在那边结算时记
    await share_days(here.id, streak - 1)
    await share_days(there.id, streak)
    assert await streaks.settle(here, MONTH, NOW) == 0
    assert not await LedgerEntry.exists(rule=rules.SHARE_STREAK)
    assert await streaks.settle(there, MONTH, NOW) == 1
    won = await LedgerEntry.get(rule=rules.SHARE_STREAK)
    assert (won.org, won.user_id) == (there.id, PERSON)
    bonus = there.share.streak_bonus
    assert await ledger.month_summary(there.id, PERSON, MONTH) == ledger.MonthSummary(
        streak + bonus, streak, streak + 1
    )
    assert await ledger.month_summary(here.id, PERSON, MONTH) == ledger.MonthSummary(
        streak - 1, streak - 1, streak - 1
    )


@pytest.mark.parametrize("acting", [0, 1], ids=["in-A", "in-B"])
async def test_a_reversal_in_one_org_does_not_undo_a_streak_day_in_the_other(
    db, orgs, acting: int
) -> None:
    here, there = directions(orgs)[acting]
    streak = here.share.streak_days
    await share_days(here.id, streak)
    await share_days(there.id, streak)
    # 那边撤销了一天：那边不满，这边照样满
    undone = await LedgerEntry.get(org=there.id, business_date=FIRST)
    await ledger.reverse(
        org=there.id,
        entry_id=undone.id,
        now=NOW,
        actor_id=30001,
        actor_role=Role.ADMIN,
        reason="测试",
        command_key="undo",
    )
    assert await streaks.settle(there, MONTH, NOW) == 0
    assert await streaks.settle(here, MONTH, NOW) == 1


async def _member(org: str) -> Member:
    return await Member.get(org=org, group_id=GROUP, user_id=PERSON)


@pytest.mark.parametrize("acting", [0, 1], ids=["in-A", "in-B"])
async def test_leaving_the_group_in_one_org_leaves_the_other_orgs_record(
    db, orgs, acting: int
) -> None:
    here, there = directions(orgs)[acting]
    for policy in orgs:
        await cards.joined(policy, GROUP, PERSON, NOW - timedelta(days=5))
    await cards.left(here, GROUP, PERSON, NOW)
    assert (await _member(here.id)).left_at == NOW
    assert (await _member(there.id)).left_at is None


@pytest.mark.parametrize("acting", [0, 1], ids=["in-A", "in-B"])
async def test_a_card_seen_in_one_org_is_judged_against_that_orgs_record(
    db, orgs, acting: int
) -> None:
    here, there = directions(orgs)[acting]
    for policy in orgs:
        await cards.joined(policy, GROUP, PERSON, NOW - timedelta(days=5))
    # 那边名片早已规范；这边第一次看到规范的名片，是“刚改好”，不是“没变”
    assert await cards.card_seen(there, GROUP, PERSON, CARD_OK, NOW) == "fixed"
    assert await cards.card_seen(here, GROUP, PERSON, CARD_OK, NOW) == "fixed"
    # 这边又改坏了：那边记的名片和状态不变
    assert await cards.card_seen(here, GROUP, PERSON, "张三", NOW) == "broke"
    kept = await _member(there.id)
    assert (kept.card, kept.card_ok) == (CARD_OK, True)


@pytest.mark.parametrize("acting", [0, 1], ids=["in-A", "in-B"])
async def test_a_reply_finds_the_share_of_its_own_org(db, orgs, acting: int) -> None:
    here, there = directions(orgs)[acting]
    text = "今天拜访了三家经销商，发现大家最关心的是春节前的备货节奏和物流时效。"
    # 这边的先发，那边的后发：按编号找“最新的一条”时，那边的排在前面
    for n, policy in enumerate((here, there)):
        await shares.record(
            policy,
            group_id=GROUP,
            user_id=PERSON,
            message_id=555,
            event_key=f"{policy.id}-share",
            sent_at=NOW + timedelta(minutes=n),
            draft=Draft(text + policy.id),
        )
    # 按消息编号找（回复它的那个机器人账号记下的编号）：找到的是这边的那条
    found = await shares.find(here, GROUP, 555)
    assert found is not None and found.org == here.id
    mine = await shares.find(here, GROUP, 555, event_key=f"{here.id}-share")
    assert mine is not None and mine.org == here.id


async def test_all_time_points_are_each_orgs_own_even_when_asked_one_after_the_other(
    db, orgs
) -> None:
    a, b = orgs
    await give(a.id, 7, "a-1")
    await give(b.id, 2, "b-1")
    assert await standings.all_time_points(a, PERSON) == 7
    assert await standings.all_time_points(b, PERSON) == 2
    assert await standings.all_time_points(a, PERSON) == 7


@pytest.mark.parametrize("acting", [0, 1], ids=["in-A", "in-B"])
async def test_the_same_text_in_the_other_org_is_not_a_copy(db, orgs, acting: int) -> None:
    """两家公司的人碰巧发了同一段话（转自同一篇行业新闻的心得）：各自组织里都是第一次出现，都算原创。"""
    here, there = directions(orgs)[acting]
    text = "今天拜访了三家经销商，发现大家最关心的是春节前的备货节奏和物流时效。"
    outcomes = []
    for n, policy in enumerate((there, here)):
        outcomes.append(
            await shares.record(
                policy,
                group_id=policy.groups.share[0],
                user_id=PERSON + n,
                message_id=600 + n,
                event_key=f"{policy.id}-share-{n}",
                sent_at=NOW + timedelta(minutes=n),
                draft=Draft(text),
            )
        )
    assert [o.share.original for o in outcomes] == [True, True]
    entry = outcomes[1].entry
    assert entry is not None and (entry.org, entry.reason) == (here.id, "每日原创分享")


async def test_a_group_handed_to_the_other_org_gets_its_own_member_rows(db, orgs) -> None:
    """这个群原是 A 的工作群，制度改了划给 B：A 当时的成员记录还在，B 第一次检查时给每人建自己的一行。"""
    a, b = orgs
    person = cards.Listed(PERSON, CARD_OK, "zs", "member", 0)

    async def reread(user: int) -> str:
        return CARD_OK

    await cards.sweep_group(a, GROUP, [person], NOW, reread)
    await cards.sweep_group(b, GROUP, [person], NOW + timedelta(hours=1), reread)
    orgs_with_a_row = await Member.filter(group_id=GROUP, user_id=PERSON).values_list(
        "org", flat=True
    )
    assert sorted(orgs_with_a_row) == ["jgs", "xscy"]


async def test_grace_in_a_handed_over_group_starts_at_the_new_orgs_first_check(db, orgs) -> None:
    a, b = orgs
    long_ago = datetime(2025, 1, 1, tzinfo=UTC)

    async def reread(user: int) -> str:
        return "张三"

    await cards.sweep_group(a, GROUP, [], NOW, reread)
    later = NOW + timedelta(days=10)
    await cards.sweep_group(b, GROUP, [], later, reread)
    assert await cards.grace_deadline(b, GROUP, long_ago) == (later + timedelta(days=3)).replace(
        second=0, microsecond=0
    )


async def test_a_check_in_a_handed_over_group_leaves_the_old_orgs_rows_alone(db, orgs) -> None:
    a, b = orgs
    person = cards.Listed(PERSON, CARD_OK, "zs", "member", 0)

    async def reread(user: int) -> str:
        return CARD_OK

    await cards.sweep_group(a, GROUP, [person], NOW, reread)
    await cards.sweep_group(b, GROUP, [person], NOW + timedelta(hours=1), reread)
    gone = NOW + timedelta(hours=2)
    await cards.sweep_group(b, GROUP, [], gone, reread)  # B 的列表里没有他了：只是 B 这边退群
    left = dict(await Member.filter(group_id=GROUP, user_id=PERSON).values_list("org", "left_at"))
    assert left == {a.id: None, b.id: gone}
