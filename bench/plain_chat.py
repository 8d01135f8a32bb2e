"""普通聊天消息的代价（docs/design.md 不变量 9）：在同一次运行里比较

- bare：只有 NoneBot 和 OneBot v11 适配器，没有任何插件；
- one_matcher：bare 加一个什么也不做的匹配器：任何插件至少要付的代价；
- naive：我们的命令表，每个命令写成一个普通的 `on_command` 匹配器（代替 qungui 唯一的匹配器）；
- qungui：完整的插件集（真实 SQLite 文件）；
- notices_0 / notices_20：完整的插件集、制度启用 [notices]，群里没有通知 / 有 20 条还开着的通知，
  发言的 50 人每条都还没确认（“收到”开头的闲聊每条都要在内存里对一遍这 20 条通知）。

每种方式在单独的子进程里初始化 NoneBot，把同一批非命令的群消息交给 `handle_event`，
API 立即应答。打印每秒条数和相对 bare 的比例，并写入 bench/results/plain_chat.json。
运行：`.venv/bin/python -m bench.plain_chat`。
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from bench.inprocess import child_output

MESSAGES = 3000
REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"


def events(kind: str = "chat"):
    """chat：不够分享字数的闲聊（分享识别和名单都会过一遍）；
    share：50 位成员一天天地各发当天第一条原创分享（每条都写库）。"""
    from nonebot.adapters.onebot.v11 import Adapter

    from tests import fake

    def text(n: int) -> str:
        if kind == "chat":
            return f"收到，第{n % 10}件马上办"
        return f"第{n}位同事的心得：今天跟客户复盘了上周订单，备货节奏要提前两天。"

    return [
        Adapter.json_to_event(
            fake.group_message_payload(
                text(n),
                user_id=21000 + n % 50,
                group_id=fake.SHARE_GROUP,
                card=f"鸡公山酒业-成员{n % 50}-13800000000",
                time=fake.NOV27_1000 + (n if kind == "chat" else n // 50 * 86400 + n % 50),
            )
        )
        for n in range(MESSAGES)
    ]


async def measure(mode: str, workdir: str, kind: str = "chat") -> float:
    from nonebot.message import handle_event

    from bench import inprocess

    policy = None
    if mode.startswith("notices"):
        from tests.conftest import TEST_POLICY

        policy = Path(workdir) / "policy.toml"
        policy.write_text(TEST_POLICY.read_text("utf-8") + "\n[notices]\n", "utf-8")
    inprocess.init(
        f"sqlite://{workdir}/bench.sqlite3",
        plugins=mode in ("qungui", "naive") or policy is not None,
        policy=policy,
    )
    if mode == "one_matcher":
        # 参照：只有一个什么也不做的匹配器（NoneBot 的 Rule，异步检查函数总是 False），任何插件
        # 照常写至少要付的代价。qungui 也只有一个匹配器，但用 DirectRule 省掉了 Rule 为检查函数开的任务
        from nonebot import on
        from nonebot.rule import Rule

        async def never() -> bool:
            return False

        on(rule=Rule(never)).handle()(lambda: None)
    elif mode == "naive":
        # 同样的命令表，写成常见的一个命令一个 `on_command`：换掉 qungui 唯一的匹配器
        from nonebot import on_command

        from plugins.core import routed, router

        routed.destroy()
        for name in router.commands:
            on_command(name).handle()(lambda: None)

    async def answer(bot, api, **data):
        return {"message_id": 1}

    bot = await inprocess.start(answer)
    if mode == "notices_20":
        await open_notices(20)
    batch = events(kind)
    started = time.perf_counter()
    for event in batch:
        await handle_event(bot, event)
    elapsed = time.perf_counter() - started
    await inprocess.stop()
    return len(batch) / elapsed


async def open_notices(count: int) -> None:
    """在分享群里开 `count` 条通知，要发言的 50 人都确认（时钟停在通知发出的时刻，都不会到期）。"""
    from datetime import UTC, datetime

    from plugins.core import policies
    from qungui import clock, notices
    from tests import fake

    policy = policies.get("jgs")
    now = datetime.fromtimestamp(fake.NOV27_1000, UTC)
    clock.set_now(now)
    for n in range(count):
        await notices.create(
            policy,
            group_id=fake.SHARE_GROUP,
            sender_id=fake.ADMIN,
            text=f"第{n}条通知",
            targets=[21000 + i for i in range(50)],
            named=False,
            now=now,
            event_key=f"bench:{n}",
        )


def run_child(mode: str, kind: str = "chat") -> float:
    return float(child_output("bench.plain_chat", mode, kind))


def main() -> None:
    modes = ("bare", "one_matcher", "naive", "qungui")
    rates = {f"plain_chat.{mode}": run_child(mode) for mode in modes}
    rates["first_shares.qungui"] = run_child("qungui", "share")
    # 通知：同一次运行里，群里没有通知和有 20 条开着的通知各量一次
    rates["plain_chat.notices_0"] = run_child("notices_0")
    rates["plain_chat.notices_20"] = run_child("notices_20")
    # 机器是共用的，裸 NoneBot 的速度一次和一次能差一半：最前和最后各量一次，取快的那次作基线，
    # 比值只会偏保守
    rates["plain_chat.bare"] = max(rates["plain_chat.bare"], run_child("bare"))
    bare = rates["plain_chat.bare"]
    lines = {}
    for name, rate in rates.items():
        print(f"{name}: {rate:.0f} msg/s ({rate / bare:.2f}x bare)")
        lines[name] = {"value": round(rate), "unit": "msg/s", "ratio": rate / bare}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "plain_chat.json").write_text(json.dumps(lines, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        workdir, mode, kind = sys.argv[2:5]
        print(asyncio.run(measure(mode, workdir, kind)))
    else:
        main()
