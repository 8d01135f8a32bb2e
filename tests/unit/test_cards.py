from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from qungui import cards, ledger, rules
from qungui.models import LedgerEntry, Member
from qungui.policy import load_policies

POLICY = load_policies(Path(__file__).parents[1] / "policy.toml").orgs["jgs"]
CST = POLICY.tz
GROUP = 987654321


def cst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CST)


@pytest.mark.parametrize(
    ("card", "ok"),
    [
        ("鸡公山酒业-张三-13800000000", True),
        ("鸡公山酒业－张三－13800000000", True),  # 全角连字符
        ("鸡公山酒业-张三-１３８００００００００", True),  # 全角数字
        ("  鸡公山酒业-张三-13800000000 ", True),
        ("鸡公山酒业-阿依古丽·买买提-13800000000", True),  # 少数民族姓名里的 ·
        ("鸡公山酒业-张三-1380000000", False),  # 10 位
        ("鸡公山酒业-张三-138000000001", False),  # 12 位
        ("鸡公山酒业-张三-12800000000", False),  # 不是手机号段
        ("鸡公山酒业-张 三-13800000000", False),
        ("鸡公山-张三-13800000000", False),
        ("张三", False),
        ("", False),
    ],
)
def test_card_pattern(card: str, ok: bool) -> None:
    assert cards.card_ok(POLICY, card) is ok


@pytest.mark.parametrize(
    ("card", "parts"),
    [
        ("鸡公山酒业-张三-13800000000", ("张三", "13800000000")),
        ("鸡公山酒业－张三－１３８００００００００", ("张三", "13800000000")),  # 全角
        ("  鸡公山酒业-张三-13800000000 ", ("张三", "13800000000")),
        ("鸡公山酒业-张三-1380000000", None),
        ("13712345678", None),
        ("王五-13712345678", None),
        ("", None),
    ],
)
def test_one_parser_reads_name_and_phone(card: str, parts: tuple[str, str] | None) -> None:
    parsed = cards.parse_card(POLICY, card)
    assert (None if parsed is None else (parsed.name, parsed.phone)) == parts
    assert cards.card_ok(POLICY, card) is (parts is not None)
    assert cards.conforming(POLICY, card) == parsed


@pytest.mark.parametrize(
    ("card", "nickname", "name"),
    [
        ("鸡公山酒业-张三-13800000000", "zs", "张三"),
        ("鸡公山酒业－张三－１３８００００００００", "zs", "张三"),
        # 不规范的名片从不当名字用：它可能就是个电话
        ("13712345678", "小李", "小李"),
        ("王五-13712345678", "wang", "wang"),
        ("张三", "zs", "zs"),
        ("13712345678", "", ""),
        ("", " zs ", "zs"),
    ],
)
def test_display_name_never_uses_a_nonconforming_card(card: str, nickname: str, name: str) -> None:
    assert cards.display_name(POLICY, card, nickname) == name


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # 周一 15:00 入群，宽限 3 天：周四 10:00 仍在宽限，周五 10:00 逾期
        (cst(2026, 11, 26, 10), "grace"),
        (cst(2026, 11, 26, 14, 59, 59), "grace"),
        (cst(2026, 11, 26, 15), "overdue"),
        (cst(2026, 11, 27, 10), "overdue"),
    ],
)
def test_grace_runs_days_times_24_hours(at: datetime, expected: str) -> None:
    monday = cst(2026, 11, 23, 15)
    assert cards.status(POLICY, False, at, monday) == expected
    assert cards.status(POLICY, True, at, monday) == "ok"


