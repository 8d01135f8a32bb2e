"""网页后台的数据（qungui/dashboard.py）：每一页看到的人、数、状态与聊天命令一致，另一个组织的从不出现，
电话从不出现。两个组织共用一个库：鸡公山酒业（A，jgs）和西山茶业（B，xscy）。"""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from qungui import (
    appeals,
    claims,
    dashboard,
    leave,
    ledger,
    members,
    month_end,
    months,
    notices,
    reviews,
    rules,
    shares,
    warning_cases,
)
from qungui.content_filter import Hit
from qungui.dashboard import (
    AppealRow,
    EntryRow,
    MonthRow,
    NoticeRow,
    ReviewRow,
    TodayGroup,
    TodayRow,
    WarningRow,
)
from qungui.models import Member
from qungui.policy import ClaimsSection, NoticesSection, Policy, load_policies
from qungui.roles import Role
from qungui.state import STATE
from tests.conftest import B_SHARE_GROUP, B_WORK_GROUP, two_orgs

WORK, SHARE = 987654321, 987654322
ADMIN, CHAIRMAN = 30001, 30002
ZHANG, LI, WANG, ZHAO, GONE, BOT = 20001, 20002, 20003, 20004, 20005, 10000
B_ONLY = 20009
"""只在西山茶业的人"""
SEEN = datetime(2026, 10, 1, tzinfo=UTC)
TEXT = "今天拜访了三家经销商，发现大家最关心的是春节前的备货节奏和物流时效。"
_keys = iter(range(1, 10**6))
CST = load_policies(Path(__file__).parents[1] / "policy.toml").orgs["jgs"].tz


@pytest.fixture
def orgs(tmp_path: Path) -> tuple[Policy, Policy]:
    both = load_policies(two_orgs(tmp_path / "policies")).orgs
    return both["jgs"], both["xscy"]


def cst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CST)


def card(name: str) -> str:
    return f"鸡公山酒业-{name}-13800000000"


async def join(org: str, group: int, user: int, name: str, **fields) -> None:
    await members.upsert(org, group, user, SEEN, card=card(name), nickname=f"昵称{user}", **fields)


async def share(policy: Policy, group: int, user: int, at: datetime) -> shares.Outcome:
    n = next(_keys)
    return await shares.record(
        policy,
        group_id=group,
        user_id=user,
        message_id=n,
        event_key=f"share-{n}",
        sent_at=at,
        draft=shares.Draft(f"{TEXT}{user}-{n}"),
    )


async def daily(org: str, user: int, days: list[date]) -> None:
    for day in days:
        await ledger.award(
            org=org,
            user_id=user,
            rule=rules.SHARE_DAILY,
            period=day.isoformat(),
            delta=1,
            business_date=day,
            now=SEEN,
        )


def nov(first: int, last: int) -> list[date]:
    return [date(2026, 11, d) for d in range(first, last + 1)]


# ---- 今日 ----


@pytest.fixture
async def share_group(db, orgs, clock_at):
    """A 的分享群：张三、李四、王五、赵六在群里，钱七 11 月 20 日退了群，10000 是机器人；
    B 的分享群里只有 20009。"""
    a, b = orgs
    clock_at(cst(2026, 11, 27, 9))
    for user, name in ((ZHANG, "张三"), (LI, "李四"), (WANG, "王五"), (ZHAO, "赵六")):
        await join(a.id, SHARE, user, name)
    await join(a.id, SHARE, GONE, "钱七", left_at=datetime(2026, 11, 20, tzinfo=UTC))
    await join(a.id, SHARE, BOT, "机器人")
    await join(b.id, B_SHARE_GROUP, B_ONLY, "孙八")
    return a, b


