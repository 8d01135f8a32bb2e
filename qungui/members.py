"""谁在组织里：入群、扫描或发言时记下成员，供排行计人数和显示名字。"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from . import cards, derived
from .dates import month_days
from .models import Member
from .policy import Policy
from .state import STATE


def changed_since_written(
    org: str, group_id: int, user_id: int, *, card: str, nickname: str, role: str
) -> bool:
    """此人的名片、昵称或身份和本进程上次写进成员表的不一样（或还没写过）：`remember` 会写库。

    只看内存（`STATE`）：每条群消息都问一次，普通聊天不必每条都写库（“最后发言时间”因此只在
    这些变化时更新）。"""
    written = STATE.org(org).written_members.get((group_id, user_id))
    return written != (card, nickname, role)


async def remember(
    *,
    org: str,
    group_id: int,
    user_id: int,
    card: str,
    nickname: str,
    role: str,
    seen_at: datetime,
) -> None:
    """记下（或更新）一个人在某群的名片、昵称和身份；和上次写的一样就什么也不做。"""
    written = STATE.org(org).written_members
    fingerprint = (card, nickname, role)
    before = written.get((group_id, user_id))
    if before == fingerprint:
        return
    await upsert(
        org,
        group_id,
        user_id,
        seen_at,
        card=card,
        nickname=nickname,
        role=role,
        last_seen=seen_at,
        left_at=None,
    )
    written[(group_id, user_id)] = fingerprint
    if before is None:
        # 本进程第一次写这个人（或他刚被记为退群）：这一写可能把“已退群”改回来，排名要重算
        touched(org)


def gone(org: str, group_id: int, user_ids: Iterable[int]) -> None:
    """这些人刚被记为已退群：忘掉本进程写过的名片，他们再在这个群说话时 `remember` 照常写库，
    “已退群”随之改回来（否则内存里的记号没变，说话的人一直算退群，排行、人数里就少了他）。"""
    written = STATE.org(org).written_members
    for user in user_ids:
        written.pop((group_id, user), None)
    touched(org)


def touched(org: str) -> None:
    """成员表变了（新人、退群、名片）：缓存的排名和名字作废。直接改 Member 表的地方都要调用。"""
    derived.changed(org, derived.MEMBERS)


async def upsert(org: str, group_id: int, user_id: int, at: datetime, **fields) -> None:
    """更新某人在某群的记录；第一次见到时新建（首次出现时刻为 `at`）。

    新建让缓存的排名作废，改名片、昵称让缓存的名字作废；记最近出现时间不影响缓存。退群、重新进群
    由调用方另行 `touched()`。"""
    row = Member.filter(org=org, group_id=group_id, user_id=user_id)
    if await row.update(**fields):
        if "card" in fields or "nickname" in fields:
            derived.changed(org, derived.NAMES)
        return
    try:
        async with in_transaction():
            await Member.create(
                org=org,
                group_id=group_id,
                user_id=user_id,
                **{"first_seen": at, "last_seen": at, **fields},
            )
    except IntegrityError:
        # 另一个进程或任务刚建了这一行（PostgreSQL 上两个进程会同时走到这里）：改它
        await row.update(**fields)
    touched(org)


async def group_roles(org: str, user_id: int) -> list[tuple[int, str]]:
    """此人在组织各群里最近一次看到的身份：(群号, owner/admin/member)。可能是很久以前看到的。"""
    return await Member.filter(org=org, user_id=user_id, left_at=None).values_list(
        "group_id", "role"
    )


async def set_role(org: str, group_id: int, user_id: int, role: str) -> None:
    """QQ 告诉我们此人现在的身份（group_admin 通知，或刚问过）：改记下的；没见过的人不新建。"""
    await Member.filter(org=org, group_id=group_id, user_id=user_id).update(role=role)
    # 下次发言照常核对名片、昵称、身份
    STATE.org(org).written_members.pop((group_id, user_id), None)


async def orgs_seen(user_id: int) -> list[str]:
    return (
        await Member.filter(user_id=user_id, left_at=None).distinct().values_list("org", flat=True)
    )


def not_counted(policy: Policy, exclude: Iterable[int] = ()) -> frozenset[int]:
    """不参与统计的人：调用方给的（本进程连着的机器人），加上制度 `org.bots` 列出的机器人——
    它们可能连在别的进程上，本进程看不到。"""
    return frozenset(exclude) | frozenset(policy.org.bots)


def not_ranked(policy: Policy, exclude: Iterable[int] = ()) -> frozenset[int]:
    """不排名、不提醒分享的人：机器人（`not_counted`），加上制度 `leaderboard.exclude`
    （`exclude_chairmen` 时还有主席）。他们照常记账，只是不上榜、不进末尾、不被提醒。"""
    return not_counted(policy, exclude) | policy.leaderboard.excluded(policy.org.chairmen)


async def present(policy: Policy, month: str, exclude: Iterable[int] = ()) -> set[int]:
    """这个月在组织里的人：月底（当月则是现在）仍在工作群或分享群里、且在月底前已出现过的人，
    机器人除外（`not_counted`）。要确认通知的是他们。"""
    first, last = month_days(month)
    # SQLite 按文本比较存成 UTC 的时刻：参数也换成 UTC
    month_end = datetime.combine(last, time.max, policy.tz).astimezone(UTC)
    month_start = datetime.combine(first, time.min, policy.tz).astimezone(UTC)
    groups = [*policy.groups.work, *policy.groups.share]
    rows = await Member.filter(
        org=policy.id, group_id__in=groups, first_seen__lte=month_end
    ).values_list("user_id", "left_at")
    excluded = not_counted(policy, exclude)
    return {
        user
        for user, left_at in rows
        if user not in excluded and (left_at is None or left_at >= max(month_end, month_start))
    }


async def counted(policy: Policy, month: str, exclude: Iterable[int] = ()) -> set[int]:
    """这个月参与统计的人（docs/design.md “谁参与统计”）：`present` 里除去不排名的人（`not_ranked`）。
    排行、/积分 的人数、提醒、/今日分享、榜尾和导出都从这里来。

    账本里当月有记录的人由排行另外并入（不排名的人除外）。
    """
    return await present(policy, month, exclude) - not_ranked(policy)


async def display_names(policy: Policy, user_ids: Iterable[int]) -> dict[int, str]:
    """群里显示的名字（`cards.display_name`：规范名片的姓名部分，否则 QQ 昵称）；两样都没有、
    或没见过的人显示“成员”+QQ 号后 4 位。名字里从不出现电话和完整的 QQ 号。"""
    known = await _names(policy)
    return {user: known.get(user) or f"成员{str(user)[-4:]}" for user in user_ids}


def group_name(policy: Policy, group_id: int) -> str:
    """给人看的群名：QQ 上报过的群名；还没见过这个群的消息时，按它在制度里的用途叫“公司群”“分享群”。
    群号对管理员没有意义，不拿来称呼群。"""
    known = STATE.group_names.get(group_id)
    if known:
        return known
    return "分享群" if group_id in policy.groups.share else "公司群"


async def unknown(policy: Policy, user_ids: Iterable[int]) -> list[int]:
    """其中在组织的哪个群里都没有记录、也还没问过的人（只被 @ 过、只在账本里出现过，
    还没被名片检查扫到）：该去问一次 `get_group_member_info`。"""
    known = await _names(policy)
    asked = STATE.org(policy.id).not_found
    return [user for user in dict.fromkeys(user_ids) if user not in known and user not in asked]


def not_found(org: str, user_id: int) -> None:
    """组织的各群都说没有这个人：本次运行不再问（进群、名片检查时自然会记下）。"""
    STATE.org(org).not_found.add(user_id)


async def _names(policy: Policy) -> dict[int, str]:
    # 几乎每条回复都要名字：全组织的名字一次查好缓存起来（derived.py），成员表一变就重查
    return await derived.cached(
        ("names", policy.id),
        policy.id,
        (derived.MEMBERS, derived.NAMES),
        lambda: _all_names(policy),
    )


async def _all_names(policy: Policy) -> dict[int, str]:
    rows = (
        await Member.filter(org=policy.id)
        .order_by("last_seen")
        .values_list("user_id", "card", "nickname")
    )
    names: dict[int, str] = {}
    for user, card, nickname in rows:  # 在几个群里的人：最近出现的那个群的名片为准
        names[user] = cards.display_name(policy, card, nickname) or names.get(user, "")
    return names