@pytest.mark.parametrize(
    ("start", "joined", "due"),
    [
        # 早已在群里的人：从开始执行算起，grace_days × 24 小时
        (cst(2026, 11, 23, 10), cst(2025, 1, 1), cst(2026, 11, 26, 10)),
        (cst(2026, 11, 23, 10), None, cst(2026, 11, 26, 10)),
        # 开始执行之后入群：从入群算起，精确到分钟（秒舍去，和公布的“几点几分”一样）
        (cst(2026, 11, 23, 10), cst(2026, 11, 24, 15, 30, 59), cst(2026, 11, 27, 15, 30)),
        (cst(2026, 11, 23, 10, 0, 5, 600000), None, cst(2026, 11, 26, 10)),
        # 入群时刻是 QQ 上报的 UTC：07:30Z 就是北京时间 15:30
        (
            cst(2026, 11, 23, 10),
            datetime(2026, 11, 24, 7, 30, tzinfo=UTC),
            cst(2026, 11, 27, 15, 30),
        ),
        # 跨月、跨年、闰年与平年的二月
        (cst(2026, 11, 1, 10), cst(2026, 11, 29, 23, 59, 59), cst(2026, 12, 2, 23, 59)),
        (cst(2026, 12, 1, 10), cst(2026, 12, 31, 0, 0), cst(2027, 1, 3, 0, 0)),
        (cst(2028, 2, 1, 10), cst(2028, 2, 27, 12), cst(2028, 3, 1, 12)),
        (cst(2027, 2, 1, 10), cst(2027, 2, 27, 12), cst(2027, 3, 2, 12)),
    ],
)
def test_the_deadline_on_literal_times(
    start: datetime, joined: datetime | None, due: datetime
) -> None:
    assert cards.deadline(POLICY, start, joined) == due


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (cst(2026, 11, 27, 15, 29, 59, 999999), "grace"),
        (cst(2026, 11, 27, 15, 30), "overdue"),
        (cst(2026, 11, 27, 23, 59, 59), "overdue"),
    ],
)
def test_overdue_from_the_deadline_minute_on(at: datetime, expected: str) -> None:
    start, joined = cst(2026, 11, 23, 10), cst(2026, 11, 24, 15, 30, 59)
    assert cards.status(POLICY, False, at, start, joined) == expected


def listed(user: int, card: str, joined: datetime) -> cards.Listed:
    return cards.Listed(user, card, f"u{user}", "member", int(joined.timestamp()))


class Reread:
    def __init__(self, cards_now: dict[int, str | None]):
        self.cards_now = cards_now
        self.asked: list[int] = []

    async def __call__(self, user: int) -> str | None:
        self.asked.append(user)
        return self.cards_now.get(user)


async def test_first_sweep_starts_grace_for_everyone_then_fines_once_a_day(db) -> None:
    long_ago = cst(2025, 1, 1)
    people = [listed(1, "张三", long_ago), listed(2, "鸡公山酒业-李四-13800000000", long_ago)]
    reread = Reread({1: "张三"})
    first = await cards.sweep_group(POLICY, GROUP, people, cst(2026, 11, 23, 10), reread)
    assert first.first_sweep and first.enforce_start == cst(2026, 11, 23, 10)
    assert (first.compliant, first.in_grace, first.overdue) == (1, [1], [])

    again = await cards.sweep_group(POLICY, GROUP, people, cst(2026, 11, 26, 10), reread)
    assert not again.first_sweep and (again.in_grace, again.overdue) == ([], [1])
    rerun = await cards.sweep_group(POLICY, GROUP, people, cst(2026, 11, 26, 16), reread)
    assert rerun.overdue == [1]
    await cards.sweep_group(POLICY, GROUP, people, cst(2026, 11, 27, 10), reread)
    rows = (
        await LedgerEntry.filter(rule="card.penalty")
        .order_by("id")
        .values_list("user_id", "delta", "business_date")
    )
    assert [(u, d, str(b)) for u, d, b in rows] == [(1, -10, "2026-11-26"), (1, -10, "2026-11-27")]
    assert reread.asked == [1, 1, 1]


async def test_the_first_fine_lands_on_the_announced_day_whatever_the_tick_milliseconds(db) -> None:
    # 时钟到 10:00 之后几百毫秒才走到：第一次 10:00:05.600，三天后 10:00:05.100
    people = [listed(1, "张三", cst(2025, 1, 1))]
    reread = Reread({1: "张三"})
    first = await cards.sweep_group(
        POLICY, GROUP, people, cst(2026, 11, 23, 10, 0, 5, 600000), reread
    )
    assert first.first_sweep and first.in_grace == [1]
    day3 = await cards.sweep_group(
        POLICY, GROUP, people, cst(2026, 11, 26, 10, 0, 5, 100000), reread
    )
    assert day3.overdue == [1]
    rows = await LedgerEntry.filter(rule="card.penalty").values_list("business_date", flat=True)
    assert [str(day) for day in rows] == ["2026-11-26"]
    # 群里公布的开始扣分时刻就是它：11月26日 10:00
    assert cards.deadline(POLICY, first.enforce_start) == cst(2026, 11, 26, 10)
    assert first.bites_at == cst(2026, 11, 26, 10)


