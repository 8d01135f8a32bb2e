"""一个不在服务器时区的组织：西山茶业在纽约（America/New_York）。分享记到哪一天、宽限时段、
月底的边界都按组织的钟算，而不是服务器的（CI 的 TZ 是上海，也跑一遍 UTC）。

这里挑的时刻在纽约、上海和 UTC 落在不同的日子上：用错了时区，哪个服务器上都会错。"""

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from qungui import cards, month_end, months, rules, shares
from qungui.jobs import Schedule, occurrences
from qungui.models import LedgerEntry, Member, Share
from qungui.policy import Policy, load_policies
from qungui.roles import Role
from qungui.shares import Draft
from tests.conftest import B_SHARE_GROUP, B_WORK_GROUP, two_orgs

NEW_YORK = ZoneInfo("America/New_York")
TEXT = "今天拜访了三家经销商，发现大家最关心的是春节前的备货节奏和物流时效。"
_ids = iter(range(1, 10**6))


def ny(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NEW_YORK)


@pytest.fixture
def org(tmp_path: Path) -> Policy:
    policy = load_policies(two_orgs(tmp_path / "policies", "America/New_York")).orgs["xscy"]
    assert policy.tz == NEW_YORK
    return policy


async def post(org: Policy, user: int, at: datetime, draft: Draft | None = None):
    message_id = next(_ids)
    return await shares.record(
        org,
        group_id=B_SHARE_GROUP,
        user_id=user,
        message_id=message_id,
        event_key=f"xscy:{user}:{message_id}",
        sent_at=at,
        draft=draft or Draft(f"{TEXT} {message_id}"),
    )


@pytest.mark.parametrize(
    ("at", "credited"),
    [
        # 纽约 01:30 在宽限时段里，记到前一天（上海已是 14:30，UTC 06:30）
        (ny(2026, 11, 27, 1, 30), date(2026, 11, 26)),
        # 纽约 02:00 宽限结束
        (ny(2026, 11, 27, 2, 0), date(2026, 11, 27)),
        # 纽约晚上 22:30 还是当天（上海、UTC 都已是第二天）
        (ny(2026, 11, 27, 22, 30), date(2026, 11, 27)),
        # 纽约 12 月 1 日 01:30：算 11 月的最后一天
        (ny(2026, 12, 1, 1, 30), date(2026, 11, 30)),
    ],
)
async def test_a_share_counts_for_the_orgs_own_day(db, org, at, credited) -> None:
    outcome = await post(org, 1, at)
    assert outcome.credited == credited
    assert await LedgerEntry.filter(org="xscy").values_list("business_date", flat=True) == [
        credited
    ]
    assert (await Share.get(id=outcome.share.id)).share_day == credited


async def test_a_grace_share_after_the_orgs_month_closed_counts_for_the_day_it_was_sent(
    db, org
) -> None:
    await months.begin_settling("xscy", "2026-11", ny(2026, 12, 1, 9))
    assert (await post(org, 1, ny(2026, 12, 1, 1, 30))).credited == date(2026, 12, 1)


async def test_featuring_a_later_share_of_the_evening_counts_for_the_orgs_day(db, org) -> None:
    # 晚上第二条分享没有分享分：精选它的奖励记在它发出的那一天（纽约 11 月 30 日），
    # 不是服务器上已经到了的 12 月 1 日
    await post(org, 1, ny(2026, 11, 30, 20))
    second = (await post(org, 1, ny(2026, 11, 30, 22, 30))).share
    assert second.share_day is None
    written = await shares.feature(
        org,
        second,
        actor_id=30003,
        actor_role=Role.ADMIN,
        now=ny(2026, 12, 1, 8),
        command_key="feature",
    )
    assert written.entry.business_date == date(2026, 11, 30)


async def test_a_share_of_a_settled_month_cannot_be_rejected_by_the_orgs_calendar(db, org) -> None:
    # 11 月已结算：纽约 11 月 30 日晚上的分享属于 11 月，不能再判非原创
    await post(org, 1, ny(2026, 11, 30, 20))
    forwarded = (await post(org, 1, ny(2026, 11, 30, 22, 30), Draft("", has_forward=True))).share
    await months.begin_settling("xscy", "2026-11", ny(2026, 12, 1, 9))
    with pytest.raises(shares.ShareRefused) as refused:
        await shares.reject(
            org,
            forwarded,
            actor_id=30003,
            actor_role=Role.ADMIN,
            now=ny(2026, 12, 1, 10),
            command_key="reject",
        )
    assert isinstance(refused.value, shares.MonthSettled)


def test_the_month_close_runs_at_the_orgs_nine_oclock_and_closes_the_month_before() -> None:
    policy = load_policies(Path(__file__).parents[1] / "policy.toml").orgs["jgs"]
    org = policy.model_copy(
        update={"org": policy.org.model_copy(update={"timezone": "America/New_York"})}
    )
    schedule = Schedule(time(9, 0), day=1)
    # 纽约 12 月 1 日 09:00 = UTC 14:00 = 上海 22:00
    moments = occurrences(schedule, org, ny(2026, 11, 30, 12), ny(2027, 1, 1, 12))
    assert moments == [ny(2026, 12, 1, 9), ny(2027, 1, 1, 9)]
    assert [month_end.previous_month(m) for m in moments] == ["2026-11", "2026-12"]
    # 纽约 12 月 1 日 08:59 还没到（上海已是 21:59，UTC 13:59）
    assert occurrences(schedule, org, ny(2026, 11, 30, 12), ny(2026, 12, 1, 8, 59)) == []


async def test_an_overdue_card_is_fined_for_the_orgs_day(db, org) -> None:
    joined = ny(2026, 11, 20, 9)
    await cards.joined(org, B_WORK_GROUP, 1, joined)
    listed = [cards.Listed(1, "张三", "张三", "member", int(joined.timestamp()))]

    async def reread(user_id: int) -> str:
        return "张三"

    # 第一次检查定下宽限起点；纽约 11 月 30 日 21:00 的检查，上海、UTC 都已是 12 月 1 日
    await cards.sweep_group(org, B_WORK_GROUP, listed, joined, reread)
    result = await cards.sweep_group(org, B_WORK_GROUP, listed, ny(2026, 11, 30, 21), reread)
    assert result.overdue == [1]
    fine = await LedgerEntry.get(org="xscy", rule=rules.CARD_PENALTY)
    assert fine.business_date == date(2026, 11, 30)
    assert await Member.exists(org="xscy", user_id=1)


def test_the_backfill_window_follows_the_orgs_clock(org: Policy) -> None:
    """纽约 11 月 30 日晚上九点（上海已是 12 月 1 日上午十点，已过公布时刻）：纽约还是 11 月，
    能补的是 11 月 1 日到 30 日。"""
    now = ny(2026, 11, 30, 21)
    assert months.backfill_window(org, now) == (date(2026, 11, 1), date(2026, 11, 30))
    # 纽约 12 月 1 日早上八点，公布（九点）之前：还能补 11 月
    assert months.backfill_window(org, ny(2026, 12, 1, 8)) == (date(2026, 11, 1), date(2026, 12, 1))
