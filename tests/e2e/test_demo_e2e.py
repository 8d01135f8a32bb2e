"""README 的演示命令真的能跑，并且讲的是真话。"""

import io
import re

from scripts.demo import run_demo


async def test_demo_prints_a_transcript() -> None:
    out = io.StringIO()
    await run_demo(out)
    transcript = out.getvalue()
    assert (
        "[11-25 09:05 公司群] 群规助手：已记录 #1：李四 +5 分（协助整理客户资料）。" in transcript
    )
    assert "「/加分」需要管理员及以上权限，你现在是成员。" in transcript
    assert "已撤销 #2（张三 -5 分，手动调整），撤销记录 #3。" in transcript
    # 成员在群里问 /帮助：只有成员的命令，管理员的去私聊看
    assert "管理员的命令：私聊机器人发 /帮助，或发 /帮助 全部 列出所有命令。" in transcript
    assert "一、群名片须为：鸡公山酒业-你的姓名-你的11位手机号" in transcript
    assert "已警告 李四：口头警告，不扣分，30 天内第 1 次（编号 #4）。" in transcript
    # 群里的明细不复述违规理由
    assert "#4 11-27 0 分 口头警告 — 王管\n群里只列警告的类别；" in transcript
    assert "上班时间闲聊 —" not in transcript
    # 时钟从 11-26 10:03 跳到 11-27 09:30：当天 04:30 的核对迟到执行一次
    assert "totals.check@jgs 上次 2026-11-27（11-27 09:30），下次 11-28 04:30" in transcript
    group_part = transcript.split("运维：/状态")[0]
    assert not re.search(r"\d{7,}", group_part)