async def test_the_daily_fine_is_once_per_business_day_across_midnight(db) -> None:
    people = [listed(1, "张三", cst(2025, 1, 1))]
    reread = Reread({1: "张三"})
    await cards.sweep_group(POLICY, GROUP, people, cst(2026, 11, 1, 10), reread)
    early = await cards.sweep_group(POLICY, GROUP, people, cst(2026, 11, 4, 9, 59, 59), reread)
    assert (early.in_grace, early.overdue) == ([1], [])
    for at in (
        cst(2026, 11, 4, 23, 59, 59),
        cst(2026, 11, 5, 0, 0),
        cst(2026, 11, 5, 23, 59, 59),
        cst(2026, 11, 6, 0, 0),
    ):
        assert (await cards.sweep_group(POLICY, GROUP, people, at, reread)).overdue == [1]
    rows = await LedgerEntry.filter(rule=rules.CARD_PENALTY).order_by("id")
    assert [(str(row.business_date), row.delta) for row in rows] == [
        ("2026-11-04", -10),
        ("2026-11-05", -10),
        ("2026-11-06", -10),
    ]


async def test_a_zero_daily_penalty_still_reports_overdue_but_writes_nothing(db) -> None:
    policy = POLICY.model_copy(
        update={"nickname": POLICY.nickname.model_copy(update={"daily_penalty": 0})}
    )
    people = [listed(1, "张三", cst(2025, 1, 1))]
    await cards.sweep_group(policy, GROUP, people, cst(2026, 11, 1, 10), Reread({}))
    result = await cards.sweep_group(
        policy, GROUP, people, cst(2026, 11, 4, 10), Reread({1: "张三"})
    )
    assert result.overdue == [1]
    assert await LedgerEntry.all().count() == 0


async def test_a_member_first_seen_already_overdue_is_saved_whole(db) -> None:
    await cards.sweep_group(POLICY, GROUP, [], cst(2026, 11, 1, 10), Reread({}))
    joined = cst(2025, 1, 1)
    admin = cards.Listed(1, "张三", "zs", "admin", int(joined.timestamp()))
    result = await cards.sweep_group(
        POLICY, GROUP, [admin], cst(2026, 11, 27, 10), Reread({1: "张三"})
    )
    assert result.overdue == [1]
    member = await Member.get(user_id=1)
    assert (member.role, member.nickname, member.joined_at, member.card, member.card_ok) == (
        "admin",
        "zs",
        joined,
        "张三",
        False,
    )


async def test_a_stale_list_card_is_reread_before_any_penalty(db) -> None:
    old = cst(2025, 1, 1)
    await cards.sweep_group(
        POLICY, GROUP, [listed(1, "张三", old)], cst(2026, 11, 20, 10), Reread({})
    )
    fixed = Reread({1: "鸡公山酒业-张三-13800000000"})
    result = await cards.sweep_group(
        POLICY, GROUP, [listed(1, "张三", old)], cst(2026, 11, 24, 10), fixed
    )
    assert (result.compliant, result.overdue) == (1, [])
    assert await LedgerEntry.all().count() == 0
    member = await Member.get(user_id=1)
    assert member.card_ok and member.card == "鸡公山酒业-张三-13800000000"
    # 改对的时刻是这次复查：/名片检查 和入群提醒按它说“何时改好的”
    assert member.card_changed_at == cst(2026, 11, 24, 10)


async def test_no_penalty_when_the_card_cannot_be_reread(db) -> None:
    old = cst(2025, 1, 1)
    await cards.sweep_group(
        POLICY, GROUP, [listed(1, "张三", old)], cst(2026, 11, 20, 10), Reread({})
    )
    result = await cards.sweep_group(
        POLICY, GROUP, [listed(1, "张三", old)], cst(2026, 11, 24, 10), Reread({1: None})
    )
    assert (result.overdue, result.unverified) == ([], [1])
    assert await LedgerEntry.all().count() == 0


async def test_a_recent_joiner_gets_grace_from_joining_and_exempt_people_are_skipped(db) -> None:
    policy = POLICY.model_copy(
        update={"nickname": POLICY.nickname.model_copy(update={"exempt": [3]})}
    )
    start = cst(2026, 11, 1, 10)
    await cards.sweep_group(policy, GROUP, [], start, Reread({}))
    newcomer = listed(1, "张三", cst(2026, 11, 25, 15))
    robot = listed(3, "机器人", cst(2025, 1, 1))
    result = await cards.sweep_group(
        policy, GROUP, [newcomer, robot], cst(2026, 11, 27, 10), Reread({})
    )
    assert (result.compliant, result.in_grace, result.overdue) == (0, [1], [])
    assert not await Member.filter(user_id=3).exists()


