from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from qungui.jobs import Job, JobContext, JobRunner, RetryLater, Schedule, occurrences
from qungui.models import JobRun
from qungui.policy import load_policies

POLICY = load_policies(Path(__file__).parents[1] / "policy.toml").orgs["jgs"]
CST = POLICY.tz


def cst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CST)


class Crash(BaseException):
    """进程在这里停了（像 kill -9）：任务执行器不接住它，认领留着、没有备注。"""


class Recorder:
    """一个月底任务：结算（记下调用），再发一次帖。`refuse`：前几次发帖被 NapCat 拒收；
    `crash_after_send`：第一次发出后、记下送达之前崩溃。"""

    def __init__(self, fail_first: bool = False, refuse: int = 0, crash_after_send: bool = False):
        self.calls: list[tuple[str, bool]] = []
        self.sent: list[str] = []
        """每一次发帖尝试（含被拒收的）"""
        self.posts: list[str] = []
        """送达群里的帖子"""
        self.fail_first = fail_first
        self.refuse = refuse
        self.crash_after_send = crash_after_send

    async def __call__(self, ctx: JobContext) -> str:
        self.calls.append((ctx.period, ctx.late))
        if self.fail_first:
            self.fail_first = False
            raise Crash("进程在这里崩溃")
        if await ctx.claim_post("post") is None:
            return "帖子之前已发过" if await ctx.post_delivered("post") else "不知道发没发出"
        self.sent.append(ctx.period)
        if self.refuse:
            self.refuse -= 1
            await ctx.post_unsent("post", "风控")
            raise RetryLater("帖子没有发出去，稍后再试")
        if self.crash_after_send:
            self.crash_after_send = False
            self.posts.append(ctx.period)
            raise Crash("发出后、记下之前进程崩溃")
        self.posts.append(ctx.period)
        await ctx.post_done("post")
        return "已发帖"


def month_end_job(run: Recorder) -> Job:
    return Job(
        "test.month",
        "settlement",
        lambda _: Schedule(time(9, 0), day=1),
        run,
        period=lambda moment: f"{moment.year}-{moment.month - 1 or 12:02d}",
    )


def test_occurrences_on_the_first_of_each_month() -> None:
    found = occurrences(Schedule(time(9, 0), day=1), POLICY, cst(2026, 10, 15), cst(2027, 1, 1, 9))
    assert found == [cst(2026, 11, 1, 9), cst(2026, 12, 1, 9), cst(2027, 1, 1, 9)]


def test_occurrences_on_mondays_exclude_the_start() -> None:
    found = occurrences(
        Schedule(time(9, 0), weekday=0), POLICY, cst(2026, 11, 23, 9), cst(2026, 12, 7, 8)
    )
    assert found == [cst(2026, 11, 30, 9)]


async def install(runner: JobRunner, at: datetime) -> None:
    assert await runner.run_due([POLICY], at) == []


async def test_settlement_runs_once_and_catches_up_missed_months_late(db) -> None:
    run = Recorder()
    runner = JobRunner()
    runner.register(month_end_job(run))
    await install(runner, cst(2026, 9, 20))
    # 停机两个月：启动时补上 10 月和 11 月，标明迟到
    ran = await runner.run_due([POLICY], cst(2026, 12, 3, 12), startup=True)
    assert ran == ["test.month:jgs:2026-09", "test.month:jgs:2026-10", "test.month:jgs:2026-11"]
    assert run.calls == [("2026-09", True), ("2026-10", True), ("2026-11", True)]
    assert await runner.run_due([POLICY], cst(2026, 12, 3, 12, 1)) == []
    assert run.posts == ["2026-09", "2026-10", "2026-11"]


async def test_two_runners_on_one_database_run_a_period_once(db) -> None:
    run = Recorder()
    first, second = JobRunner(), JobRunner()
    first.register(month_end_job(run))
    second.register(month_end_job(run))
    await install(first, cst(2026, 11, 20))
    moment = cst(2026, 12, 1, 9, 0, 30)
    assert await first.run_due([POLICY], moment) == ["test.month:jgs:2026-11"]
    assert await second.run_due([POLICY], moment) == []
    assert run.calls == [("2026-11", False)]


