"""申报（机器人看不到的事）与转发推广（推N）。只收普通值。

一条申报在审核队列里是一行（规则名“申报”，给出 审N、待审/确认/驳回、谁决定），`Claim` 记申报的内容、
占的名额和确认时写的分。名额是唯一列 `slot_key`：每人每项每天 `per_day` 个、每次推广一个，
所以重放和两个进程同时收到同一条申报都只占一次；驳回时让出名额，改好截图可以再报。

推广的时间窗按组织时区的日历日算（制度：“发布之日起两日内”分享、“保持两天以上”）：
开推广那天是第 1 天，`claim_until` 是第 claim_days 天结束（次日 0 点），`due_at` 再过 keep_days 天。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from . import ledger, months, reviews, rules
from .content_filter import Hit
from .dates import month_key
from .models import Campaign, Claim, FilterHit
from .policy import Policy, RepostSection
from .roles import Role, check_not_own_case

TEXT_LIMIT = 300


class ClaimError(Exception):
    """申报或推广被拒绝的原因；插件把它翻成中文回复。"""


class NoSuchItem(ClaimError):
    def __init__(self, choices: list[str]):
        super().__init__(choices)
        self.choices = choices


class NoImage(ClaimError):
    """没有截图（同一条消息里，或回复的自己的图片）。"""


class SlotsUsed(ClaimError):
    def __init__(self, item: str, per_day: int):
        super().__init__(item, per_day)
        self.item, self.per_day = item, per_day


class MonthFrozen(ClaimError):
    def __init__(self, month: str):
        super().__init__(month)
        self.month = month


class RepostOff(ClaimError):
    """制度里没有 `[claims.repost]`。"""


class AlreadyOpen(ClaimError):
    """这条公司推文已经开过推广、还在申报期：再开一次，同一次转发就能报两次、拿两份分。"""

    def __init__(self, campaign: Campaign):
        super().__init__(campaign.id)
        self.campaign = campaign


class CampaignNotFound(ClaimError):
    def __init__(self, campaign_id: int):
        super().__init__(campaign_id)
        self.campaign_id = campaign_id


class ClaimLate(ClaimError):
    def __init__(self, campaign: Campaign):
        super().__init__(campaign.id)
        self.campaign = campaign


class AlreadyClaimed(ClaimError):
    def __init__(self, campaign: Campaign, review_id: int):
        super().__init__(campaign.id, review_id)
        self.campaign, self.review_id = campaign, review_id


class NotDue(ClaimError):
    """推广的申报要等保持天数过后才审：早确认就没法知道转发有没有保持。"""

    def __init__(self, campaign: Campaign):
        super().__init__(campaign.id)
        self.campaign = campaign


class ScoreNeeded(ClaimError):
    def __init__(self, item: str, low: int, high: int):
        super().__init__(item, low, high)
        self.item, self.low, self.high = item, low, high


class ScoreOutOfRange(ScoreNeeded):
    pass


class FixedScore(ClaimError):
    """固定分值的项目（和转发推广）确认时不写分数：写了也不照办，不如直说。"""

    def __init__(self, label: str, points: int):
        super().__init__(label, points)
        self.label, self.points = label, points


class ItemGone(ClaimError):
    """申报之后制度里删掉了这一项：不知道该加几分，只能驳回。"""

    def __init__(self, item: str):
        super().__init__(item)
        self.item = item


class NothingPending(ClaimError):
    def __init__(self, campaign: Campaign):
        super().__init__(campaign.id)
        self.campaign = campaign


# —— 时间窗 ——


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def windows(repost: RepostSection, opened_at: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """(申报截止, 交审核)：开推广那天（组织时区）算第 1 天，截止是第 claim_days 天结束；
    再过 keep_days 个整天交审核。都是组织时区的 0 点，夏令时的日子照样按日历算。"""
    first = opened_at.astimezone(tz).date()
    claim_until = _midnight(first + timedelta(days=repost.claim_days), tz)
    due_at = _midnight(first + timedelta(days=repost.claim_days + repost.keep_days), tz)
    return claim_until, due_at


def last_claim_day(campaign: Campaign, tz: ZoneInfo) -> date:
    """可以申报的最后一天（组织时区）：截止时刻的前一天。"""
    return (campaign.claim_until.astimezone(tz) - timedelta(days=1)).date()


def due_day(campaign: Campaign, tz: ZoneInfo) -> date:
    return campaign.due_at.astimezone(tz).date()


# —— 申报 ——


@dataclass(frozen=True)
class Filed:
    claim: Claim
    hit: FilterHit
    created: bool
    """False：同一条消息再来一次（重放），那次已经回复过"""


@dataclass(frozen=True)
class Filing:
    """一条申报消息：谁、在哪个群、哪条消息、什么时候、写了什么、带了哪些截图。"""

    group_id: int
    user_id: int
    message_id: int | None
    text: str
    images: list[str]
    at: datetime
    today: date
    event_key: str


def _hit_key(event_key: str) -> str:
    return f"{event_key}:{rules.REVIEW_CLAIM}"[:200]


async def _replayed(filing: Filing) -> Filed | None:
    hit = await FilterHit.get_or_none(hit_key=_hit_key(filing.event_key))
    if hit is None:
        return None
    claim = await Claim.get(review_id=hit.id)
    return Filed(claim, hit, created=False)


async def _check_month(policy: Policy, day: date) -> None:
    if await months.is_frozen(policy.id, day):
        raise MonthFrozen(month_key(day))


async def _file(
    policy: Policy, filing: Filing, excerpt: str, slots: list[str], **fields
) -> Filed | None:
    """在审核队列里记一行，占第一个空着的名额；都占了时整条撤回（不留没有名额的待审）。
    同一条消息已经记过时返回 None。"""
    message = reviews.Message(
        group_id=filing.group_id,
        user_id=filing.user_id,
        message_id=filing.message_id,
        text=filing.text,
        types="image",
        at=filing.at,
    )
    async with in_transaction():
        hit = await reviews.record(
            policy,
            message,
            Hit(rules.REVIEW_CLAIM, "", "review", excerpt),
            _hit_key(filing.event_key),
        )
        if hit is None:
            return None
        for slot in slots:
            try:
                async with in_transaction():
                    claim = await Claim.create(
                        org=policy.id,
                        review_id=hit.id,
                        group_id=filing.group_id,
                        user_id=filing.user_id,
                        day=filing.today,
                        slot_key=slot,
                        images="\n".join(filing.images),
                        text=filing.text[:TEXT_LIMIT],
                        created_at=filing.at.astimezone(UTC),
                        **fields,
                    )
                return Filed(claim, hit, created=True)
            except IntegrityError:
                continue
        raise _SlotsTaken()


class _SlotsTaken(Exception):
    """名额都占了：回滚这条申报。"""


async def file_item(policy: Policy, item: str, filing: Filing) -> Filed:
    """`/申报 项目 说明`：项目要在制度里，要有截图，那个月没冻结，这人今天这一项还有名额。"""
    items = policy.claims.items
    spec = items.get(item)
    if spec is None:
        raise NoSuchItem(list(items))
    if (earlier := await _replayed(filing)) is not None:
        return earlier
    if not filing.images:
        raise NoImage()
    await _check_month(policy, filing.today)
    slots = [
        f"{policy.id}:{filing.user_id}:{item}:{filing.today.isoformat()}:{n}"
        for n in range(spec.per_day)
    ]
    try:
        filed = await _file(policy, filing, item, slots, item=item)
    except _SlotsTaken:
        raise SlotsUsed(item, spec.per_day) from None
    return filed or await _replayed(filing)


def repost_section(policy: Policy) -> RepostSection:
    if policy.claims.repost is None:
        raise RepostOff()
    return policy.claims.repost


async def open_campaign(
    policy: Policy,
    *,
    group_id: int,
    title: str,
    message_id: int | None,
    by: int,
    at: datetime,
    event_key: str,
) -> tuple[Campaign, bool]:
    """开一次推广；同一条命令再来一次返回那次开的（False）。回复的那条推文已有还在申报期的推广时
    抛 `AlreadyOpen`（两位管理员同时回复同一条推文的那一刻不挡：要两条命令恰好同时写下）。"""
    repost = repost_section(policy)
    if (earlier := await Campaign.get_or_none(event_key=event_key[:191])) is not None:
        return earlier, False
    if message_id is not None:
        open_one = await Campaign.filter(
            org=policy.id,
            group_id=group_id,
            message_id=message_id,
            claim_until__gt=at.astimezone(UTC),
        ).first()
        if open_one is not None:
            raise AlreadyOpen(open_one)
    claim_until, due_at = windows(repost, at, policy.tz)
    try:
        async with in_transaction():
            campaign = await Campaign.create(
                org=policy.id,
                group_id=group_id,
                title=title[:TEXT_LIMIT],
                message_id=message_id,
                opened_by=by,
                opened_at=at.astimezone(UTC),
                claim_until=claim_until,
                due_at=due_at,
                event_key=event_key[:191],
            )
        return campaign, True
    except IntegrityError:
        return await Campaign.get(event_key=event_key[:191]), False


async def get_campaign(policy: Policy, campaign_id: int) -> Campaign:
    campaign = await Campaign.get_or_none(id=campaign_id, org=policy.id)
    if campaign is None:
        raise CampaignNotFound(campaign_id)
    return campaign


def _campaign_slot(campaign: Campaign, user_id: int) -> str:
    return f"{campaign.org}:推{campaign.id}:{user_id}"


async def file_repost(policy: Policy, campaign_id: int, filing: Filing) -> Filed:
    """`/已转发 推N` + 截图：截止之前（组织时区第 claim_days 天结束前），每人每次推广一次。"""
    repost_section(policy)
    campaign = await get_campaign(policy, campaign_id)
    if (earlier := await _replayed(filing)) is not None:
        return earlier
    if filing.at >= campaign.claim_until:
        raise ClaimLate(campaign)
    if not filing.images:
        raise NoImage()
    await _check_month(policy, filing.today)
    slot = _campaign_slot(campaign, filing.user_id)
    try:
        filed = await _file(policy, filing, f"推{campaign.id}", [slot], campaign_id=campaign.id)
    except _SlotsTaken:
        claim = await Claim.get(slot_key=slot)
        raise AlreadyClaimed(campaign, claim.review_id) from None
    return filed or await _replayed(filing)


# —— 决定 ——


@dataclass(frozen=True)
class Decision:
    """确认或驳回时的人和事件。"""

    by: int
    role: Role
    at: datetime
    today: date
    event_key: str
    note: str = ""


@dataclass(frozen=True)
class Approved:
    claim: Claim
    hit: FilterHit
    entry: ledger.LedgerEntry | None


async def claim_of(hit: FilterHit) -> Claim:
    return await Claim.get(review_id=hit.id)


def points_label(points: int | list[int]) -> str:
    """申报项目的分值，写给人看：+5 分、+1 至 +10 分。"""
    if isinstance(points, list):
        return f"+{points[0]} 至 +{points[1]} 分"
    return f"+{points} 分"


def label(claim: Claim) -> str:
    """申报的是什么：项目名，或“推N”。"""
    return claim.item or f"推{claim.campaign_id}"


def _score(policy: Policy, claim: Claim, points: int | None) -> int:
    if claim.campaign_id is not None:
        repost = repost_section(policy)
        if points is not None:
            raise FixedScore(label(claim), repost.points)
        return repost.points
    spec = policy.claims.items.get(claim.item)
    if spec is None:
        raise ItemGone(claim.item)
    if spec.fixed is not None:
        if points is not None:
            raise FixedScore(claim.item, spec.fixed)
        return spec.fixed
    low, high = spec.points
    if points is None:
        raise ScoreNeeded(claim.item, low, high)
    if not low <= points <= high:
        raise ScoreOutOfRange(claim.item, low, high)
    return points


async def _award(
    policy: Policy, claim: Claim, hit: FilterHit, points: int, decision: Decision
) -> Approved | None:
    """从待审出发的条件更新：两个管理员同时确认、同一命令重放，都只有一次写账本。
    记分按 (规则, 成员, 周期) 去重：项目的周期是 审N，推广的是 推N（每次推广每人只加一次）。"""
    at = decision.at.astimezone(UTC)
    async with in_transaction():
        taken = await FilterHit.filter(id=hit.id, status="pending").update(
            status="confirmed",
            decided_by=decision.by,
            decided_at=at,
            decided_note=decision.note,
            decided_key=decision.event_key,
        )
        if not taken:
            return None
        if claim.campaign_id is not None:
            rule, period = rules.REPOST, f"推{claim.campaign_id}"
            reason = f"转发推广 推{claim.campaign_id}（审{hit.id}）"
        else:
            rule, period = rules.claim(claim.item), f"审{hit.id}"
            reason = f"申报「{claim.item}」（审{hit.id}）" + (
                f"：{claim.text}" if claim.text else ""
            )
        entry = await ledger.award(
            org=policy.id,
            user_id=claim.user_id,
            rule=rule,
            period=period,
            delta=points,
            business_date=decision.today,
            now=at,
            reason=reason[:200],
            ref=f"claim:{claim.id}",
            actor_id=decision.by,
            actor_role=decision.role,
        )
        if entry is None:
            # 月底结算恰好在确认之前一刻冻结了这个月：账本不收，确认也不能算数（整个事务回滚，仍待审）
            await _check_month(policy, decision.today)
        await Claim.filter(id=claim.id).update(
            points=points, entry_id=entry.id if entry is not None else None
        )
    return Approved(await Claim.get(id=claim.id), await reviews.find(policy, hit.id), entry)


async def approve(
    policy: Policy, hit: FilterHit, points: int | None, decision: Decision
) -> Approved:
    """`/确认 审N [分数]`：项目按制度的分（范围项目由确认的人在范围内定），推广的要等到交审核。"""
    claim = await claim_of(hit)
    check_not_own_case(decision.by, decision.role, claim.user_id, action=f"确认 审{hit.id}")
    if hit.status != "pending":
        raise reviews.AlreadyDecided(hit, decision.event_key)
    score = _score(policy, claim, points)
    if claim.campaign_id is not None:
        campaign = await get_campaign(policy, claim.campaign_id)
        if decision.at < campaign.due_at:
            raise NotDue(campaign)
    await _check_month(policy, decision.today)
    done = await _award(policy, claim, hit, score, decision)
    if done is None:
        raise reviews.AlreadyDecided(await reviews.find(policy, hit.id), decision.event_key)
    return done


async def refuse(policy: Policy, hit: FilterHit, decision: Decision) -> Claim:
    """`/驳回 审N 理由`：让出名额（改好截图可以再报）。"""
    claim = await claim_of(hit)
    async with in_transaction():
        await reviews.dismiss(
            policy,
            hit.id,
            note=decision.note,
            by=decision.by,
            role=decision.role,
            at=decision.at,
            event_key=decision.event_key,
        )
        freed = f"{claim.slot_key}:驳回{hit.id}"[:191]
        await Claim.filter(id=claim.id).update(slot_key=freed)
    return await Claim.get(id=claim.id)


@dataclass(frozen=True)
class Batch:
    campaign: Campaign
    approved: list[Approved]
    own: list[Claim]
    """确认人自己的申报：留给另一位管理员"""
    replayed: bool = False


async def pending_of(campaign: Campaign) -> list[tuple[Claim, FilterHit]]:
    """这次推广还待审的申报，按申报先后。"""
    return [(c, h) for c, h in await claims_of(campaign) if h.status == "pending"]


async def claims_of(campaign: Campaign) -> list[tuple[Claim, FilterHit]]:
    found = await Claim.filter(org=campaign.org, campaign_id=campaign.id).order_by("review_id")
    hits = {h.id: h for h in await FilterHit.filter(id__in=[c.review_id for c in found])}
    return [(c, hits[c.review_id]) for c in found]


async def approve_campaign(policy: Policy, campaign_id: int, decision: Decision) -> Batch:
    """`/确认 推N`：一次确认这次推广所有还待审的申报，每人加 `points` 一次。
    确认人自己的申报不在其内（谁也不决定自己的申报；超级用户可以）。"""
    repost = repost_section(policy)
    campaign = await get_campaign(policy, campaign_id)
    if decision.at < campaign.due_at:
        raise NotDue(campaign)
    await _check_month(policy, decision.today)
    if campaign.decided_key == decision.event_key:
        return Batch(campaign, [], [], replayed=True)
    found = await claims_of(campaign)
    pending = [(c, h) for c, h in found if h.status == "pending"]
    if not pending:
        # 这条命令再来一次，而此后另一位管理员又确认过（decided_key 已是他的）：申报上记着这条命令
        if any(hit.decided_key == decision.event_key for _, hit in found):
            return Batch(campaign, [], [], replayed=True)
        raise NothingPending(campaign)
    approved, own = [], []
    # 认领这条命令和整批记分是一个事务：记到一半进程没了，认领也不算，重放时从头记完（每条申报
    # 各自从待审出发，已记的不会再记）
    async with in_transaction():
        # 同一条命令再来一次（重连、几个机器人账号）：认领不到，什么也不做
        taken = await Campaign.filter(
            Q(decided_key=None) | ~Q(decided_key=decision.event_key), id=campaign.id
        ).update(
            decided_by=decision.by,
            decided_at=decision.at.astimezone(UTC),
            decided_key=decision.event_key,
        )
        if not taken:
            return Batch(campaign, [], [], replayed=True)
        # 待审的在认领之后再读一次：另一位管理员可能在上面读过之后、这里认领之前刚确认完这一批。
        # 一条也不剩就回滚认领（推广仍记着是他确认的），说没有待审的了，而不是回一个空的批次
        pending = await pending_of(campaign)
        if not pending:
            raise NothingPending(campaign)
        for claim, hit in pending:
            if claim.user_id == decision.by and decision.role < Role.SUPERUSER:
                own.append(claim)
                continue
            check_not_own_case(
                decision.by, decision.role, claim.user_id, action=f"确认 推{campaign.id}"
            )
            done = await _award(policy, claim, hit, repost.points, decision)
            if done is not None:
                approved.append(done)
    return Batch(await get_campaign(policy, campaign.id), approved, own)


# —— 到期交审核 ——


async def due_campaigns(now: datetime) -> list[Campaign]:
    """保持天数已过、还没发过审核消息的推广（所有组织）。"""
    return await Campaign.filter(review_sent_at=None, due_at__lte=now.astimezone(UTC)).order_by(
        "id"
    )


async def claim_review(campaign: Campaign, now: datetime) -> bool:
    """认领这次推广的审核消息：几个进程、重启之后，只有一个拿到，只发一次。"""
    taken = await Campaign.filter(id=campaign.id, review_sent_at=None).update(
        review_sent_at=now.astimezone(UTC)
    )
    return bool(taken)


async def unclaim_review(campaign: Campaign) -> None:
    """审核消息确知没有发出（NapCat 拒收、连接已断）：放开认领，之后的走动再发。"""
    await Campaign.filter(id=campaign.id).update(review_sent_at=None)


# —— 导出 ——


@dataclass(frozen=True)
class MonthRow:
    review_id: int
    day: date
    user_id: int
    what: str
    points: int | None
    status: str
    decided_by: int | None
    note: str


async def month_rows(policy: Policy, first: date, last: date) -> list[MonthRow]:
    """这个月（申报那天）的全部申报和结果，加上上个月申报、这个月才决定的：月底开的推广要过了
    保持期才审，上个月的表导出时还是待审，结果只能出现在这个月的表里（分也记在这个月）。"""
    decided = await FilterHit.filter(
        org=policy.id,
        rule=rules.REVIEW_CLAIM,
        decided_at__gte=_midnight(first, policy.tz),
        decided_at__lt=_midnight(last + timedelta(days=1), policy.tz),
    ).values_list("id", flat=True)
    in_month = Q(day__gte=first, day__lte=last)
    if decided:
        in_month |= Q(review_id__in=list(decided))
    found = await Claim.filter(in_month, org=policy.id).order_by("review_id")
    hits = {h.id: h for h in await FilterHit.filter(id__in=[c.review_id for c in found])}
    return [
        MonthRow(
            review_id=c.review_id,
            day=c.day,
            user_id=c.user_id,
            what=label(c),
            points=c.points,
            status=hits[c.review_id].status,
            decided_by=hits[c.review_id].decided_by,
            note=hits[c.review_id].decided_note,
        )
        for c in found
    ]
