"""过滤命中与举报：记下来、按规则的动作处理、由管理员确认或驳回。只收普通值。

一条消息一条规则只记一次（`hit_key` 唯一），所以重放的消息不会再立案；确认与驳回是
从 pending 出发的条件更新，两个管理员同时点只有一个生效。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from . import ledger, rules, warning_cases
from .content_filter import Hit
from .models import FilterHit, LedgerEntry
from .policy import Policy
from .roles import Role, check_not_own_case

TEXT_LIMIT = 500
# 一条消息命中几条规则时只按最重的一条处理，其余记为 merged（/规则统计 里仍算命中）
_WEIGHT = {"recall": 3, "warn": 2, "review": 1, "shadow": 0}


class ReviewError(Exception):
    def __init__(self, hit: FilterHit | None = None):
        super().__init__(hit.id if hit else None)
        self.hit = hit


class ReviewNotFound(ReviewError):
    """没有这个审核编号，或它属于别的组织。"""


class AlreadyDecided(ReviewError):
    """已经确认、驳回，或根本不是待审的命中。`replayed`：正是这条命令（同一个事件再来一次）做的决定，
    那次已经回复过，这次什么也不说。"""

    def __init__(self, hit: FilterHit | None, event_key: str | None = None):
        super().__init__(hit)
        self.replayed = hit is not None and event_key is not None and hit.decided_key == event_key


@dataclass(frozen=True)
class Message:
    group_id: int
    user_id: int
    message_id: int | None
    text: str
    types: str
    at: datetime


@dataclass(frozen=True)
class Reviewers:
    """待审的命中、撤回失败这类要管理员看的事，发到哪里。"""

    group_id: int | None
    """制度指定的管理群（`filter.review_group`）；有它就只发到群里"""
    people: list[int]
    """否则私聊的人：管理小组，没有时主席"""

    @property
    def tell_superusers(self) -> bool:
        """没有管理群、也没有管理小组和主席：只能告诉运维"""
        return self.group_id is None and not self.people


def reviewers(policy: Policy) -> Reviewers:
    if policy.filter.review_group:
        return Reviewers(policy.filter.review_group, [])
    return Reviewers(None, list(policy.org.admins or policy.org.chairmen))


def order(hits: list[Hit]) -> list[Hit]:
    """最重的动作排在前面；同样重的按制度里的顺序。"""
    return sorted(hits, key=lambda hit: -_WEIGHT[hit.action])


def _status(action: str) -> str:
    return {"review": "pending", "shadow": "shadow"}.get(action, "warned")


async def record(
    policy: Policy,
    message: Message,
    hit: Hit,
    key: str,
    *,
    merged: bool = False,
    reporter_id: int | None = None,
    report_reason: str = "",
) -> FilterHit | None:
    """记一次命中；这条消息这条规则已经记过（重放、重复举报）时返回 None。"""
    try:
        async with in_transaction():
            return await FilterHit.create(
                org=policy.id,
                group_id=message.group_id,
                user_id=message.user_id,
                rule=hit.rule,
                category=hit.category,
                action=hit.action,
                status="merged" if merged else _status(hit.action),
                hit_key=key[:200],
                message_id=message.message_id,
                text=message.text[:TEXT_LIMIT],
                types=message.types[:128],
                excerpt=hit.excerpt[:128],
                reporter_id=reporter_id,
                report_reason=report_reason,
                created_at=message.at.astimezone(UTC),
            )
    except IntegrityError:
        return None


async def find(policy: Policy, hit_id: int) -> FilterHit:
    hit = await FilterHit.get_or_none(id=hit_id, org=policy.id)
    if hit is None:
        raise ReviewNotFound()
    return hit


def evidence(hit: FilterHit) -> warning_cases.Evidence:
    return warning_cases.Evidence(hit.text, hit.types, hit.message_id)


async def warn_now(policy: Policy, hit: FilterHit, today: date) -> warning_cases.Issued:
    """warn / recall 规则：机器人自己立案（撤销时按系统记录，管理员即可撤销）。"""
    issued = await warning_cases.issue(
        policy,
        group_id=hit.group_id,
        user_id=hit.user_id,
        category=hit.category,
        amount=None,
        reason=f"内容规则「{hit.rule}」：{hit.excerpt}",
        actor_id=None,
        actor_role=None,
        at=hit.created_at,
        today=today,
        command_key=f"filter:{policy.id}:{hit.id}",
        evidence=evidence(hit),
    )
    await FilterHit.filter(id=hit.id).update(entry_id=issued.entry.id)
    return issued


async def mark_recalled(hit: FilterHit) -> None:
    await FilterHit.filter(id=hit.id).update(recalled=True)


def _not_own(hit: FilterHit, by: int, role: Role, verb: str) -> None:
    """违规的是他、或举报的是他（举报属实有奖励）时，他不能确认也不能驳回。"""
    check_not_own_case(by, role, hit.user_id, hit.reporter_id, action=f"{verb} 审{hit.id}")


@dataclass(frozen=True)
class Confirmed:
    hit: FilterHit
    issued: warning_cases.Issued
    bonus: ledger.LedgerEntry | None


def report_period(hit: FilterHit) -> str:
    """举报属实奖励的周期：被举报的那条消息。同一条消息几个人举报，也只奖一次。"""
    return f"{hit.group_id}-{hit.message_id}"


async def report_bonuses(org: str, entry_id: int) -> list[LedgerEntry]:
    """因举报记下这条警告时给举报人的、目前有效的举报属实奖励。"""
    hits = await FilterHit.filter(org=org, entry_id=entry_id, reporter_id__not_isnull=True)
    found = [
        await ledger.active_award(org, rules.FILTER_REPORT, hit.reporter_id, report_period(hit))
        for hit in hits
    ]
    return [bonus for bonus in found if bonus is not None]


async def confirm(
    policy: Policy,
    hit_id: int,
    *,
    category: str | None,
    amount: int | None,
    note: str,
    by: int,
    role: Role,
    at: datetime,
    today: date,
    event_key: str,
) -> Confirmed:
    """确认一条待审命中：立案警告（由确认的管理员署名），举报的再给举报人加分。全在一个事务里。"""
    hit = await find(policy, hit_id)
    _not_own(hit, by, role, "确认")
    if hit.status != "pending":
        raise AlreadyDecided(hit, event_key)
    category = category or hit.category
    if not category:
        raise warning_cases.CategoryNeeded(list(policy.warnings.categories))
    warning_cases.points_for(policy, category, amount, role)  # 数额不对时不动这条待审
    at = at.astimezone(UTC)
    async with in_transaction():
        claimed = await FilterHit.filter(id=hit.id, status="pending").update(
            status="confirmed",
            decided_by=by,
            decided_at=at,
            decided_note=note,
            decided_key=event_key,
            category=category,
        )
        if not claimed:
            raise AlreadyDecided(await find(policy, hit_id), event_key)
        reason = note or f"审{hit.id}：{hit.rule}" + (f"（{hit.excerpt}）" if hit.excerpt else "")
        issued = await warning_cases.issue(
            policy,
            group_id=hit.group_id,
            user_id=hit.user_id,
            category=category,
            amount=amount,
            reason=reason,
            actor_id=by,
            actor_role=role,
            at=at,
            today=today,
            command_key=f"review:{policy.id}:{hit.id}",
            evidence=evidence(hit),
        )
        await FilterHit.filter(id=hit.id).update(entry_id=issued.entry.id)
        bonus = None
        if hit.rule == rules.BUILTIN_REPORT and hit.reporter_id and policy.filter.report_bonus:
            bonus = await ledger.award(
                org=policy.id,
                user_id=hit.reporter_id,
                rule=rules.FILTER_REPORT,
                period=report_period(hit),
                delta=policy.filter.report_bonus,
                business_date=today,
                now=at,
                reason=f"举报属实（审{hit.id}）",
                ref=f"filter_hit:{hit.id}",
                actor_id=by,
                actor_role=role,
            )
    return Confirmed(await find(policy, hit_id), issued, bonus)


async def dismiss(
    policy: Policy,
    hit_id: int,
    *,
    note: str,
    by: int,
    role: Role,
    at: datetime,
    event_key: str,
) -> FilterHit:
    hit = await find(policy, hit_id)
    _not_own(hit, by, role, "驳回")
    claimed = await FilterHit.filter(id=hit.id, status="pending").update(
        status="dismissed",
        decided_by=by,
        decided_at=at.astimezone(UTC),
        decided_note=note,
        decided_key=event_key,
    )
    if not claimed:
        raise AlreadyDecided(await find(policy, hit_id), event_key)
    return await find(policy, hit_id)


@dataclass(frozen=True)
class RuleStats:
    rule: str
    hits: int
    people: int
    by_status: dict[str, int]


async def stats(policy: Policy, at: datetime, days: int) -> dict[str, RuleStats]:
    """最近 `days` 天每条规则的命中：次数、人数、各状态的次数。申诉、申报也在审核队列里，但不是内容规则的命中。"""
    since = at.astimezone(UTC) - timedelta(days=days)
    hits = FilterHit.filter(org=policy.id, created_at__gte=since).exclude(
        rule__in=rules.REVIEW_KINDS
    )
    rows = (
        await hits.group_by("rule", "status").annotate(n=Count("id")).values("rule", "status", "n")
    )
    people = (
        await hits.group_by("rule").annotate(n=Count("user_id", distinct=True)).values("rule", "n")
    )
    result: dict[str, RuleStats] = {}
    for row in rows:
        item = result.setdefault(row["rule"], RuleStats(row["rule"], 0, 0, {}))
        item.by_status[row["status"]] = row["n"]
    for row in people:
        if row["rule"] in result:
            item = result[row["rule"]]
            result[row["rule"]] = RuleStats(
                item.rule, sum(item.by_status.values()), row["n"], item.by_status
            )
    return result
