"""`make demo` 真的能跑完一个月，讲的是真话，并留下排行图片和积分表。"""

import io
import re

from openpyxl import load_workbook

from scripts.demo import run_demo


async def test_the_demo_plays_a_month_and_leaves_the_board_and_the_sheet(tmp_path) -> None:
    out = io.StringIO()
    folder = await run_demo(out, tmp_path / "demo")
    transcript = out.getvalue()
    days = transcript.split("\n—— ")

    def day(label: str) -> str:
        return next(part for part in days if part.startswith(label))

    # 新人入群名片是空的：机器人当场提醒；王五改好了，赵六宽限过后被扣分，之后自己用 /改名片 改好
    assert "王五" in day("11月2日") and "群名片" in day("11月2日")
    assert "-10" in day("11月5日") and "赵六" in day("11月5日")
    assert "（机器人把 赵六 的群名片改为 鸡公山酒业-赵六-136****0004）" in day("11月6日")
    # 抄来的分享不算原创；李四 10 日没发，20:00 被提醒
    assert "钱七" in day("11月5日") and "原创" in day("11月5日")
    assert "@李四" in day("11月10日")
    # 精选、第三次警告通知主席、审核、通知、申诉、月底帖、导出
    assert "经典分享" in day("11月8日") or "+5" in day("11月8日")
    assert "私聊 陈总]" in day("11月23日")
    assert "私聊 王管]" in day("11月13日") and "审1" in day("11月13日")
    assert "【通知" in day("11月17日")
    assert "私聊 钱七]" in day("11月24日")
    # 谁参加排名只有一个定义：/积分 和 /排行 说的人数一样（王管不参加评比）
    counts = re.findall(r"共 (\d+) 人", day("11月20日"))
    assert counts and set(counts) == {"5"}
    month_end = day("12月1日")
    assert "积分排行" in month_end and "[排行图片]" in month_end
    assert "（机器人发来文件" in month_end

    # 群里说的话不出现手机号
    said_in_groups = [line for line in transcript.splitlines() if "群] 群规助手：" in line]
    assert said_in_groups and not any(re.search(r"\d{7,}", line) for line in said_in_groups)

    board = next(folder.glob("*.png"))
    assert board.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    sheet = next(folder.glob("*.xlsx"))
    ranking = load_workbook(sheet).worksheets[0]
    names = [row[1] for row in ranking.iter_rows(min_row=2, values_only=True)]
    assert {"张三", "李四", "王五", "赵六", "钱七"} <= set(names)
    assert str(folder) in transcript
