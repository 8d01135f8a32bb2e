"""网页后台的登录令牌与会话：库里只有摘要、10 分钟过期、只能用一次（同时来两个也只有一个换到）、
会话按小时过期、退出即删，以及一个地址一分钟内用错令牌的次数上限。"""

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from qungui import web_access
from qungui.models import WebSession, WebToken

NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def test_the_token_is_stored_only_as_its_hash_and_works_once(db, clock_at) -> None:
    clock_at(NOW)
    token = await web_access.issue("jgs", 20001)
    assert len(token) >= 43
    row = await WebToken.get()
    assert (row.token_hash, row.org, row.user_id, row.expires_at, row.used_at) == (
        sha256(token),
        "jgs",
        20001,
        NOW + timedelta(minutes=10),
        None,
    )

    login = await web_access.redeem(token, hours=8)
    assert login is not None
    assert (login.org, login.user_id, login.expires_at) == ("jgs", 20001, NOW + timedelta(hours=8))
    stored = await WebSession.get()
    assert stored.session_hash == sha256(login.session_id)
    assert len(stored.csrf) >= 43
    assert (await WebToken.get()).used_at == NOW
    assert await web_access.redeem(token, hours=8) is None
    assert await WebSession.all().count() == 1


async def test_two_redeems_at_once_give_one_session(db, clock_at) -> None:
    clock_at(NOW)
    token = await web_access.issue("jgs", 20001)
    results = await asyncio.gather(*(web_access.redeem(token, hours=8) for _ in range(3)))
    assert sum(r is not None for r in results) == 1
    assert await WebSession.all().count() == 1


async def test_a_token_expires_after_ten_minutes(db, clock_at) -> None:
    clock_at(NOW)
    late = await web_access.issue("jgs", 20001)
    on_time = await web_access.issue("jgs", 20001)
    clock_at(NOW + timedelta(minutes=9, seconds=59))
    assert await web_access.redeem(on_time, hours=8) is not None
    clock_at(NOW + timedelta(minutes=10))
    assert await web_access.redeem(late, hours=8) is None
    assert await web_access.redeem("not-a-token", hours=8) is None


async def test_a_session_lasts_its_hours_and_logout_ends_it(db, clock_at) -> None:
    clock_at(NOW)
    first = await web_access.redeem(await web_access.issue("jgs", 20001), hours=2)
    second = await web_access.redeem(await web_access.issue("jgs", 30001), hours=2)
    assert first is not None and second is not None
    clock_at(NOW + timedelta(hours=1, minutes=59))
    found = await web_access.session(first.session_id)
    assert found is not None and found.user_id == 20001
    await web_access.logout(first.session_id)
    assert await web_access.session(first.session_id) is None
    assert (await web_access.session(second.session_id)).user_id == 30001
    clock_at(NOW + timedelta(hours=2))
    assert await web_access.session(second.session_id) is None
    assert await web_access.session("") is None


def test_ten_bad_tokens_a_minute_per_address_then_refused(clock_at) -> None:
    clock_at(NOW)
    for _ in range(9):
        web_access.bad_token("10.0.0.1")
    assert not web_access.too_many_bad("10.0.0.1")
    web_access.bad_token("10.0.0.1")
    assert web_access.too_many_bad("10.0.0.1")
    assert not web_access.too_many_bad("10.0.0.2")
    clock_at(NOW + timedelta(seconds=59))
    assert web_access.too_many_bad("10.0.0.1")
    clock_at(NOW + timedelta(seconds=60))
    assert not web_access.too_many_bad("10.0.0.1")


async def test_expired_links_and_sessions_are_deleted_when_the_next_link_is_issued(
    db, clock_at
) -> None:
    """库里不留用不了的东西：过期的令牌（用过没用过）和过期的会话，下一次 /后台 时删掉。"""
    clock_at(NOW)
    unused = await web_access.issue("jgs", 20001)
    used = await web_access.redeem(await web_access.issue("jgs", 20002), hours=1)
    kept = await web_access.redeem(await web_access.issue("jgs", 30001), hours=8)
    assert used is not None and kept is not None
    clock_at(NOW + timedelta(hours=2))
    fresh = await web_access.issue("jgs", 20003)
    assert await WebToken.all().values_list("token_hash", flat=True) == [sha256(fresh)]
    assert await WebSession.all().values_list("user_id", flat=True) == [30001]
    assert await web_access.redeem(unused, hours=8) is None
    assert (await web_access.session(kept.session_id)).user_id == 30001


def test_addresses_that_stopped_failing_are_forgotten(clock_at) -> None:
    """用错过令牌的地址只记一分钟：一天里几万个地址试过，进程里也不会越攒越多。"""
    from qungui.state import STATE

    clock_at(NOW)
    for n in range(100):
        web_access.bad_token(f"10.0.0.{n}")
    assert not web_access.too_many_bad("10.0.0.200")
    clock_at(NOW + timedelta(minutes=2))
    web_access.bad_token("10.0.1.1")
    assert set(STATE.bad_logins) == {"10.0.1.1"}
    assert not web_access.too_many_bad("10.0.0.1")
    assert set(STATE.bad_logins) == {"10.0.1.1"}


def test_many_addresses_failing_at_once_do_not_stall_the_bot(
    clock_at, monkeypatch: pytest.MonkeyPatch
) -> None:
    """乱试的人换着地址来（一个 IPv6 段就有用不完的地址）：一分钟里三千个地址各用错一次。
    每记一次都把所有地址过一遍的话（三千乘三千次），要几秒钟的 CPU，整个机器人（同一个事件循环）
    跟着卡住；记一次要看的地址应该和地址多少无关。数的是看了几次地址，不是秒数（机器忙闲不定）。"""
    looked = []
    recent_bad = web_access._recent_bad
    monkeypatch.setattr(
        web_access, "_recent_bad", lambda address: looked.append(address) or recent_bad(address)
    )
    clock_at(NOW)
    for n in range(3000):
        web_access.bad_token(f"2001:db8::{n:x}")
    assert len(looked) <= 2 * 3000
    assert web_access.too_many_bad("2001:db8::1") is False
    for _ in range(web_access.BURST_LIMIT):
        web_access.bad_token("2001:db8::1")
    assert web_access.too_many_bad("2001:db8::1")


async def test_a_login_length_meant_as_forever_still_lets_people_log_in(db, clock_at) -> None:
    """运维想“永不过期”，在 .env 写了 QUNGUI_WEB_SESSION_HOURS=99999999：算出的到期时刻超过 9999 年，
    每次换会话都出错（浏览器里只见 500）。启动时说清楚，按上限算，登录照常。"""
    from plugins.web.config import session_hours

    clock_at(NOW)
    hours, problem = session_hours(99999999)
    assert problem == (
        ".env 的 QUNGUI_WEB_SESSION_HOURS 是 99999999：超过一年（8784 小时）。"
        "先按 8784 小时算；请改成不超过 8784 的正整数，重启生效。"
    )
    login = await web_access.redeem(await web_access.issue("jgs", 30001), hours)
    assert login is not None and login.expires_at == NOW + timedelta(hours=8784)
