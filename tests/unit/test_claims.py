"""申报与转发推广的服务：名额（每人每项每天、每次推广一次）、截图、冻结月份、范围分数、重放，
推广的申报截止与交审核的边界（在一个不在服务器时区的组织里），一次确认全部、驳回个别、到期只认领一次。"""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from qungui import claims, export, members, months, reviews, rules
from qungui.models import Campaign, Claim, FilterHit, LedgerEntry
from qungui.policy import ClaimsSection, Policy, load_policies
from qungui.roles import OwnCase, Role
from tests.conftest import B_WORK_GROUP, two_orgs

NEW_YORK = ZoneInfo("America/New_York")
ADMIN, OTHER_ADMIN, ZHANG, LI, WANG = 30001, 30003, 20001, 20002, 20003
_keys = iter(range(1, 10**6))


def ny(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NEW_YORK)


@pytest.fixture
def org(tmp_path: Path) -> Policy:
    """西山茶业在纽约；可申报“客户表扬”（1 到 10 分）、“朋友圈转发”（2 分，每天两次），启用转发推广。"""
    policy = load_policies(two_orgs(tmp_path / "policies", "America/New_York")).orgs["xscy"]
    section = ClaimsSection.model_validate(
        {
            "items": {"客户表扬": [1, 10], "朋友圈转发": {"points": 2, "per_day": 2}},
            "repost": {"points": 2, "claim_days": 2, "keep_days": 2},
        }
    )
    return policy.model_copy(update={"claims": section})


def filing(
    user: int, at: datetime, *, images=("http://img/1.jpg",), key: str | None = None, text=""
) -> claims.Filing:
    return claims.Filing(
        group_id=B_WORK_GROUP,
        user_id=user,
        message_id=next(_keys),
        text=text,
        images=list(images),
        at=at,
        today=at.astimezone(NEW_YORK).date(),
        event_key=key or f"e{next(_keys)}",
    )


def decision(
    by: int, at: datetime, key: str | None = None, role=Role.ADMIN, note=""
) -> claims.Decision:
    return claims.Decision(
        by=by,
        role=role,
        at=at,
        today=at.astimezone(NEW_YORK).date(),
        event_key=key or f"d{next(_keys)}",
        note=note,
    )


async def ledger_rows() -> list[tuple]:
    return await LedgerEntry.all().order_by("id").values_list("user_id", "delta", "rule")


# —— 时间窗 ——


def test_windows_are_calendar_days_in_the_orgs_zone(org: Policy) -> None:
    """纽约 11-27 23:30 开的推广：那天算第 1 天，28 日结束（纽约 29 日 0 点）截止，再两天交审核。
    那一刻在上海和 UTC 已是 28 日：用错时区会多给或少给一天。"""
    opened = ny(2026, 11, 27, 23, 30)
    claim_until, due_at = claims.windows(org.claims.repost, opened, org.tz)
    assert claim_until == ny(2026, 11, 29, 0, 0)
    assert due_at == ny(2026, 12, 1, 0, 0)


def test_windows_over_a_daylight_saving_change_stay_at_midnight(org: Policy) -> None:
    """纽约 2026-11-01 凌晨夏令时结束（那天 25 小时）：截止仍是当地 0 点，不是 48 小时之后。"""
    claim_until, due_at = claims.windows(org.claims.repost, ny(2026, 10, 31, 9), org.tz)
    assert claim_until.astimezone(NEW_YORK) == ny(2026, 11, 2, 0, 0)
    assert claim_until - ny(2026, 10, 31, 0, 0) == timedelta(hours=49)
    assert due_at.astimezone(NEW_YORK) == ny(2026, 11, 4, 0, 0)


async def open_one(org: Policy, at: datetime, key: str = "open1") -> Campaign:
    campaign, created = await claims.open_campaign(
        org,
        group_id=B_WORK_GROUP,
        title="新品发布",
        message_id=None,
        by=ADMIN,
        at=at,
        event_key=key,
    )
    assert created
    return campaign


