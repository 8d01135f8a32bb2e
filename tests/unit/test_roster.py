from datetime import datetime
from pathlib import Path

from qungui import absence, cards, rules
from qungui.cards import CardParts
from qungui.models import AbsenceCase, LedgerEntry, Member
from qungui.policy import load_policies
from qungui.roster import Roster, RosterRow, load_roster, parse_roster

POLICY = load_policies(Path(__file__).parents[1] / "policy.toml").orgs["jgs"]
CST = POLICY.tz
WORK = 987654321

CSV = (
    "\ufeff姓名,手机,部门,QQ,状态\r\n"
    "张三,13800000001,销售部,20001,\r\n"
    "李四,138-0000-0002,生产部,,\r\n"
    ",13800000003,行政部,,\r\n"
    "王五,1380000000,行政部,,\r\n"
    "赵六,13800000001,财务部,,\r\n"
    "孙七,13800000007,财务部,abc,\r\n"
    "周八,13800000008,销售部,20008,离职\r\n"
    ",,,,\r\n"
)


def cst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CST)


def test_roster_rows_and_rejections_with_line_numbers() -> None:
    roster = parse_roster(CSV)
    assert [(r.line, r.name, r.phone, r.qq) for r in roster.rows] == [
        (2, "张三", "13800000001", 20001),
        (3, "李四", "13800000002", None),
        (8, "周八", "13800000008", 20008),
    ]
    assert roster.rows[2].has_left
    assert roster.rejected == [
        (4, "姓名为空"),
        (5, "手机号应为 11 位数字"),
        (6, "手机号与第 2 行重复"),
        (7, "QQ 应为数字"),
    ]


def test_a_roster_without_the_required_columns_is_refused() -> None:
    assert parse_roster("name,phone\n张三,13800000001\n").rejected == [
        (1, "表头缺少列：姓名、手机（应为 姓名,手机,部门）")
    ]


