"""进群、退群改变谁算在排行里：马上生效，而且只改那一个群。"""

from datetime import date, datetime
from pathlib import Path

import pytest

from qungui import cards, ledger, members, points, standings
from qungui.models import Member
from qungui.policy import Policy, load_policies
from tests.fake import CHAIRMAN

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


async def spoke(user: int, group: int, at: datetime) -> None:
    await members.remember(
        org=POLICY.id,
        group_id=group,
        user_id=user,
        card=f"鸡公山酒业-张三-1390000000{user}",
        nickname="",
        role="member",
        seen_at=at,
    )


async def test_someone_the_card_check_missed_counts_again_when_they_speak(db) -> None:
    # 演示里 /积分 说过 3 人、/排行 却是 2 人：名片检查读到的成员列表里没有王管，记他退了群；
    # 他之后照常在群里发命令，可名片没变，机器人以为“写过了”不再记，他就一直算退群
    await spoke(1, WORK, cst(2026, 11, 25, 9))
    await spoke(2, WORK, cst(2026, 11, 25, 9))
    assert await ranked() == {1, 2}
    await cards.sweep_group(POLICY, WORK, [], cst(2026, 11, 26, 10), _never_reread, None)
    assert await ranked() == set()
    await spoke(2, WORK, cst(2026, 11, 27, 9))
    assert await ranked() == {2}
    await cards.left(POLICY, WORK, 2, cst(2026, 11, 27, 10))
    await spoke(2, WORK, cst(2026, 11, 27, 11))
    assert await ranked() == {2}


async def _never_reread(user_id: int) -> str | None:
    raise AssertionError("列表是空的，没有人要复查名片")


def leaders_left_out(**settings) -> Policy:
    board = POLICY.leaderboard.model_copy(update=settings)
    return POLICY.model_copy(update={"leaderboard": board})


@pytest.mark.parametrize(
    ("settings", "ranked_users"),
    [
        ({}, [CHAIRMAN, 1, 2]),
        ({"exclude_chairmen": True}, [1, 2]),
        ({"exclude": [2]}, [CHAIRMAN, 1]),
        ({"exclude": [2], "exclude_chairmen": True}, [1]),
    ],
)
async def test_leaders_left_out_of_the_ranking_keep_their_ledger(
    db, settings: dict, ranked_users: list[int]
) -> None:
    policy = leaders_left_out(**settings)
    for user in (CHAIRMAN, 1, 2):
        await spoke(user, WORK, cst(2026, 11, 2, 9))
    await ledger.award(
        org=POLICY.id,
        user_id=CHAIRMAN,
        rule="manual.test",
        period="2026-11-02",
        delta=3,
        business_date=date(2026, 11, 2),
        now=cst(2026, 11, 2, 9),
        reason="主席也分享了",
    )
    board = await standings.month_standings(policy, MONTH)
    assert [s.user_id for s in board] == ranked_users
    # 提醒、/今日分享、人数都问同一个集合
    assert await members.counted(policy, MONTH) == set(ranked_users)
    assert (await ledger.month_summary(POLICY.id, CHAIRMAN, MONTH)).points == 3
    asked = await points.summary(policy, CHAIRMAN, MONTH, ())
    assert (asked.points, asked.rank, asked.count) == (
        3,
        1 if CHAIRMAN in ranked_users else None,
        len(ranked_users),
    )


async def test_points_count_the_same_people_as_the_board(db) -> None:
    # /积分 的“共 N 人”不另算：没在群里出现过的人问起，人数也不因他多一个
    await spoke(1, WORK, cst(2026, 11, 2, 9))
    asked = await points.summary(POLICY, 5, MONTH, ())
    assert (asked.rank, asked.count) == (None, 1)
    assert len(await standings.month_standings(POLICY, MONTH)) == 1