async def test_today_lists_who_shared_when_with_grace_and_featured_who_is_on_leave_and_who_is_missing(
    share_group,
) -> None:
    a, b = share_group
    late = await share(a, SHARE, ZHANG, cst(2026, 11, 27, 1, 30))  # 宽限：算 26 日
    evening = await share(a, SHARE, LI, cst(2026, 11, 26, 20, 15))
    await share(a, SHARE, GONE, cst(2026, 11, 26, 9))  # 退了群：照样记分，但不在名单里
    await shares.feature(
        a,
        late.share,
        actor_id=ADMIN,
        actor_role=Role.ADMIN,
        now=cst(2026, 11, 27, 9),
        command_key="f1",
    )
    await leave.record(
        a,
        user_id=WANG,
        group_id=SHARE,
        first=date(2026, 11, 26),
        last=date(2026, 11, 26),
        reason="出差",
        by=ADMIN,
        role=Role.ADMIN,
        at=cst(2026, 11, 25, 9),
        event_key="leave-1",
    )
    await share(b, B_SHARE_GROUP, B_ONLY, cst(2026, 11, 26, 10))

    STATE.group_names[SHARE] = "鸡公山酒业·每日分享"  # QQ 在群消息里报上来的群名

    page = await dashboard.today(a, date(2026, 11, 26), exclude=[BOT])

    assert page == [
        TodayGroup(
            SHARE,
            "鸡公山酒业·每日分享",
            [
                TodayRow(
                    LI, "李四", "shared", cst(2026, 11, 26, 20, 15), False, False, evening.share.id
                ),
                TodayRow(
                    ZHANG, "张三", "shared", cst(2026, 11, 27, 1, 30), True, True, late.share.id
                ),
                TodayRow(ZHAO, "赵六", "missing", None, False, False, None),
                TodayRow(WANG, "王五", "leave", None, False, False, None),
            ],
        )
    ]
    assert page[0].rows[1].shared_at.utcoffset() == timedelta(hours=8)  # 按组织时区显示
    # 列出的人就是提醒要看的人
    status = await shares.day_status(a, date(2026, 11, 26), exclude=[BOT], group_id=SHARE)
    assert {row.user_id for row in page[0].rows} == status.people
    b_page = await dashboard.today(b, date(2026, 11, 26))
    assert [(g.group_id, [(r.user_id, r.status) for r in g.rows]) for g in b_page] == [
        (B_SHARE_GROUP, [(B_ONLY, "shared")])
    ]


async def test_the_share_credited_for_a_day_is_that_persons_counted_one_in_this_organisation(
    share_group,
) -> None:
    """今日页的“几点交的”：这一天记了分的那条；当天第二条、别的日子的、另一个组织的、被撤销的都不算。"""
    a, b = share_group
    await join(b.id, B_SHARE_GROUP, ZHANG, "张三")
    first = await share(a, SHARE, ZHANG, cst(2026, 11, 26, 9))
    await share(a, SHARE, ZHANG, cst(2026, 11, 26, 10))  # 当天第二条：不记分
    await share(b, B_SHARE_GROUP, ZHANG, cst(2026, 11, 26, 11))  # 另一个组织
    await share(a, SHARE, ZHANG, cst(2026, 11, 27, 8))  # 第二天的
    undone = await share(a, SHARE, LI, cst(2026, 11, 26, 9, 30))
    await ledger.reverse(
        org=a.id,
        entry_id=undone.entry.id,
        now=cst(2026, 11, 26, 12),
        actor_id=ADMIN,
        actor_role=Role.ADMIN,
        reason="分享分记错了",
        command_key="undo-li",
    )
    await share(a, SHARE, WANG, cst(2026, 11, 26, 8))  # 没问到他

    credited = await shares.credited_on(a, date(2026, 11, 26), [ZHANG, LI])

    assert credited == {ZHANG: shares.Credited(first.share.id, cst(2026, 11, 26, 9), False)}
    # 时刻按组织的钟给：组织在纽约时，北京时间 9 点是前一天晚上 8 点
    new_york = a.model_copy(
        update={"org": a.org.model_copy(update={"timezone": "America/New_York"})}
    )
    there = await shares.credited_on(new_york, date(2026, 11, 26), [ZHANG])
    assert there[ZHANG].sent_at.strftime("%m-%d %H:%M") == "11-25 20:00"


