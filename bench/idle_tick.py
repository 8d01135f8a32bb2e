"""空闲的时钟走动：没有任务到点的那一分钟，机器人为一个组织要花多少（由 bench/suite.py 调用，结果进 suite.json）。

时钟每分钟走一次，每次都要看每个任务有没有到点、有没有该补的。这里用正式加载的全部任务（月底、值班、
名片检查、提醒、合计核对），在两个库上各量一遍：
- 刚装上：没有任何历史（基线）；
- 装上两年：两年里每个任务的每个周期都已认领、做完（直接写进 job_run，像真的跑过两年）。
每个库都用一个新的任务执行器（像刚重启）先走一次，再量之后 `TICKS` 次空闲走动的平均 CPU 时间、
每次走动发给数据库的语句数和认领（INSERT）的尝试数。比值是“两年”除以“刚装上”：应当在 1 附近，
不随历史变长。重启后的第一次走动要把补做期限里的周期看一遍，另列一行。
量的是进程的 CPU 时间（time.process_time，含 SQLite 的线程）：机器是共用的，墙上时间里混着别的进程。
单独运行：`.venv/bin/python -m bench.idle_tick`。
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from bench.inprocess import child_output

REPO = Path(__file__).resolve().parents[1]
TICKS = 450
HISTORY_DAYS = 2 * 365


class Counter:
    """数认领的尝试和发给数据库的语句。"""

    def __init__(self) -> None:
        self.claims = 0
        self.queries = 0

    def install(self) -> None:
        from tortoise import connections

        from qungui import jobs

        real_claim = jobs.claim

        async def counting_claim(*args):
            self.claims += 1
            return await real_claim(*args)

        jobs.claim = counting_claim
        connection = connections.get("default")
        for name in ("execute_query", "execute_query_dict", "execute_insert", "execute_many"):
            real = getattr(connection, name)

            async def counting(*args, _real=real, **kwargs):
                self.queries += 1
                return await _real(*args, **kwargs)

            setattr(connection, name, counting)

    def take(self) -> tuple[int, int]:
        counts = (self.claims, self.queries)
        self.claims = self.queries = 0
        return counts


async def claimed_history(jobs, policy, since: datetime, until: datetime) -> int:
    """since 装上，到 until 为止每个任务的每个周期都已认领、做完。"""
    from qungui.jobs import INSTALLED, occurrences
    from qungui.models import JobRun

    rows = [JobRun(job=INSTALLED, org=policy.id, period="-", started_at=since)]
    for job in jobs:
        schedule = job.schedule(policy)
        if schedule is None:
            continue
        for moment in occurrences(schedule, policy, since, until):
            rows.append(
                JobRun(
                    job=job.name,
                    org=policy.id,
                    period=job.period(moment),
                    started_at=moment,
                    finished_at=moment,
                    note="做完了",
                )
            )
    await JobRun.bulk_create(rows, batch_size=1000)
    return len(rows)


async def one_database(path: Path, jobs, policy, now: datetime, history: timedelta) -> dict:
    from qungui.db import close_database, open_database, sqlite_url
    from qungui.jobs import JobRunner

    await open_database(sqlite_url(path))
    try:
        rows = await claimed_history(jobs, policy, now - history - timedelta(minutes=1), now)
        counter = Counter()
        counter.install()
        runner = JobRunner()
        for job in jobs:
            runner.register(job)
        started = time.process_time()
        ran = await runner.run_due([policy], now, startup=True)
        restart = time.process_time() - started
        assert ran == [], f"这一刻不该有任务到点：{ran}"
        restart_claims, restart_queries = counter.take()
        started = time.process_time()
        for minute in range(1, TICKS + 1):
            ran = await runner.run_due([policy], now + timedelta(minutes=minute))
            assert ran == [], f"空闲走动不该有任务到点：{ran}"
        idle = (time.process_time() - started) / TICKS
        claims, queries = counter.take()
    finally:
        await close_database()
    return {
        "rows": rows,
        "restart_ms": restart * 1000,
        "restart_claims": restart_claims,
        "restart_queries": restart_queries,
        "idle_ms": idle * 1000,
        "claims_per_tick": claims / TICKS,
        "queries_per_tick": queries / TICKS,
    }


async def measure(workdir: Path) -> dict:
    from bench import inprocess
    from bench.worst_message import shipped_policy

    policy_file = shipped_policy(workdir)
    # 值班加分也要算上：发布的制度里值班名单是空的
    policy_file.write_text(
        policy_file.read_text("utf-8").replace("members = []", "members = [20003]", 1), "utf-8"
    )
    # 只加载插件拿到正式的任务表；不跑启动钩子（不开默认库、没有每分钟的真实走动）
    inprocess.init("sqlite://:memory:", plugins=True, policy=policy_file)
    from plugins.core import policies, runner

    policy = policies.get("jgs")
    jobs = list(runner.jobs.values())
    # 一个周一的中午：之前的都到过点了，之后 TICKS 分钟里没有任务到点
    now = datetime(2028, 11, 27, 12, 0, 5, tzinfo=policy.tz)
    fresh = await one_database(workdir / "fresh.sqlite3", jobs, policy, now, timedelta(0))
    aged = await one_database(
        workdir / "aged.sqlite3", jobs, policy, now, timedelta(days=HISTORY_DAYS)
    )
    return {
        "value": round(aged["idle_ms"], 3),
        "unit": "ms CPU",
        "ratio": aged["idle_ms"] / fresh["idle_ms"],
        "baseline": (
            f"刚装上的空闲走动 {fresh['idle_ms']:.3f} ms；两年 {aged['rows']} 条认领；"
            f"每次空闲走动 {aged['queries_per_tick']:g} 条语句、{aged['claims_per_tick']:g} 次认领"
            f"（刚装上 {fresh['queries_per_tick']:g}、{fresh['claims_per_tick']:g}）；"
            f"重启后第一次走动 {aged['restart_ms']:.1f} ms、{aged['restart_queries']} 条语句、"
            f"{aged['restart_claims']} 次认领"
        ),
        "fresh": fresh,
        "two_years": aged,
    }


def run_child() -> dict:
    return json.loads(child_output("bench.idle_tick"))


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(asyncio.run(measure(Path(sys.argv[2]))), ensure_ascii=False))
    else:
        result = run_child()
        print(f"idle_tick: {result['value']} ms CPU ({result['ratio']:.2f}x {result['baseline']})")
