"""管理员对分享的裁决（精选、判非原创、补分享）和“今天谁分享了”：
记下的内容、能不能对自己的分享动手、找的是哪一条。"""

import logging
from datetime import date, datetime
from pathlib import Path

import pytest

from qungui import ledger, months, rules, shares
from qungui.models import LedgerEntry
from qungui.policy import load_policies
from qungui.roles import OwnCase, Role
from qungui.shares import Draft

POLICIES = load_policies(Path(__file__).parents[1] / "policy.toml").orgs
POLICY = POLICIES["jgs"]
GROUP = 987654322
TEXT = "今天拜访了三家经销商，发现大家最关心的是春节前的备货节奏和物流时效。"
DAY = date(2026, 11, 27)


def cst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=POLICY.tz)


async def post(user: int, message_id: int, at: datetime | None = None, group: int = GROUP):
    return await shares.record(
        POLICY,
        group_id=group,
        user_id=user,
        message_id=message_id,
        event_key=f"jgs:{group}:{user}:{message_id}",
        sent_at=at or cst(2026, 11, 27, 9),
        draft=Draft(f"{TEXT}（第 {message_id} 条）"),
    )


async def act(action, share, actor: int, role: Role, key: str):
    return await action(
        POLICY, share, actor_id=actor, actor_role=role, now=cst(2026, 11, 27, 10), command_key=key
    )


async def test_a_featured_share_is_recorded_with_its_message_and_a_reason(db) -> None:
    posted = await post(1, 4242)
    featured = await act(shares.feature, posted.share, 30001, Role.ADMIN, "f1")
    stored = await LedgerEntry.get(id=featured.entry.id)
    assert (stored.ref, stored.reason, stored.delta) == ("4242", "经典分享", 5)
    # 当天的分享分也指着那条消息
    assert (await LedgerEntry.get(id=posted.entry.id)).ref == "4242"


async def test_an_admin_may_neither_feature_nor_reject_their_own_share(db) -> None:
    posted = await post(30001, 4242)
    with pytest.raises(OwnCase):
        await act(shares.feature, posted.share, 30001, Role.ADMIN, "f1")
    with pytest.raises(OwnCase):
        await act(shares.reject, posted.share, 30001, Role.ADMIN, "k1")
    assert await LedgerEntry.filter(rule=rules.SHARE_FEATURED).count() == 0
    assert await LedgerEntry.filter(rule=rules.REVERSAL).count() == 0


async def test_a_superuser_may_feature_their_own_share(db, caplog) -> None:
    posted = await post(10001, 4242)
    with caplog.at_level(logging.WARNING):
        featured = await act(shares.feature, posted.share, 10001, Role.SUPERUSER, "f1")
    assert featured.created and featured.entry.delta == 5
    # 事后查得到是谁对自己的哪条分享做了什么
    assert "超级用户 10001 处理了与自己有关的事：精选分享 4242" in caplog.text


async def test_a_replayed_rejection_answers_not_created(db) -> None:
    posted = await post(1, 4242)
    first = await act(shares.reject, posted.share, 30001, Role.ADMIN, "k1")
    assert first.created is True and first.daily.reverses == posted.entry.id
    again = await act(shares.reject, posted.share, 30001, Role.ADMIN, "k1")
    assert again.created is False
    assert await LedgerEntry.filter(rule=rules.REVERSAL).count() == 1


async def test_rejecting_an_unfeatured_share_reverses_its_day_point_only(db) -> None:
    posted = await post(1, 4242)
    rejected = await act(shares.reject, posted.share, 30001, Role.ADMIN, "k1")
    assert rejected.featured is None
    assert rejected.daily is not None and rejected.daily.reverses == posted.entry.id
    reversal = await LedgerEntry.get(reverses=posted.entry.id)
    assert reversal.id == rejected.daily.id


async def test_a_backfill_is_for_the_day_asked_and_a_replay_answers_the_same(db) -> None:
    def fill(key: str):
        return shares.backfill(
            POLICY,
            user_id=1,
            day=date(2026, 11, 20),
            actor_id=30001,
            actor_role=Role.ADMIN,
            reason="出差",
            now=cst(2026, 11, 27, 14),
            command_key=key,
        )

    filled = await fill("b1")
    again = await fill("b1")
    assert (again.entry.id, again.created) == (filled.entry.id, False)
    # 补的那一天记下了：同一天再补（另一条命令）被拒，别的日子不受影响
    assert await shares.has_share("jgs", 1, date(2026, 11, 20))
    assert not await shares.has_share("jgs", 1, date(2026, 11, 21))


async def test_who_shared_on_a_day_counts_that_organisation_and_day_and_no_reversed_point(
    db,
) -> None:
    await post(1, 1)
    await post(3, 3, at=cst(2026, 11, 26, 9))
    undone = await post(4, 4)
    await act(shares.reject, undone.share, 30001, Role.ADMIN, "k4")
    # 2 在另一个组织当天分享了（同一个 QQ 号）：不算在这个组织
    await ledger.award(
        org="xscy",
        user_id=2,
        rule=rules.SHARE_DAILY,
        period=DAY.isoformat(),
        delta=1,
        business_date=DAY,
        now=cst(2026, 11, 27, 9),
    )
    assert await shares.shared_on("jgs", DAY, [1, 2, 3, 4]) == {1}
    assert [await shares.has_share("jgs", user, DAY) for user in (1, 2, 3, 4)] == [
        True,
        False,
        False,
        False,
    ]
    assert await shares.has_share("xscy", 2, DAY)