async def test_who_is_counted_in_a_share_group_and_who_a_reminder_can_reach(share_group) -> None:
    """按群看：只看还在这个分享群里的人。全组织看：没交的人里，还在哪个分享群的能 @ 到，
    退了分享群、只在公司群的 @ 不到。分享群曾属于另一个组织时留下的成员记录不算。"""
    a, b = share_group
    qian = 20006
    await share(a, SHARE, ZHANG, cst(2026, 11, 26, 9))
    # 王五退了分享群，还在公司群；钱八只在公司群，B 的库里还有他在这个分享群的旧记录
    await Member.filter(org=a.id, group_id=SHARE, user_id=WANG).update(
        left_at=datetime(2026, 11, 21, tzinfo=UTC)
    )
    await join(a.id, WORK, WANG, "王五")
    await join(a.id, WORK, qian, "钱八")
    await join(b.id, SHARE, qian, "钱八")
    day = date(2026, 11, 26)

    in_group = await shares.day_status(a, day, exclude=[BOT], group_id=SHARE)
    assert (in_group.done, in_group.missing) == ({ZHANG}, [LI, ZHAO])

    everyone = await shares.day_status(a, day, exclude=[BOT])
    assert everyone.missing == [LI, WANG, ZHAO, qian]
    assert everyone.reachable == {SHARE: [LI, ZHAO]}
    assert everyone.unreachable == [WANG, qian]


async def test_on_a_holiday_everyone_who_did_not_share_is_marked_holiday_and_a_backfill_has_no_time(
    share_group,
) -> None:
    a, _ = share_group
    holiday = a.model_copy(
        update={
            "calendar": a.calendar.model_copy(
                update={"holidays": ((date(2026, 11, 26), date(2026, 11, 26)),)}
            )
        }
    )
    await share(holiday, SHARE, LI, cst(2026, 11, 26, 10))
    await shares.backfill(
        holiday,
        user_id=ZHANG,
        day=date(2026, 11, 26),
        actor_id=ADMIN,
        actor_role=Role.ADMIN,
        reason="当天无网络",
        now=cst(2026, 11, 27, 9),
        command_key="b1",
    )

    (group,) = await dashboard.today(holiday, date(2026, 11, 26), exclude=[BOT])

    assert [(r.user_id, r.status, r.shared_at is None, r.share_id is None) for r in group.rows] == [
        (ZHANG, "shared", True, True),
        (LI, "shared", False, False),
        (WANG, "holiday", True, True),
        (ZHAO, "holiday", True, True),
    ]


# ---- 本月 ----


async def test_a_live_month_ranks_like_the_board_with_share_days_streaks_around_leave_and_daily_counts(
    share_group,
) -> None:
    a, b = share_group
    await daily(a.id, ZHANG, nov(1, 10) + nov(14, 20))
    await leave.record(
        a,
        user_id=ZHANG,
        group_id=SHARE,
        first=date(2026, 11, 11),
        last=date(2026, 11, 13),
        reason="年假",
        by=ADMIN,
        role=Role.ADMIN,
        at=cst(2026, 11, 10, 9),
        event_key="leave-2",
    )
    await daily(a.id, LI, nov(1, 5))
    await daily(b.id, B_ONLY, nov(1, 30))
    await daily(b.id, ZHANG, nov(1, 30))  # 同一个人在 B 的分享不算在 A

    page = await dashboard.month(a, "2026-11", exclude=[BOT])

    assert (page.month, page.frozen) == ("2026-11", False)
    assert page.rows == [
        MonthRow(1, ZHANG, "张三", 17, 17, 17),  # 请假的三天不打断、不计数
        MonthRow(2, LI, "李四", 5, 5, 5),
        MonthRow(3, WANG, "王五", 0, 0, 0),
        MonthRow(3, ZHAO, "赵六", 0, 0, 0),
    ]
    counts = dict(page.daily)
    assert len(page.daily) == 30
    assert [counts[d] for d in (date(2026, 11, 1), date(2026, 11, 6), date(2026, 11, 12))] == [
        2,
        1,
        0,
    ]
    assert [counts[d] for d in (date(2026, 11, 14), date(2026, 11, 30))] == [1, 0]


