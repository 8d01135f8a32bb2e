"""其余四项基准，与 bench/plain_chat.py 一起由 `make bench` 运行：

2. 命令：2,000 人 × 365 天的库上，一条接一条的 /积分 与 /排行（进程内，API 立即应答）；
3. 月底：同一个库上结算 + 冻结 + 快照 + 排行帖文字与图片；
4. 名片检查：一份 3,000 人的 get_group_member_list 回答走一遍检查（首次与日常各一次，进程 CPU 时间）；
5. 线上：真实的机器人进程 + e2e 的假 NapCat：启动到可连接的时间、一次一条与 50 条并发的命令、峰值内存；
6. 最坏的一条消息（bench/worst_message.py）：对发布的过滤规则构造的最慢的 24,000 字消息，行名 `worst_message`，
   与同一次运行里一条普通消息的代价并列；
7. 空闲的时钟走动（bench/idle_tick.py）：装上两年、每个周期都已认领的库上，没有任务到点的一次走动，行名
   `idle_tick`，与同一次运行里刚装上（没有历史）的库上的一次走动并列，比值应在 1 附近。

每项打印一行 `名字: 数值 单位 (比值x 基线)`，基线在同一次运行里量，结果写入 bench/results/suite.json。
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
MEMBERS, DAYS = 2000, 365
CST_OFFSET = timedelta(hours=8)


def build_dataset(path: Path) -> None:
    """2,000 人、2025-11-01 起 365 天、每人每天一条分享记录，外加月度合计。直接用 sqlite3 批量写入。"""
    from qungui.db import close_database, open_database, sqlite_url

    async def migrate() -> None:
        await open_database(sqlite_url(path))
        await close_database()

    asyncio.run(migrate())
    first = date(2025, 11, 1)
    now = datetime(2026, 11, 1, tzinfo=UTC).isoformat(sep=" ")
    group = 987654322
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO member (org, group_id, user_id, card, nickname, role, first_seen, last_seen)"
            " VALUES ('jgs', ?, ?, ?, ?, 'member', ?, ?)",
            [
                (group, 30000 + u, f"鸡公山酒业-成员{u:04d}-13800000000", f"m{u}", now, now)
                for u in range(MEMBERS)
            ],
        )
        totals: dict[tuple[int, str], int] = {}
        rows = []
        for d in range(DAYS):
            day = first + timedelta(days=d)
            for u in range(MEMBERS):
                if (u + d) % 7 == 0:  # 每人每周缺一天：排名有高有低
                    continue
                user = 30000 + u
                key = f"share.daily:jgs:{user}:{day.isoformat()}:0"
                rows.append(
                    ("jgs", user, 1, "share.daily", day.isoformat(), now, "", key, "system")
                )
                month = day.isoformat()[:7]
                totals[(user, month)] = totals.get((user, month), 0) + 1
        db.executemany(
            "INSERT INTO ledger_entry (org, user_id, delta, rule, business_date, created_at, reason,"
            " dedupe_key, actor_role) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.executemany(
            "INSERT INTO month_total (org, user_id, month, points, share_days, entries)"
            " VALUES ('jgs', ?, ?, ?, ?, ?)",
            [(user, month, n, n, n) for (user, month), n in totals.items()],
        )


async def in_process(db_path: Path) -> dict[str, dict]:
    from nonebot.adapters.onebot.v11 import Adapter
    from nonebot.message import handle_event

    from bench import inprocess
    from tests import fake

    inprocess.init(f"sqlite://{db_path}", plugins=True)
    names = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
    roster = [  # 3,000 人，九成名片规范
        fake.member_info(
            40000 + i,
            card=f"鸡公山酒业-{names[i % 30]}{names[i // 30 % 30]}{names[i // 900]}-13800000000"
            if i % 10
            else f"员工{i}",
        )
        for i in range(3000)
    ]
    roster_json = json.dumps(roster, ensure_ascii=False)
    replies = []

    async def answer(bot, api, **data):
        if api == "get_group_member_list":
            return json.loads(roster_json)  # 真实连接上也要解一遍 JSON
        if api == "get_group_member_info":
            return fake.member_info(data["user_id"], role="admin")
        if api.startswith("send_"):
            replies.append(data)
        return {"message_id": 1}

    bot = await inprocess.start(answer)
    from plugins.core import policies

    policy = policies.get("jgs")
    results: dict[str, dict] = {}

    # —— 2. 命令 ——
    # 先让这 2,000 人各说一句话（不计时）：每人在本进程第一次出现时要写一次成员表，那是一次性的，
    # 这里量的是之后每条命令的代价
    for i in range(2000):
        user = 30000 + i
        await handle_event(
            bot,
            Adapter.json_to_event(
                fake.group_message_payload(
                    "收到",
                    user_id=user,
                    group_id=fake.SHARE_GROUP,
                    card=f"鸡公山酒业-成员{i:04d}-13800000000",
                )
            ),
        )
    latencies = []
    for i in range(1000):
        text = "/积分" if i % 2 == 0 else "/排行"
        user = 30000 + (i * 37) % MEMBERS
        event = Adapter.json_to_event(
            fake.group_message_payload(
                text,
                user_id=user,
                group_id=fake.SHARE_GROUP,
                card=f"鸡公山酒业-成员{user - 30000:04d}-13800000000",
                time=int(datetime(2026, 10, 20, 12, tzinfo=UTC).timestamp()) + i,
            )
        )
        started = time.perf_counter()
        await handle_event(bot, event)
        latencies.append(time.perf_counter() - started)
    assert len(replies) >= 1000, f"命令没有都回答：{len(replies)}"
    latencies.sort()
    rate = len(latencies) / sum(latencies)
    results["commands.rate"] = {"value": round(rate), "unit": "cmd/s"}
    results["commands.p50"] = {"value": round(latencies[500] * 1000, 2), "unit": "ms"}
    results["commands.p99"] = {"value": round(latencies[989] * 1000, 2), "unit": "ms"}

    # —— 3. 月底 ——
    from plugins.leaderboard.replies import board_text
    from qungui import board_image, month_end, months
    from qungui.models import LedgerEntry

    started = time.perf_counter()
    scanned = await LedgerEntry.filter(
        org="jgs", business_date__gte=date(2026, 10, 1), business_date__lte=date(2026, 10, 31)
    ).values_list("user_id", "delta")
    scan = time.perf_counter() - started
    moment = datetime(2026, 11, 1, 9, tzinfo=policy.tz)
    started = time.perf_counter()
    await month_end.settle(policy, "2026-10", moment)
    await months.freeze(policy.id, "2026-10", moment)
    board = await month_end.take_snapshot(policy, "2026-10", [], moment)
    board_text(policy, board)
    font = board_image.find_font(policy)
    if font is not None:
        board_image.render(policy, board, font)
    close = time.perf_counter() - started
    results["month_end"] = {
        "value": round(close, 3),
        "unit": "s",
        "baseline": f"读一遍该月 {len(scanned)} 条账本 {scan:.3f} s",
        "ratio": close / scan,
        "members": len(board.rows),
    }

    # —— 4. 名片检查 ——
    from plugins.cards.sweeps import sweep

    started = time.process_time()
    json.loads(roster_json)
    decode = time.process_time() - started
    for label in ("first", "daily"):
        at = datetime(2026, 11, 2 if label == "first" else 3, 2, tzinfo=UTC)
        started = time.process_time()
        await sweep(bot, policy, fake.WORK_GROUP, at, [])
        cpu = time.process_time() - started
        results[f"card_sweep.{label}"] = {
            "value": round(cpu, 3),
            "unit": "s CPU",
            "baseline": f"解码 3,000 人的 JSON {decode * 1000:.1f} ms",
            "ratio": cpu / max(decode, 1e-6),
        }
    await inprocess.stop()
    return results


def peak_rss_mib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        peak = next(line for line in status if line.startswith("VmHWM"))
    return int(peak.split()[1]) // 1024


async def over_the_wire(workdir: Path) -> dict[str, dict]:
    from tests.conftest import TEST_POLICY
    from tests.e2e.harness import BotProcess, FakeOneBot
    from tests.fake import group_message_payload

    bot = BotProcess(workdir=workdir, policy=TEST_POLICY)
    started = time.perf_counter()
    await bot.start()
    startup = time.perf_counter() - started
    qq = FakeOneBot(bot.ws_url)
    await qq.connect()
    results: dict[str, dict] = {"wire.startup": {"value": round(startup, 2), "unit": "s"}}
    try:
        ids = iter(range(600000, 700000))

        def ask() -> dict:
            return group_message_payload("/积分", user_id=20001, message_id=next(ids))

        one = []
        for _ in range(200):
            mark = len(qq.calls)
            t = time.perf_counter()
            await qq.send_event(ask())
            await qq.wait_for("send_group_msg", after=mark)
            one.append(time.perf_counter() - t)
        one.sort()
        results["wire.one_in_flight"] = {"value": round(len(one) / sum(one)), "unit": "cmd/s"}
        results["wire.one_in_flight.p50"] = {"value": round(one[100] * 1000, 2), "unit": "ms"}
        results["wire.one_in_flight.p99"] = {"value": round(one[197] * 1000, 2), "unit": "ms"}

        mark = len(qq.calls)
        t = time.perf_counter()
        for _ in range(10):  # 10 轮，每轮 50 条同时在路上
            round_mark = len(qq.calls)
            await asyncio.gather(*(qq.send_event(ask()) for _ in range(50)))
            await qq.wait_for("send_group_msg", after=round_mark, count=50, within=60)
        elapsed = time.perf_counter() - t
        sent = sum(1 for c in qq.calls[mark:] if c.action == "send_group_msg")
        results["wire.fifty_in_flight"] = {"value": round(sent / elapsed), "unit": "cmd/s"}
        results["wire.peak_rss"] = {"value": peak_rss_mib(bot.process.pid), "unit": "MiB"}
    finally:
        await qq.close()
        await bot.stop()
    return results


def main() -> None:
    sys.path.insert(0, str(REPO))
    from bench import idle_tick, worst_message
    from bench.plain_chat import run_child

    bare = run_child("bare")  # 基线：裸 NoneBot 处理普通群消息的速度（同一次运行里量）
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "bench.sqlite3"
        started = time.perf_counter()
        build_dataset(db_path)
        print(f"（数据集：{MEMBERS} 人 × {DAYS} 天，{time.perf_counter() - started:.1f} s 建好）")
        results = asyncio.run(in_process(db_path))
        wire_dir = Path(folder) / "wire"
        wire_dir.mkdir()
        results |= asyncio.run(over_the_wire(wire_dir))
    results["worst_message"] = worst_message.run_child()
    results["idle_tick"] = idle_tick.run_child()
    rate = results["commands.rate"]["value"]
    results["commands.rate"]["ratio"] = rate / bare
    results["commands.rate"]["baseline"] = f"裸 NoneBot 普通消息 {bare:.0f} msg/s"
    wire = results["wire.one_in_flight"]["value"]
    results["wire.one_in_flight"]["ratio"] = wire / rate
    results["wire.one_in_flight"]["baseline"] = f"进程内命令 {rate} cmd/s"
    for name, item in results.items():
        ratio = f" ({item['ratio']:.2f}x {item['baseline']})" if "ratio" in item else ""
        print(f"{name}: {item['value']} {item['unit']}{ratio}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "suite.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
