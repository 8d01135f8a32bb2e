"""“不进公司群 -50”这条规则的家：名单上的人没进公司群时立案、提醒管理员，`absent_days` 天后扣
“未进群”的分（`absent_points`，每月一次），`escalate_days` 天后通知主席，进群即结案。

只扣名单里写了 QQ 号的人：认不出是谁，就不扣任何人的分。
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from . import ledger
from .cards import conforming
from .dates import month_key
from .models import AbsenceCase, Member
from .policy import Policy
from .roster import Roster, RosterRow

ABSENT_RULE = "roster.absent"
ABSENT_CATEGORY = "未进群"
DEFAULT_ABSENT_POINTS = 50


@dataclass
class AbsenceReport:
    opened: list[RosterRow] = field(default_factory=list)
    still_absent: list[RosterRow] = field(default_factory=list)
    penalised: list[RosterRow] = field(default_factory=list)
    escalated: list[RosterRow] = field(default_factory=list)
    closed: list[RosterRow] = field(default_factory=list)
    leavers_present: list[RosterRow] = field(default_factory=list)
    """名单上标了离职、却还在群里的人"""

    @property
    def absent(self) -> int:
        """现在没进群的人数：今天新发现的加上早已立案的。"""
        return len(self.opened) + len(self.still_absent)


def absent_points(policy: Policy) -> int:
    """扣多少分：`[warnings.categories]` 里“未进群”的分值（范围取下限），没写时 50。"""
    value = policy.warnings.categories.get(ABSENT_CATEGORY, DEFAULT_ABSENT_POINTS)
    return value[0] if isinstance(value, list) else value


def escalate_days(policy: Policy) -> int:
    """立案后第几天仍未进群就通知主席：扣分（`absent_days`）之后再等同样多天。"""
    return 2 * policy.roster.absent_days


async def _in_work_groups(policy: Policy) -> list[tuple[int, str]]:
    """现在在工作群里的人：(QQ, 名片)。"""
    return await Member.filter(
        org=policy.id, group_id__in=policy.groups.work, left_at=None
    ).values_list("user_id", "card")


def _matched(policy: Policy, roster: Roster, rows: list[tuple[int, str]]) -> dict[str, int]:
    return {
        parts.phone or "": user
        for user, card in rows
        if (parts := conforming(policy, card, roster, user))
    }


async def matched_phones(policy: Policy, roster: Roster) -> dict[str, int]:
    """工作群里名片对上名单的：电话 → QQ。"""
    return _matched(policy, roster, await _in_work_groups(policy))


async def check_absent(policy: Policy, roster: Roster, at: datetime) -> AbsenceReport:
    """`at` 所在的营业日，名单上每一行在不在公司群里：名片对上这一行，或这一行的 QQ 就在群里
    （名片还没改对是每天 -10 的事，不是“未进群”）。等了几天按营业日数，与检查跑在几点几秒无关。"""
    report = AbsenceReport()
    in_group = await _in_work_groups(policy)
    matched = _matched(policy, roster, in_group)
    users = {user for user, _card in in_group}

    def present(row: RosterRow) -> bool:
        return row.phone in matched or row.qq in users

    cases = {c.phone: c for c in await AbsenceCase.filter(org=policy.id, closed_at=None)}
    wait = policy.roster.absent_days
    today = at.astimezone(policy.tz).date()
    for row in roster.rows:
        case = cases.pop(row.phone, None)
        if row.has_left:
            if present(row):
                report.leavers_present.append(row)
            if case is not None:
                await AbsenceCase.filter(id=case.id).update(closed_at=at)
            continue
        if present(row):
            if case is not None:
                await AbsenceCase.filter(id=case.id).update(closed_at=at)
                report.closed.append(row)
            continue
        if case is None:
            await AbsenceCase.create(
                org=policy.id, phone=row.phone, name=row.name, qq=row.qq, opened_at=at
            )
            report.opened.append(row)
            continue
        report.still_absent.append(row)
        waited = (today - case.opened_at.astimezone(policy.tz).date()).days
        if waited >= wait and await _penalise(policy, row, at):
            report.penalised.append(row)
        if waited >= escalate_days(policy) and case.chairmen_told_at is None:
            await AbsenceCase.filter(id=case.id).update(chairmen_told_at=at)
            report.escalated.append(row)
    # 名单里已经删掉的行：案子随之了结
    for case in cases.values():
        await AbsenceCase.filter(id=case.id).update(closed_at=at)
    return report


async def _penalise(policy: Policy, row: RosterRow, at: datetime) -> bool:
    """扣“未进群”的分，每人每月一次；名单那一行没写 QQ（认不出是谁）时不扣。"""
    points = absent_points(policy)
    if points == 0 or row.qq is None:
        return False
    day = at.astimezone(policy.tz).date()
    entry = await ledger.award(
        org=policy.id,
        user_id=row.qq,
        rule=ABSENT_RULE,
        period=month_key(day),
        delta=-points,
        business_date=day,
        now=at,
        reason=f"名单登记 {policy.roster.absent_days} 天后仍未进公司群",
    )
    return entry is not None


async def open_cases(policy: Policy) -> list[AbsenceCase]:
    return await AbsenceCase.filter(org=policy.id, closed_at=None).order_by("opened_at", "id")