async def test_a_repost_claim_is_on_time_until_the_last_second_of_the_last_day(
    org: Policy, db
) -> None:
    campaign = await open_one(org, ny(2026, 11, 27, 23, 30))
    on_time = await claims.file_repost(
        org, campaign.id, filing(ZHANG, ny(2026, 11, 28, 23, 59, 59))
    )
    assert on_time.created and on_time.claim.campaign_id == campaign.id
    with pytest.raises(claims.ClaimLate) as late:
        await claims.file_repost(org, campaign.id, filing(LI, ny(2026, 11, 29, 0, 0)))
    assert claims.last_claim_day(late.value.campaign, org.tz) == date(2026, 11, 28)
    assert await Claim.filter(user_id=LI).count() == 0
    assert await FilterHit.filter(user_id=LI).count() == 0


async def test_a_campaign_is_confirmed_only_from_the_due_moment(org: Policy, db) -> None:
    campaign = await open_one(org, ny(2026, 11, 27, 9))
    await claims.file_repost(org, campaign.id, filing(ZHANG, ny(2026, 11, 27, 12)))
    with pytest.raises(claims.NotDue):
        await claims.approve_campaign(org, campaign.id, decision(ADMIN, ny(2026, 11, 30, 23, 59)))
    assert await claims.due_campaigns(ny(2026, 11, 30, 23, 59)) == []
    (due,) = await claims.due_campaigns(ny(2026, 12, 1, 0, 0))
    assert due.id == campaign.id
    batch = await claims.approve_campaign(org, campaign.id, decision(ADMIN, ny(2026, 12, 1, 0, 0)))
    assert [done.claim.user_id for done in batch.approved] == [ZHANG]
    assert await ledger_rows() == [(ZHANG, 2, rules.REPOST)]


async def test_the_review_message_is_claimed_once(org: Policy, db) -> None:
    campaign = await open_one(org, ny(2026, 11, 27, 9))
    now = ny(2026, 12, 1, 0, 1)
    assert await claims.claim_review(campaign, now)
    assert not await claims.claim_review(campaign, now)  # 另一个进程、重启后的同一次走动
    assert await claims.due_campaigns(now + timedelta(days=1)) == []


# —— 一次推广 ——


async def test_one_claim_per_member_per_campaign_and_a_replay_is_the_same_claim(
    org: Policy, db
) -> None:
    campaign = await open_one(org, ny(2026, 11, 27, 9))
    first = filing(ZHANG, ny(2026, 11, 27, 10), key="zhang-1")
    filed = await claims.file_repost(org, campaign.id, first)
    again = await claims.file_repost(org, campaign.id, first)
    assert not again.created and again.hit.id == filed.hit.id
    with pytest.raises(claims.AlreadyClaimed) as twice:
        await claims.file_repost(org, campaign.id, filing(ZHANG, ny(2026, 11, 27, 11)))
    assert twice.value.review_id == filed.hit.id
    assert await Claim.all().count() == 1
    assert await FilterHit.filter(rule=rules.REVIEW_CLAIM).count() == 1


async def test_replaying_the_open_command_opens_nothing_new(org: Policy, db) -> None:
    first = await open_one(org, ny(2026, 11, 27, 9))
    again, created = await claims.open_campaign(
        org,
        group_id=B_WORK_GROUP,
        title="新品发布",
        message_id=None,
        by=ADMIN,
        at=ny(2026, 11, 27, 9),
        event_key="open1",
    )
    assert not created and again.id == first.id
    assert await Campaign.all().count() == 1


async def test_confirm_all_pays_each_once_skips_the_refused_and_the_deciders_own(
    org: Policy, db
) -> None:
    campaign = await open_one(org, ny(2026, 11, 27, 9))
    for user in (ZHANG, LI, WANG, ADMIN):
        await claims.file_repost(org, campaign.id, filing(user, ny(2026, 11, 27, 10)))
    wang = await Claim.get(user_id=WANG)
    refused = await claims.refuse(
        org,
        await reviews.find(org, wang.review_id),
        decision(ADMIN, ny(2026, 11, 29, 9), note="截图看不清"),
    )
    assert refused.slot_key.endswith(f"驳回{wang.review_id}")
    due = ny(2026, 12, 1, 9)
    batch = await claims.approve_campaign(org, campaign.id, decision(ADMIN, due, key="all"))
    assert sorted(done.claim.user_id for done in batch.approved) == [ZHANG, LI]
    assert [claim.user_id for claim in batch.own] == [ADMIN]
    assert all(done.claim.points == 2 and done.entry is not None for done in batch.approved)
    # 同一条命令再来一次：什么也不做
    assert (
        await claims.approve_campaign(org, campaign.id, decision(ADMIN, due, key="all"))
    ).replayed
    # 另一位管理员确认剩下的那一条（管理员自己的）
    other = await claims.approve_campaign(org, campaign.id, decision(OTHER_ADMIN, due))
    assert [done.claim.user_id for done in other.approved] == [ADMIN]
    with pytest.raises(claims.NothingPending):
        await claims.approve_campaign(org, campaign.id, decision(OTHER_ADMIN, due))
    assert sorted(await ledger_rows()) == sorted(
        [(ZHANG, 2, rules.REPOST), (LI, 2, rules.REPOST), (ADMIN, 2, rules.REPOST)]
    )
    entry = await LedgerEntry.get(user_id=ZHANG)
    assert entry.actor_id == ADMIN and entry.business_date == date(2026, 12, 1)


