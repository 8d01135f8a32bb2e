"""警告：按制度的类别扣分，立案留证据，窗口内次数达到门槛时升级。只收普通值，不碰 NoneBot 事件。

每次警告都在账本里写一条 `warn.<类别>`（0 分的类别也写），案件以那条记录的编号为准，
所以 `/撤销 编号` 仍是撤回任何东西的唯一办法；撤回后案件标为已撤销，但留在历史里。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tortoise.transactions import in_transaction

from . import ledger, rules
from .models import LedgerEntry, WarningCase
from .policy import Policy
from .roles import SYSTEM, Role, check_not_own_case, written_number


class WarningRefused(ledger.LedgerError):
    """警告不成立；子类说明原因并带上回复要用的数值，处理命令的一方按类翻成中文。"""


class UnknownCategory(WarningRefused):
    """制度里没有这个类别。"""

    def __init__(self, choices: list[str]):
        super().__init__(choices)
        self.choices = choices


class CategoryNeeded(WarningRefused):
    """要立案却没有类别（举报确认时没写，制度也没给缺省的）。"""

    def __init__(self, choices: list[str]):
        super().__init__(choices)
        self.choices = choices


class FixedPoints(WarningRefused):
    """固定分值的类别不收数额。"""

    def __init__(self, points: int):
        super().__init__(points)
        self.points = points


class ChairmanOnly(WarningRefused):
    """范围类别的数额由主席定。"""


class OutOfRange(WarningRefused):
    """范围类别没写数额，或数额不在范围里。"""

    def __init__(self, low: int, high: int):
        super().__init__(low, high)
        self.low = low
        self.high = high


@dataclass(frozen=True)
class Evidence:
    text: str = ""
    types: str = ""
    message_id: int | None = None


@dataclass(frozen=True)
class Issued:
    case: WarningCase
    entry: LedgerEntry
    created: bool
    active: int
    """窗口内（未撤销的）警告次数，含这一次"""
    escalate: bool
    """这一次正好达到升级门槛"""


@dataclass(frozen=True)
class Escalation:
    """达到升级门槛时做什么。"""

    tell: list[int]
    """私聊的人：主席和管理小组（两边都有的人只说一次）"""
    mute_seconds: int
    """禁言多久；0 不禁言（机器人不是群管理员时插件在群里说明）"""

    @property
    def tell_superusers(self) -> bool:
        """制度里既没有主席也没有管理小组：只能告诉运维"""
        return not self.tell


def escalation(policy: Policy) -> Escalation:
    """窗口内警告达到 `escalate_at` 次时：通知主席和管理小组，`mute_minutes` 大于 0 时禁言。"""
    people = list(dict.fromkeys([*policy.org.chairmen, *policy.org.admins]))
    return Escalation(people, policy.warnings.mute_minutes * 60)


def points_text(value: int | list[int]) -> str:
    """一个类别（或一次警告）的分值，写给人看：-5 分、不扣分、-200 至 -2000 分。"""
    if isinstance(value, list):
        return f"-{value[0]} 至 -{value[1]} 分"
    return f"-{value} 分" if value else "不扣分"


def split_amount(
    policy: Policy, category: str | None, words: list[str]
) -> tuple[int | None, list[str]]:
    """类别后面的词：范围类别（主席定分）的第一个数字是数额，其余是理由；固定分值的类别没有数额，
    数字是理由的一部分（“不良信息 3 次发广告”）。"""
    value = policy.warnings.categories.get(category or "")
    if isinstance(value, list) and words and (amount := written_number(words[0])) is not None:
        return amount, words[1:]
    return None, words


def points_for(policy: Policy, category: str, amount: int | None, role: Role | None) -> int:
    """这一类别扣几分：固定分值的类别不收数额；范围类别要主席给出范围内的数额。
    `role` 为 None 是机器人自己（内容过滤）：只能用固定分值的类别。"""
    categories = policy.warnings.categories
    if category not in categories:
        raise UnknownCategory(list(categories))
    value = categories[category]
    if isinstance(value, int):
        if amount is not None:
            raise FixedPoints(value)
        return value
    low, high = value
    if role is None or role < Role.CHAIRMAN:
        raise ChairmanOnly()
    if amount is None or not low <= amount <= high:
        raise OutOfRange(low, high)
    return amount


async def active_count(policy: Policy, user_id: int, at: datetime) -> int:
    at = at.astimezone(UTC)
    since = at - timedelta(days=policy.warnings.window_days)
    return await WarningCase.filter(
        org=policy.id, user_id=user_id, revoked_at=None, created_at__gte=since, created_at__lte=at
    ).count()


async def issue(
    policy: Policy,
    *,
    group_id: int,
    user_id: int,
    category: str,
    amount: int | None,
    reason: str,
    actor_id: int | None,
    actor_role: Role | None,
    at: datetime,
    today: date,
    command_key: str,
    evidence: Evidence = Evidence(),
) -> Issued:
    """立案并扣分；同一事件再来一次只返回上次的结果。"""
    check_not_own_case(actor_id, actor_role, user_id, action=f"警告 {category}（{reason}）")
    points = points_for(policy, category, amount, actor_role)
    at = at.astimezone(UTC)  # SQLite 按文本比较存成 UTC 的时刻
    async with in_transaction():
        case = await WarningCase.create(
            org=policy.id,
            group_id=group_id,
            user_id=user_id,
            category=category,
            points=points,
            reason=reason,
            actor_id=actor_id,
            actor_role=actor_role.code if actor_role is not None else SYSTEM,
            created_at=at,
            evidence_text=evidence.text,
            evidence_types=evidence.types,
            evidence_message_id=evidence.message_id,
        )
        written = await ledger.record(
            org=policy.id,
            user_id=user_id,
            delta=-points,
            business_date=today,
            now=at,
            actor_id=actor_id or 0,
            actor_role=actor_role,
            reason=reason,  # 类别已在规则里（warn.<类别>），明细里不必再写一遍
            command_key=command_key,
            rule=rules.warning(category),
            ref=f"warning:{case.id}",
        )
        if written.created:
            await WarningCase.filter(id=case.id).update(entry_id=written.entry.id)
        else:
            # 同一事件重放：不要这次新建的案件
            await WarningCase.filter(id=case.id).delete()
            case = await WarningCase.get(entry_id=written.entry.id)
    active = await active_count(policy, user_id, at)
    escalate = written.created and active == policy.warnings.escalate_at
    return Issued(case, written.entry, written.created, active, escalate)


async def mark_revoked(org: str, entry: LedgerEntry, by: int, reason: str, at: datetime) -> None:
    """账本里的警告记录被撤销后：案件标为已撤销（留在历史里，不再计数）。"""
    if rules.is_warning(entry.rule):
        await WarningCase.filter(org=org, entry_id=entry.id).update(
            revoked_at=at, revoked_by=by, revoked_reason=reason
        )


async def history(policy: Policy, user_id: int, at: datetime) -> list[WarningCase]:
    """窗口内的全部案件（含已撤销的）；更早的已过期，不计数也不在这里列出。"""
    since = at.astimezone(UTC) - timedelta(days=policy.warnings.window_days)
    return (
        await WarningCase.filter(org=policy.id, user_id=user_id, created_at__gte=since)
        .exclude(entry_id=None)
        .order_by("created_at", "id")
        .all()
    )
