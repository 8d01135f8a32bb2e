"""请假与节假日：谁哪天不用分享。只收普通值。

- 节假日来自制度 `[calendar] holidays`，算全组织请假；个人的请假（假N）记在 `leave` 表里。
- 请假不是账本记录：它不加分也不扣分，只让那几天不提醒、不算没交、不打断连续分享（`streaks`）。
- 管理员记的请假直接生效；成员为自己申请的进审核队列（审N），由另一位管理员确认或驳回。
- 撤销只去掉还没过去的日子（今天起），已经过去的照旧算请假：那几天没人提醒过他，不能事后变成没交。
- 开始月底结算（随即冻结）的月份不收新的请假（结算按那一刻的请假数连续分享）。

提醒每天对几百人只问一次：`excused_on` 一条查询给出这一天全组织谁在请假。
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import MAXYEAR, UTC, date, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from . import months, rules
from .dates import month_key
from .models import FilterHit, Leave
from .policy import Policy
from .reviews import AlreadyDecided, ReviewNotFound
from .reviews import find as find_review
from .roles import Role, check_not_own_case

PENDING, APPROVED, REFUSED, REVOKED = "pending", "approved", "refused", "revoked"
REASON_LIMIT = 200
PENDING_MAX = 3
"""一个人同时待审的申请最多几条：每条申请都私聊打扰管理员，没有上限就能一口气发几十条"""

_FULL = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_SHORT = re.compile(r"(\d{1,2})-(\d{1,2})", re.ASCII)


# ---- 写日期：YYYY-MM-DD 或 MM-DD ----


def _written(word: str) -> str:
    # 全角数字和全角横线（中文输入法）照样认；“12月8日”这样的写法不认，用法里写明了格式
    return unicodedata.normalize("NFKC", word).strip()


def parse_first_day(word: str, today: date) -> date | None:
    """请假的第一天。`MM-DD` 取上个月 1 日或以后最早的那一天：能补记的过去最远是上个月（再早的月份
    已冻结），所以 12 月底写 `01-03` 是明年的 1 月 3 日，1 月初补记 `12-30` 是去年的 12 月 30 日，
    7 月写 `06-15` 是今年的、写 `05-31` 是明年的（回复里会写出年份）。"""
    text = _written(word)
    if match := _FULL.fullmatch(text):
        return _day(int(match[1]), int(match[2]), int(match[3]))
    if match := _SHORT.fullmatch(text):
        earliest = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        return _on_or_after(int(match[1]), int(match[2]), earliest)
    return None


def parse_last_day(word: str, first: date) -> date | None:
    """请假的最后一天。`MM-DD` 取第一天当天或之后最早的那一天：`12-30 01-02` 跨年到次年 1 月 2 日。"""
    text = _written(word)
    if match := _FULL.fullmatch(text):
        return _day(int(match[1]), int(match[2]), int(match[3]))
    if match := _SHORT.fullmatch(text):
        return _on_or_after(int(match[1]), int(match[2]), first)
    return None


def _on_or_after(month: int, day: int, earliest: date) -> date | None:
    """`earliest` 当天或之后最早的某月某日；2 月 29 日最远要等到四年后。"""
    for year in range(earliest.year, earliest.year + 5):
        found = _day(year, month, day)
        if found is not None and found >= earliest:
            return found
    return None


def _day(year: int, month: int, day: int) -> date | None:
    if (year, month) >= (MAXYEAR, 12):
        return None  # 按月查冻结要用到下个月的 1 日：日历的最后一个月算不下去，当作写错的日期
    try:
        return date(year, month, day)
    except ValueError:
        return None


# ---- 哪天谁不用分享 ----


def holidays(policy: Policy, first: date, last: date) -> frozenset[date]:
    """`[first, last]` 里的节假日。"""
    found: set[date] = set()
    for start, end in policy.calendar.holidays:
        day, stop = max(start, first), min(end, last)
        while day <= stop:
            found.add(day)
            day += timedelta(days=1)
    return frozenset(found)


def is_holiday(policy: Policy, day: date) -> bool:
    return any(start <= day <= end for start, end in policy.calendar.holidays)


@dataclass(frozen=True)
class Excused:
    """某一天不用分享的人：节假日是全员，否则是当天请假的人。"""

    holiday: bool
    people: frozenset[int] = frozenset()

    def __contains__(self, user_id: object) -> bool:
        return self.holiday or user_id in self.people


def _in_force(org: str, first: date, last: date):
    """与 `[first, last]` 有交集、生效中的请假（撤销后剩下的日子也算：`cut_from` 在 `first` 之后）。"""
    return Leave.filter(
        Q(cut_from=None) | Q(cut_from__gt=first),
        org=org,
        status=APPROVED,
        first_day__lte=last,
        last_day__gte=first,
    )


def in_force_days(row: Leave) -> tuple[date, date]:
    """这次请假现在算数的首尾两天（撤销过的截到撤销那天的前一天）。"""
    return _days(row.first_day, row.last_day, row.cut_from)


def _days(leave_first: date, leave_last: date, cut_from: date | None) -> tuple[date, date]:
    """一次请假实际算数的首尾两天（撤销过的截到 `cut_from` 的前一天）。"""
    if cut_from is not None:
        leave_last = min(leave_last, cut_from - timedelta(days=1))
    return leave_first, leave_last


async def excused_on(policy: Policy, day: date) -> Excused:
    """这一天全组织谁不用分享：一条查询，不论多少人。"""
    if is_holiday(policy, day):
        return Excused(True)
    users = await _in_force(policy.id, day, day).values_list("user_id", flat=True)
    return Excused(False, frozenset(users))


@dataclass(frozen=True)
class Calendar:
    """一段日子里的节假日和每个人的请假（月底结算、导出、/今日分享 的连续天数用）。"""

    holidays: frozenset[date] = frozenset()
    leave: dict[int, frozenset[date]] = field(default_factory=dict)

    def days_for(self, user_id: int) -> frozenset[date]:
        """这个人不用分享的日子：节假日加他的请假。"""
        return self.holidays | self.leave.get(user_id, frozenset())

    def mark(self, user_id: int, day: date) -> str | None:
        """这一天对这个人是节假日（holiday）、请假（leave）还是都不是（None）。"""
        if day in self.holidays:
            return "holiday"
        if day in self.leave.get(user_id, ()):
            return "leave"
        return None


async def calendar(policy: Policy, first: date, last: date, user_id: int | None = None) -> Calendar:
    """`[first, last]` 里的节假日和请假；给了 `user_id` 就只查这个人的。"""
    query = _in_force(policy.id, first, last)
    if user_id is not None:
        query = query.filter(user_id=user_id)
    rows = await query.values_list("user_id", "first_day", "last_day", "cut_from")
    leave: dict[int, set[date]] = {}
    for user, leave_first, leave_last, cut_from in rows:
        start, end = _days(leave_first, leave_last, cut_from)
        day, stop = max(start, first), min(end, last)
        while day <= stop:
            leave.setdefault(user, set()).add(day)
            day += timedelta(days=1)
    return Calendar(
        holidays(policy, first, last), {user: frozenset(days) for user, days in leave.items()}
    )


# ---- 记、申请、确认、驳回、撤销 ----


class LeaveError(Exception):
    pass


class Backwards(LeaveError):
    """结束日期早于开始日期。"""


class TooLong(LeaveError):
    def __init__(self, days: int, limit: int):
        super().__init__(days, limit)
        self.days, self.limit = days, limit


class MonthFrozen(LeaveError):
    def __init__(self, month: str):
        super().__init__(month)
        self.month = month


class Overlaps(LeaveError):
    """与此人已有的（生效或待审的）请假有重叠的日子。"""

    def __init__(self, other: Leave):
        super().__init__(other.id)
        self.other = other


class SelfRequestOff(LeaveError):
    """制度不许成员自己申请（`leave.self_request = false`）。"""


class TooManyPending(LeaveError):
    """此人待审的申请已有 `PENDING_MAX` 条：等管理员处理掉一条再申请。"""

    def __init__(self, reviews: list[int]):
        super().__init__(reviews)
        self.reviews = reviews


class LeaveNotFound(LeaveError):
    pass


class StillPending(LeaveError):
    """还在审核：要 /驳回 审N，不是撤销。"""

    def __init__(self, leave: Leave):
        super().__init__(leave.id)
        self.leave = leave


class NotInForce(LeaveError):
    """被驳回的申请、已经撤销过的请假：没有可撤销的。"""

    def __init__(self, leave: Leave):
        super().__init__(leave.id)
        self.leave = leave


class AllPassed(LeaveError):
    """请假的日子都已过去：撤销不掉（已经过去的日子照旧算请假）。"""

    def __init__(self, leave: Leave):
        super().__init__(leave.id)
        self.leave = leave


def length(first: date, last: date) -> int:
    return (last - first).days + 1


async def _check(
    policy: Policy, user_id: int, first: date, last: date, *, besides: int | None = None
) -> None:
    if last < first:
        raise Backwards()
    if length(first, last) > policy.leave.max_days:
        raise TooLong(length(first, last), policy.leave.max_days)
    day = first.replace(day=1)
    while day <= last:
        # 月底结算按那一刻的请假数连续分享：结算一开始（不等冻结）就不再改，和补分享一样
        if await months.settling_begun(policy.id, day):
            raise MonthFrozen(month_key(day))
        day = (day + timedelta(days=32)).replace(day=1)
    overlapping = Leave.filter(
        Q(status=PENDING) | Q(Q(cut_from=None) | Q(cut_from__gt=first), status=APPROVED),
        org=policy.id,
        user_id=user_id,
        first_day__lte=last,
        last_day__gte=first,
    )
    if besides is not None:
        overlapping = overlapping.exclude(id=besides)
    other = await overlapping.order_by("id").first()
    if other is not None:
        raise Overlaps(other)


@dataclass(frozen=True)
class Recorded:
    leave: Leave
    created: bool
    """False：同一条命令重放，那次已经回复过"""


async def _replayed(event_key: str) -> Recorded | None:
    leave = await Leave.get_or_none(event_key=event_key[:191])
    return Recorded(leave, False) if leave is not None else None


async def record(
    policy: Policy,
    *,
    user_id: int,
    group_id: int | None,
    first: date,
    last: date,
    reason: str,
    by: int,
    role: Role,
    at: datetime,
    event_key: str,
) -> Recorded:
    """管理员给某人记请假：直接生效。给自己记等于自己批自己的假，不行（自己申请，交别的管理员）。"""
    if replayed := await _replayed(event_key):
        return replayed
    check_not_own_case(by, role, user_id, action=f"给自己记请假 {first}–{last}")
    await _check(policy, user_id, first, last)
    at = at.astimezone(UTC)
    try:
        leave = await Leave.create(
            org=policy.id,
            user_id=user_id,
            group_id=group_id,
            first_day=first,
            last_day=last,
            reason=reason[:REASON_LIMIT],
            status=APPROVED,
            created_by=by,
            created_at=at,
            event_key=event_key[:191],
            decided_by=by,
            decided_at=at,
        )
    except IntegrityError:
        # 另一个机器人账号同时收到了同一条命令
        return Recorded(await Leave.get(event_key=event_key[:191]), False)
    return Recorded(leave, True)


@dataclass(frozen=True)
class Requested:
    leave: Leave
    review_id: int
    created: bool


async def request(
    policy: Policy,
    *,
    user_id: int,
    group_id: int,
    first: date,
    last: date,
    reason: str,
    at: datetime,
    event_key: str,
) -> Requested:
    """成员为自己申请请假：记一条待审的请假和审核队列里的一行（审N），确认之前不生效。"""
    if replayed := await _replayed(event_key):
        return Requested(replayed.leave, replayed.leave.review_id or 0, False)
    if not policy.leave.self_request:
        raise SelfRequestOff()
    waiting = await Leave.filter(org=policy.id, user_id=user_id, status=PENDING).order_by("id")
    if len(waiting) >= PENDING_MAX:
        raise TooManyPending([row.review_id or 0 for row in waiting])
    await _check(policy, user_id, first, last)
    at = at.astimezone(UTC)
    try:
        async with in_transaction():
            hit = await FilterHit.create(
                org=policy.id,
                group_id=group_id,
                user_id=user_id,
                rule=rules.REVIEW_LEAVE,
                category="",
                action="review",
                status="pending",
                hit_key=f"leave:{event_key}"[:200],
                text=reason[:REASON_LIMIT],
                created_at=at,
            )
            leave = await Leave.create(
                org=policy.id,
                user_id=user_id,
                group_id=group_id,
                first_day=first,
                last_day=last,
                reason=reason[:REASON_LIMIT],
                status=PENDING,
                created_by=user_id,
                created_at=at,
                event_key=event_key[:191],
                review_id=hit.id,
            )
    except IntegrityError:
        leave = await Leave.get(event_key=event_key[:191])
        return Requested(leave, leave.review_id or 0, False)
    return Requested(leave, hit.id, True)


async def of_review(policy: Policy, hit: FilterHit) -> Leave:
    leave = await Leave.get_or_none(org=policy.id, review_id=hit.id)
    if leave is None:
        raise ReviewNotFound(hit)
    return leave


async def approve(
    policy: Policy, hit: FilterHit, *, by: int, role: Role, at: datetime, event_key: str
) -> Leave:
    """确认一条请假申请（审N）：此后那几天算请假。本人不能确认自己的申请。"""
    leave = await of_review(policy, hit)
    check_not_own_case(by, role, leave.user_id, action=f"确认 审{hit.id}")
    if hit.status != "pending":
        raise AlreadyDecided(hit, event_key)
    # 申请之后月份可能冻结了、也可能又记了别的请假：确认时再查一遍
    await _check(policy, leave.user_id, leave.first_day, leave.last_day, besides=leave.id)
    at = at.astimezone(UTC)
    async with in_transaction():
        claimed = await FilterHit.filter(id=hit.id, status="pending").update(
            status="confirmed", decided_by=by, decided_at=at, decided_key=event_key
        )
        if not claimed:
            raise AlreadyDecided(await find_review(policy, hit.id), event_key)
        await Leave.filter(id=leave.id).update(status=APPROVED, decided_by=by, decided_at=at)
    return await Leave.get(id=leave.id)


async def refuse(
    policy: Policy,
    hit: FilterHit,
    *,
    note: str,
    by: int,
    role: Role,
    at: datetime,
    event_key: str,
) -> Leave:
    """驳回一条请假申请：那几天照常要分享。"""
    leave = await of_review(policy, hit)
    check_not_own_case(by, role, leave.user_id, action=f"驳回 审{hit.id}")
    at = at.astimezone(UTC)
    async with in_transaction():
        claimed = await FilterHit.filter(id=hit.id, status="pending").update(
            status="dismissed",
            decided_by=by,
            decided_at=at,
            decided_note=note,
            decided_key=event_key,
        )
        if not claimed:
            raise AlreadyDecided(await find_review(policy, hit.id), event_key)
        await Leave.filter(id=leave.id).update(status=REFUSED, decided_by=by, decided_at=at)
    return await Leave.get(id=leave.id)


@dataclass(frozen=True)
class Revoked:
    leave: Leave
    kept: int
    """已经过去、照旧算请假的天数"""
    removed: int
    """去掉的天数（今天起）"""
    created: bool


async def revoke(
    policy: Policy,
    leave_id: int,
    *,
    by: int,
    role: Role,
    today: date,
    at: datetime,
    event_key: str,
) -> Revoked:
    """撤销假N：今天起的日子不再算请假，已经过去的照旧。"""
    leave = await Leave.get_or_none(id=leave_id, org=policy.id)
    if leave is None:
        raise LeaveNotFound()
    if leave.revoked_key == event_key[:191]:
        return _revoked(leave, False)
    check_not_own_case(by, role, leave.user_id, action=f"撤销 假{leave.id}")
    if leave.status == PENDING:
        raise StillPending(leave)
    if leave.status != APPROVED or leave.cut_from is not None:
        raise NotInForce(leave)
    if leave.last_day < today:
        raise AllPassed(leave)
    cut = max(today, leave.first_day)
    claimed = await Leave.filter(id=leave.id, status=APPROVED, cut_from=None).update(
        cut_from=cut,
        status=REVOKED if cut <= leave.first_day else APPROVED,
        revoked_by=by,
        revoked_at=at.astimezone(UTC),
        revoked_key=event_key[:191],
    )
    leave = await Leave.get(id=leave.id)
    if not claimed:
        if leave.revoked_key == event_key[:191]:
            return _revoked(leave, False)
        raise NotInForce(leave)
    return _revoked(leave, True)


def _revoked(leave: Leave, created: bool) -> Revoked:
    cut = leave.cut_from or leave.first_day
    kept = (cut - leave.first_day).days
    return Revoked(leave, kept, length(leave.first_day, leave.last_day) - kept, created)
