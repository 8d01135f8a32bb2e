"""网页后台各页要看的数据：只读，规则都取自聊天命令用的那些服务函数，这里不再写第二遍。"""

from dataclasses import dataclass
from datetime import date, datetime

from qungui.policy import Policy


@dataclass(frozen=True)
class TodayRow:
    user_id: int
    name: str
    status: str  # "shared" | "missing" | "leave" | "holiday"
    shared_at: datetime | None
    grace: bool
    featured: bool
    share_id: int | None


@dataclass(frozen=True)
class TodayGroup:
    group_id: int
    name: str
    rows: list[TodayRow]


@dataclass(frozen=True)
class MonthRow:
    rank: int
    user_id: int
    name: str
    points: int
    share_days: int
    streak: int


@dataclass(frozen=True)
class MonthPage:
    month: str
    frozen: bool
    rows: list[MonthRow]
    daily: list[tuple[date, int]]


@dataclass(frozen=True)
class EntryRow:
    id: int
    day: date
    delta: int
    rule: str
    reason: str
    actor: str
    reverses: int | None
    reversed_by: int | None


@dataclass(frozen=True)
class WarningRow:
    id: int
    at: datetime
    category: str
    points: int
    reason: str
    revoked: bool


@dataclass(frozen=True)
class AppealRow:
    review_id: int
    entry_id: int
    at: datetime
    text: str
    status: str  # 待审 / 成立 / 驳回


@dataclass(frozen=True)
class MemberPage:
    user_id: int
    name: str
    month: str
    total: int
    entries: list[EntryRow]
    warnings: list[WarningRow]
    appeals: list[AppealRow]
    card_ok: bool
    card_deadline: date | None


@dataclass(frozen=True)
class ReviewRow:
    id: int
    kind: str  # 内容 / 举报 / 申诉 / 申报 / 请假
    who: str
    group: str
    at: datetime
    excerpt: str
    needs_amount: bool
    amount_hint: str


@dataclass(frozen=True)
class NoticeRow:
    id: int
    title: str
    created_at: datetime
    deadline: datetime
    state: str  # 进行中 / 已结束 / 已撤回
    acked: int
    audience: int


async def today(policy: Policy, day: date) -> list[TodayGroup]:
    raise NotImplementedError


async def month(policy: Policy, month: str) -> MonthPage:
    raise NotImplementedError


async def member(policy: Policy, user_id: int, month: str) -> MemberPage | None:
    raise NotImplementedError


async def reviews(policy: Policy) -> list[ReviewRow]:
    raise NotImplementedError


async def notices(policy: Policy) -> list[NoticeRow]:
    raise NotImplementedError


async def in_org(policy: Policy, user_id: int) -> bool:
    raise NotImplementedError
