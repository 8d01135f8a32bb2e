"""定时任务：每个 (任务, 组织, 周期) 先认领后执行，只执行一次。

三类任务：
- settlement（结算，如月底、每周值班）：停机错过的周期在启动时补上，标明“迟到”；
- daily（每天一次，如名片扫描）：错过的只补今天这一次；
- timed（准点提醒）：错过超过 `TIMED_TOLERANCE` 就跳过并记下（只记没有任何进程认领的周期）。
执行中出错（抛出异常）或还有一步要以后做（`RetryLater`）的，认领留着、不算完成，1、2、4… 分钟后
再试（RetryLater 每次时钟走动都试），最长间隔 `RETRY_MAX`；结算的一直试到做完，每天一次的试到当天
结束，准点的试到容忍时间结束。每一轮失败只告诉超级用户一次，做完时再说一次；原因写在认领的备注里，
重启后第一次走动就接着试。崩溃留下的未完成认领在启动时重跑结算步骤（账本去重保证不重复记分），
并把重跑报告给超级用户。
帖子用 `claim_post()` 另行认领、送达后记下（`post_done()`）：确知没送达的（`post_unsent()`）
由任务抛出 `RetryLater`，之后每次时钟走动（重启后也一样）重跑，直到送达或过期；认领了却没记下
结果的（发出后、记下之前进程停了）不知道发没发出，不再发：帖子最多一次。
空闲的时钟走动只看上次走动之后到点的计划时刻，已认领的周期每个组织一次查询读出来跳过，不去反复认领。
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Literal

from .db import insert_once
from .models import JobRun
from .policy import Policy

log = logging.getLogger("qungui.jobs")

TIMED_TOLERANCE = timedelta(minutes=10)
CATCH_UP_LIMIT = timedelta(days=400)
INSTALLED = "core.installed"
RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(minutes=30)
TICK_SLACK = timedelta(seconds=30)
"""时钟每分钟走一次、有几毫秒的抖动：差不到半分钟就到点的重试这次就做，不拖到下一分钟"""
MISSED_KEPT = 10
REASON_CHARS = 200
RETRYING = "待重试："
"""没做完的认领的备注以此开头，后面是原因：重启后知道它是出错留下的，而且已经告诉过超级用户"""
RETRY_WITHIN = {
    "settlement": "直到做完",
    "daily": "当天之内",
    "timed": f"计划时刻后 {TIMED_TOLERANCE // timedelta(minutes=1)} 分钟之内",
}

Kind = Literal["settlement", "daily", "timed"]


class NotNow(Exception):
    """任务现在做不了（比如还没有机器人连上来）：放弃这次认领，下次时钟走动时再试。"""


class RetryLater(Exception):
    """任务做了能做的，还有一步要以后再试（如没送达的帖子）：和出错一样认领保留、不算完成，
    只是不加长间隔，之后每次时钟走动重跑，直到任务正常返回。异常的文字告诉超级用户现在的情况。"""


UNSENT = "未送达："
"""帖子步骤的备注以此开头：确知没有送达，可以再认领重发"""


@dataclass(frozen=True)
class Schedule:
    """在组织时区的 `at` 时刻运行；`day` 限定每月几号，`weekday` 限定星期几（0 = 周一）。"""

    at: time
    day: int | None = None
    weekday: int | None = None

    def matches(self, day: date) -> bool:
        if self.day is not None and day.day != self.day:
            return False
        return self.weekday is None or day.weekday() == self.weekday


def occurrences(
    schedule: Schedule, policy: Policy, after: datetime, until: datetime
) -> list[datetime]:
    """(after, until] 之间的全部计划时刻（组织时区）。"""
    tz = policy.tz
    day, last = after.astimezone(tz).date(), until.astimezone(tz).date()
    found = []
    while day <= last:
        if schedule.matches(day):
            moment = datetime.combine(day, schedule.at, tz)
            if after < moment <= until:
                found.append(moment)
        day += timedelta(days=1)
    return found


@dataclass
class JobContext:
    """交给任务的一次执行：哪个组织、哪个周期、是否迟到。"""

    job: Job
    policy: Policy
    period: str
    scheduled_at: datetime
    now: datetime
    late: bool

    def _step(self, step: str):
        return JobRun.filter(job=f"{self.job.name}.{step}", org=self.policy.id, period=self.period)

    async def claim_post(self, step: str) -> datetime | None:
        """认领本周期里的一次发帖，返回第一次认领它的时刻（过期从这时算起）；不该发时返回 None。

        从没认领过，或上次确知没有送达（`post_unsent`）时可以发：后者只有一个进程改得动那一行。
        已送达（`post_done`）的不再发；认领了却没有结果的（发出后、记下之前进程停了）不知道
        群里有没有，也不再发。
        """
        if await claim(f"{self.job.name}.{step}", self.policy.id, self.period, self.now):
            return self.now
        if (
            not await self._step(step)
            .filter(finished_at=None, note__startswith=UNSENT)
            .update(note="")
        ):
            return None
        return (await self._step(step).get()).started_at

    async def post_done(self, step: str, note: str = "已送达") -> None:
        """这次发帖有了结果（送达，或过期放弃），以后不再发。"""
        await self._step(step).update(finished_at=self.now, note=note)

    async def post_unsent(self, step: str, reason: str) -> None:
        """这次发帖确知没有送达：放开认领，之后可以重发。"""
        await self._step(step).update(note=UNSENT + reason)

    async def post_delivered(self, step: str) -> bool:
        """这次发帖已有结果（`claim_post` 返回 None 时，区分“发过了”和“不知道发没发出”）。"""
        return await self._step(step).exclude(finished_at=None).exists()


@dataclass(frozen=True)
class Job:
    name: str
    kind: Kind
    schedule: Callable[[Policy], Schedule | None]
    """该组织的计划；None 表示这个组织不跑它（例如制度里只配了两个提醒时间）"""
    run: Callable[[JobContext], Awaitable[str | None]]
    period: Callable[[datetime], str] = lambda moment: moment.date().isoformat()
    """计划时刻 → 周期键（默认是当天日期）"""


async def claim(job: str, org: str, period: str, now: datetime) -> bool:
    return await insert_once(JobRun, job=job, org=org, period=period, started_at=now)


@dataclass
class Retry:
    """一次认领了、还没做完的执行：为什么没做完，下次什么时候再试。"""

    moment: datetime
    """计划时刻"""
    failures: int = 0
    """连续失败了几次（抛 RetryLater 也算）"""
    reason: str = ""
    """最近一次失败的原因"""
    error: bool = False
    """最近一次是出错（异常），不是 RetryLater"""
    at: datetime | None = None
    """下次再试的时刻；None 表示过了时效，不再重试"""
    told: bool = False
    """这一轮失败已经告诉过超级用户（重启前告诉过的，认领的备注里记着）"""
    crashed: bool = False
    """启动时发现的、上次进程中途停止留下的认领"""


@dataclass
class JobStatus:
    job: str
    org: str
    last_period: str | None
    last_finished: datetime | None
    """组织时区"""
    next_at: datetime | None
    missed: list[str]
    last_note: str = ""
    """上次做完时的结果（如名片检查里没发出去的群）"""
    failing: list[tuple[str, Retry]] = field(default_factory=list)
    """（周期, 失败情况）；Retry.at 已换成组织时区"""


Outcome = Literal["done", "later", "failed", "not now"]
"""一次执行的结果：做完了；做了能做的、其余以后再试（RetryLater）；出错了；现在做不了（NotNow）"""


@dataclass
class JobRunner:
    report: Callable[[str], Awaitable[None]] | None = None
    jobs: dict[str, Job] = field(default_factory=dict)
    missed: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    """错过的准点任务周期，每个 (任务, 组织) 只留最近 `MISSED_KEPT` 个"""
    retries: dict[tuple[str, str, str], Retry] = field(default_factory=dict)
    """(任务, 组织, 周期) → 认领了、还没做完的执行"""
    scanned: dict[tuple[str, str], datetime] = field(default_factory=dict)
    """(任务, 组织) → 这一刻及以前的计划时刻都处理过了（已认领、已跑或已跳过）：空闲的走动只看
    这之后的，不随历史变长"""
    installed: dict[str, datetime] = field(default_factory=dict)
    """组织 → 装上的时刻"""
    running: asyncio.Lock = field(default_factory=asyncio.Lock)
    """每分钟的走动和测试拨钟可能同时到：一次只走一个，同一个重试不会同时跑两遍"""

    def register(self, job: Job) -> None:
        self.jobs[job.name] = job

    def forget(self) -> None:
        """忘掉内存里关于数据库的一切（测试换了一个新库时用）。"""
        self.missed.clear()
        self.retries.clear()
        self.scanned.clear()
        self.installed.clear()

    async def run_due(
        self, policies: Iterable[Policy], now: datetime, startup: bool = False
    ) -> list[str]:
        """执行到 `now` 为止该执行的任务，以及到了时间该重试的；返回执行过的 `任务:组织:周期`。"""
        ran: list[str] = []
        async with self.running:
            for policy in policies:
                try:
                    ran += await self._run_org(policy, now, startup)
                except Exception:
                    # 一个组织出错（比如数据库一时连不上）不拦着别的组织；下次走动从头再看
                    log.exception("定时任务（%s）出错", policy.id)
        return ran

    async def _run_org(self, policy: Policy, now: datetime, startup: bool) -> list[str]:
        ran: list[str] = []
        installed = await self._installed_at(policy.id, now)
        after = max(installed, now - CATCH_UP_LIMIT)
        due = {job.name: self._due(job, policy, after, now) for job in self.jobs.values()}
        if startup:
            await self._load_unfinished(policy, due, now)
        claimed = await self._claimed(policy, due)
        for job in self.jobs.values():
            try:
                ran += await self._retry_due(job, policy, now)
                ran += await self._run_new(job, policy, due[job.name], claimed, now)
            except Exception:
                # 一个任务出错（比如认领时数据库断了）不拦着别的任务；没处理完的下次走动再看
                log.exception("任务 %s（%s）出错", job.name, policy.id)
        return ran

    def _due(self, job: Job, policy: Policy, after: datetime, now: datetime) -> list[datetime]:
        """这次要看的计划时刻：上次处理到的之后（本进程第一次看时从装上或补做期限起）。"""
        schedule = job.schedule(policy)
        if schedule is None:
            return []
        start = self.scanned.get((job.name, policy.id))
        # 时钟往回拨了（只有测试会）：从头看
        start = after if start is None or start > now else max(start, after)
        if job.kind != "settlement":
            # 每天一次的只补今天，准点的只看最近的：往前一天足够
            start = max(start, now - timedelta(days=1))
        return occurrences(schedule, policy, start, now)

    async def _claimed(
        self, policy: Policy, due: dict[str, list[datetime]]
    ) -> set[tuple[str, str]]:
        """这些计划时刻里已被认领的 (任务, 周期)：每个组织一次查询，没有要看的就不查。"""
        wanted = {
            (name, self.jobs[name].period(moment))
            for name, moments in due.items()
            for moment in moments
        }
        if not wanted:
            return set()
        rows = await JobRun.filter(
            org=policy.id,
            job__in=sorted({name for name, _ in wanted}),
            period__in=sorted({period for _, period in wanted}),
        ).values_list("job", "period")
        return {(name, period) for name, period in rows} & wanted

    async def _run_new(
        self,
        job: Job,
        policy: Policy,
        due: list[datetime],
        claimed: set[tuple[str, str]],
        now: datetime,
    ) -> list[str]:
        ran: list[str] = []
        waiting = None  # 第一个现在做不了（NotNow）、下次走动还要再看的计划时刻
        today = now.astimezone(policy.tz).date()
        for moment in due:
            period = job.period(moment)
            if (job.name, period) in claimed:
                continue
            if job.kind == "daily" and moment.astimezone(policy.tz).date() != today:
                continue
            if job.kind == "timed" and now - moment > TIMED_TOLERANCE:
                self._missed(job, policy, moment)
                continue
            outcome = await self._run(job, policy, moment, now)
            if outcome in ("done", "later"):
                ran.append(f"{job.name}:{policy.id}:{period}")
            elif outcome == "not now" and waiting is None:
                waiting = moment
        # 下次从第一个还要再看的计划时刻起看（occurrences 不含起点，所以往前挪一点）
        self.scanned[(job.name, policy.id)] = (
            now if waiting is None else waiting - timedelta.resolution
        )
        return ran

    def _missed(self, job: Job, policy: Policy, moment: datetime) -> None:
        missed = self.missed.setdefault((job.name, policy.id), [])
        period = job.period(moment)
        if period in missed:
            return
        missed.append(period)
        del missed[:-MISSED_KEPT]
        log.warning("任务 %s（%s）错过了 %s 的执行时间，已跳过", job.name, policy.id, moment)

    async def _run(
        self, job: Job, policy: Policy, moment: datetime, now: datetime
    ) -> Outcome | None:
        """认领并执行一个新的周期；别的进程已认领时返回 None。"""
        period = job.period(moment)
        if not await claim(job.name, policy.id, period, now):
            return None
        late = now - moment > TIMED_TOLERANCE
        if late:
            log.warning(
                "任务 %s（%s）周期 %s 迟到执行：计划于 %s", job.name, policy.id, period, moment
            )
        context = JobContext(job, policy, period, moment, now, late=late)
        outcome = await self._attempt(context, Retry(moment))
        if outcome == "not now":
            await JobRun.filter(job=job.name, org=policy.id, period=period).delete()
        return outcome

    async def _retry_due(self, job: Job, policy: Policy, now: datetime) -> list[str]:
        """重跑这个任务到了时间的未完成认领（出错的、RetryLater 的、上次进程中途停止的）。"""
        ran: list[str] = []
        for (name, org, period), retry in list(self.retries.items()):
            if (name, org) != (job.name, policy.id) or retry.at is None:
                continue
            if now + TICK_SLACK < retry.at:
                continue
            if not self._still_current(job, policy, retry.moment, now):
                retry.at = None
                log.warning(
                    "任务 %s（%s）周期 %s 过了时效，不再重试：%s",
                    job.name,
                    policy.id,
                    period,
                    retry.reason,
                )
                continue
            if retry.crashed and not retry.failures:
                log.error(
                    "任务 %s（%s）周期 %s 上次没有完成，重跑结算步骤", job.name, policy.id, period
                )
            else:
                log.info("任务 %s（%s）周期 %s 再试", job.name, policy.id, period)
            late = retry.crashed or now - retry.moment > TIMED_TOLERANCE
            context = JobContext(job, policy, period, retry.moment, now, late=late)
            outcome = await self._attempt(context, retry)
            if outcome == "done":
                ran.append(f"{job.name}:{policy.id}:{period}")
            elif outcome == "not now":
                retry.at = now  # 下次走动再试，不算失败
        return ran

    @staticmethod
    def _still_current(job: Job, policy: Policy, moment: datetime, now: datetime) -> bool:
        """还值得重试吗：结算的一直值得；每天一次的只在当天；准点的只在容忍时间内。"""
        if job.kind == "daily":
            return moment.astimezone(policy.tz).date() == now.astimezone(policy.tz).date()
        if job.kind == "timed":
            return now - moment <= TIMED_TOLERANCE
        return True

    async def _attempt(self, context: JobContext, retry: Retry) -> Outcome:
        """执行一次。做完了记下结果；出错或 RetryLater 时认领留着，按 `_failed` 安排重试。"""
        job, policy, period = context.job, context.policy, context.period
        key = (job.name, policy.id, period)
        try:
            note = await job.run(context)
        except NotNow as exc:
            log.info("任务 %s（%s）周期 %s 暂不执行：%s", job.name, policy.id, period, exc)
            return "not now"
        except Exception as exc:
            await self._failed(context, retry, exc)
            return "later" if isinstance(exc, RetryLater) else "failed"
        await JobRun.filter(job=job.name, org=policy.id, period=period).update(
            finished_at=context.now, late=context.late, note=note or ""
        )
        self.retries.pop(key, None)
        self._drop_given_up(job, policy)
        if self.report is None:
            return "done"
        if retry.crashed:
            await self.report(
                f"任务 {job.name}（{policy.id}）周期 {period} 上次中途停止，已重跑结算；"
                f"已发出的消息不会重发，请核对。结果：{note}"
            )
        elif retry.told:
            await self.report(f"任务 {job.name}（{policy.id}）周期 {period} 已做完：{note}")
        return "done"

    async def _failed(self, context: JobContext, retry: Retry, exc: Exception) -> None:
        """记下一次失败：认领不完成，1、2、4… 分钟后再试（RetryLater 每次走动都试），
        每一轮失败只告诉超级用户一次。"""
        job, policy, period, now = context.job, context.policy, context.period, context.now
        retry.failures += 1
        retry.error = not isinstance(exc, RetryLater)
        if retry.error:
            retry.reason = f"{type(exc).__name__}: {exc}"[:REASON_CHARS]
            pause = min(RETRY_FIRST * 2 ** (retry.failures - 1), RETRY_MAX)
            log.exception(
                "任务 %s（%s）周期 %s 出错，%s 后再试", job.name, policy.id, period, pause
            )
        else:
            retry.reason = str(exc)
            pause = RETRY_FIRST
            log.warning("任务 %s（%s）周期 %s 还没做完：%s", job.name, policy.id, period, exc)
        retry.at = now + pause
        self._drop_given_up(job, policy)
        self.retries[(job.name, policy.id, period)] = retry
        await JobRun.filter(job=job.name, org=policy.id, period=period).update(
            note=RETRYING + retry.reason
        )
        if retry.told or self.report is None:
            return
        retry.told = True
        if retry.error:
            text = (
                f"任务 {job.name}（{policy.id}）周期 {period} 出错：{retry.reason}。"
                f"将自动重试（间隔 1、2、4… 分钟，最长 {RETRY_MAX // timedelta(minutes=1)} 分钟，"
                f"{RETRY_WITHIN[job.kind]}），做完时再告诉你。"
            )
        else:
            text = f"任务 {job.name}（{policy.id}）周期 {period}：{retry.reason}"
        await self.report(text)

    def _drop_given_up(self, job: Job, policy: Policy) -> None:
        """过了时效的失败只留到这个任务下一次有结果：`/状态` 里看得到，又不越积越多。"""
        for key, retry in list(self.retries.items()):
            if key[:2] == (job.name, policy.id) and retry.at is None:
                del self.retries[key]

    async def _load_unfinished(
        self, policy: Policy, due: dict[str, list[datetime]], now: datetime
    ) -> None:
        """启动时：这个组织没完成的认领，下面马上重试。结算的全都重跑（账本去重，帖子另行认领）；
        每天一次的和准点的只重试出错留下的、还在时效内的（中途停止的不知道发过什么，不重跑）。"""
        rows = await JobRun.filter(
            org=policy.id, job__in=list(self.jobs), finished_at=None
        ).order_by("id")
        for row in rows:
            job = self.jobs[row.job]
            key = (job.name, policy.id, row.period)
            if key in self.retries:
                continue
            failed_before = row.note.startswith(RETRYING)
            moments = {job.period(moment): moment for moment in due[job.name]}
            moment = moments.get(row.period, row.started_at)
            if job.kind != "settlement" and not (
                failed_before
                and row.period in moments
                and self._still_current(job, policy, moment, now)
            ):
                continue
            self.retries[key] = Retry(
                moment,
                reason=row.note.removeprefix(RETRYING),
                at=now,
                told=failed_before,
                crashed=not failed_before,
            )

    async def _installed_at(self, org: str, now: datetime) -> datetime:
        if org not in self.installed:
            run = await JobRun.get_or_none(job=INSTALLED, org=org, period="-")
            if run is None:
                await claim(INSTALLED, org, "-", now)
                run = await JobRun.get(job=INSTALLED, org=org, period="-")
            self.installed[org] = run.started_at
        return self.installed[org]

    async def status(self, policies: Iterable[Policy], now: datetime) -> list[JobStatus]:
        rows = []
        for policy in policies:
            for job in self.jobs.values():
                schedule = job.schedule(policy)
                if schedule is None:
                    continue
                last = (
                    await JobRun.filter(job=job.name, org=policy.id)
                    .exclude(finished_at=None)
                    .order_by("-finished_at")
                    .first()
                )
                upcoming = occurrences(schedule, policy, now, now + timedelta(days=40))
                failing = [
                    (
                        period,
                        replace(retry, at=retry.at.astimezone(policy.tz) if retry.at else None),
                    )
                    for (name, org, period), retry in self.retries.items()
                    if (name, org) == (job.name, policy.id) and retry.failures
                ]
                rows.append(
                    JobStatus(
                        job=job.name,
                        org=policy.id,
                        last_period=last.period if last else None,
                        last_finished=last.finished_at.astimezone(policy.tz) if last else None,
                        next_at=upcoming[0] if upcoming else None,
                        missed=list(self.missed.get((job.name, policy.id), [])),
                        last_note=last.note if last else "",
                        failing=failing,
                    )
                )
        return rows
