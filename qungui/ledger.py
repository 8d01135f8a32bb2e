"""积分账本：只追加的记录、去重键、撤销，以及由账本派生的月度合计。

所有写入都在一个事务里同时写账本行和 `MonthTotal`；去重靠唯一约束：系统奖励用
`规则:组织:成员:周期:n`，命令用事件键。唯一约束冲突只在自己的保存点里捕获，外层事务保持可用。
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from . import derived, months, rules
from .dates import month_key
from .models import CommandKey, LedgerEntry, MonthTotal
from .roles import SYSTEM, Role, check_not_own_case, role_to_reverse


class LedgerError(Exception):
    """账本拒绝的操作；处理命令的一方把它翻成中文回复。"""


class EntryRefused(LedgerError):
    """对编号为 `entry_id` 的记录的操作被拒绝。"""

    def __init__(self, entry_id: int):
        super().__init__(entry_id)
        self.entry_id = entry_id


class EntryNotFound(EntryRefused):
    """没有这条记录，或它属于别的组织。"""


class IsReversal(EntryRefused):
    """撤销记录本身不能再撤销。"""


class AlreadyReversed(EntryRefused):
    def __init__(self, entry_id: int, reversal: LedgerEntry):
        super().__init__(entry_id)
        self.reversal = reversal


class RoleTooLow(EntryRefused):
    def __init__(self, entry_id: int, needed: Role):
        super().__init__(entry_id)
        self.needed = needed


class MonthFrozen(EntryRefused):
    """记录所在的月份已在月底冻结：只有主席写明理由才能撤销，不能再往里加记录。"""

    def __init__(self, entry_id: int, month: str):
        super().__init__(entry_id)
        self.month = month


class _KeyTaken(Exception):
    """同一事件已在另一个事务里写过：回滚本事务，转而读出那次的结果。"""


@dataclass(frozen=True)
class Written:
    entry: LedgerEntry
    created: bool


async def _insert(share_days: int = 0, **fields) -> LedgerEntry:
    """写一行账本并更新当月合计（`share_days` 是分享天数的变化）；调用方负责事务。"""
    entry = await LedgerEntry.create(**fields)
    # 还没提交就作废缓存：SQLite 上别的查询要等这个事务提交（连接锁），读不到旧数；PostgreSQL 上
    # 提交前那几毫秒里算的排名可能是旧的，最多留到下次写账本或 CACHE_SECONDS 之后
    derived.changed(entry.org, derived.LEDGER)
    month = month_key(entry.business_date)
    this_month = MonthTotal.filter(org=entry.org, user_id=entry.user_id, month=month)
    change = {
        "points": F("points") + entry.delta,
        "share_days": F("share_days") + share_days,
        "entries": F("entries") + 1,
    }
    if await this_month.update(**change):
        return entry
    try:
        # 自己的保存点：另一个进程（PostgreSQL）或事务抢先建了这一行时，只回滚这一句
        async with in_transaction():
            await MonthTotal.create(
                org=entry.org,
                user_id=entry.user_id,
                month=month,
                points=entry.delta,
                share_days=share_days,
                entries=1,
            )
    except IntegrityError:
        await this_month.update(**change)
    return entry


async def award(
    *,
    org: str,
    user_id: int,
    rule: str,
    period: str,
    delta: int,
    business_date: date,
    now: datetime,
    reason: str = "",
    ref: str | None = None,
    actor_id: int | None = None,
    actor_role: Role | None = None,
) -> LedgerEntry | None:
    """按规则记分，每个 (规则, 成员, 周期) 只记一次；被撤销过的可以再记。已记过返回 None。

    系统自动记的不填操作人；管理员触发的（精选、补分享）填上，撤销时按其角色判断。
    """
    if await months.is_frozen(org, business_date):
        # 系统奖励不会往冻结的月份里记（月底结算在冻结之前）；迟到的重放到这里就停
        return None
    async with in_transaction():
        return await _award_row(
            org=org,
            user_id=user_id,
            rule=rule,
            period=period,
            delta=delta,
            business_date=business_date,
            created_at=now,
            actor_id=actor_id,
            actor_role=actor_role.code if actor_role is not None else SYSTEM,
            reason=reason,
            ref=ref,
        )


async def _award_row(
    *, org: str, user_id: int, rule: str, period: str, **fields
) -> LedgerEntry | None:
    """按 (规则, 成员, 周期) 去重写一行；已有有效的那条时返回 None。调用方负责事务。"""
    prefix = _key_prefix(rule, org, user_id, period)
    active, n = await _active_key(prefix)
    if active is not None:
        return None
    try:
        async with in_transaction():
            return await _insert(
                share_days=1 if rule == rules.SHARE_DAILY else 0,
                org=org,
                user_id=user_id,
                rule=rule,
                dedupe_key=f"{prefix}{n}",
                **fields,
            )
    except IntegrityError:
        # 另一个事务刚写了同一个键：这次什么也不记
        return None


async def award_by_command(
    *,
    command_key: str,
    org: str,
    user_id: int,
    rule: str,
    period: str,
    delta: int,
    business_date: date,
    now: datetime,
    actor_id: int,
    actor_role: Role,
    reason: str = "",
    ref: str | None = None,
) -> Written | None:
    """管理员命令触发的规则记分（精选、补分享）：像 `award` 一样每个周期只记一次，同时记下事件键。

    同一事件再来一次（哪怕那条记录后来被撤销了）只返回那次的记录（created=False）；周期里已有有效
    记录返回 None；月份已冻结时拒绝（`MonthFrozen`），而不是悄悄不记。
    """
    try:
        async with in_transaction():
            if (earlier := await _replayed_or_frozen(command_key, org, business_date)) is not None:
                return earlier
            entry = await _award_row(
                org=org,
                user_id=user_id,
                rule=rule,
                period=period,
                delta=delta,
                business_date=business_date,
                created_at=now,
                actor_id=actor_id,
                actor_role=actor_role.code,
                reason=reason,
                ref=ref,
            )
            if entry is None:
                return None
            await _claim_key(command_key, entry, now)
            return Written(entry, created=True)
    except _KeyTaken:
        return await replayed(command_key)


async def award_many(
    *,
    org: str,
    user_ids: list[int],
    rule: str,
    period: str,
    delta: int,
    business_date: date,
    now: datetime,
    reason: str,
) -> int:
    """给一批人各按规则记同样的分（月底的连续分享奖），与对每人调用 `award` 结果相同；返回新记的条数。

    两千人逐个记要两千个事务，约一秒。这里一个事务：一句查出谁的第 0 个键已用过，其余人一次插入、
    一句更新月度合计。键用过的人（记过，或记过又撤销了）和撞上另一个进程同时结算的情况，退回逐个 `award`。
    """
    if not user_ids or await months.is_frozen(org, business_date):
        return 0
    prefixes = {user: _key_prefix(rule, org, user, period) for user in user_ids}
    month = month_key(business_date)
    try:
        async with in_transaction():
            taken = set(
                await LedgerEntry.filter(
                    dedupe_key__in=[prefix + "0" for prefix in prefixes.values()]
                ).values_list("user_id", flat=True)
            )
            fresh = [user for user in user_ids if user not in taken]
            await LedgerEntry.bulk_create(
                [
                    LedgerEntry(
                        org=org,
                        user_id=user,
                        delta=delta,
                        rule=rule,
                        business_date=business_date,
                        created_at=now,
                        actor_role=SYSTEM,
                        reason=reason,
                        dedupe_key=prefixes[user] + "0",
                    )
                    for user in fresh
                ]
            )
            await _add_to_month_totals(org, month, fresh, delta)
    except IntegrityError:
        # 另一个进程刚结算了同一批人：整批回滚，逐个记（已记过的跳过）
        taken, fresh = set(user_ids), []
    derived.changed(org, derived.LEDGER)
    one_by_one = [
        await award(
            org=org,
            user_id=user,
            rule=rule,
            period=period,
            delta=delta,
            business_date=business_date,
            now=now,
            reason=reason,
        )
        for user in user_ids
        if user in taken
    ]
    return len(fresh) + sum(entry is not None for entry in one_by_one)


async def _add_to_month_totals(org: str, month: str, user_ids: list[int], delta: int) -> None:
    """这些人的当月合计各加 `delta` 分、一条记录；还没有合计的人新建一行。调用方负责事务。"""
    if not user_ids:
        return
    rows = MonthTotal.filter(org=org, month=month, user_id__in=user_ids)
    have = set(await rows.values_list("user_id", flat=True))
    await rows.update(points=F("points") + delta, entries=F("entries") + 1)
    await MonthTotal.bulk_create(
        [
            MonthTotal(org=org, user_id=u, month=month, points=delta, entries=1)
            for u in user_ids
            if u not in have
        ]
    )


def _key_prefix(rule: str, org: str, user_id: int, period: str) -> str:
    """系统记分的去重键去掉末尾的 n：`规则:组织:成员:周期:`（n 是这个前缀被撤销过几次）。"""
    return f"{rule}:{org}:{user_id}:{period}:"


async def _active_key(prefix: str) -> tuple[LedgerEntry | None, int]:
    """(目前有效的那条记录, 下一个可用的 n)。只做按唯一索引的等值查询：第 n 个键已被撤销就看
    第 n+1 个（用前缀 LIKE 数撤销次数在 SQLite 上会扫整张账本）。"""
    n = 0
    while (entry := await LedgerEntry.get_or_none(dedupe_key=f"{prefix}{n}")) is not None:
        if not await LedgerEntry.exists(reverses=entry.id):
            return entry, n
        n += 1
    return None, n


async def active_award(org: str, rule: str, user_id: int, period: str) -> LedgerEntry | None:
    """该 (规则, 成员, 周期) 目前有效（未被撤销）的那条记录。"""
    return (await _active_key(_key_prefix(rule, org, user_id, period)))[0]


async def replayed(command_key: str) -> Written | None:
    """这个事件键的命令已经写过的那条记录（created=False）；没写过返回 None。"""
    seen = await CommandKey.get_or_none(key=command_key)
    if seen is None:
        return None
    return Written(await LedgerEntry.get(id=seen.entry_id), created=False)


async def _replayed_or_frozen(command_key: str, org: str, day: date) -> Written | None:
    """命令写新记录之前：先认重放——冻结前写过的命令再来一次，答的是上次的记录，而不是“已冻结”；
    不是重放而这一天的月份已冻结，就拒绝（`MonthFrozen`，没有哪条记录可指，编号为 0）。"""
    if (earlier := await replayed(command_key)) is not None:
        return earlier
    if await months.is_frozen(org, day):
        raise MonthFrozen(0, month_key(day))
    return None


async def _claim_key(command_key: str, entry: LedgerEntry, now: datetime) -> None:
    try:
        async with in_transaction():
            await CommandKey.create(
                key=command_key, org=entry.org, entry_id=entry.id, created_at=now
            )
    except IntegrityError:
        raise _KeyTaken from None


async def record(
    *,
    org: str,
    user_id: int,
    delta: int,
    business_date: date,
    now: datetime,
    actor_id: int,
    actor_role: Role | None,
    reason: str,
    command_key: str,
    rule: str = rules.MANUAL,
    ref: str | None = None,
) -> Written:
    """命令写入的一条记录（加分、扣分、警告……）；同一事件再来一次只返回上次的记录。
    `actor_role` 为 None 表示机器人自己按规则写的（如内容过滤直接警告）。"""
    try:
        async with in_transaction():
            if (earlier := await _replayed_or_frozen(command_key, org, business_date)) is not None:
                return earlier
            entry = await _insert(
                org=org,
                user_id=user_id,
                delta=delta,
                rule=rule,
                business_date=business_date,
                created_at=now,
                actor_id=actor_id,
                actor_role=actor_role.code if actor_role is not None else SYSTEM,
                reason=reason,
                ref=ref,
            )
            await _claim_key(command_key, entry, now)
            return Written(entry, created=True)
    except _KeyTaken:
        return await replayed(command_key)


async def reverse(
    *,
    org: str,
    entry_id: int,
    now: datetime,
    actor_id: int,
    actor_role: Role | None,
    reason: str,
    command_key: str,
) -> Written:
    """撤销一条记录：写一条相反数的撤销记录，营业日同原记录。每条记录只能撤销一次。
    原记录的月份已冻结时，只有主席及以上写明理由才能撤销。`actor_role` 为 None 表示机器人按规则
    自己撤销（同 `record`）：记为系统，能撤销的和管理员一样。"""
    acting_as = Role.ADMIN if actor_role is None else actor_role
    try:
        async with in_transaction():
            original = await LedgerEntry.get_or_none(id=entry_id, org=org)
            if original is None:
                raise EntryNotFound(entry_id)
            if original.reverses is not None:
                raise IsReversal(entry_id)
            if (existing := await LedgerEntry.get_or_none(reverses=entry_id)) is not None:
                # 已经撤销过：是这条命令自己撤的（重放，或几个机器人账号同时收到、另一个事务刚写下），
                # 答上次的结果；否则是别人撤的。重放只会走到这里（撤销前原记录总还在），不用另查
                if (earlier := await replayed(command_key)) is not None:
                    return earlier
                raise AlreadyReversed(entry_id, existing)
            check_not_own_case(actor_id, actor_role, original.user_id, action=f"撤销 #{entry_id}")
            needed = role_to_reverse(original.actor_role)
            if acting_as < needed:
                raise RoleTooLow(entry_id, needed)
            if await months.is_frozen(org, original.business_date) and (
                acting_as < Role.CHAIRMAN or not reason.strip()
            ):
                raise MonthFrozen(entry_id, month_key(original.business_date))
            try:
                async with in_transaction():
                    entry = await _insert(
                        share_days=-1 if original.rule == rules.SHARE_DAILY else 0,
                        org=org,
                        user_id=original.user_id,
                        delta=-original.delta,
                        rule=rules.REVERSAL,
                        business_date=original.business_date,
                        created_at=now,
                        actor_id=actor_id,
                        actor_role=SYSTEM if actor_role is None else actor_role.code,
                        reason=reason,
                        reverses=original.id,
                    )
            except IntegrityError:
                # 另一个事务刚写下同一条撤销：是同一个事件（几个机器人账号同时收到）就当重放
                if (earlier := await replayed(command_key)) is not None:
                    return earlier
                raise AlreadyReversed(entry_id, await LedgerEntry.get(reverses=entry_id)) from None
            await _claim_key(command_key, entry, now)
            return Written(entry, created=True)
    except _KeyTaken:
        return await replayed(command_key)


@dataclass(frozen=True)
class MonthSummary:
    points: int
    share_days: int
    entries: int


_NOTHING = MonthSummary(0, 0, 0)


async def month_summary(org: str, user_id: int, month: str) -> MonthSummary:
    row = await MonthTotal.get_or_none(org=org, user_id=user_id, month=month)
    if row is None:
        return _NOTHING
    return MonthSummary(row.points, row.share_days, row.entries)


async def all_time_totals(org: str) -> dict[int, int]:
    """每个人的累计积分。"""
    rows = (
        await MonthTotal.filter(org=org)
        .annotate(total=Sum("points"))
        .group_by("user_id")
        .values_list("user_id", "total")
    )
    # 分组求和，每组至少一行，和不会是空；PostgreSQL 给的是 Decimal
    return {user: int(total) for user, total in rows}


async def month_entries(org: str, user_id: int, first: date, last: date) -> list[LedgerEntry]:
    return (
        await LedgerEntry.filter(
            org=org, user_id=user_id, business_date__gte=first, business_date__lte=last
        )
        .order_by("id")
        .all()
    )


async def reversed_ids(org: str, entry_ids: list[int]) -> set[int]:
    """这些记录里已被撤销的编号。"""
    # 只按 reverses（唯一索引）查，组织在取出后比：条件里带上 org，SQLite 会改走 (org, …) 的索引，
    # 把整个组织的账本扫一遍（一年几十万行，/积分明细 每次多花一两百毫秒）
    rows = await LedgerEntry.filter(reverses__in=entry_ids).values_list("reverses", "org")
    return {reverses for reverses, owner in rows if owner == org}


async def reversed_between(org: str, first: date, last: date) -> set[int]:
    """营业日在这段时间里的记录中已被撤销的编号。撤销记录与原记录同一营业日，所以只看这段时间的
    撤销记录就够了（比把一个月几万个编号塞进 IN 里快得多）。"""
    rows = await LedgerEntry.filter(
        org=org, rule=rules.REVERSAL, business_date__gte=first, business_date__lte=last
    ).values_list("reverses", flat=True)
    return set(rows)


async def month_totals(org: str, month: str) -> dict[int, MonthSummary]:
    rows = await MonthTotal.filter(org=org, month=month).values_list(
        "user_id", "points", "share_days", "entries"
    )
    return {user: MonthSummary(points, days, count) for user, points, days, count in rows}


async def rebuild_month_totals(org: str, month: str, first: date, last: date) -> int:
    """由账本重建一个月的合计；返回与原合计不一致的人数（0 表示合计可信）。"""
    async with in_transaction() as conn:
        if conn.capabilities.dialect == "postgres":
            # 另一个进程可能正在记分：先挡住所有对合计表的写入，再读账本。已提交的记录都读得到；
            # 还没提交的那笔会等我们提交后再在重建好的合计上加它自己的分，不会丢，也不会算两次。
            # （SQLite 的写事务本来就一个接一个，不需要。）
            await conn.execute_script("LOCK TABLE month_total IN EXCLUSIVE MODE")
        entries = await LedgerEntry.filter(
            org=org, business_date__gte=first, business_date__lte=last
        ).values_list("id", "user_id", "delta", "rule", "reverses")
        # 撤销记录与原记录同一营业日：撤销掉的分享分，原记录一定也在这一段里
        share_ids = {entry_id for entry_id, _, _, rule, _ in entries if rule == rules.SHARE_DAILY}
        sums: dict[int, list[int]] = {}
        for _, user, delta, rule, reverses in entries:
            totals = sums.setdefault(user, [0, 0, 0])
            totals[0] += delta
            totals[1] += 1 if rule == rules.SHARE_DAILY else -(reverses in share_ids)
            totals[2] += 1
        fresh = {user: MonthSummary(*totals) for user, totals in sums.items()}
        current = await month_totals(org, month)
        wrong = {
            user for user in fresh.keys() | current.keys() if fresh.get(user) != current.get(user)
        }
        if wrong:
            await MonthTotal.filter(org=org, month=month, user_id__in=list(wrong)).delete()
            await MonthTotal.bulk_create(
                [
                    MonthTotal(org=org, user_id=user, month=month, **asdict(summary))
                    for user, summary in fresh.items()
                    if user in wrong
                ]
            )
            derived.changed(org, derived.LEDGER)
        return len(wrong)
