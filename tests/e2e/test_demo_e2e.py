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
    # 时钟从 11-26 10:03 跳到 11-27 09:30：当天 04:30 的核对迟到执行一次
    assert "totals.check@jgs 上次 2026-11-27（11-27 09:30），下次 11-28 04:30" in transcript
    group_part = transcript.split("运维：/状态")[0]
    assert not re.search(r"\d{7,}", group_part)
    # 同一群人：/积分 的“共 N 人”和 /排行 的一样，从第一条命令到最后一条都不变
    counts = re.findall(r"共 (\d+) 人", group_part)
    assert counts == ["3", "3", "3"]
    # 名片检查读到的成员列表是真的：三个人都在公司群里，没有谁被当成退群
    assert "结果：群 987654321：规范 3，宽限中 0，逾期 0" in transcript