async def test_a_crashed_claim_reruns_settlement_but_not_the_post(db) -> None:
    run = Recorder(fail_first=True)
    reports: list[str] = []

    async def report(text: str) -> None:
        reports.append(text)

    runner = JobRunner(report=report)
    runner.register(month_end_job(run))
    await install(runner, cst(2026, 11, 20))
    # 进程停了：认领留着，等重启时重跑
    with pytest.raises(Crash):
        await runner.run_due([POLICY], cst(2026, 12, 1, 9))
    unfinished = await JobRun.get(job="test.month", org="jgs", period="2026-11")
    assert unfinished.finished_at is None
    restarted = JobRunner(report=report)
    restarted.register(month_end_job(run))
    assert await restarted.run_due([POLICY], cst(2026, 12, 1, 9, 5), startup=True) == [
        "test.month:jgs:2026-11"
    ]
    assert run.calls == [("2026-11", False), ("2026-11", True)]
    assert run.posts == ["2026-11"]
    assert len(reports) == 1 and "2026-11" in reports[0]
    claim = await JobRun.get(job="test.month", org="jgs", period="2026-11")
    assert claim.finished_at is not None


async def test_a_missed_timed_job_is_skipped_and_remembered(db) -> None:
    run = Recorder()
    runner = JobRunner()
    runner.register(Job("test.remind", "timed", lambda _: Schedule(time(20, 0)), run))
    await install(runner, cst(2026, 11, 27, 8))
    assert await runner.run_due([POLICY], cst(2026, 11, 27, 20, 30)) == []
    assert runner.missed[("test.remind", "jgs")] == ["2026-11-27"]
    assert await runner.run_due([POLICY], cst(2026, 11, 28, 20, 5)) == [
        "test.remind:jgs:2026-11-28"
    ]
    assert run.calls == [("2026-11-28", False)]


async def test_a_missed_daily_job_runs_once_for_today_only(db) -> None:
    run = Recorder()
    runner = JobRunner()
    runner.register(Job("test.sweep", "daily", lambda _: Schedule(time(10, 0)), run))
    await install(runner, cst(2026, 11, 20, 8))
    assert await runner.run_due([POLICY], cst(2026, 11, 27, 15)) == ["test.sweep:jgs:2026-11-27"]
    assert run.calls == [("2026-11-27", True)]


async def test_jobs_scheduled_before_install_do_not_run(db) -> None:
    run = Recorder()
    runner = JobRunner()
    runner.register(month_end_job(run))
    await install(runner, cst(2026, 12, 1, 10))
    assert await runner.run_due([POLICY], cst(2026, 12, 1, 10) + timedelta(hours=1)) == []
    assert run.calls == []


