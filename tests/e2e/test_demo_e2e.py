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

    # 成员在群里问 /帮助 只看到成员的命令；名片的格式用文字说，不给一个打了码的号码去抄
    assert "管理员的命令：私聊机器人发 /帮助，或发 /帮助 全部 列出所有命令。" in day("11月1日")
    assert "一、群名片须为：鸡公山酒业-你的姓名-你的11位手机号" in day("11月1日")
    # 新人入群名片是空的：机器人当场提醒；王五改好了，赵六宽限过后被扣分，之后自己用 /改名片 改好
    assert "群规助手：欢迎 @王五 加入鸡公山酒业！请在 11月05日 09:00 前把群名片改为" in day(
        "11月2日"
    )
    assert "感谢 王五 改好了群名片。" in day("11月3日")
    assert "以下成员的群名片仍不规范，今天各扣 10 分" in day("11月5日")
    assert "（机器人把 赵六 的群名片改为 鸡公山酒业-赵六-136****0004）" in day("11月6日")
    # 抄来的分享不算原创；李四 10 日没发，20:00、23:00 被提醒，凌晨 01:30 补上的算 10 日
    assert "以下消息不算原创分享，没有加分：钱七（与之前的分享重复）" in day("11月5日")
    assert "[11-10 20:00 分享群] 群规助手：今天（11月10日）还没有原创分享的同事" in day("11月10日")
    assert "（机器人把" not in day("11月11日") and "@李四" not in day("11月11日")
    # 经典分享、说一次的警告、群里的明细不复述理由
    assert "的分享评为经典分享，+5 分" in day("11月8日")
    assert "已警告 钱七：口头警告，不扣分，30 天内第 1 次（编号 #" in day("11月9日")
    assert "群里只列警告的类别；" in day("11月9日") and "聊游戏 —" not in day("11月9日")
    # 审核用群名，链接为什么改写说一次；第三次警告私聊主席；通知截止；申诉被驳回私聊本人
    assert "请审核：鸡公山酒业员工群 李四" in day("11月13日")
    assert "已确认并警告 李四：不良信息，-5 分（编号 #" in day("11月13日")
    assert "[11-23 11:00 私聊 陈总] 群规助手：【群规助手】钱七 在 30 天内已被警告 3 次" in day(
        "11月23日"
    )
    assert "以下 3 位同事还没有确认" in day("11月17日") and "按时确认：张三、王五" in day(
        "11月17日"
    )
    assert "[11-24 16:00 私聊 钱七] 群规助手：【群规助手】你的申诉 审2 被驳回" in day("11月24日")
    # 谁参加排名只有一个定义：/积分 和 /排行 说的人数一样（王管不参加评比）
    counts = re.findall(r"共 (\d+) 人", day("11月20日"))
    assert counts and set(counts) == {"5"}
    month_end = day("12月1日")
    assert "【鸡公山酒业 2026年11月 积分排行】\n前 5 名：\n1. 张三 55 分（分享 30 天）" in month_end
    assert "3 人连续分享满 27 天，各得 20 分。" in month_end and "[排行图片]" in month_end
    assert "（机器人发来文件 鸡公山酒业-2026年11月积分.xlsx）" in month_end

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
