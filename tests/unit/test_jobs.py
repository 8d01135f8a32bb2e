from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from qungui.jobs import Job, JobContext, JobRunner, RetryLater, Schedule, occurrences
from qungui.models import JobRun
from qungui.policy import load_policies

POLICY = load_policies(Path(__file__).parents[1] / "policy.toml").orgs["jgs"]
CST = POLICY.tz


def cst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CST)


class Recorder:
    """一个月底任务：结算（记下调用），再发一次帖。`refuse`：前几次发帖被 NapCat 拒收；
    `crash_after_send`：第一次发出后、记下送达之前崩溃。"""

    def __init__(self, fail_first: bool = False, refuse: int = 0, crash_after_send: bool = False):
        self.calls: list[tuple[str, bool, bool]] = []
        self.sent: list[str] = []
        """每一次发帖尝试（含被拒收的）"""
        self.posts: list[str] = []
        """送达群里的帖子"""
        self.fail_first = fail_first
        self.refuse = refuse
        self.crash_after_send = crash_after_send

    async def __call__(self, ctx: JobContext) -> str:
        self.calls.append((ctx.period, ctx.late, ctx.rerun))
        if self.fail_first:
            self.fail_first = False
            raise RuntimeError("进程在这里崩溃")
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
            raise RuntimeError("发出后、记下之前进程崩溃")
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
    assert run.calls == [
        ("2026-09", True, False),
        ("2026-10", True, False),
        ("2026-11", True, False),
    ]
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
    assert run.calls == [("2026-11", False, False)]


async def test_a_crashed_claim_reruns_settlement_but_not_the_post(db) -> None:
    run = Recorder(fail_first=True)
    reports: list[str] = []

    async def report(text: str) -> None:
        reports.append(text)

    runner = JobRunner(report=report)
    runner.register(month_end_job(run))
    await install(runner, cst(2026, 11, 20))
    # 出错的任务不拦着别的任务，也不算完成：认领留着，等重启时重跑
    assert await runner.run_due([POLICY], cst(2026, 12, 1, 9)) == []
    unfinished = await JobRun.get(job="test.month", org="jgs", period="2026-11")
    assert unfinished.finished_at is None
    restarted = JobRunner(report=report)
    restarted.register(month_end_job(run))
    assert await restarted.run_due([POLICY], cst(2026, 12, 1, 9, 5), startup=True) == [
        "test.month:jgs:2026-11"
    ]
    assert run.calls[-1] == ("2026-11", True, True)
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
    assert run.calls == [("2026-11-28", False, False)]


async def test_a_missed_daily_job_runs_once_for_today_only(db) -> None:
    run = Recorder()
    runner = JobRunner()
    runner.register(Job("test.sweep", "daily", lambda _: Schedule(time(10, 0)), run))
    await install(runner, cst(2026, 11, 20, 8))
    assert await runner.run_due([POLICY], cst(2026, 11, 27, 15)) == ["test.sweep:jgs:2026-11-27"]
    assert run.calls == [("2026-11-27", True, False)]


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
        if ctx.rerun and not bot_online:
            raise NotNow("没有在线的机器人")
        return await run(ctx)

    runner = JobRunner()
    runner.register(month_end_job(needs_bot))
    await install(runner, cst(2026, 11, 20))
    await runner.run_due([POLICY], cst(2026, 12, 1, 9))  # 崩溃：认领留着
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
    # 重启后照样再试；这次又被拒收，然后送达，只送达一次
    restarted = JobRunner(report=report)
    restarted.register(month_end_job(run))
    assert await restarted.run_due([POLICY], cst(2026, 12, 1, 9, 5), startup=True) == []
    assert len(reports) == 2
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
    assert await runner.run_due([POLICY], cst(2026, 12, 1, 9)) == []
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
        return JobContext(job, POLICY, "2026-11", moment, now, late=True, rerun=True)

    assert await context(moment).claim_post("post") == moment
    await context(moment).post_unsent("post", "风控")
    later = cst(2026, 12, 1, 9, 3)
    claims = await asyncio.gather(*(context(later).claim_post("post") for _ in range(5)))
    assert sorted(claims, key=lambda c: c is None) == [moment, None, None, None, None]
    await context(later).post_done("post")
    assert await context(cst(2026, 12, 1, 9, 4)).claim_post("post") is None
    assert await context(later).post_delivered("post")