async def test_a_confirm_all_cut_short_is_finished_by_its_replay(
    org: Policy, db, monkeypatch
) -> None:
    """`/确认 推N` 记到一半进程没了（重启）：同一条命令重放时要把整批记完，而不是当作“已经做过”。"""
    campaign = await open_one(org, ny(2026, 11, 27, 9))
    for user in (ZHANG, LI, WANG):
        await claims.file_repost(org, campaign.id, filing(user, ny(2026, 11, 27, 10)))
    award = claims.ledger.award
    calls = 0

    async def dies_on_the_second(**fields):
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("进程被杀")
        return await award(**fields)

    monkeypatch.setattr(claims.ledger, "award", dies_on_the_second)
    due = ny(2026, 12, 1, 9)
    with pytest.raises(RuntimeError):
        await claims.approve_campaign(org, campaign.id, decision(ADMIN, due, key="all"))
    monkeypatch.setattr(claims.ledger, "award", award)

    batch = await claims.approve_campaign(org, campaign.id, decision(ADMIN, due, key="all"))

    assert not batch.replayed
    assert sorted(done.claim.user_id for done in batch.approved) == [ZHANG, LI, WANG]
    assert sorted(await ledger_rows()) == sorted(
        (user, 2, rules.REPOST) for user in (ZHANG, LI, WANG)
    )
    assert await claims.pending_of(await claims.get_campaign(org, campaign.id)) == []


async def test_two_admins_confirming_a_campaign_at_once_pay_once_and_the_second_is_told(
    org: Policy, db, monkeypatch
) -> None:
    """两位管理员同时 /确认 推N：后一位读到的待审名单已过时（前一位在他读完之后、动手之前记完了整批）。
    他不能“认领”这次推广、回一个空的批次（聊天里什么也不说，推广还记成是他确认的）：要说没有待审的了。"""
    campaign = await open_one(org, ny(2026, 11, 27, 9))
    for user in (ZHANG, LI):
        await claims.file_repost(org, campaign.id, filing(user, ny(2026, 11, 27, 10)))
    due = ny(2026, 12, 1, 9)
    read = claims.claims_of
    first: list[claims.Batch] = []
    started = False

    async def the_other_admin_finishes_in_between(found_for):
        nonlocal started
        found = await read(found_for)
        if not started:
            started = True
            first.append(await claims.approve_campaign(org, campaign.id, decision(ADMIN, due)))
        return found

    monkeypatch.setattr(claims, "claims_of", the_other_admin_finishes_in_between)
    with pytest.raises(claims.NothingPending):
        await claims.approve_campaign(org, campaign.id, decision(OTHER_ADMIN, due))

    assert sorted(done.claim.user_id for done in first[0].approved) == [ZHANG, LI]
    assert sorted(await ledger_rows()) == sorted((user, 2, rules.REPOST) for user in (ZHANG, LI))
    assert (await claims.get_campaign(org, campaign.id)).decided_by == ADMIN


async def test_a_month_frozen_just_before_the_award_leaves_the_claims_pending(
    org: Policy, db, monkeypatch
) -> None:
    """11 月 30 日深夜的 /确认 推N 查过月份之后、记分之前，月底结算冻结了 11 月：
    谁也不能被告知“已加分”却没有记录。"""
    campaign = await open_one(org, ny(2026, 11, 20, 9))
    for user in (ZHANG, LI):
        await claims.file_repost(org, campaign.id, filing(user, ny(2026, 11, 20, 10)))
    award = claims.ledger.award

    async def month_end_got_there_first(**fields):
        await months.freeze(org.id, "2026-11", ny(2026, 12, 1, 0, 0))
        return await award(**fields)

    monkeypatch.setattr(claims.ledger, "award", month_end_got_there_first)
    with pytest.raises(claims.MonthFrozen):
        await claims.approve_campaign(org, campaign.id, decision(ADMIN, ny(2026, 11, 30, 23, 59)))

    assert await ledger_rows() == []
    still = await claims.pending_of(await claims.get_campaign(org, campaign.id))
    assert sorted(claim.user_id for claim, _ in still) == [ZHANG, LI]
    assert all(claim.entry_id is None and claim.points is None for claim, _ in still)


