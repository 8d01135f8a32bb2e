"""定时任务：每个 (任务, 组织, 周期) 先认领后执行，只执行一次。

三类任务：
- settlement（结算，如月底、每周值班）：停机错过的周期在启动时补上，标明“迟到”；
- daily（每天一次，如名片扫描）：错过的只补今天这一次；
- timed（准点提醒）：错过超过 `TIMED_TOLERANCE` 就跳过并记入日志。
崩溃留下的未完成认领在启动时重跑结算步骤（账本去重保证不重复记分），帖子用 `once()`
另行认领，所以重跑时不会再发一遍，并把重跑报告给超级用户。
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

    async def once(self, step: str) -> bool:
        """认领本周期里的一个步骤（如发帖）；已认领过返回 False。用于“最多一次”的动作。"""
        return await claim(f"{self.job.name}.{step}", self.policy.id, self.period, self.now)


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
    """启动时要重跑、却因 NotNow（还没有机器人连上）没能跑的 (任务, 组织)：之后每次走动再试"""

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
        return True

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
            log.error(
                "任务 %s（%s）周期 %s 上次没有完成，重跑结算步骤", job.name, policy.id, run.period
            )
            try:
                await self._execute(
                    JobContext(job, policy, run.period, run.started_at, now, late=True, rerun=True)
                )
            except NotNow as exc:
                self.deferred.add((job.name, policy.id))
                log.info("任务 %s（%s）周期 %s 稍后重跑：%s", job.name, policy.id, run.period, exc)
                continue
            if self.report is not None:
                await self.report(
                    f"任务 {job.name}（{policy.id}）周期 {run.period} 上次中途停止，已重跑结算；"
                    "已发出的消息不会重发，请核对。"
                )
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
