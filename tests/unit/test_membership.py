"""进群、退群改变谁算在排行里：马上生效，而且只改那一个群。"""

from datetime import datetime
from pathlib import Path

from qungui import cards, members, standings
from qungui.models import Member
from qungui.policy import load_policies

POLICY = load_policies(Path(__file__).parents[1] / "policy.toml").orgs["jgs"]
WORK, SHARE = POLICY.groups.work[0], POLICY.groups.share[0]
MONTH = "2026-11"


def cst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=POLICY.tz)


async def ranked() -> set[int]:
    return {row.user_id for row in await standings.month_standings(POLICY, MONTH)}


async def test_joining_and_leaving_show_in_the_ranking_at_once(db) -> None:
    await cards.joined(POLICY, WORK, 1, cst(2026, 11, 2, 9))
    await cards.joined(POLICY, WORK, 2, cst(2026, 11, 2, 9))
    assert await ranked() == {1, 2}
    # 排行是缓存的：进群、退群都要让它作废
    await cards.joined(POLICY, WORK, 3, cst(2026, 11, 3, 9))
    assert await ranked() == {1, 2, 3}
    await cards.left(POLICY, WORK, 2, cst(2026, 11, 5, 9))
    assert await ranked() == {1, 3}
    await cards.joined(POLICY, WORK, 2, cst(2026, 11, 6, 9))
    assert await ranked() == {1, 2, 3}


async def test_leaving_the_work_group_keeps_a_member_in_the_share_group(db) -> None:
    for group in (WORK, SHARE):
        await cards.joined(POLICY, group, 1, cst(2026, 11, 2, 9))
    await cards.left(POLICY, WORK, 1, cst(2026, 11, 5, 9))
    rows = dict(await Member.filter(user_id=1).values_list("group_id", "left_at"))
    assert rows == {WORK: cst(2026, 11, 5, 9), SHARE: None}
    assert await members.counted(POLICY, MONTH) == {1}


async def test_a_member_who_joins_again_is_seen_from_that_moment(db) -> None:
    await cards.joined(POLICY, WORK, 1, cst(2026, 11, 2, 9))
    await cards.left(POLICY, WORK, 1, cst(2026, 11, 5, 9))
    await cards.joined(POLICY, WORK, 1, cst(2026, 11, 6, 9))
    member = await Member.get(user_id=1)
    assert (member.first_seen, member.last_seen, member.joined_at, member.left_at) == (
        cst(2026, 11, 2, 9),
        cst(2026, 11, 6, 9),
        cst(2026, 11, 6, 9),
        None,
    )