async def test_a_refused_repost_claim_may_be_filed_again_before_the_deadline(
    org: Policy, db
) -> None:
    campaign = await open_one(org, ny(2026, 11, 27, 9))
    filed = await claims.file_repost(org, campaign.id, filing(ZHANG, ny(2026, 11, 27, 10)))
    await claims.refuse(org, filed.hit, decision(ADMIN, ny(2026, 11, 27, 11)))
    again = await claims.file_repost(org, campaign.id, filing(ZHANG, ny(2026, 11, 28, 10)))
    assert again.created and again.hit.id != filed.hit.id


# —— 项目申报 ——


async def test_per_day_slots_count_in_the_orgs_business_day(org: Policy, db) -> None:
    """“朋友圈转发”每天两次：纽约 27 日晚上第三次被拒，纽约 28 日 0 点（UTC 已是 28 日 5 点）又有名额。"""
    for hour in (9, 20):
        await claims.file_item(org, "朋友圈转发", filing(ZHANG, ny(2026, 11, 27, hour)))
    with pytest.raises(claims.SlotsUsed) as used:
        await claims.file_item(org, "朋友圈转发", filing(ZHANG, ny(2026, 11, 27, 23, 59)))
    assert used.value.per_day == 2
    # 别人、别的项目不受影响
    await claims.file_item(org, "朋友圈转发", filing(LI, ny(2026, 11, 27, 23, 59)))
    await claims.file_item(org, "客户表扬", filing(ZHANG, ny(2026, 11, 27, 23, 59)))
    next_day = await claims.file_item(org, "朋友圈转发", filing(ZHANG, ny(2026, 11, 28, 0, 0)))
    assert next_day.claim.day == date(2026, 11, 28)
    assert await FilterHit.filter(rule=rules.REVIEW_CLAIM).count() == 5


async def test_a_claim_needs_a_listed_item_and_a_screenshot(org: Policy, db) -> None:
    with pytest.raises(claims.NoSuchItem) as unknown:
        await claims.file_item(org, "加班", filing(ZHANG, ny(2026, 11, 27, 9)))
    assert unknown.value.choices == ["客户表扬", "朋友圈转发"]
    with pytest.raises(claims.NoImage):
        await claims.file_item(org, "客户表扬", filing(ZHANG, ny(2026, 11, 27, 9), images=()))
    assert await FilterHit.all().count() == 0


async def test_a_frozen_month_takes_no_claims_and_no_confirmations(org: Policy, db) -> None:
    filed = await claims.file_item(org, "客户表扬", filing(ZHANG, ny(2026, 11, 30, 9)))
    await months.begin_settling(org.id, "2026-11", ny(2026, 12, 1, 9))
    await months.freeze(org.id, "2026-11", ny(2026, 12, 1, 9, 1))
    with pytest.raises(claims.MonthFrozen) as frozen:
        await claims.file_item(org, "客户表扬", filing(LI, ny(2026, 11, 30, 23)))
    assert frozen.value.month == "2026-11"
    # 11 月申报的，12 月确认：分记在确认那天（12 月），不往冻结的 11 月里写
    done = await claims.approve(org, filed.hit, 5, decision(ADMIN, ny(2026, 12, 2, 9)))
    assert done.entry.business_date == date(2026, 12, 2)
    late = await claims.file_item(org, "客户表扬", filing(LI, ny(2026, 12, 2, 9)))
    with pytest.raises(claims.MonthFrozen):
        await claims.approve(org, late.hit, 5, decision(ADMIN, ny(2026, 11, 30, 23)))