async def test_rejoining_restarts_grace_and_leavers_are_not_swept(db) -> None:
    old = cst(2025, 1, 1)
    await cards.sweep_group(
        POLICY, GROUP, [listed(1, "张三", old)], cst(2026, 11, 1, 10), Reread({})
    )
    await cards.left(POLICY, GROUP, 1, cst(2026, 11, 5, 9))
    await cards.joined(POLICY, GROUP, 1, cst(2026, 11, 26, 9))
    result = await cards.sweep_group(
        POLICY, GROUP, [listed(1, "张三", cst(2026, 11, 26, 9))], cst(2026, 11, 27, 10), Reread({})
    )
    assert result.in_grace == [1]
    assert (await ledger.month_summary("jgs", 1, "2026-11")).points == 0


async def test_card_notices_report_fixed_and_broke(db) -> None:
    at = cst(2026, 11, 27, 10)
    assert await cards.card_seen(POLICY, GROUP, 1, "张三", at) is None
    assert await cards.card_seen(POLICY, GROUP, 1, "鸡公山酒业－张三－13800000000", at) == "fixed"
    assert await cards.card_seen(POLICY, GROUP, 1, "鸡公山酒业-张三-13800000000", at) is None
    broke_at = at + timedelta(hours=2)
    assert await cards.card_seen(POLICY, GROUP, 1, "张三🍺", broke_at) == "broke"
    member = await Member.get(user_id=1)
    assert (member.card_ok, member.card_changed_at) == (False, broke_at)


@pytest.mark.parametrize(
    ("name", "phone", "card"),
    [
        ("李四", "13912345678", "鸡公山酒业-李四-13912345678"),
        ("阿依古丽·买买提", "13912345678", "鸡公山酒业-阿依古丽·买买提-13912345678"),
        ("李四", "1391234567", None),
        ("Li", "13912345678", None),
    ],
)
def test_build_card_follows_the_example(name: str, phone: str, card: str | None) -> None:
    assert cards.build_card(POLICY, name, phone) == card


async def test_one_member_leaving_does_not_mark_the_whole_group_left(db) -> None:
    from qungui import members

    for user in (1, 2, 3):
        await cards.joined(POLICY, GROUP, user, cst(2026, 11, 2, 9))
    await cards.left(POLICY, GROUP, 2, cst(2026, 11, 5, 9))
    left = dict(await Member.filter(group_id=GROUP).values_list("user_id", "left_at"))
    assert left == {1: None, 2: cst(2026, 11, 5, 9), 3: None}
    assert await members.counted(POLICY, "2026-11") == {1, 3}


async def test_a_rejoiner_is_counted_again(db) -> None:
    from qungui import members

    await cards.joined(POLICY, GROUP, 1, cst(2026, 11, 2, 9))
    await cards.left(POLICY, GROUP, 1, cst(2026, 11, 5, 9))
    assert await members.counted(POLICY, "2026-11") == set()
    # 重新入群，名片检查还没扫到他：已经算回组织里的人了
    await cards.joined(POLICY, GROUP, 1, cst(2026, 11, 26, 9))
    assert await members.counted(POLICY, "2026-11") == {1}
    member = await Member.get(user_id=1)
    assert (member.left_at, member.joined_at) == (None, cst(2026, 11, 26, 9))


async def test_the_penalty_row_says_why_in_words(db) -> None:
    old = cst(2025, 1, 1)
    await cards.sweep_group(
        POLICY, GROUP, [listed(1, "张三", old)], cst(2026, 11, 1, 10), Reread({})
    )
    await cards.sweep_group(
        POLICY, GROUP, [listed(1, "张三", old)], cst(2026, 11, 4, 10), Reread({1: "张三"})
    )
    entry = await LedgerEntry.get(rule=rules.CARD_PENALTY)
    assert (entry.user_id, entry.delta, entry.reason) == (1, -10, "宽限期后仍未改为规范格式")


