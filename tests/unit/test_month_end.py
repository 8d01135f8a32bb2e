"""月底：周期边界、结算 → 冻结 → 快照、导出的单元格、排行图片。"""

import io
import os
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from PIL import Image, ImageChops, ImageDraw, ImageFont

from qungui import board_image, export, ledger, members, month_end, months, rules
from qungui.dates import month_days
from qungui.jobs import Schedule, occurrences
from qungui.models import LedgerEntry
from qungui.policy import load_policies
from qungui.roles import Role

POLICY = load_policies(Path(__file__).parents[1] / "policy.toml").orgs["jgs"]
CST = POLICY.tz
WORK, SHARE = 987654321, 987654322


def cst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CST)


@pytest.mark.parametrize(
    ("posted_at", "month", "first", "last"),
    [
        (cst(2026, 11, 1, 9), "2026-10", date(2026, 10, 1), date(2026, 10, 31)),
        (cst(2026, 12, 1, 9), "2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        (cst(2028, 3, 1, 9), "2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        (cst(2027, 3, 1, 9), "2027-02", date(2027, 2, 1), date(2027, 2, 28)),
        (cst(2027, 1, 1, 9), "2026-12", date(2026, 12, 1), date(2026, 12, 31)),
        (cst(2027, 1, 5, 9), "2026-12", date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_the_month_a_post_closes(posted_at, month, first, last) -> None:
    assert month_end.previous_month(posted_at) == month
    assert month_days(month) == (first, last)


def test_post_day_other_than_the_first() -> None:
    schedule = Schedule(time(9, 0), day=5)
    moments = occurrences(schedule, POLICY, cst(2026, 11, 20), cst(2027, 1, 31))
    assert moments == [cst(2026, 12, 5, 9), cst(2027, 1, 5, 9)]
    assert [month_end.previous_month(m) for m in moments] == ["2026-11", "2026-12"]


async def seen(user: int, name: str) -> None:
    card = f"鸡公山酒业-{name}-13800000000"
    at = cst(2026, 11, 1, 8)
    await members.upsert("jgs", SHARE, user, at, card=card, nickname=name, role="member")


async def share_days(user: int, days: list[int], month: tuple[int, int] = (2026, 11)) -> None:
    for day in days:
        await ledger.award(
            org="jgs",
            user_id=user,
            rule=rules.SHARE_DAILY,
            period=f"{month[0]}-{month[1]:02d}-{day:02d}",
            delta=1,
            business_date=date(*month, day),
            now=cst(*month, day, 9),
        )


async def a_month(db) -> None:
    """张三 27 天连续，李四 20 天，王五 5 天后离开，赵六没有分享。"""
    for user, name in [(1, "张三"), (2, "李四"), (3, "王五"), (4, "赵六")]:
        await seen(user, name)
    await share_days(1, list(range(1, 28)))
    await share_days(2, list(range(1, 21)))
    await share_days(3, list(range(1, 6)))


async def test_close_settles_freezes_and_snapshots(db, clock_at) -> None:
    await a_month(db)
    now = cst(2026, 12, 1, 9)
    clock_at(now)
    assert await month_end.settle(POLICY, "2026-11", now) == 1
    assert await month_end.settle(POLICY, "2026-11", now) == 0  # 重跑不重复
    await months.freeze("jgs", "2026-11", now)
    board = await month_end.take_snapshot(POLICY, "2026-11", [], now)
    assert [(r.rank, r.name, r.points, r.share_days, r.streak) for r in board.rows] == [
        (1, "张三", 47, 27, True),
        (2, "李四", 20, 20, False),
        (3, "王五", 5, 5, False),
        (4, "赵六", 0, 0, False),
    ]
    # 冻结后：系统奖励不再记入，撤销要主席写明理由
    late = await ledger.award(
        org="jgs",
        user_id=4,
        rule=rules.SHARE_DAILY,
        period="2026-11-30",
        delta=1,
        business_date=date(2026, 11, 30),
        now=now,
    )
    assert late is None
    entry = await LedgerEntry.filter(user_id=2).first()
    undo = {"org": "jgs", "entry_id": entry.id, "now": now, "actor_id": 9, "command_key": "k1"}
    with pytest.raises(ledger.MonthFrozen):
        await ledger.reverse(**undo, actor_role=Role.ADMIN, reason="填错了")
    with pytest.raises(ledger.MonthFrozen):
        await ledger.reverse(**undo, actor_role=Role.CHAIRMAN, reason=" ")
    written = await ledger.reverse(**undo, actor_role=Role.CHAIRMAN, reason="主席复核")
    assert written.created
    # 快照不随之后的改动和离职改变
    await members.upsert("jgs", SHARE, 3, now, left_at=now)
    again = await month_end.take_snapshot(POLICY, "2026-11", [], now + timedelta(days=30))
    assert again.rows == board.rows
    assert (await month_end.board(POLICY, "2026-11", [])).posted is True


async def test_a_card_that_is_only_a_number_is_not_a_name_on_the_board(db) -> None:
    at = cst(2026, 11, 1, 8)
    await members.upsert("jgs", SHARE, 1, at, card="13712345678", nickname="小李", role="member")
    await members.upsert("jgs", SHARE, 20003, at, card="王五-13712345679", nickname="")
    await seen(3, "张三")
    board = await month_end.live_board(POLICY, "2026-11", [])
    assert sorted(row.name for row in board.rows) == ["小李", "张三", "成员0003"]


async def test_the_board_image_draws_no_phone(db, monkeypatch) -> None:
    drawn: list[str] = []
    real = ImageDraw.ImageDraw.text

    def record(self, xy, text, *args, **kwargs):
        drawn.append(text)
        return real(self, xy, text, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", record)
    # 以前的快照里可能存着号码：画之前也打码
    rows = [
        month_end.Row(1, 20001, "13712345678", 9, 3, False),
        month_end.Row(2, 20002, "王五-139 8765 4321", 7, 2, False),
        month_end.Row(3, 20003, "李四", 5, 1, False),
    ]
    board = month_end.MonthBoard("鸡公山酒业", "2026-11", rows, posted=True)
    board_image.forget_fonts()
    board_image.render(POLICY, board, board_image.find_font(POLICY))
    names = [text for text in drawn if "*" in text or "李四" in text]
    assert names == ["137****5678", "王五-139****4…", "李四"]
    for text in drawn:
        assert not re.search(r"\d{7,}", re.sub(r"[\s-]", "", text)), text


async def test_export_has_three_sheets_with_the_right_cells(db, tmp_path: Path) -> None:
    await a_month(db)
    # 李四 21 日的分享在 22 日凌晨宽限时段记上：算“补”
    await ledger.award(
        org="jgs",
        user_id=2,
        rule=rules.SHARE_DAILY,
        period="2026-11-21",
        delta=1,
        business_date=date(2026, 11, 21),
        now=cst(2026, 11, 22, 1, 30),
    )
    wrong = await LedgerEntry.filter(user_id=3).order_by("id").first()
    await ledger.reverse(
        org="jgs",
        entry_id=wrong.id,
        now=cst(2026, 11, 3),
        actor_id=30001,
        actor_role=Role.ADMIN,
        reason="非原创",
        command_key="x",
    )
    path = await export.write(POLICY, "2026-11", [], tmp_path / "out.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["排行", "分享", "账本", "通知", "申报", "申诉"]
    standings = [row for row in book["排行"].iter_rows(values_only=True)]
    assert standings[0] == ("名次", "姓名", "QQ", "积分", "分享天数", "连续分享奖励")
    assert standings[1] == (1, "张三", 1, 27, 27, None)
    assert standings[2] == (2, "李四", 2, 21, 21, None)
    assert standings[3] == (3, "王五", 3, 4, 4, None)
    grid = book["分享"]
    assert [c.value for c in grid[1]][:5] == ["姓名", "QQ", "天数", "1日", "2日"]
    li = [c.value for c in grid[3]]
    assert li[:3] == ["李四", 2, 21]
    assert li[3 + 19] == "✓" and li[3 + 20] == "补" and li[3 + 21] == "—"  # 20 日、21 日、22 日
    wang = [c.value for c in grid[4]]
    assert wang[3] == "—" and wang[4] == "✓"  # 1 日那条被撤销了
    entries = list(book["账本"].iter_rows(values_only=True))
    assert entries[0][:6] == ("编号", "营业日", "QQ", "姓名", "分数", "规则")
    # 人事看的是规则的中文名称，不是账本里的代码
    assert {row[5] for row in entries[1:]} == {"每日分享", "撤销"}
    reversal = next(row for row in entries if row[5] == "撤销")
    original = next(row for row in entries if row[0] == wrong.id)
    assert reversal[9] == wrong.id and original[10] == reversal[0]
    assert reversal[6:9] == ("非原创", 30001, "admin")


def _ink(font: ImageFont.FreeTypeFont, char: str) -> Image.Image:
    image = Image.new("L", (64, 64), 0)
    ImageDraw.Draw(image).text((4, 4), char, font=font, fill=255)
    return image


def test_the_cjk_font_draws_chinese_not_boxes() -> None:
    board_image.forget_fonts()
    path = board_image.find_font(POLICY)
    assert path is not None, "没有中文字体：apt-get install fonts-wqy-microhei（.ci/run 会装）"
    font = ImageFont.truetype(str(path), 40)
    missing = _ink(font, "\U000f0001")  # 私用区：字体里没有，画出来就是“方框”
    for char in "酒业积分排行张三":
        glyph = _ink(font, char)
        assert glyph.getbbox() is not None, f"{char} 什么也没画"
        assert ImageChops.difference(glyph, missing).getbbox() is not None, f"{char} 画成了方框"
    assert _ink(font, "酒").tobytes() != _ink(font, "业").tobytes()


async def test_the_board_image_is_a_readable_png(db) -> None:
    await a_month(db)
    board = await month_end.live_board(POLICY, "2026-11", [])
    board_image.forget_fonts()
    png = board_image.render(POLICY, board, board_image.find_font(POLICY))
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width == board_image.WIDTH
    assert image.convert("L").getextrema()[0] < 80  # 有深色的字，不是白板


def test_without_a_font_there_is_no_image(monkeypatch) -> None:
    board_image.forget_fonts()
    monkeypatch.setattr(board_image, "system_cjk_font", lambda: None)
    assert board_image.find_font(POLICY) is None
    missing = POLICY.model_copy(
        update={"leaderboard": POLICY.leaderboard.model_copy(update={"font": "/nope.ttf"})}
    )
    assert board_image.find_font(missing) is None
    board_image.forget_fonts()


async def test_an_export_that_fails_halfway_leaves_the_last_good_file_whole(
    db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """人事正从网页下载上个月的表，月底任务又在写同一个文件：下载的人只该拿到完整的旧表或完整的新表。"""
    path = await export.write(POLICY, "2026-11", [], tmp_path / "out.xlsx")
    good = path.read_bytes()

    def half_written(self, filename) -> None:
        Path(filename).write_bytes(good[: len(good) // 2])
        raise OSError("磁盘满了")

    monkeypatch.setattr(Workbook, "save", half_written)
    with pytest.raises(OSError, match="磁盘满了"):
        await export.write(POLICY, "2026-11", [], path)
    assert path.read_bytes() == good
    assert [name for name in os.listdir(tmp_path) if ".xlsx" in name] == ["out.xlsx"]


async def test_an_organisation_with_a_long_name_still_gets_its_export(db, tmp_path: Path) -> None:
    """组织全称很长（75 个字，文件名 249 字节，文件系统上限 255）：表照样写得出来。写到一半用的临时文件
    名字不能比最后的文件名长出一截，否则每次导出都因“文件名太长”失败，人事一个月的表也拿不到。"""
    name = f"{'鸡公山酒业集团华中区域营销中心' * 5}-2026年11月积分.xlsx"
    assert len(name.encode()) == 249

    path = await export.write(POLICY, "2026-11", [], tmp_path / "jgs" / name)

    assert "排行" in load_workbook(path).sheetnames
    assert os.listdir(tmp_path / "jgs") == [name]