async def test_a_frozen_month_shows_its_snapshot_even_after_names_and_members_change(
    share_group,
) -> None:
    a, _ = share_group
    await daily(a.id, ZHANG, [date(2026, 10, d) for d in range(1, 4)])
    moment = cst(2026, 11, 1, 9)
    await month_end.settle(a, "2026-10", moment)
    await months.freeze(a.id, "2026-10", moment)
    await month_end.take_snapshot(a, "2026-10", [BOT], moment)
    await join(a.id, SHARE, ZHANG, "张三丰")  # 公布后改了名片、李四退了群
    await Member.filter(org=a.id, user_id=LI).update(left_at=cst(2026, 11, 2))
    members.touched(a.id)

    page = await dashboard.month(a, "2026-10", exclude=[BOT])

    assert page.frozen is True
    assert [(r.rank, r.user_id, r.name, r.points, r.share_days, r.streak) for r in page.rows][
        :2
    ] == [
        (1, ZHANG, "张三", 3, 3, 3),
        (2, LI, "李四", 0, 0, 0),
    ]
    assert dict(page.daily)[date(2026, 10, 2)] == 1


# ---- 成员 ----


async def test_a_members_page_has_the_ledger_with_reversal_links_both_ways_masked_reasons_warnings_appeals_and_card(
    db, orgs, clock_at
) -> None:
    a, b = orgs
    clock_at(cst(2026, 11, 27, 9))
    await join(a.id, WORK, ADMIN, "管理员")
    await members.upsert(
        a.id,
        WORK,
        ZHANG,
        SEEN,
        card="张三13912345678",
        nickname="小张",
        card_ok=False,
        joined_at=cst(2026, 11, 25, 10),
    )
    await daily(a.id, ZHANG, [date(2026, 11, 3)])
    given = await ledger.record(
        org=a.id,
        user_id=ZHANG,
        delta=3,
        business_date=date(2026, 11, 20),
        now=cst(2026, 11, 20, 9),
        actor_id=ADMIN,
        actor_role=Role.ADMIN,
        reason="带新人，客户电话 139 1234 5678",
        command_key="k1",
    )
    undone = await ledger.reverse(
        org=a.id,
        entry_id=given.entry.id,
        now=cst(2026, 11, 21, 9),
        actor_id=CHAIRMAN,
        actor_role=Role.CHAIRMAN,
        reason="记错了人",
        command_key="k2",
    )
    warned = await warning_cases.issue(
        a,
        group_id=WORK,
        user_id=ZHANG,
        category="不良信息",
        amount=None,
        reason="群里发广告 13800001111",
        actor_id=ADMIN,
        actor_role=Role.ADMIN,
        at=cst(2026, 11, 22, 9),
        today=date(2026, 11, 22),
        command_key="k3",
    )
    filed = await appeals.file(
        a,
        entry_id=warned.entry.id,
        user_id=ZHANG,
        text="不是我发的，有事打 138-0000-2222",
        group_id=WORK,
        at=cst(2026, 11, 23, 9),
        event_key="k4",
    )
    await ledger.record(
        org=b.id,
        user_id=ZHANG,
        delta=9,
        business_date=date(2026, 11, 20),
        now=cst(2026, 11, 20, 9),
        actor_id=ADMIN,
        actor_role=Role.ADMIN,
        reason="B 的记录",
        command_key="k5",
    )

    page = await dashboard.member(a, ZHANG, "2026-11")

    assert page is not None
    assert (page.user_id, page.name, page.month, page.total) == (ZHANG, "小张", "2026-11", -4)
    first = page.entries[0].id
    assert page.entries == [
        EntryRow(first, date(2026, 11, 3), 1, "每日分享", "", "系统", None, None),
        EntryRow(
            given.entry.id,
            date(2026, 11, 20),
            3,
            "手动调整",
            "带新人，客户电话 139****5678",
            "管理员",
            None,
            undone.entry.id,
        ),
        EntryRow(
            undone.entry.id,
            date(2026, 11, 20),
            -3,
            "撤销",
            "记错了人",
            "成员0002",
            given.entry.id,
            None,
        ),
        EntryRow(
            warned.entry.id,
            date(2026, 11, 22),
            -5,
            "不良信息警告",
            "群里发广告 138****1111",
            "管理员",
            None,
            None,
        ),
    ]
    assert page.warnings == [
        WarningRow(
            warned.entry.id, cst(2026, 11, 22, 9), "不良信息", 5, "群里发广告 138****1111", False
        )
    ]
    assert page.appeals == [
        AppealRow(
            filed.hit.id,
            warned.entry.id,
            cst(2026, 11, 23, 9),
            "不是我发的，有事打 138****2222",
            "待审",
        )
    ]
    # 名片不规范：入群起宽限 3 天
    assert (page.card_ok, page.card_deadline) == (False, date(2026, 11, 28))
    assert "13912345678" not in repr(page) and "13800001111" not in repr(page)