async def test_a_share_is_found_by_its_number_only_in_the_group_it_was_posted_in(db) -> None:
    await post(1, 4242)
    assert (await shares.find(POLICY, GROUP, 4242)).user_id == 1
    assert await shares.find(POLICY, GROUP + 1, 4242) is None
    # 另一个账号上这条消息的编号不同：按事件身份找到
    by_event = await shares.find(POLICY, GROUP, 777, event_key=f"jgs:{GROUP}:1:4242", user_id=1)
    assert by_event is not None and by_event.message_id == 4242


def _fill(key: str, day: date = DAY, user: int = 1):
    return shares.backfill(
        POLICY,
        user_id=user,
        day=day,
        actor_id=30001,
        actor_role=Role.ADMIN,
        reason="出差",
        now=cst(2026, 11, 27, 14),
        command_key=key,
    )


async def test_a_day_that_already_has_a_share_cannot_be_backfilled(db) -> None:
    await post(1, 4242)  # 27 日自己发了
    with pytest.raises(shares.AlreadyCredited):
        await _fill("b1")
    assert await LedgerEntry.filter(user_id=1, rule=rules.SHARE_DAILY).count() == 1


async def test_a_backfilled_day_earns_no_second_point_for_a_share_posted_later(db) -> None:
    filled = await _fill("b1")
    posted = await post(1, 4242)
    assert posted.entry is None
    assert await LedgerEntry.filter(user_id=1, rule=rules.SHARE_DAILY).values_list(
        "id", flat=True
    ) == [filled.entry.id]


async def test_a_backfill_replayed_after_the_month_began_settling_answers_the_same(db) -> None:
    """补分享的命令被重放（重连、第二个机器人账号）时月底结算已经开始：照旧答那次的记录，不是拒绝。"""
    filled = await _fill("b1")
    await months.begin_settling("jgs", "2026-11", cst(2026, 12, 1, 9))
    again = await _fill("b1")
    assert (again.entry.id, again.created) == (filled.entry.id, False)
    with pytest.raises(shares.MonthSettled):
        await _fill("b2", day=date(2026, 11, 21))


async def test_a_featured_share_whose_day_point_was_undone_can_still_be_judged_copied(db) -> None:
    """当天的分享分先被 /撤销 了，后来又发现是抄的：/非原创 撤掉剩下的经典分享奖，不因那一分已撤而出错；
    这条命令重放时答“处理过了”，不再写。"""
    posted = await post(1, 4242)
    featured = await act(shares.feature, posted.share, 30001, Role.ADMIN, "f1")
    await ledger.reverse(
        org="jgs",
        entry_id=posted.entry.id,
        now=cst(2026, 11, 27, 10),
        actor_id=30002,
        actor_role=Role.ADMIN,
        reason="录错了",
        command_key="undo-1",
    )
    rejected = await act(shares.reject, posted.share, 30001, Role.ADMIN, "k1")
    assert rejected.daily is None and rejected.created
    assert rejected.featured is not None and rejected.featured.reverses == featured.entry.id
    again = await act(shares.reject, posted.share, 30001, Role.ADMIN, "k1")
    assert again.created is False
    assert await LedgerEntry.filter(rule=rules.REVERSAL).count() == 2


async def test_a_rejection_records_who_undid_the_points_and_in_what_role(db) -> None:
    posted = await post(1, 4242)
    rejected = await act(shares.reject, posted.share, 30001, Role.ADMIN, "k1")
    stored = await LedgerEntry.get(id=rejected.daily.id)
    assert (stored.actor_id, stored.actor_role, stored.delta) == (30001, "admin", -1)


async def test_a_superuser_judging_their_own_share_is_logged(db, caplog) -> None:
    posted = await post(10001, 4242)
    with caplog.at_level(logging.WARNING):
        await act(shares.reject, posted.share, 10001, Role.SUPERUSER, "k1")
    assert "超级用户 10001 处理了与自己有关的事：判非原创 4242" in caplog.text


async def test_a_members_share_days_in_a_month_are_only_their_counted_shares_there(db) -> None:
    """/今日分享 的“本月天数”：只数这个组织、这个人、这个月里还有效的分享分。"""

    async def point(org: str, day: date, rule: str = rules.SHARE_DAILY, user: int = 1):
        return await ledger.award(
            org=org,
            user_id=user,
            rule=rule,
            period=day.isoformat(),
            delta=1,
            business_date=day,
            now=cst(2026, 11, 27, 9),
        )

    await point("jgs", date(2026, 10, 31))
    kept = await point("jgs", date(2026, 11, 3))
    undone = await point("jgs", date(2026, 11, 4))
    await point("jgs", date(2026, 11, 5), rules.DUTY_WEEKLY)
    await point("xscy", date(2026, 11, 6))
    await point("jgs", date(2026, 11, 7), user=2)
    await point("jgs", date(2026, 12, 1))
    await ledger.reverse(
        org="jgs",
        entry_id=undone.id,
        now=cst(2026, 11, 27, 10),
        actor_id=30001,
        actor_role=Role.ADMIN,
        reason="非原创",
        command_key="undo-1",
    )
    days = await shares.month_days("jgs", 1, date(2026, 11, 1), date(2026, 11, 30))
    assert days == [kept.business_date] == [date(2026, 11, 3)]


async def test_a_superuser_may_undo_an_entry_about_themselves_and_it_is_logged(db, caplog) -> None:
    posted = await post(10001, 4242)
    with caplog.at_level(logging.WARNING):
        undone = await ledger.reverse(
            org="jgs",
            entry_id=posted.entry.id,
            now=cst(2026, 11, 27, 10),
            actor_id=10001,
            actor_role=Role.SUPERUSER,
            reason="我自己发错了",
            command_key="undo-self",
        )
    assert undone.created and undone.entry.reverses == posted.entry.id
    assert f"超级用户 10001 处理了与自己有关的事：撤销 #{posted.entry.id}" in caplog.text
