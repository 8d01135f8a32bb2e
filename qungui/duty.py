"""每周值班加分：制度 `[duty]` 里的群管理员、统计员每人每周 `weekly_bonus` 分，每周 `weekday` 的 `time`
发上一个自然周（周一到周日）的。"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from . import ledger, rules
from .jobs import Schedule
from .policy import Policy, parse_clock


def schedule(policy: Policy) -> Schedule | None:
    """什么时候发：没有值班人员或不加分时不发。"""
    duty = policy.duty
    if not duty.members or not duty.weekly_bonus:
        return None
    return Schedule(parse_clock(duty.time), weekday=duty.weekday - 1)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def previous_week(moment: datetime) -> str:
    """发放时刻 → 上一个自然周（周一到周日）的 ISO 周号。"""
    return iso_week(moment.date() - timedelta(days=7))


def week_label(week: str) -> str:
    """ISO 周号写给人看：2026-W48 → 第 48 周（11-23 至 11-29）。周号只作去重键，成员的明细里说这个。"""
    year, number = week.split("-W")
    monday = date.fromisocalendar(int(year), int(number), 1)
    return f"第 {int(number)} 周（{monday:%m-%d} 至 {monday + timedelta(days=6):%m-%d}）"


async def pay_duty(policy: Policy, week: str, paid_on: date, now: datetime) -> list[int]:
    """给每位值班人员记上周的值班分，每人每周一次。返回这次新记的人。"""
    paid = []
    if not policy.duty.weekly_bonus:
        return paid
    for user in dict.fromkeys(policy.duty.members):
        entry = await ledger.award(
            org=policy.id,
            user_id=user,
            rule=rules.DUTY_WEEKLY,
            period=week,
            delta=policy.duty.weekly_bonus,
            business_date=paid_on,
            now=now,
            reason=f"{week_label(week)}群管理值班",
        )
        if entry is not None:
            paid.append(user)
    return paid