async def test_someone_not_in_the_org_has_no_page_and_the_other_org_is_not_searched(
    db, orgs
) -> None:
    a, b = orgs
    await join(b.id, B_WORK_GROUP, B_ONLY, "孙八")
    await ledger.record(
        org=b.id,
        user_id=WANG,
        delta=1,
        business_date=date(2026, 11, 20),
        now=cst(2026, 11, 20, 9),
        actor_id=ADMIN,
        actor_role=Role.ADMIN,
        reason="只在 B 的账本里",
        command_key="k1",
    )

    assert await dashboard.member(a, B_ONLY, "2026-11") is None
    assert await dashboard.in_org(a, WANG) is False
    assert await dashboard.in_org(b, WANG) is True  # 只在账本里出现过也算
    assert (await dashboard.member(b, B_ONLY, "2026-11")).card_ok is True


# ---- 待审 ----


async def test_the_review_queue_lists_every_pending_kind_masked_with_the_amount_each_needs(
    db, orgs
) -> None:
    a, b = orgs
    a = a.model_copy(
        update={"claims": ClaimsSection.model_validate({"items": {"客户表扬": [1, 10]}})}
    )
    at = cst(2026, 11, 26, 9)
    for user, name in ((ZHANG, "张三"), (LI, "李四")):
        await join(a.id, WORK, user, name)

    def message(user: int, text: str, group: int = WORK) -> reviews.Message:
        return reviews.Message(group, user, next(_keys), text, "text", at)

    content = await reviews.record(
        a,
        message(ZHANG, "澳门赌场 加我 13912345678"),
        Hit("赌博", "不良信息", "review", "澳门赌场"),
        "h1",
    )
    report = await reviews.record(
        a,
        message(LI, "转账到 6222 0212 3456 7890 123"),
        Hit(rules.BUILTIN_REPORT, "严重违规", "review", ""),
        "h2",
        reporter_id=ZHANG,
        report_reason="骗钱",
    )
    dismissed = await reviews.record(
        a, message(LI, "赌博"), Hit("赌博", "不良信息", "review", "赌博"), "h3"
    )
    await reviews.dismiss(
        a, dismissed.id, note="", by=ADMIN, role=Role.ADMIN, at=at, event_key="d1"
    )
    entry = await ledger.record(
        org=a.id,
        user_id=ZHANG,
        delta=-2,
        business_date=date(2026, 11, 25),
        now=at,
        actor_id=ADMIN,
        actor_role=Role.ADMIN,
        reason="迟到",
        command_key="k1",
    )
    appeal = await appeals.file(
        a,
        entry_id=entry.entry.id,
        user_id=ZHANG,
        text="我请过假",
        group_id=WORK,
        at=at,
        event_key="a1",
    )
    claim = await claims.file_item(
        a,
        "客户表扬",
        claims.Filing(
            WORK, LI, 77, "客户写了感谢信", ["http://img/1.jpg"], at, date(2026, 11, 26), "c1"
        ),
    )
    request = await leave.request(
        a,
        user_id=LI,
        group_id=WORK,
        first=date(2026, 11, 30),
        last=date(2026, 12, 1),
        reason="回老家",
        at=at,
        event_key="l1",
    )
    await reviews.record(
        b, message(B_ONLY, "赌博", B_WORK_GROUP), Hit("赌博", "不良信息", "review", "赌博"), "h4"
    )

    rows = await dashboard.reviews(a)

    assert rows == [
        ReviewRow(
            content.id,
            "内容",
            "张三",
            "公司群",
            at,
            "赌博（澳门赌场）：澳门赌场 加我 139****5678",
            False,
            "",
        ),
        ReviewRow(
            report.id,
            "举报",
            "李四",
            "公司群",
            at,
            "骗钱：转账到 622************0123",
            True,
            "-200 至 -2000 分",
        ),
        ReviewRow(
            appeal.hit.id,
            "申诉",
            "张三",
            "公司群",
            at,
            f"申诉 #{entry.entry.id}：我请过假",
            False,
            "",
        ),
        ReviewRow(
            claim.hit.id,
            "申报",
            "李四",
            "公司群",
            at,
            "客户表扬：客户写了感谢信",
            True,
            "+1 至 +10 分",
        ),
        ReviewRow(
            request.review_id,
            "请假",
            "李四",
            "公司群",
            at,
            "2026-11-30～2026-12-01：回老家",
            False,
            "",
        ),
    ]


