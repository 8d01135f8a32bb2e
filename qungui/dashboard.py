"""网页后台各页要看的数据：只读，规则都取自聊天命令用的那些服务函数，这里不再写第二遍。

谁在“今日”里 = /今日分享 和提醒看的人（`shares.day_status`）；排行 = /排行（`month_end.board`，
公布过的月份用快照）；连续天数 = 月底奖励数的天数（`streaks.counted_days`）；名字只用
`members.display_names`，别的自由文字一律打码（`outgoing.mask_digits`）：网页上不出现电话。
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from . import (
    appeals,
    cards,
    claims,
    clock,
    leave,
    ledger,
    members,
    month_end,
    months,
    points,
    rules,
    shares,
    streaks,
    warning_cases,
)
from .content_filter import redact
from .dates import local_time, month_days
from .models import Claim, FilterHit, Leave, LedgerEntry, Member, Notice
from .notices import ack_counts
from .outgoing import mask_digits
from .policy import Policy
from .standings import month_standings


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


SHARED, MISSING, LEAVE, HOLIDAY = "shared", "missing", "leave", "holiday"
_ORDER = {SHARED: 0, MISSING: 1, LEAVE: 2, HOLIDAY: 3}
SYSTEM_ACTOR = "系统"
EXCERPT_LIMIT = 120
NOTICES_SHOWN = 100
KIND_CONTENT = "内容"
APPEAL_STATUS = {"pending": "待审", "confirmed": "成立", "dismissed": "驳回"}
NOTICE_OPEN, NOTICE_CLOSED, NOTICE_WITHDRAWN = "进行中", "已结束", "已撤回"


def _group(policy: Policy, group_id: int) -> str:
    """群名是 QQ 报上来的、群主起的自由文字：同聊天里发出去时一样打码。"""
    return mask_digits(members.group_name(policy, group_id))


def masked(text: str, limit: int = EXCERPT_LIMIT) -> str:
    """页面上显示的自由文字：证件号、卡号、手机号（含拆开写的）都遮住，再截短。"""
    text = mask_digits(redact(text)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- 今日 ----


async def today(policy: Policy, day: date, *, exclude: Iterable[int] = ()) -> list[TodayGroup]:
    """每个分享群这一天谁交了（时刻、是否宽限、是否经典）、谁没交、谁请假或过节。
    列出的人就是 /今日分享 和提醒看的人；`exclude` 是本进程连着的机器人（同提醒）。"""
    exclude = frozenset(exclude)
    excused = await leave.excused_on(policy, day)
    found = []
    for group_id in policy.groups.share:
        status = await shares.day_status(
            policy, day, exclude=exclude, group_id=group_id, excused=excused
        )
        people = sorted(status.people)
        credited = await shares.credited_on(policy, day, sorted(status.done))
        featured = await shares.featured_on(policy.id, day, people)
        names = await members.display_names(policy, people)
        rows = [
            _today_row(user, names[user], status, credited.get(user), user in featured)
            for user in people
        ]
        rows.sort(key=lambda row: (_ORDER[row.status], _timestamp(row.shared_at), row.name))
        found.append(TodayGroup(group_id, _group(policy, group_id), rows))
    return found


def _timestamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else 0.0


def _today_row(
    user: int,
    name: str,
    status: shares.DayStatus,
    share: shares.Credited | None,
    featured: bool,
) -> TodayRow:
    if user in status.done:
        # /补分享 补记的那天没有分享消息：没有时刻
        if share is None:
            return TodayRow(user, name, SHARED, None, False, featured, None)
        return TodayRow(user, name, SHARED, share.sent_at, share.grace, featured, share.share_id)
    if user in status.off:
        kind = HOLIDAY if status.excused.holiday else LEAVE
        return TodayRow(user, name, kind, None, False, featured, None)
    return TodayRow(user, name, MISSING, None, False, featured, None)


# ---- 本月 ----


async def month(policy: Policy, month: str, *, exclude: Iterable[int] = ()) -> MonthPage:
    """这个月的排行（公布过的用快照，同 /排行）、每人的分享天数和奖励看的连续天数、每天分享了几人。"""
    frozen = await months.status(policy.id, month) is months.MonthState.FROZEN
    first, last = month_days(month)
    shared = await streaks.share_bits(policy.id, first, last)
    off = await leave.calendar(policy, first, last)
    rows = [
        MonthRow(
            rank,
            user,
            name,
            points,
            share_days,
            streaks.counted_bits(
                policy, shared.get(user, 0), streaks.day_bits(off.days_for(user), first)
            ),
        )
        for rank, user, name, points, share_days in await _standings(policy, month, exclude)
    ]
    span = (last - first).days + 1
    per_day = [sum(bits >> n & 1 for bits in shared.values()) for n in range(span)]
    return MonthPage(
        month, frozen, rows, [(first + timedelta(days=n), per_day[n]) for n in range(span)]
    )


async def _standings(
    policy: Policy, month: str, exclude: Iterable[int]
) -> list[tuple[int, int, str, int, int]]:
    """(名次, QQ, 名字, 积分, 分享天数)：公布过的月份按快照，否则同 /排行 现算（不必像月榜那样再查谁得了奖）。"""
    posted = await month_end.stored_board(policy, month)
    if posted is not None:
        # 早先的快照存的是当时的昵称，可能带着电话（群里的帖子、排行图在发出时打码，快照本身没有）
        return [
            (r.rank, r.user_id, mask_digits(r.name), r.points, r.share_days) for r in posted.rows
        ]
    standings = await month_standings(policy, month, exclude)
    names = await members.display_names(policy, [s.user_id for s in standings])
    return [(s.rank, s.user_id, names[s.user_id], s.points, s.share_days) for s in standings]


# ---- 成员 ----


async def in_org(policy: Policy, user_id: int) -> bool:
    """这个 QQ 号在组织里出现过：在组织的哪个群里有记录（退群的也算），或账本里有他的记录。"""
    if await Member.exists(org=policy.id, user_id=user_id):
        return True
    return await LedgerEntry.exists(org=policy.id, user_id=user_id)


async def member(policy: Policy, user_id: int, month: str) -> MemberPage | None:
    """一个人这个月的积分明细（同 /积分明细）、窗口内的警告、申诉和名片状态；不在组织里返回 None。"""
    if not await in_org(policy, user_id):
        return None
    name, lines = await points.detail(policy, user_id, month)
    # 撤销记录与原记录同一个人、同一营业日：一个月的明细里两头都在
    reversed_by = {line.entry.reverses: line.entry.id for line in lines if line.entry.reverses}
    entries = [
        EntryRow(
            id=line.entry.id,
            day=line.entry.business_date,
            delta=line.entry.delta,
            rule=rules.label(line.entry.rule),
            reason=masked(line.entry.reason),
            actor=line.actor_name or SYSTEM_ACTOR,
            reverses=line.entry.reverses,
            reversed_by=reversed_by.get(line.entry.id),
        )
        for line in lines
    ]
    now = clock.now()
    warnings = [
        WarningRow(
            id=case.entry_id,
            at=local_time(case.created_at, policy.tz),
            category=case.category,
            points=case.points,
            reason=masked(case.reason),
            revoked=case.revoked_at is not None,
        )
        for case in await warning_cases.history(policy, user_id, now)
    ]
    appealed = [
        AppealRow(
            review_id=item.appeal.review_id,
            entry_id=item.appeal.entry_id,
            at=local_time(item.appeal.created_at, policy.tz),
            text=masked(item.appeal.text),
            status=APPEAL_STATUS[item.status],
        )
        for item in await appeals.history(policy, user_id)
    ]
    card_ok, deadline = await _card(policy, user_id)
    return MemberPage(
        user_id=user_id,
        name=name,
        month=month,
        total=(await ledger.month_summary(policy.id, user_id, month)).points,
        entries=entries,
        warnings=warnings,
        appeals=appealed,
        card_ok=card_ok,
        card_deadline=deadline,
    )


async def _card(policy: Policy, user_id: int) -> tuple[bool, date | None]:
    """他在各工作群（没退群的）里的名片是否都规范；不规范时最早的宽限期限（组织时区的日期）。"""
    if user_id in policy.nickname.exempt:
        return True, None
    rows = await Member.filter(
        org=policy.id, user_id=user_id, group_id__in=policy.groups.work, left_at=None
    ).all()
    bad = [row for row in rows if not _card_ok(policy, row)]
    if not bad:
        return True, None
    deadlines = [due for row in bad if (due := await cards.member_deadline(policy, row))]
    return False, min(deadlines).astimezone(policy.tz).date() if deadlines else None


def _card_ok(policy: Policy, row: Member) -> bool:
    # 检查过的按检查结果（有人事名单时还要对上名单）；还没检查过的只看格式
    if row.card_ok is not None:
        return row.card_ok
    return cards.card_ok(policy, row.card)


# ---- 待审 ----


async def reviews(policy: Policy) -> list[ReviewRow]:
    """审核队列里待审的全部：内容命中、举报、申诉、申报、请假申请，先来的在前。"""
    hits = await FilterHit.filter(org=policy.id, status="pending").order_by("id").all()
    ids = [hit.id for hit in hits]
    claimed = {c.review_id: c for c in await Claim.filter(review_id__in=ids).all()}
    leaves = {row.review_id: row for row in await Leave.filter(review_id__in=ids).all()}
    names = await members.display_names(policy, [hit.user_id for hit in hits])
    rows = []
    for hit in hits:
        kind, title, text, hint = _review_details(
            policy, hit, claimed.get(hit.id), leaves.get(hit.id)
        )
        # 标题里的日期、编号照原样；文字里 7 位以上的数字（证件号、卡号、电话）都遮住
        excerpt = "：".join(part for part in (mask_digits(title), masked(text)) if part)
        rows.append(
            ReviewRow(
                id=hit.id,
                kind=kind,
                who=names[hit.user_id],
                group=_group(policy, hit.group_id),
                at=local_time(hit.created_at, policy.tz),
                excerpt=excerpt,
                needs_amount=bool(hint),
                amount_hint=hint,
            )
        )
    return rows


def _review_details(
    policy: Policy, hit: FilterHit, claim: Claim | None, request: Leave | None
) -> tuple[str, str, str, str]:
    """(类别, 标题, 成员写的或被命中的文字, 要填的分数范围)。分数范围只在确认时必须写分数的几类才有：
    范围类别的警告（主席定，同 /确认 审N 数额）、范围分值的申报项目。"""
    if hit.rule == rules.REVIEW_APPEAL:
        return hit.rule, f"申诉 {hit.excerpt}", hit.text, ""
    if hit.rule == rules.REVIEW_LEAVE:
        days = f"{request.first_day}～{request.last_day}" if request else ""
        return hit.rule, days, hit.text, ""
    if hit.rule == rules.REVIEW_CLAIM:
        spec = policy.claims.items.get(claim.item) if claim and claim.item else None
        hint = claims.points_label(spec.points) if spec and spec.fixed is None else ""
        return hit.rule, claims.label(claim) if claim else "", hit.text, hint
    value = policy.warnings.categories.get(hit.category)
    hint = warning_cases.points_text(value) if isinstance(value, list) else ""
    if hit.rule == rules.BUILTIN_REPORT:
        return rules.BUILTIN_REPORT, hit.report_reason or "未写理由", hit.text, hint
    title = f"{hit.rule}（{hit.excerpt}）" if hit.excerpt else hit.rule
    return KIND_CONTENT, title, hit.text, hint


# ---- 通知 ----


async def notices(policy: Policy) -> list[NoticeRow]:
    """最近的通知（新的在前）和各自确认了几人、要确认几人。"""
    found = await Notice.filter(org=policy.id).order_by("-id").limit(NOTICES_SHOWN).all()
    counts = await ack_counts([n.id for n in found])
    now = clock.now()
    rows = []
    for notice in found:
        total, on_time, late = counts[notice.id]
        rows.append(
            NoticeRow(
                id=notice.id,
                title=masked(notice.text.strip().split("\n", 1)[0], 40),
                created_at=local_time(notice.created_at, policy.tz),
                deadline=local_time(notice.deadline, policy.tz),
                state=_notice_state(notice, now),
                acked=on_time + late,
                audience=total,
            )
        )
    return rows


def _notice_state(notice: Notice, now: datetime) -> str:
    if notice.withdrawn_at is not None:
        return NOTICE_WITHDRAWN
    return NOTICE_CLOSED if notice.deadline <= now else NOTICE_OPEN