async def test_range_points_are_chosen_within_the_range_and_fixed_ones_take_none(
    org: Policy, db
) -> None:
    praise = await claims.file_item(org, "客户表扬", filing(ZHANG, ny(2026, 11, 27, 9)))
    repost = await claims.file_item(org, "朋友圈转发", filing(LI, ny(2026, 11, 27, 9)))
    at = ny(2026, 11, 27, 12)
    with pytest.raises(claims.ScoreNeeded) as needed:
        await claims.approve(org, praise.hit, None, decision(ADMIN, at))
    assert (needed.value.low, needed.value.high) == (1, 10)
    with pytest.raises(claims.ScoreOutOfRange):
        await claims.approve(org, praise.hit, 11, decision(ADMIN, at))
    with pytest.raises(claims.FixedScore):
        await claims.approve(org, repost.hit, 3, decision(ADMIN, at))
    assert await LedgerEntry.all().count() == 0
    assert (await reviews.find(org, praise.hit.id)).status == "pending"
    await claims.approve(org, praise.hit, 10, decision(ADMIN, at))
    await claims.approve(org, repost.hit, None, decision(ADMIN, at))
    assert await ledger_rows() == [
        (ZHANG, 10, rules.claim("客户表扬")),
        (LI, 2, rules.claim("朋友圈转发")),
    ]
    assert (await Claim.get(user_id=ZHANG)).points == 10


async def test_a_replayed_or_second_confirmation_writes_nothing(org: Policy, db) -> None:
    filed = await claims.file_item(org, "客户表扬", filing(ZHANG, ny(2026, 11, 27, 9)))
    first = decision(ADMIN, ny(2026, 11, 27, 12), key="c1")
    await claims.approve(org, filed.hit, 5, first)
    hit = await reviews.find(org, filed.hit.id)
    with pytest.raises(reviews.AlreadyDecided) as replay:
        await claims.approve(org, hit, 5, first)
    assert replay.value.replayed
    with pytest.raises(reviews.AlreadyDecided) as second:
        await claims.approve(org, hit, 7, decision(OTHER_ADMIN, ny(2026, 11, 27, 13)))
    assert not second.value.replayed
    with pytest.raises(reviews.AlreadyDecided):
        await claims.refuse(org, hit, decision(OTHER_ADMIN, ny(2026, 11, 27, 13)))
    assert await ledger_rows() == [(ZHANG, 5, rules.claim("客户表扬"))]


async def test_nobody_decides_their_own_claim_but_a_superuser(org: Policy, db) -> None:
    filed = await claims.file_item(org, "客户表扬", filing(ADMIN, ny(2026, 11, 27, 9)))
    with pytest.raises(OwnCase):
        await claims.approve(org, filed.hit, 5, decision(ADMIN, ny(2026, 11, 27, 12)))
    with pytest.raises(OwnCase):
        await claims.refuse(org, filed.hit, decision(ADMIN, ny(2026, 11, 27, 12)))
    done = await claims.approve(
        org, filed.hit, 5, decision(ADMIN, ny(2026, 11, 27, 12), role=Role.SUPERUSER)
    )
    assert done.entry is not None


async def test_the_export_has_a_claims_sheet(org: Policy, db, tmp_path: Path) -> None:
    seen = datetime(2026, 11, 1, tzinfo=UTC)
    for user, name in ((ZHANG, "张三"), (LI, "李四"), (ADMIN, "王管")):
        await members.upsert(org.id, B_WORK_GROUP, user, seen, card="", nickname=name)
    praise = await claims.file_item(org, "客户表扬", filing(ZHANG, ny(2026, 11, 20, 9)))
    await claims.approve(org, praise.hit, 6, decision(ADMIN, ny(2026, 11, 20, 12)))
    campaign = await open_one(org, ny(2026, 11, 20, 9))
    repost = await claims.file_repost(org, campaign.id, filing(LI, ny(2026, 11, 20, 10)))
    await claims.refuse(org, repost.hit, decision(ADMIN, ny(2026, 11, 21, 9), note="截图看不清"))
    path = await export.write(org, "2026-11", set(), tmp_path / "out.xlsx")
    sheet = load_workbook(path)["申报"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "审核编号",
        "申报日",
        "QQ",
        "姓名",
        "申报内容",
        "分数",
        "结果",
        "决定人",
        "备注",
    ]
    assert rows[1:] == [
        [f"审{praise.hit.id}", "2026-11-20", ZHANG, "张三", "客户表扬", 6, "已确认", "王管", None],
        [
            f"审{repost.hit.id}",
            "2026-11-20",
            LI,
            "李四",
            f"推{campaign.id}",
            None,
            "已驳回",
            "王管",
            "截图看不清",
        ],
    ]