async def test_a_joiners_deadline_counts_from_the_groups_first_check_when_that_is_later(db) -> None:
    """早就在群里的人，宽限从这个群第一次检查名片时算起，不从多年前入群时算起。"""
    first_check = cst(2026, 11, 20, 10)
    other_group = GROUP + 1
    await cards.sweep_group(POLICY, GROUP, [], first_check, Reread({}))
    await cards.sweep_group(POLICY, other_group, [], cst(2026, 11, 25, 10), Reread({}))
    long_ago = cst(2025, 1, 1)
    assert await cards.grace_deadline(POLICY, GROUP, long_ago) == cst(2026, 11, 23, 10)
    assert await cards.grace_deadline(POLICY, other_group, long_ago) == cst(2026, 11, 28, 10)
    # 检查开始以后才进群的人，从入群时算起
    late = cst(2026, 11, 22, 15, 30)
    assert await cards.grace_deadline(POLICY, GROUP, late) == cst(2026, 11, 25, 15, 30)
    # 这个群还没检查过：从入群时算起
    assert await cards.grace_deadline(POLICY, GROUP + 2, late) == cst(2026, 11, 25, 15, 30)


def test_build_card_with_a_pattern_that_has_no_phone() -> None:
    """制度的名片格式可以不带电话（公司-姓名）：拼名片时只换姓名，给的电话不用。"""
    nickname = POLICY.nickname.model_copy(
        update={
            "pattern": "^鸡公山酒业-(?P<name>[\u4e00-\u9fa5·]{2,12})$",
            "example": "鸡公山酒业-张三",
        }
    )
    policy = POLICY.model_copy(update={"nickname": nickname})
    assert cards.build_card(policy, "李四", "13912345678") == "鸡公山酒业-李四"


def test_build_card_skips_an_optional_phone_the_example_leaves_out() -> None:
    nickname = POLICY.nickname.model_copy(
        update={
            "pattern": "^鸡公山酒业-(?P<name>[\u4e00-\u9fa5·]{2,12})(?:-(?P<phone>1[3-9]\\d{9}))?$",
            "example": "鸡公山酒业-张三",
        }
    )
    policy = POLICY.model_copy(update={"nickname": nickname})
    assert cards.build_card(policy, "李四", "13912345678") == "鸡公山酒业-李四"


async def test_a_new_member_in_grace_is_saved_with_the_card_the_list_shows(db) -> None:
    """名单里第一次见到、还在宽限里的人不复查：存下列表里的名片（/名片检查、显示名字都读它）。"""
    await cards.sweep_group(POLICY, GROUP, [], cst(2026, 11, 1, 10), Reread({}))
    newcomer = listed(1, "鸡公山酒业-张三", cst(2026, 11, 26, 15))
    fine = listed(2, "鸡公山酒业-李四-13800000000", cst(2025, 1, 1))
    reread = Reread({})
    result = await cards.sweep_group(POLICY, GROUP, [newcomer, fine], cst(2026, 11, 27, 10), reread)
    assert (result.in_grace, result.compliant, reread.asked) == ([1], 1, [])
    saved = dict(await Member.filter(group_id=GROUP).values_list("user_id", "card"))
    assert saved == {1: "鸡公山酒业-张三", 2: "鸡公山酒业-李四-13800000000"}


async def test_what_the_member_list_says_now_replaces_what_was_stored(db) -> None:
    """每天的名片检查读到的新名片、昵称、身份、入群时间写回成员记录；退过群又在列表里的人算回来了。"""
    first = cst(2026, 11, 1, 10)
    await cards.sweep_group(POLICY, GROUP, [listed(1, "张三", cst(2025, 1, 1))], first, Reread({}))
    await cards.left(POLICY, GROUP, 1, cst(2026, 11, 5, 9))
    now = cst(2026, 11, 20, 10)
    back = cards.Listed(
        1, "鸡公山酒业-张三-13800000000", "zs2", "admin", int(cst(2026, 11, 19, 8).timestamp())
    )
    result = await cards.sweep_group(POLICY, GROUP, [back], now, Reread({}))
    assert result.compliant == 1
    member = await Member.get(user_id=1)
    assert (
        member.card,
        member.nickname,
        member.role,
        member.joined_at,
        member.left_at,
        member.card_ok,
        member.card_changed_at,
    ) == ("鸡公山酒业-张三-13800000000", "zs2", "admin", cst(2026, 11, 19, 8), None, True, now)


