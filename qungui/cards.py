"""群名片这条规则的家：名片怎么拆（`parse_card`，唯一的解析）、合不合格（`card_ok`）、
宽限到何时（`deadline`，唯一算期限的地方）、逾期每天扣多少（`status` 与 `_fine_overdue`），
以及每天检查一个群（`sweep_group`）。只收普通值，不碰 NoneBot 事件。"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Literal

from . import ledger, members, rules
from .db import insert_once
from .models import CardEnforcement, Member
from .outgoing import mask_digits
from .policy import Policy
from .roster import Roster

PENALTY_REASON = "宽限期后仍未改为规范格式"

Status = Literal["ok", "grace", "overdue"]


def halfwidth_trimmed(card: str) -> str:
    """全角转半角（NFKC：－ → -，１３８ → 138）并去掉首尾空白：名片和规则比对、读回核对前都先这样。"""
    return unicodedata.normalize("NFKC", card).strip()


@dataclass(frozen=True)
class CardParts:
    name: str
    phone: str | None
    """规则里没有 phone 分组时为 None"""


def parse_card(policy: Policy, card: str) -> CardParts | None:
    """按制度的名片格式拆出姓名和电话（先 `halfwidth_trimmed`）；不合格式返回 None。

    唯一的名片解析：检查名片、显示名字、对名单、隐私规则认“自己的号码”都用它，全角写法处处一样对待。"""
    match = re.fullmatch(policy.nickname.pattern, halfwidth_trimmed(card)) if card else None
    if match is None:
        return None
    phone = match.group("phone") if "phone" in match.re.groupindex else None
    return CardParts(match.group("name") or "", phone)


def conforming(
    policy: Policy, card: str, roster: Roster | None = None, user_id: int | None = None
) -> CardParts | None:
    """合格名片拆出的姓名和电话；不合格时为 None。合格：合乎格式，有人事名单时还得对上名单里的
    一行（`Roster.match`：写了 QQ 的那一行只能是 `user_id` 本人的）。"""
    parts = parse_card(policy, card)
    if parts is None or roster is None or not roster.rows:
        return parts
    return parts if roster.match(parts, user_id) is not None else None


def card_ok(
    policy: Policy, card: str, roster: Roster | None = None, user_id: int | None = None
) -> bool:
    """名片合格吗（见 `conforming`）。"""
    return conforming(policy, card, roster, user_id) is not None


def display_name(policy: Policy, card: str, nickname: str) -> str:
    """群里显示的名字：规范名片的姓名部分，否则 QQ 昵称；都没有时为空。

    不规范的名片从不拿来当名字：它可能就是个电话（“13712345678”“王五-137…”）。昵称是成员自己随便写的，
    里面的电话也遮住：名字不只进群消息（发送时会打码），也直接写在网页后台上。"""
    parts = parse_card(policy, card)
    return parts.name if parts and parts.name else mask_digits(nickname.strip())


def build_card(policy: Policy, name: str, phone: str) -> str | None:
    """按制度示例的样子拼出名片（示例里姓名、电话的位置换成给定的）；拼出来不合规则返回 None。"""
    card = _filled_example(policy, name, phone)
    return card if card is not None and card_ok(policy, card) else None


def card_format(policy: Policy) -> str:
    """用文字讲名片的格式（“鸡公山酒业-你的姓名-你的11位手机号”）：群里的示例号码会被打码，
    照着抄就抄进了星号，所以告诉大家怎么写，不给一个号码去抄。"""
    return _filled_example(policy, "你的姓名", "你的11位手机号") or policy.nickname.example


def _filled_example(policy: Policy, name: str, phone: str) -> str | None:
    example = policy.nickname.example
    match = re.fullmatch(policy.nickname.pattern, example)
    if match is None:
        return None
    spans = sorted(
        (match.span(group), value)
        for group, value in (("name", name), ("phone", phone))
        if group in match.re.groupindex and match.group(group) is not None
    )
    card, cursor = "", 0
    for (start, end), value in spans:
        card += example[cursor:start] + value
        cursor = end
    return card + example[cursor:]


# 宽限与每天扣分：期限只在 `deadline` 里算，是否逾期只在 `status` 里判，扣分只在 `_fine_overdue` 里记。


def deadline(policy: Policy, start: datetime, joined_at: datetime | None = None) -> datetime:
    """名片的最后期限：从开始执行（`start`）和入群中较晚的那个时刻起 grace_days × 24 小时。

    精确到分钟，和群里公布的（“11月30日 10:00”）一样：检查在 10:00 之后几百毫秒还是几秒才跑到，
    都落在公布的那一天。入群提醒、第一次检查的公告和每天的检查都用它。"""
    start = max(start, joined_at) if joined_at is not None else start
    due = start + timedelta(days=policy.nickname.grace_days)
    return due.replace(second=0, microsecond=0)


def status(
    policy: Policy, ok: bool, at: datetime, start: datetime, joined_at: datetime | None = None
) -> Status:
    """`at` 时刻的名片：规范、宽限中，或逾期（到了 `deadline` 仍不规范）。"""
    if ok:
        return "ok"
    return "overdue" if at >= deadline(policy, start, joined_at) else "grace"


async def _fine_overdue(policy: Policy, user_id: int, at: datetime) -> None:
    """逾期的人扣 daily_penalty 分：每人每个营业日（组织时区的日期）最多一次，靠账本去重键。"""
    if policy.nickname.daily_penalty == 0:
        return
    day = at.astimezone(policy.tz).date()
    await ledger.award(
        org=policy.id,
        user_id=user_id,
        rule=rules.CARD_PENALTY,
        period=day.isoformat(),
        delta=-policy.nickname.daily_penalty,
        business_date=day,
        now=at,
        reason=PENALTY_REASON,
    )


@dataclass(frozen=True)
class Listed:
    """群成员列表里的一个人（`get_group_member_list` 的一项）。"""

    user_id: int
    card: str
    nickname: str
    role: str
    join_time: int


@dataclass
class SweepResult:
    group_id: int
    compliant: int = 0
    in_grace: list[int] = field(default_factory=list)
    overdue: list[int] = field(default_factory=list)
    """今天被扣分（或今天早些时候已扣过）的人"""
    unverified: list[int] = field(default_factory=list)
    """复查名片失败、今天没有处理的人"""
    duplicates: list[int] = field(default_factory=list)
    """名片用了别人也在用的电话、待管理员核实的人"""
    first_sweep: bool = False
    enforce_start: datetime | None = None
    bites_at: datetime | None = None
    """早已在群里的人从何时起逾期（`deadline`）：第一次检查时在群里公布"""


async def _enforced_since(policy: Policy, group_id: int) -> datetime | None:
    """该群从何时起算宽限：制度里的 enforce_from，否则第一次检查该群的时刻；还没检查过时为 None。"""
    if policy.nickname.enforce_from is not None:
        return datetime.combine(policy.nickname.enforce_from, time.min, policy.tz)
    row = await CardEnforcement.get_or_none(org=policy.id, group_id=group_id)
    return row.since if row else None


async def enforce_start(policy: Policy, group_id: int, at: datetime) -> tuple[datetime, bool]:
    """该群的宽限起点（见 `_enforced_since`），没有时从 `at` 起；返回 (起点, 是否第一次检查)。"""
    first = await insert_once(CardEnforcement, org=policy.id, group_id=group_id, since=at)
    return await _enforced_since(policy, group_id) or at, first


async def grace_deadline(policy: Policy, group_id: int, joined_at: datetime) -> datetime:
    """刚入群的人名片的最后期限（入群时告诉他）。群还没检查过时按入群时刻算。"""
    start = await _enforced_since(policy, group_id)
    return deadline(policy, start or joined_at, joined_at)


async def member_deadline(policy: Policy, member: Member) -> datetime | None:
    """此人在这个群里名片的最后期限（与每天的检查同样算：起点是开始执行和入群中较晚的）；
    群还没检查过、也不知道他何时入群时为 None。"""
    start = await _enforced_since(policy, member.group_id) or member.joined_at
    if start is None:
        return None
    return deadline(policy, start, member.joined_at)


def _from_unix(seconds: int) -> datetime | None:
    return datetime.fromtimestamp(seconds, UTC) if seconds > 0 else None


async def joined(policy: Policy, group_id: int, user_id: int, at: datetime) -> None:
    """入群（或重新入群）：宽限从此刻重新算起。"""
    await members.upsert(policy.id, group_id, user_id, at, joined_at=at, left_at=None, last_seen=at)
    members.touched(policy.id)


async def left(policy: Policy, group_id: int, user_id: int, at: datetime) -> None:
    """退群：留着记录，不再检查、不再扣分。"""
    await Member.filter(org=policy.id, group_id=group_id, user_id=user_id).update(left_at=at)
    members.gone(policy.id, group_id, [user_id])


async def card_seen(
    policy: Policy,
    group_id: int,
    user_id: int,
    card: str,
    at: datetime,
    roster: Roster | None = None,
) -> Literal["fixed", "broke"] | None:
    """看到一张名片（通知或复查）：记下；返回它是刚变规范、刚变不规范，还是没变。"""
    ok = card_ok(policy, card, roster, user_id)
    member = await Member.get_or_none(org=policy.id, group_id=group_id, user_id=user_id)
    was_ok = bool(member and member.card_ok)
    await members.upsert(policy.id, group_id, user_id, at, card=card, **_card_state(member, ok, at))
    if ok and not was_ok:
        return "fixed"
    if was_ok and not ok:
        return "broke"
    return None


def _card_state(member: Member | None, ok: bool, at: datetime) -> dict:
    """名片是否合格；合格与否变了（或第一次判断）时记下变化的时刻。"""
    state: dict = {"card_ok": ok}
    if member is None or member.card_ok is None or bool(member.card_ok) != ok:
        state["card_changed_at"] = at
    return state


async def sweep_group(
    policy: Policy,
    group_id: int,
    listed: list[Listed],
    at: datetime,
    reread: Callable[[int], Awaitable[str | None]],
    roster: Roster | None = None,
) -> SweepResult:
    """检查一个工作群的全部成员；逾期的人先复查名片，仍不规范才扣分，每人每个营业日最多一次。

    `reread(user_id)` 用 `get_group_member_info(no_cache=True)` 重新读名片，读不到返回 None：
    数据不全时不扣分。有名单时，两个人的名片用了同一个电话，两人都记为“待核实”，不算规范也不扣分。
    """
    start, first = await enforce_start(policy, group_id, at)
    result = SweepResult(
        group_id, first_sweep=first, enforce_start=start, bites_at=deadline(policy, start)
    )
    exempt = set(policy.nickname.exempt)
    # 连已退群的人也读出来：重新进群的人要把“已退群”改回来，而不是当成新人
    known = {m.user_id: m for m in await Member.filter(org=policy.id, group_id=group_id)}
    shared = _shared_phones(policy, listed, roster) if roster and roster.rows else set()
    fresh: list[Member] = []
    checked: list[tuple[int, datetime, bool]] = []
    for person in listed:
        if person.user_id in exempt:
            continue
        if person.user_id in shared:
            result.duplicates.append(person.user_id)
            continue
        member = known.get(person.user_id)
        joined_at = max(
            filter(None, [_from_unix(person.join_time), member.joined_at if member else None]),
            default=start,
        )
        ok = card_ok(policy, person.card, roster, person.user_id)
        if member is None:
            fresh.append(_new_member(policy, group_id, person, joined_at, ok, at))
        elif _changed(member, person, joined_at, ok):
            await _record_listed(policy, group_id, person, member, joined_at, ok, at)
            if member.left_at is not None:
                members.touched(policy.id)
        checked.append((person.user_id, joined_at, ok))
    if fresh:
        # 第一次见到的人先整行写下（入群时间、身份、昵称），逾期复查名片时改的是这一行；
        # 另一个进程恰好也在写同一个人时，以先写的为准
        await Member.bulk_create(fresh, ignore_conflicts=True)
        members.touched(policy.id)
    for user_id, joined_at, ok in checked:
        verdict = status(policy, ok, at, start, joined_at)
        if verdict == "overdue":
            verdict = await _confirm_overdue(policy, group_id, user_id, reread, at, result, roster)
        if verdict == "ok":
            result.compliant += 1
        elif verdict == "grace":
            result.in_grace.append(user_id)
        elif verdict == "overdue":
            await _fine_overdue(policy, user_id, at)
            result.overdue.append(user_id)
    present = {user for user, m in known.items() if m.left_at is None}
    gone = present - {p.user_id for p in listed}
    if gone:
        # 列表是完整的：不在列表里的人已经不在群里了（退群通知可能丢了）
        await Member.filter(org=policy.id, group_id=group_id, user_id__in=list(gone)).update(
            left_at=at
        )
        members.gone(policy.id, group_id, gone)
    return result


def _changed(member: Member, person: Listed, joined_at: datetime, ok: bool) -> bool:
    """和库里记的有没有不同：每天检查几千人，没变的人一行也不写（3,000 人的群，写一遍要几秒）。"""
    return (
        member.left_at is not None
        or member.card != person.card
        or member.nickname != person.nickname
        or member.role != person.role
        or member.joined_at != joined_at
        or member.card_ok is None
        or bool(member.card_ok) != ok
    )


def _new_member(
    policy: Policy, group_id: int, person: Listed, joined_at: datetime, ok: bool, at: datetime
) -> Member:
    return Member(
        org=policy.id,
        group_id=group_id,
        user_id=person.user_id,
        card=person.card,
        nickname=person.nickname,
        role=person.role,
        first_seen=at,
        last_seen=at,
        joined_at=joined_at,
        **_card_state(None, ok, at),
    )


async def _record_listed(
    policy: Policy,
    group_id: int,
    person: Listed,
    member: Member | None,
    joined_at: datetime,
    ok: bool,
    at: datetime,
) -> None:
    await members.upsert(
        policy.id,
        group_id,
        person.user_id,
        at,
        card=person.card,
        nickname=person.nickname,
        role=person.role,
        joined_at=joined_at,
        left_at=None,
        **_card_state(member, ok, at),
    )


async def _confirm_overdue(
    policy: Policy,
    group_id: int,
    user_id: int,
    reread: Callable[[int], Awaitable[str | None]],
    at: datetime,
    result: SweepResult,
    roster: Roster | None,
) -> Status | None:
    # 列表里的名片常常是旧的：扣分前单独再读一次
    fresh = await reread(user_id)
    if fresh is None:
        result.unverified.append(user_id)
        return None
    await card_seen(policy, group_id, user_id, fresh, at, roster)
    return "ok" if card_ok(policy, fresh, roster, user_id) else "overdue"


def _shared_phones(policy: Policy, listed: list[Listed], roster: Roster) -> set[int]:
    claims: dict[str, list[int]] = {}
    for person in listed:
        if parts := conforming(policy, person.card, roster, person.user_id):
            claims.setdefault(parts.phone or "", []).append(person.user_id)
    return {user for users in claims.values() if len(users) > 1 for user in users}
