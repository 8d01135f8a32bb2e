"""每日分享：什么算分享、算不算原创、记到哪一天、得 1 分。只收普通值，不碰 NoneBot 事件。

“原创”只能推断：合并转发、没有自己文字的链接卡片、与 90 天内组织里任何人的分享文字相同
（标点、空白、全半角都不算区别），或者与它引用的那条消息相同，都不算原创。
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from . import leave, ledger, members, months
from .content_filter import visible
from .dates import local_time, month_key
from .models import LedgerEntry, Member, Share
from .policy import Policy, parse_clock
from .roles import Role, check_not_own_case
from .rules import SHARE_DAILY, SHARE_FEATURED

COPY_WINDOW = timedelta(days=90)

FORWARD = "合并转发"
CARD = "链接或小程序卡片"
COPY = "与之前的分享重复"
QUOTE = "照搬引用的消息"


def comparable_text(text: str) -> str:
    """查重比对用的文字：去掉空白、标点、符号和看不见的字，全角转半角、英文转小写，只留下“说了什么”。"""
    folded = unicodedata.normalize("NFKC", visible(text)).lower()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PZSC")


def text_hash(text: str) -> str:
    normal = comparable_text(text)
    return hashlib.sha1(normal.encode("utf-8")).hexdigest() if normal else ""


@dataclass(frozen=True)
class Draft:
    """一条消息里与分享有关的部分（由适配器一侧从消息段整理出来）。"""

    own_text: str
    """文字段连起来（不含 @）"""
    has_forward: bool = False
    has_card: bool = False
    """json 段：链接分享、小程序"""
    quoted_text: str | None = None
    """它引用的那条消息的文字"""


# 显示不出来、Unicode 却算作字母的字（content_filter.visible 去掉的字里只有这几个韩文填充符是）
_BLANK_LETTERS = "\u115f\u1160\u3164\uffa0"


def own_chars(text: str) -> int:
    """算 `min_chars` 的字数：只数看得见的字母、汉字和数字（含全角），标点、空白、表情、
    显示不出来的字（韩文填充符也算“字母”）一个也不算。每条分享群消息都要数一次（插件的初筛也用它），
    所以不做规范化，逐字判断和数填充符都在 C 里做。"""
    return sum(map(str.isalnum, text)) - sum(map(text.count, _BLANK_LETTERS))


def is_candidate(draft: Draft, min_chars: int) -> bool:
    """值得记下的消息：够字数，或是转发、卡片（要记下“不算原创”）。其余是闲聊，什么也不做。"""
    return draft.has_forward or draft.has_card or own_chars(draft.own_text) >= min_chars


def not_original_reason(draft: Draft, min_chars: int, seen_before: bool) -> str | None:
    """不算原创的原因；是原创返回 None。`seen_before`：同样的文字 90 天内出现过。"""
    if draft.has_forward:
        return FORWARD
    if own_chars(draft.own_text) < min_chars:
        # 也挡住了规范化后什么也不剩（没有可查重的文字）的：min_chars 至少为 1，
        # 而数到的每个字规范化后都还在（测试逐个码位核对过）
        return CARD
    if seen_before:
        return COPY
    if draft.quoted_text is not None and text_hash(draft.quoted_text) == text_hash(draft.own_text):
        return QUOTE
    return None


@dataclass(frozen=True)
class Outcome:
    share: Share | None
    """None：同一事件已经处理过（重放）"""
    credited: date | None = None
    entry: LedgerEntry | None = None

    @property
    def reason(self) -> str:
        return self.share.reason if self.share else ""


async def share_day(policy: Policy, moment: datetime, user_id: int | None = None) -> date:
    """02:00 宽限：在 `moment` 发出的分享算哪一天。这条规则只写在这里，记分、/今日分享、提醒都问它。

    截止是当天 24:00。次日 [00:00, `share.grace_until`) 之间发的，前一天还“开着”就算前一天，
    否则算当天；`grace_until` 整点起一律算当天。前一天开着：（给了 `user_id` 时）此人前一天还没有
    分享分，而且前一天所在的月份还没开始月底结算——结算开始后补不回去，算发出的那一天，而不是哪天都不算。
    不给 `user_id` 时问的是全组织现在说的是哪一天（/今日分享 的全员统计、提醒）。
    `moment` 是带时区的时刻，按组织时区换算。只有每月 1 日的宽限时段才要多查一次月份。"""
    local = local_time(moment, policy.tz)
    today = local.date()
    yesterday = today - timedelta(days=1)
    if local.time() >= parse_clock(policy.share.grace_until):
        return today
    if user_id is not None and await has_share(policy.id, user_id, yesterday):
        return today
    if yesterday.month != today.month and await months.settling_begun(policy.id, yesterday):
        return today
    return yesterday


def share_deadline(policy: Policy, day: date) -> datetime:
    """这一天的分享最晚什么时候还能交（次日 `grace_until`，组织时区）：过了这一刻提醒就没有意义了。"""
    return datetime.combine(
        day + timedelta(days=1), parse_clock(policy.share.grace_until), policy.tz
    )


async def has_share(org: str, user_id: int, day: date) -> bool:
    """这一天是否已经有（未被撤销的）分享得分。"""
    awarded = await LedgerEntry.filter(
        org=org, user_id=user_id, rule=SHARE_DAILY, business_date=day
    ).values_list("id", flat=True)
    if not awarded:
        return False
    return len(await ledger.reversed_ids(org, list(awarded))) < len(awarded)


async def record(
    policy: Policy,
    *,
    group_id: int,
    user_id: int,
    message_id: int,
    event_key: str,
    sent_at: datetime,
    draft: Draft,
) -> Outcome:
    """记下一条分享群消息并在它是当天第一条原创分享时记 1 分。同一事件再来一次什么也不改：
    `event_key` 是消息的身份，几个机器人账号收到同一条消息时相同（`message_id` 则各不相同），
    所以经第二个账号到达的同一条分享不会被当成“与之前的分享重复”。

    两个人同一秒贴出同一段文字，只有先处理的那条算原创，哪怕两条由两个进程处理：
    查重和写入在一个事务里，先在数据库里排到这段文字的锁（见 `_seen_before`），不靠进程里的锁。
    """
    rules = policy.share
    # SQLite 把时刻存成 UTC 文本、按文本比较：查询参数也必须是 UTC，否则 +08:00 的时刻比错
    sent_at = sent_at.astimezone(UTC)
    digest = text_hash(draft.own_text)
    try:
        # 重放时的唯一键冲突让整个事务回滚（PostgreSQL 上出错的事务只能回滚），锁也随之放开
        async with in_transaction() as conn:
            seen = bool(digest) and await _seen_before(conn, policy.id, digest, sent_at)
            reason = not_original_reason(draft, rules.min_chars, seen)
            share = await Share.create(
                org=policy.id,
                group_id=group_id,
                user_id=user_id,
                message_id=message_id,
                event_key=event_key,
                sent_at=sent_at,
                text_hash=digest,
                chars=own_chars(draft.own_text),
                original=reason is None,
                reason=reason or "",
            )
    except IntegrityError:
        return Outcome(None)
    if reason is not None:
        return Outcome(share)
    return await _credit(policy, share, sent_at)


async def _seen_before(conn: BaseDBAsyncClient, org: str, digest: str, sent_at: datetime) -> bool:
    """90 天内（到这一刻为止）组织里有没有人发过同样的文字。在 `record` 的事务里调用：
    先排到这段文字的锁，再查。"""
    if conn.capabilities.dialect == "postgres":
        # 同样文字（组织 + 摘要）的分享在这把事务锁上排队，哪个进程的都一样：排到时先到的那条已经
        # 提交，下面的查询查得到它。提交或回滚时自动放开。（SQLite 只许一个进程，tortoise 在它唯一的
        # 连接上一次只跑一个事务，本来就一个接一个，不需要。）
        await conn.execute_query(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [f"share:{org}:{digest}"]
        )
    return await Share.filter(
        org=org,
        text_hash=digest,
        sent_at__gte=sent_at - COPY_WINDOW,
        # 同一秒里已经处理过的同样文字也算“之前的”：先处理的那条是原创
        sent_at__lte=sent_at,
    ).exists()


async def _credit(policy: Policy, share: Share, sent_at: datetime) -> Outcome:
    sent_on = local_time(sent_at, policy.tz).date()
    day = await share_day(policy, sent_at, share.user_id)
    entry = await _award_day(policy, share, day, sent_at)
    if entry is None and day != sent_on:
        # 宽限时段里此人几乎同时发的另一条分享刚记到了前一天：这一条再问一次，就算发出的那一天
        day = await share_day(policy, sent_at, share.user_id)
        entry = await _award_day(policy, share, day, sent_at)
    if entry is None:
        return Outcome(share)
    await Share.filter(id=share.id).update(share_day=day, entry_id=entry.id)
    share.share_day, share.entry_id = day, entry.id
    return Outcome(share, credited=day, entry=entry)


async def _award_day(
    policy: Policy, share: Share, day: date, sent_at: datetime
) -> LedgerEntry | None:
    # 这一天已有（未撤销的）分享分时，去重键相同，award 什么也不写：不必先查一次
    return await ledger.award(
        org=policy.id,
        user_id=share.user_id,
        rule=SHARE_DAILY,
        period=day.isoformat(),
        delta=policy.share.points,
        business_date=day,
        now=sent_at,
        reason="每日原创分享",
        ref=str(share.message_id),
    )


async def shared_on(org: str, day: date, user_ids: list[int]) -> set[int]:
    """这些人里哪天已有分享得分的（撤销过的不算）。"""
    return await _awarded_on(org, SHARE_DAILY, day, user_ids)


async def featured_on(org: str, day: date, user_ids: list[int]) -> set[int]:
    """这些人里哪天有分享被评为经典的（撤销过的不算）。"""
    return await _awarded_on(org, SHARE_FEATURED, day, user_ids)


async def _awarded_on(org: str, rule: str, day: date, user_ids: list[int]) -> set[int]:
    rows = await LedgerEntry.filter(
        org=org, rule=rule, business_date=day, user_id__in=user_ids
    ).values_list("id", "user_id")
    undone = await ledger.reversed_between(org, day, day)
    return {user for entry_id, user in rows if entry_id not in undone}


@dataclass(frozen=True)
class Credited:
    """一天里记了分享分的那条分享：编号、发出的时刻（组织时区）、是否宽限时段里发的。"""

    share_id: int
    sent_at: datetime
    grace: bool


async def credited_on(policy: Policy, day: date, user_ids: list[int]) -> dict[int, Credited]:
    """这些人这一天记了分享分（没被撤销）的分享，每人一条。/补分享 补记的没有分享消息，不在里面。"""
    # 按人查：走 (org, user_id, share_day) 索引，不去扫整个组织一年的分享。记分时 share_day 和
    # entry_id 一起写上，判为非原创时 share_day 清空：有 share_day 的就是记了分的那条
    found = await Share.filter(org=policy.id, user_id__in=user_ids, share_day=day).values_list(
        "id", "user_id", "sent_at", "entry_id"
    )
    undone = await ledger.reversed_between(policy.id, day, day)
    return {
        user: Credited(share_id, local_time(sent_at, policy.tz), in_grace(policy, day, sent_at))
        for share_id, user, sent_at, entry_id in found
        if entry_id not in undone
    }


async def month_days(org: str, user_id: int, first: date, last: date) -> list[date]:
    """这个月里有分享得分的日子（撤销过的不算），升序。"""
    rows = await LedgerEntry.filter(
        org=org,
        user_id=user_id,
        rule=SHARE_DAILY,
        business_date__gte=first,
        business_date__lte=last,
    ).values_list("id", "business_date")
    undone = await ledger.reversed_ids(org, [entry_id for entry_id, _ in rows])
    return sorted({day for entry_id, day in rows if entry_id not in undone})


REJECTED = "管理员判定非原创"


class ShareRefused(ledger.LedgerError):
    """对一条分享的操作被拒绝；子类说明原因，处理命令的一方按类翻成中文。"""


class NotOriginal(ShareRefused):
    """不算原创的分享不能评经典。"""


class AlreadyCredited(ShareRefused):
    """这条分享已评过经典，或那天已有分享分；`entry` 是目前有效的那条记录（知道时）。"""

    def __init__(self, entry: LedgerEntry | None = None):
        super().__init__()
        self.entry = entry


class MonthSettled(ShareRefused):
    """那个月已开始月底结算：不再补分享、不再判非原创。"""


async def find(
    policy: Policy,
    group_id: int,
    message_id: int,
    event_key: str | None = None,
    user_id: int | None = None,
) -> Share | None:
    """被回复的那条分享。知道它的身份时按身份找（经哪个机器人账号收到都一样）；
    否则按消息编号找，那只对记下它的那个账号有效：另一个账号上同一个编号可能是别人的另一条消息，
    所以知道被回复的人（`user_id`）时只找他的分享。"""
    if event_key is not None and (found := await Share.get_or_none(event_key=event_key)):
        return found
    by_number = Share.filter(org=policy.id, group_id=group_id, message_id=message_id)
    if user_id is not None:
        by_number = by_number.filter(user_id=user_id)
    return await by_number.order_by("-id").first()


def day_of(policy: Policy, share: Share) -> date:
    """分享算在哪一天：记了分的按记分那天，否则按发出的日子。"""
    return share.share_day or local_time(share.sent_at, policy.tz).date()


async def feature(
    policy: Policy,
    share: Share,
    *,
    actor_id: int,
    actor_role: Role,
    now: datetime,
    command_key: str,
) -> ledger.Written:
    """评为经典分享：作者加 featured_bonus，每条分享一次（撤销后可再评）。
    同一事件再来一次只返回那次的记录（created=False），哪怕这条分享后来被判了非原创。"""
    if (earlier := await ledger.replayed(command_key)) is not None:
        return earlier
    check_not_own_case(actor_id, actor_role, share.user_id, action=f"精选分享 {share.message_id}")
    if not share.original:
        raise NotOriginal()
    written = await ledger.award_by_command(
        command_key=command_key,
        org=policy.id,
        user_id=share.user_id,
        rule=SHARE_FEATURED,
        period=_featured_period(share),
        delta=policy.share.featured_bonus,
        business_date=day_of(policy, share),
        now=now,
        reason="经典分享",
        ref=str(share.message_id),
        actor_id=actor_id,
        actor_role=actor_role,
    )
    if written is None:
        earlier = await ledger.active_award(
            policy.id, SHARE_FEATURED, share.user_id, _featured_period(share)
        )
        raise AlreadyCredited(earlier)
    return written


class NotFeatured(ShareRefused):
    """这条分享现在没有经典分享奖可撤。"""


UNFEATURED = "取消精华"


async def unfeature(
    policy: Policy,
    share: Share,
    *,
    actor_id: int,
    actor_role: Role,
    now: datetime,
    command_key: str,
) -> ledger.Written:
    """在 QQ 里取消精华：撤销这条分享的经典分享奖。那个月已冻结时不撤（QQ 里点一下不够写明理由，
    主席要撤就用 /撤销）。同一事件再来一次只返回那次的撤销记录（created=False）。"""
    if (earlier := await ledger.replayed(command_key)) is not None:
        return earlier
    featured = await ledger.active_award(
        policy.id, SHARE_FEATURED, share.user_id, _featured_period(share)
    )
    if featured is None:
        raise NotFeatured()
    if await months.is_frozen(policy.id, featured.business_date):
        raise ledger.MonthFrozen(featured.id, month_key(featured.business_date))
    return await ledger.reverse(
        org=policy.id,
        entry_id=featured.id,
        now=now,
        actor_id=actor_id,
        actor_role=actor_role,
        reason=UNFEATURED,
        command_key=command_key,
    )


def reaction(policy: Policy, share: Share) -> int:
    """记了分的分享上机器人点哪个表情（0：不点）：凌晨宽限时段里记到前一天的用 `grace_emoji`，
    其余用 `ack_emoji`；`grace_emoji` 为 0 时同 `ack_emoji`。没记分的分享不点。"""
    settings = policy.share
    if share.share_day is None or share.entry_id is None:
        return 0
    late = in_grace(policy, share.share_day, share.sent_at)
    return (settings.grace_emoji if late else 0) or settings.ack_emoji


def in_grace(policy: Policy, share_day: date, sent_at: datetime) -> bool:
    """记到 `share_day` 的分享是凌晨宽限时段里发的：记到了发出的前一天。"""
    return share_day != local_time(sent_at, policy.tz).date()


def _featured_period(share: Share) -> str:
    return f"share{share.id}"


@dataclass(frozen=True)
class Rejected:
    daily: LedgerEntry | None
    """撤销当天分享分的记录；没有这一分时为 None"""
    featured: LedgerEntry | None
    """撤销经典分享奖的记录；没评过经典时为 None"""
    created: bool = True
    """False：同一事件已经处理过（重放）"""


async def reject(
    policy: Policy,
    share: Share,
    *,
    actor_id: int,
    actor_role: Role,
    now: datetime,
    command_key: str,
) -> Rejected:
    """判为非原创：撤销它当天的分享分和经典分享奖（写明是哪位管理员），此人当天可以重新分享得分。
    全在一个事务里：哪一条撤销不了（例如经典奖是主席评的），就一条也不撤。"""
    if await ledger.replayed(command_key) is not None:
        return Rejected(None, None, created=False)
    check_not_own_case(actor_id, actor_role, share.user_id, action=f"判非原创 {share.message_id}")
    if await months.settling_begun(policy.id, day_of(policy, share)):
        raise MonthSettled()
    daily = share.entry_id
    if daily is not None and await ledger.reversed_ids(policy.id, [daily]):
        daily = None
    featured = await ledger.active_award(
        policy.id, SHARE_FEATURED, share.user_id, _featured_period(share)
    )
    if daily is None and featured is None and share.entry_id is not None:
        raise ledger.AlreadyReversed(share.entry_id, await LedgerEntry.get(reverses=share.entry_id))
    reverse = functools.partial(
        ledger.reverse,
        org=policy.id,
        now=now,
        actor_id=actor_id,
        actor_role=actor_role,
        reason=REJECTED,
    )
    async with in_transaction():
        await Share.filter(id=share.id).update(original=False, reason=REJECTED, share_day=None)
        undo_daily = None
        if daily is not None:
            undo_daily = await reverse(entry_id=daily, command_key=command_key)
        undo_featured = None
        if featured is not None:
            # 一个事件写两条撤销：第二条的键加后缀；认重放看第一条的键就够了
            key = f"{command_key}:featured" if undo_daily else command_key
            undo_featured = await reverse(entry_id=featured.id, command_key=key)
    done = [w for w in (undo_daily, undo_featured) if w is not None]
    return Rejected(
        daily=undo_daily.entry if undo_daily else None,
        featured=undo_featured.entry if undo_featured else None,
        created=all(w.created for w in done),
    )


async def backfill(
    policy: Policy,
    *,
    user_id: int,
    day: date,
    actor_id: int,
    actor_role: Role,
    reason: str,
    now: datetime,
    command_key: str,
) -> ledger.Written:
    """补记某天的分享（制度里的“特殊情况”）；那天已有分享、或那个月已结算则拒绝。
    同一事件再来一次只返回那次的记录（created=False），哪怕那条补记后来被撤销了。"""
    if (earlier := await ledger.replayed(command_key)) is not None:
        return earlier
    check_not_own_case(actor_id, actor_role, user_id, action=f"补分享 {day.isoformat()}")
    if await months.settling_begun(policy.id, day):
        raise MonthSettled()
    written = await ledger.award_by_command(
        command_key=command_key,
        org=policy.id,
        user_id=user_id,
        rule=SHARE_DAILY,
        period=day.isoformat(),
        delta=policy.share.points,
        business_date=day,
        now=now,
        reason=f"补分享：{reason}",
        actor_id=actor_id,
        actor_role=actor_role,
    )
    if written is None:
        # 那天已有（未撤销的）分享分：去重键与当天的分享相同
        raise AlreadyCredited()
    return written


# ---- 一天的分享情况：/今日分享、提醒和网页后台的“今日”都问这里 ----


@dataclass(frozen=True)
class DayStatus:
    """一天的分享情况：参与统计的人里谁交了、谁请假（或节假日）、谁还没交。"""

    done: set[int]
    excused: leave.Excused
    off: list[int]
    """请假而且没交的人（节假日时是全部没交的人）"""
    missing: list[int]
    """该交没交的人"""
    reachable: dict[int, list[int]]
    """每个分享群里该交没交的人：提醒在那个群里 @ 他们"""
    unreachable: list[int]
    """该交没交、却不在哪个分享群里的人（只在公司群里）：提醒 @ 不到"""

    @property
    def people(self) -> set[int]:
        return self.done | set(self.off) | set(self.missing)


async def day_status(
    policy: Policy,
    day: date,
    *,
    exclude: Iterable[int] = (),
    group_id: int | None = None,
    excused: leave.Excused | None = None,
) -> DayStatus:
    """这一天参与统计的人（`members.counted`，`exclude` 是本进程连着的机器人；给了群号就只看
    这个群里的）的分享情况。请假一条查询，不论多少人；几个分享群挨个看时传入查好的 `excused`，
    一天只查一次。"""
    people = await members.counted(policy, month_key(day), exclude)
    if group_id is not None:
        in_group = await Member.filter(org=policy.id, group_id=group_id, left_at=None).values_list(
            "user_id", flat=True
        )
        people &= set(in_group)
    done = await shared_on(policy.id, day, list(people))
    if excused is None:
        excused = await leave.excused_on(policy, day)
    rest = people - done
    off = sorted(user for user in rest if user in excused)
    missing = sorted(rest - set(off))
    in_share_groups = set(
        await Member.filter(
            org=policy.id, group_id__in=policy.groups.share, left_at=None, user_id__in=missing
        ).values_list("group_id", "user_id")
    )
    reachable = {
        share_group: [user for user in missing if (share_group, user) in in_share_groups]
        for share_group in policy.groups.share
    }
    reached = {user for _, user in in_share_groups}
    unreachable = [user for user in missing if user not in reached]
    return DayStatus(done, excused, off, missing, reachable, unreachable)
