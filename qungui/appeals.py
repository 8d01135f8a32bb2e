"""申诉：成员对一条与自己有关的账本记录提出异议，交另一位管理员复核。只收普通值。

申诉在审核队列里占一行（`FilterHit`，规则名 `rules.REVIEW_APPEAL`），所以有 审N 编号，管理员照旧用
`/确认 审N`（申诉成立：撤销那条记录）和 `/驳回 审N 理由`（维持）。`Appeal` 记它针对哪条记录、
那条记录是谁写的（决定的人要回避）、成立时写下的撤销记录。

期限按组织时区的日子算：记录写下那天（`created_at` 在组织时区的日期）记为第 0 天，
第 `appeal_days` 天当天结束之前都可以申诉，第 `appeal_days + 1` 天起不行。
那条记录的月份冻结后不能再申诉，已在审的申诉也不能再成立（冻结的月份账本不再变）。

因举报记下的警告申诉成立，说明举报不属实：举报人那份“举报属实”奖励随同撤销。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from . import ledger, months, rules, warning_cases
from .dates import month_key
from .models import Appeal, FilterHit, LedgerEntry
from .policy import Policy
from .reviews import AlreadyDecided, ReviewNotFound, report_bonuses
from .roles import Role, check_not_own_case, role_to_reverse

TEXT_LIMIT = 300
"""申诉理由最多几个字"""

PENDING, UPHELD, DISMISSED = "pending", "confirmed", "dismissed"


class AppealRefused(Exception):
    """申诉（或对申诉的决定）不成立；子类说明原因，处理命令的一方按类翻成中文。"""

    def __init__(self, entry_id: int):
        super().__init__(entry_id)
        self.entry_id = entry_id


class EntryNotFound(AppealRefused):
    """没有这条记录，或它属于别的组织。"""


class NotYours(AppealRefused):
    """记录是别人的：只有记录说的那个人能申诉。"""


class IsReversal(AppealRefused):
    """撤销记录本身不能申诉（要申诉的是原记录）。"""


class AlreadyReversed(AppealRefused):
    """这条记录已经撤销了，没什么可申诉的。"""

    def __init__(self, entry_id: int, reversal_id: int):
        super().__init__(entry_id)
        self.reversal_id = reversal_id


class TooLate(AppealRefused):
    """过了申诉期限；`last_day` 是最后一天（组织时区）。"""

    def __init__(self, entry_id: int, last_day: date):
        super().__init__(entry_id)
        self.last_day = last_day


class MonthFrozen(AppealRefused):
    """记录所在的月份已冻结：账本不再变，申诉不能提出，也不能成立。"""

    def __init__(self, entry_id: int, month: str):
        super().__init__(entry_id)
        self.month = month


class AlreadyAppealed(AppealRefused):
    """这条记录已经申诉过（每条记录一次）；`review_id` 是那次的 审N。"""

    def __init__(self, entry_id: int, review_id: int):
        super().__init__(entry_id)
        self.review_id = review_id


class NeedsRole(AppealRefused):
    """那条记录是主席（或超级用户）写的：它的申诉要同级的人决定。"""

    def __init__(self, entry_id: int, needed: Role):
        super().__init__(entry_id)
        self.needed = needed


class NoteNeeded(AppealRefused):
    """驳回申诉要写理由：理由会转告申诉的人。"""


@dataclass(frozen=True)
class Filed:
    hit: FilterHit
    appeal: Appeal
    entry: LedgerEntry
    created: bool
    """False：同一事件再来一次，那次已经提出、回复过"""


@dataclass(frozen=True)
class Decided:
    hit: FilterHit
    appeal: Appeal
    entry: LedgerEntry
    reversal: LedgerEntry | None
    """申诉成立时写的撤销记录；驳回时 None"""
    undone: LedgerEntry | None = None
    """驳回时那条记录已经被另行撤销（申诉期间有人 /撤销 了它）：那条撤销记录；结案时不能说“维持”"""
    withdrawn: tuple[LedgerEntry, ...] = ()
    """申诉成立时随同撤销的举报属实奖励（被撤销的那几条原记录）"""


def last_day(policy: Policy, entry: LedgerEntry) -> date:
    """还能申诉这条记录的最后一天（组织时区，含当天）。"""
    written = entry.created_at.astimezone(policy.tz).date()
    return written + timedelta(days=policy.appeals.appeal_days)


def _hit_key(event_key: str) -> str:
    return f"appeal:{event_key}"[:200]


async def _replayed(event_key: str) -> Filed | None:
    hit = await FilterHit.get_or_none(hit_key=_hit_key(event_key), rule=rules.REVIEW_APPEAL)
    if hit is None:
        return None
    appeal = await Appeal.get(review_id=hit.id)
    return Filed(hit, appeal, await LedgerEntry.get(id=appeal.entry_id), created=False)


async def file(
    policy: Policy,
    *,
    entry_id: int,
    user_id: int,
    text: str,
    group_id: int | None,
    at: datetime,
    event_key: str,
) -> Filed:
    """成员申诉一条记录：审核队列里一行（审N，待审）和一条 `Appeal`，在一个事务里。

    同一事件再来一次返回那次的申诉（created=False）。不成立时抛 `AppealRefused` 的子类，什么也不写。"""
    if (earlier := await _replayed(event_key)) is not None:
        return earlier
    entry = await LedgerEntry.get_or_none(id=entry_id, org=policy.id)
    if entry is None:
        raise EntryNotFound(entry_id)
    if entry.user_id != user_id:
        raise NotYours(entry_id)
    if entry.reverses is not None:
        raise IsReversal(entry_id)
    if (reversal := await LedgerEntry.get_or_none(reverses=entry_id)) is not None:
        raise AlreadyReversed(entry_id, reversal.id)
    if (earlier_appeal := await Appeal.get_or_none(entry_id=entry_id)) is not None:
        raise AlreadyAppealed(entry_id, earlier_appeal.review_id)
    if at.astimezone(policy.tz).date() > last_day(policy, entry):
        raise TooLate(entry_id, last_day(policy, entry))
    if await months.is_frozen(policy.id, entry.business_date):
        raise MonthFrozen(entry_id, month_key(entry.business_date))
    at = at.astimezone(UTC)
    try:
        async with in_transaction():
            hit = await FilterHit.create(
                org=policy.id,
                group_id=group_id or 0,
                user_id=user_id,
                rule=rules.REVIEW_APPEAL,
                category="",
                action="review",
                status=PENDING,
                hit_key=_hit_key(event_key),
                text=text[:TEXT_LIMIT],
                excerpt=f"#{entry_id}",
                created_at=at,
            )
            appeal = await Appeal.create(
                org=policy.id,
                review_id=hit.id,
                entry_id=entry_id,
                user_id=user_id,
                entry_rule=entry.rule,
                entry_actor_id=entry.actor_id,
                entry_actor_role=entry.actor_role,
                text=text[:TEXT_LIMIT],
                created_at=at,
            )
    except IntegrityError:
        # 另一个事务刚写下：同一事件（几个机器人账号同时收到）就是重放，否则是同一条记录的另一次申诉
        if (earlier := await _replayed(event_key)) is not None:
            return earlier
        taken = await Appeal.get(entry_id=entry_id)
        raise AlreadyAppealed(entry_id, taken.review_id) from None
    return Filed(hit, appeal, entry, created=True)


async def find(policy: Policy, review_id: int) -> tuple[FilterHit, Appeal]:
    hit = await FilterHit.get_or_none(id=review_id, org=policy.id, rule=rules.REVIEW_APPEAL)
    appeal = await Appeal.get_or_none(review_id=review_id, org=policy.id)
    if hit is None or appeal is None:
        raise ReviewNotFound()
    return hit, appeal


async def reporters(entry_id: int) -> list[int]:
    """因谁的举报记下了这条警告：举报属实他有奖励，维持还是撤销与他有关。"""
    return await FilterHit.filter(entry_id=entry_id, reporter_id__not_isnull=True).values_list(
        "reporter_id", flat=True
    )


async def _may_decide(appeal: Appeal, hit: FilterHit, by: int, role: Role, verb: str) -> None:
    """申诉的人、写那条记录的人、举报引出这条记录的人都不能决定；主席写的记录要主席
    （超级用户写的要超级用户）。"""
    check_not_own_case(
        by,
        role,
        appeal.user_id,
        appeal.entry_actor_id,
        *await reporters(appeal.entry_id),
        action=f"{verb} 申诉 审{hit.id}",
    )
    needed = role_to_reverse(appeal.entry_actor_role)
    if role < needed:
        raise NeedsRole(appeal.entry_id, needed)


async def uphold(
    policy: Policy,
    review_id: int,
    *,
    note: str,
    by: int,
    role: Role,
    at: datetime,
    event_key: str,
) -> Decided:
    """申诉成立：审N 从待审改为确认（条件更新，两人同时点只有一个生效），同一事务里撤销那条记录，
    撤销记录署名为决定的人，理由「申诉成立（审N）…」。"""
    hit, appeal = await find(policy, review_id)
    if hit.status != PENDING:
        raise AlreadyDecided(hit, event_key)
    await _may_decide(appeal, hit, by, role, "确认")
    entry = await LedgerEntry.get(id=appeal.entry_id)
    if await months.is_frozen(policy.id, entry.business_date):
        raise MonthFrozen(entry.id, month_key(entry.business_date))
    at = at.astimezone(UTC)
    reason = f"申诉成立（审{hit.id}）" + (f"：{note}" if note else "")
    async with in_transaction():
        claimed = await FilterHit.filter(id=hit.id, status=PENDING).update(
            status=UPHELD, decided_by=by, decided_at=at, decided_note=note, decided_key=event_key
        )
        if not claimed:
            raise AlreadyDecided(await FilterHit.get(id=hit.id), event_key)
        try:
            written = await ledger.reverse(
                org=policy.id,
                entry_id=entry.id,
                now=at,
                actor_id=by,
                actor_role=role,
                reason=reason,
                command_key=event_key,
            )
        except ledger.AlreadyReversed as exc:
            # 申诉期间有管理员已经 /撤销 了它：没有什么可成立的，审N 留在待审由人驳回
            raise AlreadyReversed(entry.id, exc.reversal.id) from None
        await Appeal.filter(id=appeal.id).update(reversal_id=written.entry.id)
        await warning_cases.mark_revoked(policy.id, entry, by, reason, at)
        withdrawn = await _withdraw_report_bonuses(
            policy.id,
            entry.id,
            at=at,
            by=by,
            role=role,
            reason=f"申诉成立（审{hit.id}），举报不属实",
        )
    hit, appeal = await find(policy, review_id)
    return Decided(hit, appeal, entry, written.entry, withdrawn=withdrawn)


async def _withdraw_report_bonuses(
    org: str, entry_id: int, *, at: datetime, by: int, role: Role, reason: str
) -> tuple[LedgerEntry, ...]:
    """撤销因这条警告给举报人的奖励，返回撤销了的原记录。调用方负责事务。"""
    withdrawn = []
    for bonus in await report_bonuses(org, entry_id):
        try:
            await ledger.reverse(
                org=org,
                entry_id=bonus.id,
                now=at,
                actor_id=by,
                actor_role=role,
                reason=reason,
                command_key=f"appeal-upheld:{org}:{bonus.id}",
            )
        except ledger.AlreadyReversed:
            continue  # 刚被管理员另行 /撤销 了：已经不算数
        withdrawn.append(bonus)
    return tuple(withdrawn)


async def dismiss(
    policy: Policy,
    review_id: int,
    *,
    note: str,
    by: int,
    role: Role,
    at: datetime,
    event_key: str,
) -> Decided:
    """驳回申诉：记录维持，理由转告申诉的人。冻结的月份里也可以驳回（账本不变）。"""
    hit, appeal = await find(policy, review_id)
    if hit.status != PENDING:
        raise AlreadyDecided(hit, event_key)
    await _may_decide(appeal, hit, by, role, "驳回")
    if not note.strip():
        raise NoteNeeded(appeal.entry_id)
    claimed = await FilterHit.filter(id=hit.id, status=PENDING).update(
        status=DISMISSED,
        decided_by=by,
        decided_at=at.astimezone(UTC),
        decided_note=note,
        decided_key=event_key,
    )
    if not claimed:
        raise AlreadyDecided(await FilterHit.get(id=hit.id), event_key)
    hit, appeal = await find(policy, review_id)
    undone = await LedgerEntry.get_or_none(reverses=appeal.entry_id)
    return Decided(hit, appeal, await LedgerEntry.get(id=appeal.entry_id), None, undone=undone)


@dataclass(frozen=True)
class Listed:
    """一次申诉和它现在的状态（/申诉记录、/积分明细、导出用）。"""

    appeal: Appeal
    entry: LedgerEntry
    status: str
    """pending / confirmed / dismissed"""
    decided_by: int | None
    decided_at: datetime | None
    note: str


async def _listed(appeals: list[Appeal]) -> list[Listed]:
    hits = {
        hit.id: hit for hit in await FilterHit.filter(id__in=[a.review_id for a in appeals]).all()
    }
    entries = {
        entry.id: entry
        for entry in await LedgerEntry.filter(id__in=[a.entry_id for a in appeals]).all()
    }
    return [
        Listed(
            a,
            entries[a.entry_id],
            hits[a.review_id].status,
            hits[a.review_id].decided_by,
            hits[a.review_id].decided_at,
            hits[a.review_id].decided_note,
        )
        for a in appeals
    ]


async def of_entries(policy: Policy, entry_ids: list[int]) -> dict[int, Listed]:
    """这些记录各自的申诉（没申诉过的不在里面）。"""
    if not entry_ids:
        return {}
    found = await Appeal.filter(org=policy.id, entry_id__in=entry_ids).all()
    return {item.appeal.entry_id: item for item in await _listed(found)}


async def history(policy: Policy, user_id: int, limit: int = 20) -> list[Listed]:
    """这个人最近的申诉，新的在前。"""
    found = await Appeal.filter(org=policy.id, user_id=user_id).order_by("-id").limit(limit).all()
    return await _listed(found)


async def filed_or_decided_between(
    policy: Policy, since: datetime, until: datetime
) -> list[Listed]:
    """这段时间里提出的申诉，加上更早提出、这段时间里才决定的（含开头，不含结尾），按先后。
    月底提出、下个月才决定的申诉，上个月的表导出时还是待审：结果要出现在决定那个月的表里。"""
    since, until = since.astimezone(UTC), until.astimezone(UTC)
    decided = await FilterHit.filter(
        org=policy.id, rule=rules.REVIEW_APPEAL, decided_at__gte=since, decided_at__lt=until
    ).values_list("id", flat=True)
    in_period = Q(created_at__gte=since, created_at__lt=until)
    if decided:
        in_period |= Q(review_id__in=list(decided))
    found = await Appeal.filter(in_period, org=policy.id).order_by("id").all()
    return await _listed(found)


@dataclass(frozen=True)
class RuleAppeals:
    rule: str
    """被申诉的记录的规则代码"""
    upheld: int
    total: int


async def stats(policy: Policy, at: datetime, days: int) -> list[RuleAppeals]:
    """最近 `days` 天提出的申诉，按被申诉记录的规则：成立几次、共几次。成立多的在前：
    常被申诉成立的规则多半本身有问题。"""
    since = at.astimezone(UTC) - timedelta(days=days)
    appeals = await Appeal.filter(org=policy.id, created_at__gte=since).values_list(
        "review_id", "entry_rule"
    )
    if not appeals:
        return []
    upheld_ids = set(
        await FilterHit.filter(id__in=[r for r, _ in appeals], status=UPHELD).values_list(
            "id", flat=True
        )
    )
    counts: dict[str, list[int]] = {}
    for review_id, rule in appeals:
        item = counts.setdefault(rule, [0, 0])
        item[0] += review_id in upheld_ids
        item[1] += 1
    found = [RuleAppeals(rule, upheld, total) for rule, (upheld, total) in counts.items()]
    return sorted(found, key=lambda r: (-r.upheld, -r.total, r.rule))
