"""网页后台的登录：`/后台` 发出一次性的登录令牌，打开链接换成会话，之后每个请求凭会话号。

令牌和会话号都只存 sha256 摘要：库被人看到（备份、复制到 PostgreSQL）也拿不到能用的链接或会话。
令牌 10 分钟内有效、只能用一次；几个请求同时拿同一个令牌来换，条件更新保证只有一个换得到。
会话里只记组织和 QQ，不记身份：身份每个请求都按私聊的规则重新算（被撤掉的管理员立刻失去权限）。
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from . import clock
from .models import WebSession, WebToken
from .state import STATE

TOKEN_MINUTES = 10
BURST_LIMIT = 10
"""一个客户端地址在 `BURST_SECONDS` 秒内最多用错这么多次令牌，再多就先拒绝（429）"""
BURST_SECONDS = 60


@dataclass(frozen=True)
class Login:
    """刚换到的会话：`session_id` 只在这一刻有明文，写进 Cookie。"""

    session_id: str
    org: str
    user_id: int
    expires_at: datetime


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


async def issue(org: str, user_id: int) -> str:
    """给此人发一个登录令牌（URL 里可直接用的 43 个字符，32 字节随机数）。"""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    # 顺手删掉用不了的：过期的令牌和会话（只剩摘要，留着也没用）
    await WebToken.filter(expires_at__lte=now).delete()
    await WebSession.filter(expires_at__lte=now).delete()
    await WebToken.create(
        token_hash=_digest(token),
        org=org,
        user_id=user_id,
        created_at=now,
        expires_at=now + timedelta(minutes=TOKEN_MINUTES),
    )
    return token


async def redeem(token: str, hours: int) -> Login | None:
    """用令牌换一个 `hours` 小时的会话；令牌不存在、用过或过期时为 None。"""
    now = clock.now()
    digest = _digest(token)
    async with in_transaction():
        won = await WebToken.filter(token_hash=digest, used_at=None, expires_at__gt=now).update(
            used_at=now
        )
        if not won:
            return None
        row = await WebToken.get(token_hash=digest)
        session_id = secrets.token_urlsafe(32)
        expires_at = now + timedelta(hours=hours)
        await WebSession.create(
            session_hash=_digest(session_id),
            org=row.org,
            user_id=row.user_id,
            csrf=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=expires_at,
        )
    return Login(session_id, row.org, row.user_id, expires_at)


async def session(session_id: str) -> WebSession | None:
    """Cookie 里的会话号对应的、还没过期的会话。"""
    if not session_id:
        return None
    return await WebSession.get_or_none(
        session_hash=_digest(session_id), expires_at__gt=clock.now()
    )


async def logout(session_id: str) -> None:
    await WebSession.filter(session_hash=_digest(session_id)).delete()


def _recent_bad(address: str) -> list[datetime]:
    since = clock.now() - timedelta(seconds=BURST_SECONDS)
    return [at for at in STATE.bad_logins.get(address, []) if at > since]


def too_many_bad(address: str) -> bool:
    """这个地址最近一分钟用错令牌的次数已到上限：先不看令牌，直接拒绝。"""
    return len(_recent_bad(address)) >= BURST_LIMIT


def bad_token(address: str) -> None:
    """记下这个地址用错了一次令牌。用错过的地址每分钟最多清点一次，只留最近一分钟里用错过的：
    进程里不越攒越多（至多两分钟的地址），每记一次也不用把所有地址过一遍（换着地址乱试时会卡住机器人）。"""
    now = clock.now()
    last = STATE.bad_logins_pruned_at
    if last is None or not timedelta(0) <= now - last < timedelta(seconds=BURST_SECONDS):
        STATE.bad_logins = {key: kept for key in STATE.bad_logins if (kept := _recent_bad(key))}
        STATE.bad_logins_pruned_at = now
    STATE.bad_logins[address] = [*_recent_bad(address), now]
