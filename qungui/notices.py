"""要大家确认的通知（制度第 11、12 条）：谁要确认、谁确认了、截止时提醒沉默的人、告诉发通知的人。

通知、要确认的人和确认都在数据库里：重启、几个进程共用一个库都不丢。判断一条群消息是不是确认，
只看内存里这个群的未截止通知（`Board`）：普通聊天不查库（docs/design.md 不变量 9）。内存里的表在启动时和
每次时钟走动时从库里重读（另一个进程发的通知、确认也就看得到），本进程发通知、收到确认时当场更新。

截止时的提醒、处罚、报告由一次时钟走动认领（`claim_deadline`，条件更新只有一个进程成功），只做一次；
处罚用账本的去重键 `notice.silent:组织:成员:notice<编号>:n`，重做也只记一次。
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from . import ledger, members, rules
from .models import LedgerEntry, Member, Notice, NoticeTarget
from .policy import Policy
from .roles import Role, check_not_own_case

QUOTE, WORD, EMOJI = "quote", "word", "emoji"
LATE_WINDOW = timedelta(days=1)
"""截止之后这么久之内的确认照样记下（标为迟到）；再往后这条通知不再看"""
MESSAGES_KEPT = 20
TITLE = re.compile(r"^【通知 (\d+)】")


def title(notice_id: int) -> str:
    return f"【通知 {notice_id}】"


def quoted_id(text: str) -> int | None:
    """被引用的那条机器人消息是哪条通知（看开头的“【通知 N】”）：几个机器人账号上编号不同，文字相同。"""
    found = TITLE.match(text)
    return int(found.group(1)) if found else None


@lru_cache(maxsize=64)
def _normalized(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(unicodedata.normalize("NFKC", w).strip().casefold() for w in words)


def is_ack(text: str, words: Iterable[str]) -> bool:
    """这句话是不是确认：NFKC、不分大小写之后，整条是、或以某个确认用语开头（“收到，马上办”“Ok”）。"""
    said = unicodedata.normalize("NFKC", text).strip().casefold()
    return bool(said) and said.startswith(_normalized(tuple(words)))


class NoticeRefused(Exception):
    """对一条通知的操作被拒绝；子类说明原因，处理命令的一方按类翻成中文。"""


class NoticeMissing(NoticeRefused):
    """没有这条通知，或它属于别的组织。"""


class NoticeClosed(NoticeRefused):
    """这条通知已经关了；`notice` 是关了的那条。"""

    def __init__(self, notice: Notice):
        super().__init__(notice.id)
        self.notice = notice


class NoticeWithdrawn(NoticeClosed):
    """已经撤回了。"""


class NoticePast(NoticeClosed):
    """已过截止时间（提醒已发出或正在发）。"""


@dataclass
class OpenNotice:
    """内存里的一条还能确认的通知（截止后 `LATE_WINDOW` 之内）。"""

    id: int
    group_id: int
    deadline: datetime
    messages: frozenset[tuple[int, int]]
    """(机器人账号, 消息编号)：编号只对发出它的账号有效"""
    pending: set[int] = field(default_factory=set)
    """还没确认的人"""


class Board:
    """每个群的未截止通知，供每条群消息做内存里的判断。"""

    def __init__(self) -> None:
        self.by_group: dict[int, dict[int, OpenNotice]] = {}

    def clear(self) -> None:
        self.by_group.clear()

    def replace(self, notices: Iterable[OpenNotice]) -> None:
        by_group: dict[int, dict[int, OpenNotice]] = {}
        for notice in notices:
            by_group.setdefault(notice.group_id, {})[notice.id] = notice
        self.by_group = by_group

    def add(self, notice: OpenNotice) -> None:
        self.by_group.setdefault(notice.group_id, {})[notice.id] = notice

    def drop(self, group_id: int, notice_id: int) -> None:
        group = self.by_group.get(group_id)
        if group is not None:
            group.pop(notice_id, None)
            if not group:
                del self.by_group[group_id]

    def pending(self, group_id: int, user_id: int) -> list[OpenNotice]:
        """这个群里此人还没确认的通知（旧的在前）；没有通知的群只查一次字典。"""
        group = self.by_group.get(group_id)
        if not group:
            return []
        return [n for n in group.values() if user_id in n.pending]

    def find(self, group_id: int, bot_id: int, message_id: int) -> OpenNotice | None:
        for notice in self.by_group.get(group_id, {}).values():
            if (bot_id, message_id) in notice.messages:
                return notice
        return None

    def acked(self, group_id: int, notice_id: int, user_id: int) -> None:
        notice = self.by_group.get(group_id, {}).get(notice_id)
        if notice is not None:
            notice.pending.discard(user_id)


board = Board()


def _messages(notice: Notice) -> frozenset[tuple[int, int]]:
    if notice.bot_id is None or not notice.message_ids:
        return frozenset()
    return frozenset((notice.bot_id, int(m)) for m in notice.message_ids.split(","))


async def refresh(now: datetime) -> None:
    """从库里重读还能确认的通知和还没确认的人（启动时、每次时钟走动）。"""
    # SQLite 按文本比较存成 UTC 的时刻：参数也换成 UTC
    since = (now - LATE_WINDOW).astimezone(UTC)
    notices = await Notice.filter(withdrawn_at=None, deadline__gt=since).all()
    if not notices:
        board.clear()
        return
    pending: dict[int, set[int]] = {n.id: set() for n in notices}
    rows = await NoticeTarget.filter(notice_id__in=list(pending), acked_at=None).values_list(
        "notice_id", "user_id"
    )
    for notice_id, user_id in rows:
        pending[notice_id].add(user_id)
    board.replace(
        OpenNotice(n.id, n.group_id, n.deadline, _messages(n), pending[n.id]) for n in notices
    )


async def audience(
    policy: Policy,
    group_id: int,
    sender_id: int,
    named: list[int],
    exclude: Iterable[int],
    month: str,
) -> list[int]:
    """要确认的人：点了名的就是那些人；否则这个群里现在参与统计的人（不含机器人、名片豁免的人）。
    发通知的人自己不用确认。"""
    skip = members.not_counted(policy, exclude) | {sender_id}
    if named:
        return [user for user in dict.fromkeys(named) if user not in skip]
    in_group = await Member.filter(org=policy.id, group_id=group_id, left_at=None).values_list(
        "user_id", flat=True
    )
    counted = await members.counted(policy, month, exclude)
    skip |= set(policy.nickname.exempt)
    return sorted(user for user in set(in_group) & counted if user not in skip)


@dataclass(frozen=True)
class Created:
    notice: Notice
    created: bool
    """False：同一条命令的重放，通知早已发过"""


async def create(
    policy: Policy,
    *,
    group_id: int,
    sender_id: int,
    text: str,
    targets: list[int],
    named: bool,
    now: datetime,
    event_key: str,
) -> Created:
    """记下一条通知和要确认的人；同一条命令再来一次只返回那条通知。"""
    existing = await Notice.get_or_none(event_key=event_key)
    if existing is not None:
        return Created(existing, created=False)
    deadline = now + timedelta(minutes=policy.notices.ack_minutes)
    try:
        async with in_transaction():
            notice = await Notice.create(
                org=policy.id,
                group_id=group_id,
                sender_id=sender_id,
                text=text,
                named=named,
                created_at=now,
                deadline=deadline,
                event_key=event_key,
            )
            await NoticeTarget.bulk_create(
                [NoticeTarget(notice_id=notice.id, user_id=user) for user in targets]
            )
    except IntegrityError:
        # 几个机器人账号同时收到同一条命令：另一个已经记下了
        return Created(await Notice.get(event_key=event_key), created=False)
    board.add(OpenNotice(notice.id, group_id, deadline, frozenset(), set(targets)))
    return Created(notice, created=True)


async def posted(notice: Notice, bot_id: int, message_ids: list[int]) -> None:
    """通知发出去了：记下是哪个账号发的、各条消息的编号（引用、表情回应按它认）。"""
    # 点名很多人时通知分成好几条（每条 10 个 @）：列太长放不下，只记前 20 条（带标题的第一条总在里面）
    notice.bot_id, notice.message_ids = bot_id, ",".join(map(str, message_ids[:MESSAGES_KEPT]))
    await Notice.filter(id=notice.id).update(bot_id=bot_id, message_ids=notice.message_ids)
    opened = board.by_group.get(notice.group_id, {}).get(notice.id)
    if opened is not None:
        opened.messages = _messages(notice)


async def unsent(notice: Notice, now: datetime) -> None:
    """通知没发出去：关掉它，不提醒、不处罚。"""
    await Notice.filter(id=notice.id).update(withdrawn_at=now, withdrawn_by=None)
    board.drop(notice.group_id, notice.id)


async def acknowledge(notice_id: int, group_id: int, user_id: int, how: str, at: datetime) -> bool:
    """此人确认了这条通知；确认过、不是要确认的人、通知已撤回时什么也不改，返回 False。
    截止之后（或截止时的提醒已经发出之后）的确认标为迟到。"""
    notice = await Notice.get_or_none(id=notice_id, withdrawn_at=None)
    if notice is None:
        board.drop(group_id, notice_id)
        return False
    late = at > notice.deadline or notice.reminded_at is not None
    changed = await NoticeTarget.filter(notice_id=notice_id, user_id=user_id, acked_at=None).update(
        acked_at=at, how=how, late=late
    )
    board.acked(group_id, notice_id, user_id)
    return bool(changed)


async def get(policy: Policy, notice_id: int) -> Notice:
    notice = await Notice.get_or_none(id=notice_id, org=policy.id)
    if notice is None:
        raise NoticeMissing()
    return notice


async def latest(policy: Policy, group_id: int | None, sender_id: int | None) -> Notice | None:
    """最近的一条通知（给了群就只看这个群；给了发送人就只看他发的）。"""
    query = Notice.filter(org=policy.id)
    if group_id is not None:
        query = query.filter(group_id=group_id)
    if sender_id is not None:
        query = query.filter(sender_id=sender_id)
    return await query.order_by("-id").first()


async def withdraw(
    policy: Policy, notice_id: int, *, actor_id: int, actor_role: Role, now: datetime
) -> Notice:
    """在截止前关掉一条通知：不提醒、不处罚。发通知的人或管理员可以；要确认这条通知的人不能替自己撤。"""
    notice = await get(policy, notice_id)
    if notice.withdrawn_at is not None:
        raise NoticeWithdrawn(notice)
    if notice.sender_id != actor_id:
        targets = await NoticeTarget.filter(notice_id=notice_id).values_list("user_id", flat=True)
        check_not_own_case(actor_id, actor_role, *targets, action=f"撤回通知 {notice_id}")
    # 只能在截止之前撤：到了截止时刻，走动先记处罚、再认领提醒，两步之间撤回会把处罚留在撤回的通知上
    closed = await Notice.filter(
        id=notice_id, withdrawn_at=None, reminded_at=None, deadline__gt=now.astimezone(UTC)
    ).update(withdrawn_at=now, withdrawn_by=actor_id)
    if not closed:
        # 已截止（提醒已认领或马上认领），或另一条命令刚撤回：重新读出是哪一种
        notice = await Notice.get(id=notice_id)
        raise (NoticeWithdrawn if notice.withdrawn_at else NoticePast)(notice)
    board.drop(notice.group_id, notice_id)
    notice.withdrawn_at, notice.withdrawn_by = now, actor_id
    return notice


@dataclass(frozen=True)
class Status:
    notice: Notice
    on_time: list[int]
    late: list[int]
    silent: list[int]

    @property
    def total(self) -> int:
        return len(self.on_time) + len(self.late) + len(self.silent)


async def status(notice: Notice) -> Status:
    rows = (
        await NoticeTarget.filter(notice_id=notice.id)
        .order_by("user_id")
        .values_list("user_id", "acked_at", "late")
    )
    on_time = [user for user, at, late in rows if at is not None and not late]
    late = [user for user, at, late in rows if at is not None and late]
    silent = [user for user, at, _ in rows if at is None]
    return Status(notice, on_time, late, silent)


async def due(now: datetime) -> list[Notice]:
    """到了截止时刻、还没有哪次走动认领过提醒的通知。"""
    return await Notice.filter(
        withdrawn_at=None, reminded_at=None, deadline__lte=now.astimezone(UTC)
    ).order_by("id")


async def penalise(policy: Policy, notice: Notice, now: datetime) -> list[LedgerEntry]:
    """截止时还没确认的人各记一条 `notice.silent`（每条通知每人一次；制度 penalty 为 0 时不记）。

    在认领提醒之前做：认领之后进程停了，重启时这一步重做也不会多记（账本去重）。"""
    section = policy.notices
    if section is None or section.penalty <= 0:
        return []
    silent = await NoticeTarget.filter(notice_id=notice.id, acked_at=None).values_list(
        "user_id", flat=True
    )
    day = notice.deadline.astimezone(policy.tz).date()
    written = []
    for user in sorted(silent):
        entry = await ledger.award(
            org=policy.id,
            user_id=user,
            rule=rules.NOTICE_SILENT,
            period=f"notice{notice.id}",
            delta=-section.penalty,
            business_date=day,
            now=now,
            reason=f"没有在截止前确认通知 {notice.id}",
            ref=f"notice:{notice.id}",
        )
        if entry is not None:
            written.append(entry)
    return written


async def claim_deadline(notice: Notice, now: datetime) -> bool:
    """认领这条通知截止时的提醒和报告：几个进程里只有一个拿到（条件更新），只做一次。"""
    claimed = await Notice.filter(id=notice.id, reminded_at=None, withdrawn_at=None).update(
        reminded_at=now
    )
    if claimed:
        notice.reminded_at = now
    return bool(claimed)


@dataclass(frozen=True)
class MonthRate:
    notice: Notice
    total: int
    on_time: int
    late: int


async def month_rates(policy: Policy, first: date, last: date) -> list[MonthRate]:
    """这个月发出的通知（撤回的除外）和各自确认的人数，供月度导出。"""
    start = datetime.combine(first, time.min, policy.tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, policy.tz).astimezone(UTC)
    notices = await Notice.filter(
        org=policy.id, withdrawn_at=None, created_at__gte=start, created_at__lt=end
    ).order_by("id")
    counts = await ack_counts([n.id for n in notices])
    return [MonthRate(n, *counts[n.id]) for n in notices]


async def ack_counts(notice_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """每条通知要确认的人数、按时确认的人数、迟到确认的人数。在库里数：一条通知几千人，不必逐行取出。"""
    rows = (
        await NoticeTarget.filter(notice_id__in=notice_ids)
        .group_by("notice_id")
        .annotate(
            total=Count("id"),
            acked=Count("acked_at"),
            late_acks=Count("id", _filter=Q(late=True, acked_at__not_isnull=True)),
        )
        .values_list("notice_id", "total", "acked", "late_acks")
    )
    counts = {notice_id: (0, 0, 0) for notice_id in notice_ids}
    for notice_id, total, acked, late in rows:
        counts[notice_id] = (total, acked - late, late)
    return counts