# ---- 通知 ----


async def test_notices_show_state_and_acknowledgements_newest_first(db, orgs, clock_at) -> None:
    a, b = orgs
    a = a.model_copy(update={"notices": NoticesSection(ack_minutes=60)})
    b = b.model_copy(update={"notices": NoticesSection(ack_minutes=60)})
    notices.board.clear()

    async def post(policy: Policy, text: str, at: datetime, key: str, targets=(ZHANG, LI, WANG)):
        return (
            await notices.create(
                policy,
                group_id=WORK,
                sender_id=ADMIN,
                text=text,
                targets=list(targets),
                named=False,
                now=at,
                event_key=key,
            )
        ).notice

    past = await post(a, "周五交周报\n细节见群文件", cst(2026, 11, 25, 9), "n1")
    await notices.acknowledge(past.id, WORK, ZHANG, notices.WORD, cst(2026, 11, 25, 9, 5))
    await notices.acknowledge(
        past.id, WORK, LI, notices.WORD, cst(2026, 11, 25, 11)
    )  # 迟到也算确认
    withdrawn = await post(a, "下午开会", cst(2026, 11, 26, 9), "n2")
    await notices.withdraw(
        a, withdrawn.id, actor_id=ADMIN, actor_role=Role.ADMIN, now=cst(2026, 11, 26, 9, 1)
    )
    current = await post(a, "报销找财务 13800003333", cst(2026, 11, 27, 9), "n3", targets=(ZHANG,))
    await post(b, "B 的通知", cst(2026, 11, 27, 9), "n4")
    clock_at(cst(2026, 11, 27, 9, 30))

    rows = await dashboard.notices(a)

    notices.board.clear()
    assert rows == [
        NoticeRow(
            current.id,
            "报销找财务 138****3333",
            cst(2026, 11, 27, 9),
            cst(2026, 11, 27, 10),
            "进行中",
            0,
            1,
        ),
        NoticeRow(
            withdrawn.id, "下午开会", cst(2026, 11, 26, 9), cst(2026, 11, 26, 10), "已撤回", 0, 3
        ),
        NoticeRow(
            past.id, "周五交周报", cst(2026, 11, 25, 9), cst(2026, 11, 25, 10), "已结束", 2, 3
        ),
    ]


async def test_a_group_name_with_a_phone_number_is_masked_on_the_today_and_review_pages(
    share_group,
) -> None:
    """群名是 QQ 报上来的自由文字（群主起的）：聊天里发出去时打了码，网页上也不能露出电话。"""
    a, _ = share_group
    STATE.group_names[SHARE] = "分享群 对接人 13912345678"
    STATE.group_names[WORK] = "公司群 客服 139 1234 5678"
    await join(a.id, WORK, ZHANG, "张三")
    await share(a, SHARE, ZHANG, cst(2026, 11, 26, 9))
    await reviews.record(
        a,
        reviews.Message(WORK, ZHANG, next(_keys), "澳门赌场", "text", cst(2026, 11, 26, 9)),
        Hit("赌博", "不良信息", "review", "澳门赌场"),
        "h-phone",
    )

    page = await dashboard.today(a, date(2026, 11, 26), exclude=[BOT])
    queue = await dashboard.reviews(a)

    assert [group.name for group in page] == ["分享群 对接人 139****5678"]
    assert [row.group for row in queue] == ["公司群 客服 139****5678"]