async def test_a_new_nickname_does_not_move_the_moment_the_card_became_right(db) -> None:
    first = cst(2026, 11, 1, 10)
    card = "鸡公山酒业-张三-13800000000"
    await cards.sweep_group(POLICY, GROUP, [listed(1, card, cst(2025, 1, 1))], first, Reread({}))
    renamed = cards.Listed(1, card, "新昵称", "member", int(cst(2025, 1, 1).timestamp()))
    await cards.sweep_group(POLICY, GROUP, [renamed], cst(2026, 11, 20, 10), Reread({}))
    member = await Member.get(user_id=1)
    assert (member.nickname, member.card_ok, member.card_changed_at) == ("新昵称", True, first)


async def test_a_new_join_time_alone_is_written_back(db) -> None:
    card = "鸡公山酒业-张三-13800000000"
    await cards.sweep_group(
        POLICY, GROUP, [listed(1, card, cst(2025, 1, 1))], cst(2026, 11, 1, 10), Reread({})
    )
    await cards.sweep_group(
        POLICY, GROUP, [listed(1, card, cst(2026, 11, 10, 8))], cst(2026, 11, 20, 10), Reread({})
    )
    assert (await Member.get(user_id=1)).joined_at == cst(2026, 11, 10, 8)


async def test_a_card_that_no_longer_matches_the_new_roster_is_marked_so(db) -> None:
    """名片没改，人事名单换了（那一行删了）：检查时把“合格”改成“不合格”，记下变的时刻。"""
    from qungui.roster import parse_roster

    card = "鸡公山酒业-张三-13800000000"
    await cards.sweep_group(
        POLICY, GROUP, [listed(1, card, cst(2025, 1, 1))], cst(2026, 11, 1, 10), Reread({})
    )
    roster = parse_roster("姓名,手机,部门\n李四,13800000002,生产部\n")
    now = cst(2026, 11, 2, 10)  # 还在宽限里：不复查，只看列表
    await cards.sweep_group(
        POLICY, GROUP, [listed(1, card, cst(2025, 1, 1))], now, Reread({1: card}), roster
    )
    member = await Member.get(user_id=1)
    assert (member.card_ok, member.card_changed_at) == (False, now)


async def test_a_member_list_that_has_not_changed_writes_no_member_rows(db, monkeypatch) -> None:
    """每天检查几千人：和库里一样的人一行也不写（3,000 人的群写一遍要几秒）。"""
    from qungui import members

    people = [
        listed(1, "鸡公山酒业-张三-13800000000", cst(2025, 1, 1)),
        listed(2, "张三", cst(2026, 11, 1, 8)),
    ]
    first = await cards.sweep_group(POLICY, GROUP, people, cst(2026, 11, 1, 10), Reread({}))
    assert first.group_id == GROUP
    writes: list[int] = []
    upsert = members.upsert

    async def counted(org, group_id, user_id, at, **fields):
        writes.append(user_id)
        await upsert(org, group_id, user_id, at, **fields)

    monkeypatch.setattr(members, "upsert", counted)
    again = await cards.sweep_group(POLICY, GROUP, people, cst(2026, 11, 2, 10), Reread({}))
    assert (again.group_id, again.compliant, again.in_grace, writes) == (GROUP, 1, [2], [])


async def test_an_unknown_join_time_counts_from_the_first_check(db) -> None:
    """NapCat 给的入群时间是 0（不知道）：按第一次检查的时刻记，不当成 1970 年。"""
    start = cst(2026, 11, 1, 10)
    unknown = cards.Listed(1, "张三", "zs", "member", 0)
    await cards.sweep_group(POLICY, GROUP, [unknown], start, Reread({}))
    assert (await Member.get(user_id=1)).joined_at == start


async def test_someone_marked_left_but_still_in_the_list_is_counted_again(db) -> None:
    """退群通知弄错了人（或他又进来了而入群通知丢了）：列表里还有他，就不再算退群。"""
    person = listed(1, "鸡公山酒业-张三-13800000000", cst(2025, 1, 1))
    await cards.sweep_group(POLICY, GROUP, [person], cst(2026, 11, 1, 10), Reread({}))
    await cards.left(POLICY, GROUP, 1, cst(2026, 11, 5, 9))
    await cards.sweep_group(POLICY, GROUP, [person], cst(2026, 11, 6, 10), Reread({}))
    assert (await Member.get(user_id=1)).left_at is None


def _card(user: int) -> cards.Listed:
    return listed(user, "鸡公山酒业-张三-13800000000", cst(2025, 1, 1))