# —— 发布的制度 ——


def test_the_shipped_policy_enables_the_repost_rule_and_documents_items(tmp_path: Path) -> None:
    from .test_policy import SHIPPED, problems_of

    policy = load_policies(SHIPPED).orgs["jgs"]
    assert policy.claims.items == {}
    repost = policy.claims.repost
    assert (repost.points, repost.claim_days, repost.keep_days) == (2, 2, 2)
    # 注释掉的项目示例去掉 # 就能用
    text = SHIPPED.read_text("utf-8")
    lines = text.split("\n")
    start = lines.index("# [claims.items]")
    for i in range(start, start + 4):
        lines[i] = lines[i].removeprefix("# ")
    (tmp_path / "policy.toml").write_text("\n".join(lines), "utf-8")
    items = load_policies(tmp_path / "policy.toml").orgs["jgs"].claims.items
    assert {name: (item.points, item.per_day) for name, item in items.items()} == {
        "客户表扬": ([1, 10], 1),
        "参加培训": (2, 1),
        "带新人": (3, 1),
    }
    # 写错的项目说得出是哪里
    lines[start + 1] = '"客户表扬" = [10, 1]'
    (tmp_path / "policy.toml").write_text("\n".join(lines), "utf-8")
    assert any("下限" in problem for problem in problems_of(tmp_path / "policy.toml"))


async def test_claims_are_not_content_rule_hits_in_the_rule_stats(org: Policy, db) -> None:
    await claims.file_item(org, "客户表扬", filing(ZHANG, ny(2026, 11, 27, 9)))
    assert await reviews.stats(org, ny(2026, 11, 27, 10), 7) == {}
    assert await FilterHit.filter(rule=rules.REVIEW_CLAIM).count() == 1


async def test_a_month_end_campaign_shows_its_outcome_in_the_next_months_sheet(
    org: Policy, db, tmp_path: Path
) -> None:
    """11 月 29 日开的推广，申报在 11 月，12 月 2 日起才审：11 月的表（月底就导出）里只能是“待审”，
    12 月的表必须列出确认的结果——否则人事在哪张表里都看不到这些申报的结局，而分在 12 月的账本里。"""
    campaign = await open_one(org, ny(2026, 11, 29, 9))
    repost = await claims.file_repost(org, campaign.id, filing(LI, ny(2026, 11, 29, 10)))
    praise = await claims.file_item(org, "客户表扬", filing(ZHANG, ny(2026, 11, 30, 9)))
    november = await export.write(org, "2026-11", set(), tmp_path / "11.xlsx")
    await claims.approve_campaign(org, campaign.id, decision(ADMIN, ny(2026, 12, 3, 9)))
    await claims.approve(org, praise.hit, 4, decision(ADMIN, ny(2026, 12, 1, 9)))
    december = await export.write(org, "2026-12", set(), tmp_path / "12.xlsx")
    sheet = load_workbook(november)["申报"]
    assert [(row[0], row[6]) for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        (f"审{repost.hit.id}", "待审"),
        (f"审{praise.hit.id}", "待审"),
    ]
    sheet = load_workbook(december)["申报"]
    assert [
        (row[0], row[1], row[5], row[6]) for row in sheet.iter_rows(min_row=2, values_only=True)
    ] == [
        (f"审{repost.hit.id}", "2026-11-29", 2, "已确认"),
        (f"审{praise.hit.id}", "2026-11-30", 4, "已确认"),
    ]


def test_an_item_name_with_a_space_is_refused_when_the_policy_loads(tmp_path: Path) -> None:
    """`/申报` 后面只取一个词当项目名：“客户 表扬”这样的项目谁也报不了，载入制度时就要说出来，
    而不是成员每次都收到“没有「客户」这个申报项目”。"""
    from .test_policy import SHIPPED, problems_of

    lines = SHIPPED.read_text("utf-8").split("\n")
    start = lines.index("# [claims.items]")
    lines[start] = "[claims.items]"
    lines[start + 1] = '"客户　表扬" = [1, 10]'
    (tmp_path / "policy.toml").write_text("\n".join(lines), "utf-8")
    assert any("空格" in problem for problem in problems_of(tmp_path / "policy.toml"))