def test_roster_file_in_excel_encodings(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(CSV, encoding="utf-8")
    assert len(load_roster(path).rows) == 3
    path.write_bytes(CSV.encode("gbk", errors="ignore"))
    assert "不是 UTF-8 编码" in load_roster(path).rejected[0][1]
    assert "不存在" in load_roster(tmp_path / "nope.csv").rejected[0][1]


def test_with_a_roster_the_card_must_match_a_row() -> None:
    roster = parse_roster(CSV)
    assert cards.card_ok(POLICY, "鸡公山酒业-张三-13800000001", roster)
    assert cards.card_ok(POLICY, "鸡公山酒业－李四－13800000002", roster)
    assert not cards.card_ok(POLICY, "鸡公山酒业-张三-13800000002", roster)
    assert not cards.card_ok(POLICY, "鸡公山酒业-陈九-13800000009", roster)
    assert cards.card_ok(POLICY, "鸡公山酒业-陈九-13800000009", None)


async def test_two_members_claiming_one_phone_are_held_for_review(db) -> None:
    roster = parse_roster(CSV)
    same = "鸡公山酒业-李四-13800000002"  # 名单上李四那一行没写 QQ：认不出哪个是他
    listed = [cards.Listed(1, same, "a", "member", 0), cards.Listed(2, same, "b", "member", 0)]

    async def reread(user: int) -> str:
        return same

    result = await cards.sweep_group(POLICY, WORK, listed, cst(2026, 11, 27, 10), reread, roster)
    assert (result.compliant, result.duplicates, result.overdue) == (0, [1, 2], [])


async def test_members_with_their_own_roster_rows_are_not_held_for_review(db) -> None:
    """两个人各用名单上自己那一行：不是“共用电话”，都算规范。"""
    roster = parse_roster(CSV)
    listed = [
        cards.Listed(20001, "鸡公山酒业-张三-13800000001", "a", "member", 0),
        cards.Listed(2, "鸡公山酒业-李四-13800000002", "b", "member", 0),
    ]

    async def reread(user: int) -> str:
        return next(p.card for p in listed if p.user_id == user)

    result = await cards.sweep_group(POLICY, WORK, listed, cst(2026, 11, 27, 10), reread, roster)
    assert (result.compliant, result.duplicates) == (2, [])


async def test_a_card_that_does_not_match_the_roster_does_not_make_a_duplicate(db) -> None:
    """别人拿张三的电话、或写错了名字：那张名片本来就不合格（宽限后扣分），张三本人照样算规范，
    两人都不因“共用电话”挂起。"""
    roster = parse_roster(CSV)
    listed = [
        cards.Listed(20001, "鸡公山酒业-张三-13800000001", "a", "member", 0),
        cards.Listed(20002, "鸡公山酒业-张三-13800000001", "b", "member", 0),  # 那一行写的是 20001
        cards.Listed(3, "鸡公山酒业-李四-13800000002", "c", "member", 0),
        cards.Listed(4, "鸡公山酒业-王小五-13800000002", "d", "member", 0),  # 名字对不上
    ]

    async def reread(user: int) -> str:
        return next(p.card for p in listed if p.user_id == user)

    result = await cards.sweep_group(POLICY, WORK, listed, cst(2026, 11, 27, 10), reread, roster)
    assert (result.compliant, result.duplicates, sorted(result.in_grace)) == (2, [], [4, 20002])


def test_the_roster_match_takes_the_parsed_card_and_the_rows_qq() -> None:
    roster = parse_roster(CSV)
    zhang = cards.parse_card(POLICY, "鸡公山酒业－张三－１３８０００００００１")
    assert zhang is not None
    assert roster.match(zhang, 20001) == roster.by_phone["13800000001"]
    assert roster.match(zhang) == roster.by_phone["13800000001"]
    assert roster.match(zhang, 20002) is None  # 这一行写了张三的 QQ
    li = cards.parse_card(POLICY, "鸡公山酒业-李四-13800000002")
    assert li is not None and roster.match(li, 20009) == roster.by_phone["13800000002"]
    assert roster.match(CardParts("张叁", "13800000001")) is None
    assert roster.match(CardParts("张三", None)) is None


def row(name: str, phone: str, qq: int | None) -> RosterRow:
    return RosterRow(line=2, name=name, phone=phone, qq=qq)


async def test_absence_ladder_warn_then_fine_once_a_month_then_chairmen_then_close(db) -> None:
    roster = Roster(rows=[row("张三", "13800000001", 20001), row("李四", "13800000002", None)])
    first = await absence.check_absent(POLICY, roster, cst(2026, 11, 20, 10))
    assert [r.name for r in first.opened] == ["张三", "李四"]

    early = await absence.check_absent(POLICY, roster, cst(2026, 11, 22, 10))
    assert (early.opened, early.penalised) == ([], [])

    due = await absence.check_absent(POLICY, roster, cst(2026, 11, 23, 10))
    assert [r.name for r in due.penalised] == ["张三"]  # 李四没有 QQ：认不出是谁就不扣
    again = await absence.check_absent(POLICY, roster, cst(2026, 11, 24, 10))
    assert again.penalised == [] and again.escalated == []
    told = await absence.check_absent(POLICY, roster, cst(2026, 11, 26, 10))
    assert [r.name for r in told.escalated] == ["张三", "李四"]
    assert (await absence.check_absent(POLICY, roster, cst(2026, 11, 27, 10))).escalated == []

    rows = await LedgerEntry.filter(rule="roster.absent").values_list("user_id", "delta")
    assert rows == [(20001, -50)]

    now = cst(2026, 11, 28, 10)
    await Member.create(
        org="jgs",
        group_id=WORK,
        user_id=20001,
        card="鸡公山酒业-张三-13800000001",
        first_seen=now,
        last_seen=now,
        card_ok=True,
    )
    closed = await absence.check_absent(POLICY, roster, now)
    assert [r.name for r in closed.closed] == ["张三"]
    assert await AbsenceCase.filter(closed_at=None).values_list("name", flat=True) == ["李四"]
    december = await absence.check_absent(POLICY, roster, cst(2026, 12, 1, 10))
    assert december.penalised == []


async def test_a_leaver_still_in_the_group_is_listed(db) -> None:
    roster = Roster(rows=[RosterRow(2, "周八", "13800000008", qq=20008, status="离职")])
    now = cst(2026, 11, 27, 10)
    await Member.create(
        org="jgs",
        group_id=WORK,
        user_id=20008,
        card="鸡公山酒业-周八-13800000008",
        first_seen=now,
        last_seen=now,
    )
    report = await absence.check_absent(POLICY, roster, now)
    assert [r.name for r in report.leavers_present] == ["周八"]
    assert report.opened == []


async def test_the_absence_ladder_counts_days_not_tick_milliseconds(db) -> None:
    roster = Roster(rows=[row("张三", "13800000001", 20001)])
    # 第一次检查在 10:00:05.600 走到，之后每天在 10:00:05.100
    await absence.check_absent(POLICY, roster, cst(2026, 11, 20, 10, 0, 5, 600000))
    due = await absence.check_absent(POLICY, roster, cst(2026, 11, 23, 10, 0, 5, 100000))
    assert [r.name for r in due.penalised] == ["张三"]
    told = await absence.check_absent(POLICY, roster, cst(2026, 11, 26, 10, 0, 5, 100000))
    assert [r.name for r in told.escalated] == ["张三"]
    rows = await LedgerEntry.filter(rule="roster.absent").values_list("business_date", flat=True)
    assert [str(day) for day in rows] == ["2026-11-23"]


async def test_a_roster_row_whose_qq_is_in_a_work_group_is_present(db) -> None:
    roster = Roster(rows=[row("张三", "13800000001", 20001), row("李四", "13800000002", 20002)])
    opened = await absence.check_absent(POLICY, roster, cst(2026, 11, 20, 10))
    assert [r.name for r in opened.opened] == ["张三", "李四"]
    # 两人都进了群，名片还没改对（那是每天 -10 的事）；李四进的是分享群，不是公司群
    now = cst(2026, 11, 21, 9)
    for group, user in [(WORK, 20001), (987654322, 20002)]:
        await Member.create(
            org="jgs", group_id=group, user_id=user, card="小张", first_seen=now, last_seen=now
        )
    for day in (21, 23, 26):
        report = await absence.check_absent(POLICY, roster, cst(2026, 11, day, 10))
        assert "张三" not in [r.name for r in report.still_absent + report.penalised]
        assert "张三" not in [r.name for r in report.escalated]
    assert await AbsenceCase.filter(closed_at=None).values_list("name", flat=True) == ["李四"]
    fined = await LedgerEntry.filter(rule="roster.absent").values_list("user_id", flat=True)
    assert fined == [20002]


async def test_the_card_reread_before_a_fine_is_checked_against_the_roster(db) -> None:
    roster = parse_roster(CSV)
    long_ago = cst(2025, 1, 1)
    people = [
        cards.Listed(1, "张三", "a", "member", int(long_ago.timestamp())),
        cards.Listed(2, "李四", "b", "member", int(long_ago.timestamp())),
    ]
    # 列表里的名片是旧的；复查时两人都改成了合格式的名片，但只有 1 号的对得上名单
    # （李四那一行没写 QQ；张三那一行写了 20001，不是这两位）
    now = {1: "鸡公山酒业-李四-13800000002", 2: "鸡公山酒业-张三-13800000009"}

    async def reread(user: int) -> str:
        return now[user]

    await cards.sweep_group(POLICY, WORK, people, cst(2026, 11, 20, 10), reread, roster)
    result = await cards.sweep_group(POLICY, WORK, people, cst(2026, 11, 27, 10), reread, roster)
    assert (result.compliant, result.overdue) == (1, [2])
    assert await LedgerEntry.filter(rule=rules.CARD_PENALTY).values_list("user_id", flat=True) == [
        2
    ]
    checked = dict(await Member.filter(group_id=WORK).values_list("user_id", "card_ok"))
    assert checked == {1: True, 2: False}


async def test_a_card_naming_another_rows_person_neither_hides_them_nor_counts_as_own(db) -> None:
    roster = Roster(rows=[row("张三", "13800000001", 20001), row("李四", "13800000002", 20002)])
    zhang_card = "鸡公山酒业-张三-13800000001"
    # 李四在公司群里，名片却写成没进群的张三：张三不因此算“在群里”，李四的名片也不算对
    seen = cst(2026, 11, 19, 9)
    await Member.create(
        org="jgs", group_id=WORK, user_id=20002, card=zhang_card, first_seen=seen, last_seen=seen
    )
    assert not cards.card_ok(POLICY, zhang_card, roster, user_id=20002)
    assert cards.card_ok(POLICY, zhang_card, roster, user_id=20001)
    first = await absence.check_absent(POLICY, roster, cst(2026, 11, 20, 10))
    assert [r.name for r in first.opened] == ["张三"]
    due = await absence.check_absent(POLICY, roster, cst(2026, 11, 23, 10))
    assert [r.name for r in due.penalised] == ["张三"]
    long_ago = int(cst(2025, 1, 1).timestamp())

    async def reread(user: int) -> str:
        return zhang_card

    listed = [cards.Listed(20002, zhang_card, "li", "member", long_ago)]
    await cards.sweep_group(POLICY, WORK, listed, cst(2026, 11, 20, 10), reread, roster)
    result = await cards.sweep_group(POLICY, WORK, listed, cst(2026, 11, 27, 10), reread, roster)
    assert (result.compliant, result.overdue) == (0, [20002])