async def test_someone_no_longer_in_the_list_is_marked_left(db) -> None:
    await cards.sweep_group(POLICY, GROUP, [_card(1), _card(2)], cst(2026, 11, 1, 10), Reread({}))
    await cards.sweep_group(POLICY, GROUP, [_card(1)], cst(2026, 11, 2, 10), Reread({}))
    left = dict(await Member.filter(group_id=GROUP).values_list("user_id", "left_at"))
    assert left == {1: None, 2: cst(2026, 11, 2, 10)}


async def test_the_ranking_counts_newcomers_and_rejoiners_the_list_shows(db) -> None:
    """/排行 缓存着参与统计的人：检查里新见到的人、列表里又出现的人马上算进去。"""
    from qungui import points

    async def ranked() -> list[int]:
        board = await points.board(POLICY, "2026-11", ())
        return sorted(s.user_id for s in board.standings)

    await cards.sweep_group(POLICY, GROUP, [_card(1)], cst(2026, 11, 1, 10), Reread({}))
    assert await ranked() == [1]
    await cards.sweep_group(POLICY, GROUP, [_card(1), _card(2)], cst(2026, 11, 2, 10), Reread({}))
    assert await ranked() == [1, 2]
    await cards.left(POLICY, GROUP, 2, cst(2026, 11, 3, 9))  # 退群通知
    assert await ranked() == [1]
    await cards.sweep_group(POLICY, GROUP, [_card(1), _card(2)], cst(2026, 11, 4, 10), Reread({}))
    assert await ranked() == [1, 2]


async def test_without_a_roster_two_cards_with_one_phone_are_not_held(db) -> None:
    """没有人事名单时认不出谁是谁：同一个电话的两张名片都按格式算规范，不挂起。"""
    result = await cards.sweep_group(
        POLICY, GROUP, [_card(1), _card(2)], cst(2026, 11, 1, 10), Reread({})
    )
    assert (result.compliant, result.duplicates) == (2, [])


async def test_an_exempt_account_first_in_the_list_does_not_stop_the_check(db) -> None:
    policy = POLICY.model_copy(
        update={"nickname": POLICY.nickname.model_copy(update={"exempt": [3]})}
    )
    robot = listed(3, "机器人", cst(2025, 1, 1))
    result = await cards.sweep_group(
        policy, GROUP, [robot, _card(1)], cst(2026, 11, 1, 10), Reread({})
    )
    assert result.compliant == 1


async def test_a_join_time_from_the_join_notice_stands_when_the_list_has_none(db) -> None:
    """入群通知记下了入群时刻，列表里的入群时间却是 0：宽限照旧从入群通知那一刻算。"""
    await cards.sweep_group(POLICY, GROUP, [], cst(2026, 11, 1, 10), Reread({}))
    await cards.joined(POLICY, GROUP, 1, cst(2026, 11, 20, 15))
    unknown = cards.Listed(1, "张三", "zs", "member", 0)
    result = await cards.sweep_group(POLICY, GROUP, [unknown], cst(2026, 11, 22, 10), Reread({}))
    assert result.in_grace == [1]
    assert (await Member.get(user_id=1)).joined_at == cst(2026, 11, 20, 15)


async def test_a_member_already_known_in_another_work_group_gets_a_row_in_this_one(db) -> None:
    other = GROUP + 1
    await cards.sweep_group(POLICY, other, [_card(1)], cst(2026, 11, 1, 10), Reread({}))
    await cards.sweep_group(POLICY, GROUP, [_card(1)], cst(2026, 11, 1, 11), Reread({}))
    assert sorted(await Member.filter(user_id=1).values_list("group_id", flat=True)) == sorted(
        [GROUP, other]
    )


async def test_a_policy_start_date_starts_everyones_grace_at_midnight_there(db) -> None:
    """制度写了 enforce_from：早就在群里的人从那天 00:00（组织时区）起算宽限，不管哪天第一次检查。"""
    from datetime import date

    nickname = POLICY.nickname.model_copy(update={"enforce_from": date(2026, 11, 10)})
    policy = POLICY.model_copy(update={"nickname": nickname})
    assert await cards.grace_deadline(policy, GROUP, cst(2025, 1, 1)) == cst(2026, 11, 13, 0, 0)
    result = await cards.sweep_group(
        policy, GROUP, [listed(1, "张三", cst(2025, 1, 1))], cst(2026, 11, 12, 23, 59), Reread({})
    )
    assert (result.enforce_start, result.in_grace) == (cst(2026, 11, 10, 0, 0), [1])


