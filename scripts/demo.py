"""演示：不用 QQ，也能看到群规助手在群里怎么工作。

启动真实的 `bot.py`（临时 SQLite 库、测试制度），用假 NapCat 通过真实的 OneBot v11 反向
WebSocket 扮演几位成员，演几天里的积分和命令，把聊天记录打印出来。运行：`make demo`。
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.conftest import TEST_POLICY
from tests.e2e.harness import BotProcess, FakeOneBot
from tests.fake import ADMIN, SHARE_GROUP, SUPERUSER, WORK_GROUP, at, text

CST = ZoneInfo("Asia/Shanghai")
GROUP_NAMES = {WORK_GROUP: "公司群", SHARE_GROUP: "分享群"}
PEOPLE = {
    20001: ("张三", "鸡公山酒业-张三-13900000000", "member"),
    20002: ("李四", "鸡公山酒业-李四-13800000000", "member"),
    ADMIN: ("王管", "鸡公山酒业-王管-13700000000", "member"),
    SUPERUSER: ("运维", "鸡公山酒业-运维-13600000000", "member"),
}

# (时间, 群, 谁, 说什么)
SCRIPT: list[tuple[str, int, int, str | list]] = [
    ("2026-11-25 09:00", WORK_GROUP, 20001, "/帮助"),
    ("2026-11-25 09:01", WORK_GROUP, 20002, "/积分"),
    (
        "2026-11-25 09:05",
        WORK_GROUP,
        ADMIN,
        [text("/加分 "), at(20002), text(" 5 协助整理客户资料")],
    ),
    ("2026-11-25 09:06", WORK_GROUP, 20002, "/积分"),
    ("2026-11-26 10:00", WORK_GROUP, ADMIN, [text("/扣分 "), at(20001), text(" 5 群内发无关广告")]),
    ("2026-11-26 10:02", WORK_GROUP, 20001, [text("/加分 "), at(20001), text(" 50 我很好")]),
    ("2026-11-26 10:03", WORK_GROUP, 20001, "/积分明细"),
    ("2026-11-27 09:30", WORK_GROUP, ADMIN, "/撤销 #2 误扣，广告是客户发的"),
    ("2026-11-27 09:31", WORK_GROUP, ADMIN, [text("/加分 "), at(20001), text(" 二十 表现好")]),
    ("2026-11-27 09:32", SHARE_GROUP, 20002, "/排行"),
    ("2026-11-27 09:33", SHARE_GROUP, 20001, "/排行 2026-13"),
    ("2026-11-27 09:34", WORK_GROUP, 20002, "/群规"),
    (
        "2026-11-27 09:35",
        WORK_GROUP,
        ADMIN,
        [text("/警告 "), at(20002), text(" 口头警告 上班时间闲聊")],
    ),
    ("2026-11-27 09:36", WORK_GROUP, 20002, "/积分明细"),
]


def stamp(moment: str) -> int:
    return int(datetime.strptime(moment, "%Y-%m-%d %H:%M").replace(tzinfo=CST).timestamp())


def said(message: str | list) -> str:
    if isinstance(message, str):
        return message
    names = {qq: name for qq, (name, _, _) in PEOPLE.items()}
    return "".join(
        seg["data"]["text"]
        if seg["type"] == "text"
        else f"@{names.get(int(seg['data']['qq']), '某人')}"
        for seg in message
    )


async def run_demo(out=sys.stdout) -> None:
    with tempfile.TemporaryDirectory(prefix="qungui-demo-") as workdir:
        bot = BotProcess(
            workdir=Path(workdir), policy=TEST_POLICY, clock_start="2026-11-25T08:00:00+08:00"
        )
        await bot.start()
        qq = FakeOneBot(bot.ws_url)
        await qq.connect()
        try:
            print(
                "群规助手演示：真实的 bot.py 进程 + 模拟的 NapCat（OneBot v11 反向 WebSocket）\n",
                file=out,
            )
            for moment, group, user, message in SCRIPT:
                name, card, role = PEOPLE[user]
                # 机器人的时钟跟着剧本走，到点的定时任务（如每日 04:30 的合计核对）随之执行
                await bot.set_clock(datetime.fromtimestamp(stamp(moment), CST).isoformat())
                reply = await qq.group_says(
                    message, user_id=user, group_id=group, card=card, role=role, time=stamp(moment)
                )
                where = f"[{moment[5:]} {GROUP_NAMES[group]}]"
                print(f"{where} {name}：{said(message)}", file=out)
                print(f"{where} 群规助手：{reply}\n", file=out)
            await bot.set_clock("2026-11-27T09:40:00+08:00")
            status = await qq.private_says(
                "/状态", user_id=SUPERUSER, time=stamp("2026-11-27 09:40")
            )
            print(
                f"[11-27 09:40 私聊] 运维：/状态\n[11-27 09:40 私聊] 群规助手：{status}\n", file=out
            )
        finally:
            await qq.close()
            await bot.stop()


if __name__ == "__main__":
    asyncio.run(run_demo())