def test_clock_is_the_one_source_of_now() -> None:
    from qungui import clock

    clock.set_now(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
    try:
        assert clock.now() == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    finally:
        clock.set_now(None)
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


async def test_a_rerun_that_finds_no_bot_waits_for_the_next_tick(db) -> None:
    """重启时要重跑的结算，机器人还没连上（NotNow）：不丢，下次走动再跑，只跑一次。"""
    from qungui.jobs import NotNow

    bot_online = False
    run = Recorder(fail_first=True)

    async def needs_bot(ctx: JobContext) -> str:
        if run.calls and not bot_online:  # 崩溃之后重跑时
            raise NotNow("没有在线的机器人")
        return await run(ctx)

    runner = JobRunner()
    runner.register(month_end_job(needs_bot))
    await install(runner, cst(2026, 11, 20))
    with pytest.raises(Crash):  # 崩溃：认领留着
        await runner.run_due([POLICY], cst(2026, 12, 1, 9))
    restarted = JobRunner()
    restarted.register(month_end_job(needs_bot))
    assert await restarted.run_due([POLICY], cst(2026, 12, 1, 9, 5), startup=True) == []
    bot_online = True
    assert await restarted.run_due([POLICY], cst(2026, 12, 1, 9, 6)) == ["test.month:jgs:2026-11"]
    assert await restarted.run_due([POLICY], cst(2026, 12, 1, 9, 7)) == []
    assert run.posts == ["2026-11"]


async def test_a_refused_post_is_retried_on_later_ticks_and_after_a_restart_until_sent(db) -> None:
    run = Recorder(refuse=3)
    reports: list[str] = []

    async def report(text: str) -> None:
        reports.append(text)

    runner = JobRunner(report=report)
    runner.register(month_end_job(run))
    await install(runner, cst(2026, 11, 20))
    assert await runner.run_due([POLICY], cst(2026, 12, 1, 9)) == ["test.month:jgs:2026-11"]
    assert reports == ["任务 test.month（jgs）周期 2026-11：帖子没有发出去，稍后再试"]
    # 下一次走动再试（不是等重启）；又被拒收，不再重复告诉超级用户
    assert await runner.run_due([POLICY], cst(2026, 12, 1, 9, 1)) == []
    assert run.sent == ["2026-11", "2026-11"] and run.posts == []
    assert len(reports) == 1
    step = await JobRun.get(job="test.month.post", org="jgs", period="2026-11")
    assert (step.finished_at, step.note) == (None, "未送达：风控")
    # 重启后照样再试；这次又被拒收（还是同一轮失败，不再告诉），然后送达，只送达一次
    restarted = JobRunner(report=report)
    restarted.register(month_end_job(run))
    assert await restarted.run_due([POLICY], cst(2026, 12, 1, 9, 5), startup=True) == []
    assert len(reports) == 1
    assert await restarted.run_due([POLICY], cst(2026, 12, 1, 9, 6)) == ["test.month:jgs:2026-11"]
    assert reports[-1] == "任务 test.month（jgs）周期 2026-11 已做完：已发帖"
    assert await restarted.run_due([POLICY], cst(2026, 12, 1, 9, 7)) == []
    assert await restarted.run_due([POLICY], cst(2026, 12, 2, 9, 7), startup=True) == []
    assert run.sent == ["2026-11"] * 4 and run.posts == ["2026-11"]
    claim = await JobRun.get(job="test.month", org="jgs", period="2026-11")
    assert claim.finished_at is not None and claim.note == "已发帖"


async def test_a_post_sent_but_not_recorded_before_a_crash_is_not_sent_again(db) -> None:
    run = Recorder(crash_after_send=True)
    reports: list[str] = []

    async def report(text: str) -> None:
        reports.append(text)

    runner = JobRunner(report=report)
    runner.register(month_end_job(run))
    await install(runner, cst(2026, 11, 20))
    with pytest.raises(Crash):
        await runner.run_due([POLICY], cst(2026, 12, 1, 9))
    restarted = JobRunner(report=report)
    restarted.register(month_end_job(run))
    assert await restarted.run_due([POLICY], cst(2026, 12, 1, 9, 5), startup=True) == [
        "test.month:jgs:2026-11"
    ]
    assert run.posts == ["2026-11"]  # 最多一次：不知道发没发出的不再发
    assert reports == [
        "任务 test.month（jgs）周期 2026-11 上次中途停止，已重跑结算；已发出的消息不会重发，"
        "请核对。结果：不知道发没发出"
    ]


async def test_two_processes_retrying_an_unsent_post_claim_it_once(db) -> None:
    import asyncio

    job = month_end_job(Recorder())
    moment = cst(2026, 12, 1, 9)

    def context(now: datetime) -> JobContext:
        return JobContext(job, POLICY, "2026-11", moment, now, late=True)

    assert await context(moment).claim_post("post") == moment
    await context(moment).post_unsent("post", "风控")
    later = cst(2026, 12, 1, 9, 3)
    claims = await asyncio.gather(*(context(later).claim_post("post") for _ in range(5)))
    assert sorted(claims, key=lambda c: c is None) == [moment, None, None, None, None]
    await context(later).post_done("post")
    assert await context(cst(2026, 12, 1, 9, 4)).claim_post("post") is None
    assert await context(later).post_delivered("post")


class Flaky:
    """前 `failures` 次执行抛出异常（像数据库或 NapCat 一时出错），之后做完；记下每次执行的时刻。"""

    def __init__(self, failures: int):
        self.failures = failures
        self.attempts: list[datetime] = []

    async def __call__(self, ctx: JobContext) -> str:
        self.attempts.append(ctx.now)
        if len(self.attempts) <= self.failures:
            raise RuntimeError("数据库连接断开")
        return f"{ctx.period} 做完了"


def minutes_after(start: datetime, moments: list[datetime]) -> list[int]:
    return [int((moment - start) / timedelta(minutes=1)) for moment in moments]


async def tick_every_minute(runner: JobRunner, start: datetime, minutes: int) -> list[str]:
    ran = []
    for minute in range(minutes + 1):
        ran += await runner.run_due([POLICY], start + timedelta(minutes=minute))
    return ran


async def test_a_job_that_raises_is_retried_with_a_growing_pause_and_told_once(db) -> None:
    run = Flaky(failures=8)
    reports: list[str] = []

    async def report(text: str) -> None:
        reports.append(text)

    runner = JobRunner(report=report)
    runner.register(month_end_job(run))
    await install(runner, cst(2026, 11, 20))
    start = cst(2026, 12, 1, 9)
    assert await runner.run_due([POLICY], start) == []
    assert reports == [
        "任务 test.month（jgs）周期 2026-11 出错：RuntimeError: 数据库连接断开。"
        "将自动重试（间隔 1、2、4… 分钟，最长 30 分钟，直到做完），做完时再告诉你。"
    ]
    claim = await JobRun.get(job="test.month", org="jgs", period="2026-11")
    assert (claim.finished_at, claim.note) == (None, "待重试：RuntimeError: 数据库连接断开")
    # 不用重启：间隔 1、2、4、8、16 分钟，之后封顶 30 分钟；第 9 次做完
    ran = await tick_every_minute(runner, start + timedelta(minutes=1), 200)
    assert minutes_after(start, run.attempts) == [0, 1, 3, 7, 15, 31, 61, 91, 121]
    assert ran == ["test.month:jgs:2026-11"]
    assert reports[1:] == ["任务 test.month（jgs）周期 2026-11 已做完：2026-11 做完了"]
    claim = await JobRun.get(job="test.month", org="jgs", period="2026-11")
    assert claim.note == "2026-11 做完了" and claim.finished_at == start + timedelta(minutes=121)


async def test_a_settlement_that_raised_is_retried_on_the_first_tick_after_a_restart(db) -> None:
    run = Flaky(failures=1)
    reports: list[str] = []

    async def report(text: str) -> None:
        reports.append(text)

    runner = JobRunner(report=report)
    runner.register(month_end_job(run))
    await install(runner, cst(2026, 11, 20))
    assert await runner.run_due([POLICY], cst(2026, 12, 1, 9)) == []
    # 一分钟不到就重启：启动时就重试，不等原来的间隔；还是同一轮，做完时说“已做完”
    restarted = JobRunner(report=report)
    restarted.register(month_end_job(run))
    assert await restarted.run_due([POLICY], cst(2026, 12, 1, 9, 0, 30), startup=True) == [
        "test.month:jgs:2026-11"
    ]
    assert minutes_after(cst(2026, 12, 1, 9), run.attempts) == [0, 0]
    assert len(reports) == 2
    assert reports[1] == "任务 test.month（jgs）周期 2026-11 已做完：2026-11 做完了"
    assert await restarted.run_due([POLICY], cst(2026, 12, 1, 9, 5)) == []
    assert len(run.attempts) == 2


def sweep_job(run) -> Job:
    return Job("test.sweep", "daily", lambda _: Schedule(time(10, 0)), run)


async def test_a_daily_job_that_raised_is_retried_after_a_restart_the_same_day(db) -> None:
    run = Flaky(failures=1)
    reports: list[str] = []

    async def report(text: str) -> None:
        reports.append(text)

    runner = JobRunner(report=report)
    runner.register(sweep_job(run))
    await install(runner, cst(2026, 11, 20, 8))
    assert await runner.run_due([POLICY], cst(2026, 11, 27, 10)) == []
    assert "当天之内" in reports[0]
    restarted = JobRunner(report=report)
    restarted.register(sweep_job(run))
    assert await restarted.run_due([POLICY], cst(2026, 11, 27, 15), startup=True) == [
        "test.sweep:jgs:2026-11-27"
    ]
    assert reports[1:] == ["任务 test.sweep（jgs）周期 2026-11-27 已做完：2026-11-27 做完了"]


async def test_a_daily_job_that_raised_all_day_is_given_up_at_midnight(db) -> None:
    run = Flaky(failures=10_000)
    runner = JobRunner()
    runner.register(sweep_job(run))
    await install(runner, cst(2026, 11, 20, 8))
    # 23:00 才第一次走到（迟到执行），出错；重试到当天结束为止
    await tick_every_minute(runner, cst(2026, 11, 27, 23, 0), 70)
    assert minutes_after(cst(2026, 11, 27, 23), run.attempts) == [0, 1, 3, 7, 15, 31]
    (status,) = await runner.status([POLICY], cst(2026, 11, 28, 0, 10))
    ((period, retry),) = status.failing
    assert (period, retry.at, retry.reason) == ("2026-11-27", None, "RuntimeError: 数据库连接断开")
    # 重启也不再试前一天的；第二天的照常在 10:00 做
    restarted = JobRunner()
    restarted.register(sweep_job(Flaky(failures=0)))
    assert await restarted.run_due([POLICY], cst(2026, 11, 28, 0, 10), startup=True) == []
    assert await restarted.run_due([POLICY], cst(2026, 11, 28, 10)) == ["test.sweep:jgs:2026-11-28"]


def remind_job(run) -> Job:
    return Job(
        "test.remind",
        "timed",
        lambda _: Schedule(time(20, 0)),
        run,
        period=lambda moment: moment.strftime("%Y-%m-%dT%H:%M"),
    )


async def test_a_reminder_that_ran_on_time_is_not_missed(db) -> None:
    run = Recorder()
    runner = JobRunner()
    runner.register(remind_job(run))
    await install(runner, cst(2026, 11, 27, 8))
    assert await runner.run_due([POLICY], cst(2026, 11, 27, 20, 0, 5)) == [
        "test.remind:jgs:2026-11-27T20:00"
    ]
    await runner.run_due([POLICY], cst(2026, 11, 27, 20, 11))
    await runner.run_due([POLICY], cst(2026, 11, 27, 22, 0))
    # 另一个进程（或重启后的这个）看到的也是“已被认领”，不是“错过”
    other = JobRunner()
    other.register(remind_job(run))
    await other.run_due([POLICY], cst(2026, 11, 27, 20, 30), startup=True)
    assert runner.missed == {} and other.missed == {}
    (status,) = await other.status([POLICY], cst(2026, 11, 27, 20, 30))
    assert status.missed == []
    assert run.calls == [("2026-11-27T20:00", False)]


async def test_missed_reminders_are_kept_for_the_last_ten_periods(db) -> None:
    runner = JobRunner()
    runner.register(remind_job(Recorder()))
    await install(runner, cst(2026, 11, 1, 8))
    for day in range(1, 16):  # 每天 20:30 才走到：15 天都错过
        assert await runner.run_due([POLICY], cst(2026, 11, day, 20, 30)) == []
    assert runner.missed[("test.remind", "jgs")] == [
        f"2026-11-{day:02d}T20:00" for day in range(6, 16)
    ]


def year_of_jobs() -> list[Job]:
    """月底、每周、每天、准点各一个，像正式的任务表。"""
    return [
        month_end_job(Flaky(failures=0)),
        Job(
            "test.week",
            "settlement",
            lambda _: Schedule(time(9, 0), weekday=0),
            Flaky(failures=0),
            period=lambda moment: moment.strftime("%G-W%V"),
        ),
        sweep_job(Flaky(failures=0)),
        remind_job(Flaky(failures=0)),
    ]


async def claimed_history(jobs: list[Job], since: datetime, until: datetime) -> int:
    """直接写下 since 到 until 之间每个周期已做完的认领（模拟跑了这么久）。"""
    from qungui.jobs import INSTALLED

    rows = [JobRun(job=INSTALLED, org="jgs", period="-", started_at=since)]
    for job in jobs:
        for moment in occurrences(job.schedule(POLICY), POLICY, since, until):
            rows.append(
                JobRun(
                    job=job.name,
                    org="jgs",
                    period=job.period(moment),
                    started_at=moment,
                    finished_at=moment,
                    note="做完了",
                )
            )
    await JobRun.bulk_create(rows)
    return len(rows)


class Counter:
    """数一数认领（INSERT 的尝试）和发给数据库的语句。"""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        from tortoise import connections

        from qungui import jobs

        self.claims = 0
        self.queries = 0
        real_claim = jobs.claim

        async def counting_claim(*args):
            self.claims += 1
            return await real_claim(*args)

        monkeypatch.setattr(jobs, "claim", counting_claim)
        connection = connections.get("default")
        for name in ("execute_query", "execute_query_dict", "execute_insert", "execute_many"):
            real = getattr(connection, name)

            async def counting(*args, _real=real, **kwargs):
                self.queries += 1
                return await _real(*args, **kwargs)

            monkeypatch.setattr(connection, name, counting)

    def take(self) -> tuple[int, int]:
        counts = (self.claims, self.queries)
        self.claims = self.queries = 0
        return counts


async def test_an_idle_tick_after_two_years_tries_no_claims(db, monkeypatch) -> None:
    jobs = year_of_jobs()
    now = cst(2026, 11, 27, 12, 0, 5)
    assert await claimed_history(jobs, cst(2024, 11, 20, 8), now) > 2 * 365
    counter = Counter(monkeypatch)
    runner = JobRunner()
    for job in jobs:
        runner.register(job)
    # 重启后第一次走动：装上的时刻、没做完的认领、要看的周期里哪些已认领，各一次查询，不试认领
    assert await runner.run_due([POLICY], now, startup=True) == []
    assert counter.take() == (0, 3)
    # 之后空闲的走动：什么也不查
    for minute in range(1, 6):
        assert await runner.run_due([POLICY], now + timedelta(minutes=minute)) == []
    assert counter.take() == (0, 0)
    # 到点的那一次：一次查询看有没有别的进程认领了，再认领一次
    assert await runner.run_due([POLICY], cst(2026, 11, 27, 20, 0, 5)) == [
        "test.remind:jgs:2026-11-27T20:00"
    ]
    claims, _queries = counter.take()
    assert claims == 1
    assert [job.run.attempts for job in jobs] == [[], [], [], [cst(2026, 11, 27, 20, 0, 5)]]
