"""定时任务：每个 (任务, 组织, 周期) 先认领后执行，只执行一次。

三类任务：
- settlement（结算，如月底、每周值班）：停机错过的周期在启动时补上，标明“迟到”；
- daily（每天一次，如名片扫描）：错过的只补今天这一次；
- timed（准点提醒）：错过超过 `TIMED_TOLERANCE` 就跳过并记入日志。
崩溃留下的未完成认领在启动时重跑结算步骤（账本去重保证不重复记分），并把重跑报告给超级用户。
帖子用 `claim_post()` 另行认领、送达后记下（`post_done()`）：确知没送达的（`post_unsent()`）
由任务抛出 `RetryLater`，之后每次时钟走动（重启后也一样）重跑，直到送达或过期；认领了却没记下
结果的（发出后、记下之前进程停了）不知道发没发出，不再发：帖子最多一次。
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from .models import JobRun
from .policy import Policy

log = logging.getLogger("qungui.jobs")

TIMED_TOLERANCE = timedelta(minutes=10)
CATCH_UP_LIMIT = timedelta(days=400)
INSTALLED = "core.installed"

Kind = Literal["settlement", "daily", "timed"]


class NotNow(Exception):
    """任务现在做不了（比如还没有机器人连上来）：放弃这次认领，下次时钟走动时再试。"""


class RetryLater(Exception):
    """结算类任务做了能做的，还有一步要以后再试（如没送达的帖子）：认领保留、不算完成，
    之后每次时钟走动重跑，直到任务正常返回。异常的文字告诉超级用户现在的情况。"""


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
    """交给任务的一次执行：哪个组织、哪个周期、是否迟到、是否崩溃后重跑。"""

    job: Job
    policy: Policy
    period: str
    scheduled_at: datetime
    now: datetime
    late: bool
    rerun: bool

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
    try:
        async with in_transaction():
            await JobRun.create(job=job, org=org, period=period, started_at=now)
    except IntegrityError:
        return False
    return True


@dataclass
class JobStatus:
    job: str
    org: str
    last_period: str | None
    last_finished: datetime | None
    """组织时区"""
    next_at: datetime | None
    missed: list[str]


@dataclass
class JobRunner:
    report: Callable[[str], Awaitable[None]] | None = None
    jobs: dict[str, Job] = field(default_factory=dict)
    missed: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    deferred: set[tuple[str, str]] = field(default_factory=set)
    """有未完成认领要重跑的 (任务, 组织)：启动时因 NotNow（还没有机器人连上）没能跑的，或抛了
    RetryLater 的；之后每次走动再试"""
    retrying: set[tuple[str, str, str]] = field(default_factory=set)
    """本进程里抛过 RetryLater、还没做完的 (任务, 组织, 周期)：已经告诉过超级用户"""

    def register(self, job: Job) -> None:
        self.jobs[job.name] = job

    async def run_due(
        self, policies: Iterable[Policy], now: datetime, startup: bool = False
    ) -> list[str]:
        """执行到 `now` 为止该执行的任务；返回执行过的 `任务:组织:周期`。"""
        ran: list[str] = []
        for policy in policies:
            installed = await self._installed_at(policy.id, now)
            after = max(installed, now - CATCH_UP_LIMIT)
            for job in self.jobs.values():
                try:
                    if startup or (job.name, policy.id) in self.deferred:
                        ran += await self._rerun_unfinished(job, policy, now)
                    for moment in self._candidates(job, policy, after, now):
                        if await self._run(job, policy, moment, now):
                            ran.append(f"{job.name}:{policy.id}:{job.period(moment)}")
                except Exception:
                    # 一个任务出错不拦着别的任务；它的认领没有完成，结算类任务下次启动时重跑
                    log.exception("任务 %s（%s）出错", job.name, policy.id)
        return ran

    def _candidates(
        self, job: Job, policy: Policy, after: datetime, now: datetime
    ) -> list[datetime]:
        schedule = job.schedule(policy)
        if schedule is None:
            return []
        due = occurrences(schedule, policy, after, now)
        if job.kind == "settlement" or not due:
            return due
        latest = due[-1]
        if job.kind == "daily":
            return [latest] if latest.date() == now.astimezone(policy.tz).date() else []
        if now - latest <= TIMED_TOLERANCE:
            return [latest]
        missed = self.missed.setdefault((job.name, policy.id), [])
        period = job.period(latest)
        if period not in missed:
            missed.append(period)
            log.warning("任务 %s（%s）错过了 %s 的执行时间，已跳过", job.name, policy.id, latest)
        return []

    async def _run(self, job: Job, policy: Policy, moment: datetime, now: datetime) -> bool:
        period = job.period(moment)
        if not await claim(job.name, policy.id, period, now):
            return False
        late = now - moment > TIMED_TOLERANCE
        if late:
            log.warning(
                "任务 %s（%s）周期 %s 迟到执行：计划于 %s", job.name, policy.id, period, moment
            )
        try:
            await self._execute(
                JobContext(job, policy, period, moment, now, late=late, rerun=False)
            )
        except NotNow as exc:
            await JobRun.filter(job=job.name, org=policy.id, period=period).delete()
            log.info("任务 %s（%s）周期 %s 暂不执行：%s", job.name, policy.id, period, exc)
            return False
        except RetryLater as exc:
            await self._retry_later(job, policy, period, exc)
        return True

    async def _retry_later(self, job: Job, policy: Policy, period: str, exc: RetryLater) -> None:
        self.deferred.add((job.name, policy.id))
        log.warning("任务 %s（%s）周期 %s 还没做完：%s", job.name, policy.id, period, exc)
        key = (job.name, policy.id, period)
        if key not in self.retrying:
            self.retrying.add(key)
            if self.report is not None:
                await self.report(f"任务 {job.name}（{policy.id}）周期 {period}：{exc}")

    async def _execute(self, context: JobContext) -> None:
        note = await context.job.run(context)
        await JobRun.filter(
            job=context.job.name, org=context.policy.id, period=context.period
        ).update(finished_at=context.now, late=context.late, note=note or "")

    async def _rerun_unfinished(self, job: Job, policy: Policy, now: datetime) -> list[str]:
        if job.kind != "settlement":
            return []
        unfinished = await JobRun.filter(job=job.name, org=policy.id, finished_at=None)
        done = []
        self.deferred.discard((job.name, policy.id))
        for run in unfinished:
            if (job.name, policy.id, run.period) in self.retrying:
                log.info("任务 %s（%s）周期 %s 再试没做完的部分", job.name, policy.id, run.period)
            else:
                log.error(
                    "任务 %s（%s）周期 %s 上次没有完成，重跑结算步骤",
                    job.name,
                    policy.id,
                    run.period,
                )
            try:
                await self._execute(
                    JobContext(job, policy, run.period, run.started_at, now, late=True, rerun=True)
                )
            except NotNow as exc:
                self.deferred.add((job.name, policy.id))
                log.info("任务 %s（%s）周期 %s 稍后重跑：%s", job.name, policy.id, run.period, exc)
                continue
            except RetryLater as exc:
                await self._retry_later(job, policy, run.period, exc)
                continue
            if self.report is not None:
                note = (await JobRun.get(job=job.name, org=policy.id, period=run.period)).note
                if (job.name, policy.id, run.period) in self.retrying:
                    text = f"任务 {job.name}（{policy.id}）周期 {run.period} 已做完：{note}"
                else:
                    text = (
                        f"任务 {job.name}（{policy.id}）周期 {run.period} 上次中途停止，已重跑结算；"
                        f"已发出的消息不会重发，请核对。结果：{note}"
                    )
                await self.report(text)
            self.retrying.discard((job.name, policy.id, run.period))
            done.append(f"{job.name}:{policy.id}:{run.period}")
        return done

    async def _installed_at(self, org: str, now: datetime) -> datetime:
        await claim(INSTALLED, org, "-", now)
        run = await JobRun.get(job=INSTALLED, org=org, period="-")
        return run.started_at

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
                rows.append(
                    JobStatus(
                        job=job.name,
                        org=policy.id,
                        last_period=last.period if last else None,
                        last_finished=last.finished_at.astimezone(policy.tz) if last else None,
                        next_at=upcoming[0] if upcoming else None,
                        missed=self.missed.get((job.name, policy.id), []),
                    )
                )
        return rows