async def test_leaving_one_work_group_keeps_the_members_other_group(db) -> None:
    """不在这个群的列表里，只算退了这个群：他在另一个工作群的记录不动。"""
    other = GROUP + 1
    await cards.sweep_group(POLICY, other, [_card(2)], cst(2026, 11, 1, 9), Reread({}))
    await cards.sweep_group(POLICY, GROUP, [_card(1), _card(2)], cst(2026, 11, 1, 10), Reread({}))
    await cards.sweep_group(POLICY, GROUP, [_card(1)], cst(2026, 11, 2, 10), Reread({}))
    rows = await Member.filter(user_id=2).order_by("group_id").values_list("group_id", "left_at")
    assert rows == [(GROUP, cst(2026, 11, 2, 10)), (other, None)]


async def test_the_ranking_drops_someone_the_check_finds_gone(db) -> None:
    from qungui import points

    await cards.sweep_group(POLICY, GROUP, [_card(1), _card(2)], cst(2026, 11, 1, 10), Reread({}))
    board = await points.board(POLICY, "2026-11", ())
    assert sorted(s.user_id for s in board.standings) == [1, 2]
    await cards.sweep_group(POLICY, GROUP, [_card(1)], cst(2026, 11, 2, 10), Reread({}))
    board = await points.board(POLICY, "2026-11", ())
    assert [s.user_id for s in board.standings] == [1]


async def test_a_members_own_deadline_is_the_later_of_his_groups_first_check_and_his_joining(
    db,
) -> None:
    """网页成员页上的名片期限：和每天的检查同样算，按他所在的那个群。"""
    await cards.sweep_group(POLICY, GROUP, [], cst(2026, 11, 20, 10), Reread({}))
    await cards.sweep_group(POLICY, GROUP + 1, [], cst(2026, 11, 25, 10), Reread({}))

    def member(group_id: int, joined_at: datetime | None) -> Member:
        seen = cst(2026, 11, 26, 9)
        return Member(
            org="jgs",
            group_id=group_id,
            user_id=7,
            first_seen=seen,
            last_seen=seen,
            joined_at=joined_at,
        )

    long_ago, late = cst(2025, 1, 1), cst(2026, 11, 22, 15, 30)
    assert await cards.member_deadline(POLICY, member(GROUP, long_ago)) == cst(2026, 11, 23, 10)
    assert await cards.member_deadline(POLICY, member(GROUP + 1, long_ago)) == cst(2026, 11, 28, 10)
    assert await cards.member_deadline(POLICY, member(GROUP, late)) == cst(2026, 11, 25, 15, 30)
    assert await cards.member_deadline(POLICY, member(GROUP, None)) == cst(2026, 11, 23, 10)
    # 群还没检查过：从入群时算；入群时刻也不知道就说不出期限
    assert await cards.member_deadline(POLICY, member(GROUP + 2, late)) == cst(2026, 11, 25, 15, 30)
    assert await cards.member_deadline(POLICY, member(GROUP + 2, None)) is None


async def test_a_card_notice_is_judged_per_group_against_the_roster_row_of_that_qq(db) -> None:
    """同一个人在两个工作群：各群的名片各自判断、各自记下变化的时刻。名单那一行写了 QQ 的，
    别人戴上这张名片不算“改好了”。"""
    from qungui.roster import parse_roster

    roster = parse_roster("姓名,手机,QQ\n张三,13800000000,1\n")
    card = "鸡公山酒业-张三-13800000000"
    at = cst(2026, 11, 27, 10)
    assert await cards.card_seen(POLICY, GROUP, 1, card, at, roster) == "fixed"
    assert await cards.card_seen(POLICY, GROUP + 1, 1, "张三", at, roster) is None
    later = at + timedelta(hours=1)
    assert await cards.card_seen(POLICY, GROUP + 1, 1, card, later, roster) == "fixed"
    assert await cards.card_seen(POLICY, GROUP, 1, card, later + timedelta(hours=1), roster) is None
    rows = (
        await Member.filter(user_id=1)
        .order_by("group_id")
        .values_list("group_id", "card_ok", "card_changed_at")
    )
    assert rows == [(GROUP, True, at), (GROUP + 1, True, later)]
    # 2 号戴着张三的名片：名单上这一行是 QQ 1 的
    assert await cards.card_seen(POLICY, GROUP, 2, card, later, roster) is None
    assert (await Member.get(user_id=2)).card_ok is False
