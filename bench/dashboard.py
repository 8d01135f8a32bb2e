"""网页后台每一页背后的查询（qungui/dashboard.py）要多久：目标是每页 p95 < 100 ms。

数据集就是 bench/suite.py 的那个（2,000 人 × 365 天的分享账本、月度合计），再加上各页要看的东西：
每条分享分对应的分享消息（一年六十多万条）、待审和已决定的审核、60 条各要 2,000 人确认的通知、请假；
上个月走一遍月底（结算、冻结、快照），“本月”页的上个月读快照。

每页调用 CALLS 次，每次之前作废本进程里依赖账本的缓存（排名、合计）：像刚有人分享过，高峰时就是这样；
名字的缓存只在成员表变了时作废，照常留着。基线是同一次运行、同样作废缓存时 /积分 的服务调用（`points.summary`）。先在 SQLite 上量；本机的 PostgreSQL
（`QUNGUI_BENCH_PG_URL`，缺省 postgres://postgres@127.0.0.1:5432/postgres）连得上时，把同一个库用
`qungui.copydb` 搬进一个新建的库再量一遍，量完删掉。量的是墙上时间：机器上别的进程也会算进去，比值不受它影响。

量两层：`dashboard.<页>` 只量页面背后的查询（qungui/dashboard.py）；`web.<页>` 在另一个进程里启动带插件的
NoneBot，用管理员的会话经 FastAPI 应用取整页（会话、身份、查询、模板），这才是浏览器等的时间。

每页一行 `名字: 数值 单位 (比值x 基线)`，结果写入 bench/results/dashboard.json。
单独运行：`.venv/bin/python -m bench.dashboard`。
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import inprocess
from bench.suite import MEMBERS, RESULTS, build_dataset

CALLS = 30
FIRST_USER = 30000
DAY = date(2026, 10, 20)
LIVE_MONTH, FROZEN_MONTH = "2026-10", "2026-09"
WORK, SHARE = 987654321, 987654322
PG_URL = os.environ.get("QUNGUI_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
NOTICES, PENDING, DECIDED, LEAVES = 60, 100, 5000, 100


def add_page_data(path: Path) -> None:
    """在 suite 的数据集上加各页要看的数据，直接用 sqlite3 批量写入。"""
    at = "2026-10-20 02:00:00+00:00"
    with sqlite3.connect(path) as db:
        # 当月每条分享分都有它的分享消息（宽限、经典都看它）
        db.execute(
            "INSERT INTO share (org, group_id, user_id, message_id, event_key, sent_at, text_hash,"
            " chars, original, reason, share_day, entry_id)"
            f" SELECT org, {SHARE}, user_id, id, 'bench:' || id, business_date || ' 04:00:00+00:00',"
            " printf('%040d', id), 40, 1, '', business_date, id FROM ledger_entry"
            " WHERE rule = 'share.daily'"
        )
        hits = [
            (
                "jgs",
                WORK,
                FIRST_USER + n % MEMBERS,
                "赌博",
                "不良信息",
                "review",
                "pending" if n < PENDING else "dismissed",
                f"bench-hit-{n}",
                n,
                "澳门赌场 加我 13912345678",
                "text",
                "澳门赌场",
                at,
            )
            for n in range(PENDING + DECIDED)
        ]
        db.executemany(
            "INSERT INTO filter_hit (org, group_id, user_id, rule, category, action, status,"
            " hit_key, message_id, text, types, excerpt, created_at, recalled, report_reason,"
            " decided_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '', '')",
            hits,
        )
        for n in range(NOTICES):
            cursor = db.execute(
                "INSERT INTO notice (org, group_id, sender_id, text, named, created_at, deadline,"
                " message_ids) VALUES ('jgs', ?, 30001, ?, 0, ?, ?, '')",
                (WORK, f"第 {n} 条通知\n请大家确认", at, "2026-10-20 02:30:00+00:00"),
            )
            db.executemany(
                "INSERT INTO notice_target (notice_id, user_id, acked_at, how, late)"
                " VALUES (?, ?, ?, ?, 0)",
                [
                    (
                        cursor.lastrowid,
                        FIRST_USER + u,
                        at if u % 4 else None,
                        "word" if u % 4 else "",
                    )
                    for u in range(MEMBERS)
                ],
            )
        db.executemany(
            "INSERT INTO leave (org, user_id, group_id, first_day, last_day, reason, status,"
            " created_by, created_at, event_key) VALUES ('jgs', ?, ?, ?, ?, '出差', 'approved',"
            " 30001, ?, ?)",
            [
                (FIRST_USER + n * 7, SHARE, "2026-10-18", "2026-10-22", at, f"bench-leave-{n}")
                for n in range(LEAVES)
            ],
        )


async def settle_last_month() -> None:
    """上个月走一遍月底：结算、冻结、快照（“本月”页的上个月读快照）。"""
    from qungui import month_end, months

    policy = _policy()
    moment = datetime(2026, 10, 1, 9, tzinfo=policy.tz)
    await month_end.settle(policy, FROZEN_MONTH, moment)
    await months.freeze(policy.id, FROZEN_MONTH, moment)
    await month_end.take_snapshot(policy, FROZEN_MONTH, [], moment)


def _policy():
    from qungui.policy import load_policies
    from tests.conftest import TEST_POLICY

    return load_policies(TEST_POLICY).orgs["jgs"]


async def _timed(call: Callable[[], Awaitable[object]]) -> list[float]:
    from qungui import derived

    for _ in range(3):  # 预热：连接、tortoise 生成的 SQL
        await call()
    took = []
    for _ in range(CALLS):
        derived.changed("jgs", derived.LEDGER)
        started = time.perf_counter()
        await call()
        took.append((time.perf_counter() - started) * 1000)
    return took


def _p95(took: list[float]) -> float:
    return statistics.quantiles(took, n=20)[-1]


def _line(took: list[float], base: list[float], unit: str) -> dict:
    """一页的结果：p95（单位里带上 p50），比值对同一进程里 /积分 服务调用的 p95。"""
    return {
        "value": round(_p95(took), 1),
        "unit": f"{unit}（p50 {statistics.median(took):.1f} ms）",
        "ratio": _p95(took) / _p95(base),
        "baseline": f"/积分 的服务调用 p95 {_p95(base):.1f} ms",
    }


async def measure(db_url: str, label: str) -> dict[str, dict]:
    """在这个库上把每页量 CALLS 次。"""
    from qungui import clock, dashboard, points
    from qungui.db import close_database, open_database

    policy = _policy()
    await open_database(db_url)
    # 同机器人启动时（plugins/core/lifecycle.py settle_heap）：常驻的对象挪出垃圾回收反复扫的几代
    gc.collect()
    gc.freeze()
    clock.set_now(datetime(2026, 10, 20, 21, tzinfo=policy.tz))
    someone = FIRST_USER + 7
    pages: dict[str, Callable[[], Awaitable[object]]] = {
        "today": lambda: dashboard.today(policy, DAY),
        "month": lambda: dashboard.month(policy, LIVE_MONTH),
        "month.frozen": lambda: dashboard.month(policy, FROZEN_MONTH),
        "member": lambda: dashboard.member(policy, someone, LIVE_MONTH),
        "reviews": lambda: dashboard.reviews(policy),
        "notices": lambda: dashboard.notices(policy),
        "in_org": lambda: dashboard.in_org(policy, someone),
    }
    try:
        base = await _timed(lambda: points.summary(policy, someone, LIVE_MONTH, ()))
        results = {}
        for name, call in pages.items():
            took = await _timed(call)
            results[f"dashboard.{name}.{label}"] = _line(took, base, "ms p95")
    finally:
        clock.set_now(None)
        await close_database()
    return results


ADMIN = 30001  # 测试制度里列出的管理员：不必问 QQ
PATHS = {
    "today": f"/qungui/today?day={DAY.isoformat()}",
    "month": f"/qungui/month?month={LIVE_MONTH}",
    "month.frozen": f"/qungui/month?month={FROZEN_MONTH}",
    "member": f"/qungui/member/{FIRST_USER + 7}?month={LIVE_MONTH}",
    "reviews": "/qungui/reviews",
    "notices": "/qungui/notices",
}


async def over_http(db_url: str, label: str) -> dict[str, dict]:
    """（子进程里）带插件启动 NoneBot，管理员登录后经 FastAPI 应用把每页取 CALLS 次。"""
    import nonebot
    from httpx import ASGITransport, AsyncClient

    from qungui import clock, points, web_access

    async def answer(bot, api, **data):
        return {"message_id": 1}

    policy = _policy()
    clock.set_now(datetime(2026, 10, 20, 21, tzinfo=policy.tz))
    inprocess.init(db_url, plugins=True)
    await inprocess.start(answer)
    transport = ASGITransport(app=nonebot.get_app())
    results = {}
    try:
        async with AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as client:
            token = await web_access.issue(policy.id, ADMIN)
            assert (await client.get(f"/qungui/login?token={token}")).status_code == 303

            async def page(path: str) -> None:
                response = await client.get(path)
                assert response.status_code == 200, (path, response.status_code)

            base = await _timed(lambda: points.summary(policy, FIRST_USER + 7, LIVE_MONTH, ()))
            for name, path in PATHS.items():
                took = await _timed(lambda path=path: page(path))
                results[f"web.{name}.{label}"] = _line(took, base, "ms p95 整页")
    finally:
        await inprocess.stop()
        clock.set_now(None)
    return results


def http_in_child(db_url: str, label: str) -> dict[str, dict]:
    """NoneBot 一个进程只能初始化一次：整页在子进程里量。"""
    return json.loads(inprocess.child_output("bench.dashboard", db_url, label))


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def on_postgres(sqlite: str) -> dict[str, dict]:
    """PostgreSQL 连得上时：新建一个库，把 SQLite 的数据搬过去（`qungui.copydb`），量完删掉。"""
    import asyncpg

    from qungui.copydb import copy

    server = PG_URL.replace("postgres://", "postgresql://", 1)
    try:
        admin = await asyncpg.connect(server, timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"（PostgreSQL 连不上，只量 SQLite：{exc}）")
        return {}
    name = f"qungui_bench_{uuid.uuid4().hex[:12]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    target = _with_database(PG_URL, name)
    try:
        started = time.perf_counter()
        await copy(sqlite, target, report=lambda _line: None)
        print(f"（搬进 PostgreSQL：{time.perf_counter() - started:.1f} s）")
        return await measure(target, "postgres") | http_in_child(target, "postgres")
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def run(path: Path) -> dict[str, dict]:
    from qungui.db import close_database, open_database, sqlite_url

    await open_database(sqlite_url(path))
    await settle_last_month()
    await close_database()
    results = await measure(sqlite_url(path), "sqlite") | http_in_child(sqlite_url(path), "sqlite")
    return results | await on_postgres(sqlite_url(path))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        started = time.perf_counter()
        build_dataset(path)  # 它自己开事件循环：在 asyncio.run 之外调用
        add_page_data(path)
        print(f"（数据集：{MEMBERS} 人 × 365 天，{time.perf_counter() - started:.1f} s 建好）")
        results = asyncio.run(run(path))
    for name, item in results.items():
        print(f"{name}: {item['value']} {item['unit']} ({item['ratio']:.2f}x {item['baseline']})")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "dashboard.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    if len(sys.argv) > 4 and sys.argv[1] == "--child":
        print(json.dumps(asyncio.run(over_http(sys.argv[3], sys.argv[4])), ensure_ascii=False))
    else:
        main()
