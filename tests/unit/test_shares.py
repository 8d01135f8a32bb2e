import asyncio
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from qungui import rules, shares
from qungui.models import LedgerEntry, Share
from qungui.policy import load_policies
from qungui.shares import CARD, COPY, FORWARD, QUOTE, Draft
from tests import databases

POLICY = load_policies(Path(__file__).parents[1] / "policy.toml").orgs["jgs"]
CST = POLICY.tz
GROUP = 987654322
TEXT = "今天拜访了三家经销商，发现大家最关心的是春节前的备货节奏和物流时效。"
_ids = iter(range(1, 10**6))


def cst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CST)


def test_the_stored_text_hash_keeps_its_form_across_upgrades() -> None:
    """`share.text_hash` 存在库里，查重拿新消息的摘要去比 90 天内存下的：规范化的写法一变，升级前发过的
    文字升级后就认不出来了。这里钉住一段文字的摘要：小写、去掉标点和空白、全角转半角后的 SHA-1。"""
    import hashlib

    expected = hashlib.sha1("hello世界2026".encode()).hexdigest()
    assert shares.text_hash("Hello， 世界！ ２０２６") == expected


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (TEXT, TEXT.replace("，", ",").replace("。", "!!"), True),
        (TEXT, "  " + TEXT.replace("经销商", "经销商 ") + "\n", True),
        ("ＡＢＣ全角１２３", "abc全角123", True),
        (TEXT, TEXT.replace("三家", "四家"), False),
    ],
)
def test_comparable_text_ignores_punctuation_space_and_width(a: str, b: str, same: bool) -> None:
    assert (shares.text_hash(a) == shares.text_hash(b)) is same


@pytest.mark.parametrize(
    ("draft", "seen", "reason"),
    [
        (Draft("", has_forward=True), False, FORWARD),
        (Draft("看看这个", has_card=True), False, CARD),
        (Draft(TEXT, has_card=True), False, None),
        (Draft(TEXT), True, COPY),
        (Draft(TEXT, quoted_text=TEXT.replace("。", "！")), False, QUOTE),
        (Draft(TEXT, quoted_text="别人的一句话，和这条分享完全不一样的内容"), False, None),
        (Draft(TEXT), False, None),
        # 只有标点、表情：规范化后什么也不剩，不算原创（哪怕有 20 个符号）
        (Draft("！？。，…" * 4), False, CARD),
        (Draft("😀🎉👍" * 7, has_card=True), False, CARD),
    ],
)
def test_originality(draft: Draft, seen: bool, reason: str | None) -> None:
    assert shares.not_original_reason(draft, POLICY.share.min_chars, seen) == reason


def test_only_letters_and_digits_count_towards_min_chars() -> None:
    assert shares.own_chars("好的！！😀 ab，１2\n") == 6
    assert shares.own_chars("！？。…😀🎉 ～") == 0
    # 够字数的消息规范化后一定还有文字（可以查重）：数到的字没有一个会被规范化去掉
    counted = (chr(c) for c in range(sys.maxunicode + 1) if shares.own_chars(chr(c)))
    assert [hex(ord(ch)) for ch in counted if not shares.comparable_text(ch)] == []


@pytest.mark.parametrize(
    ("draft", "candidate"),
    [
        (Draft("好的收到"), False),
        (Draft("  " * 30), False),
        (Draft("！" * 20), False),
        (Draft("😀" * 20), False),
        (Draft("\u3164" * 20), False),  # 韩文填充符：看着是一条空白消息
        (Draft("。。。。。。。。。。好的收到～～～～～～～～～～"), False),
        (Draft("ＡＢＣ１２３" + "一二三四五六七八九十" * 2), True),
        (Draft(TEXT), True),
        (Draft("", has_forward=True), True),
        (Draft("", has_card=True), True),
    ],
)
def test_plain_chat_is_not_a_candidate(draft: Draft, candidate: bool) -> None:
    assert shares.is_candidate(draft, POLICY.share.min_chars) is candidate


async def post(
    user: int,
    at: datetime,
    text: str = TEXT,
    message_id: int | None = None,
    event_key: str | None = None,
    **extra,
):
    message_id = message_id if message_id is not None else next(_ids)
    return await shares.record(
        POLICY,
        group_id=GROUP,
        user_id=user,
        message_id=message_id,
        event_key=event_key or f"jgs:{GROUP}:{user}:{message_id}",
        sent_at=at,
        draft=Draft(text + (f" {user}-{at.isoformat()}" if not extra.get("exact") else "")),
    )


SHARED, SETTLED = "昨天已有分享", "昨天所在的月份已开始结算"
ORG = None
"""不问某个人：全组织现在说的是哪一天（/今日分享 的全员统计、提醒）"""


@pytest.mark.parametrize(
    ("moment", "who", "yesterday", "day"),
    [
        (cst(2026, 11, 26, 23, 59, 59), 1, (), date(2026, 11, 26)),
        (cst(2026, 11, 27, 0, 0, 0), 1, (), date(2026, 11, 26)),
        (cst(2026, 11, 27, 0, 0, 0), 1, (SHARED,), date(2026, 11, 27)),
        (cst(2026, 11, 27, 1, 59, 59), 1, (), date(2026, 11, 26)),
        (cst(2026, 11, 27, 1, 59, 59), 1, (SHARED,), date(2026, 11, 27)),
        (cst(2026, 11, 27, 2, 0, 0), 1, (), date(2026, 11, 27)),
        # 时刻用哪个时区写都一样：按组织时区算（UTC 17:30 是北京时间次日 01:30）
        (cst(2026, 11, 27, 1, 30).astimezone(ZoneInfo("UTC")), 1, (), date(2026, 11, 26)),
        # 月末、年末、闰日：宽限把分享记回上个月、上一年
        (cst(2026, 12, 1, 1, 59, 59), 1, (), date(2026, 11, 30)),
        (cst(2026, 12, 1, 2, 0, 0), 1, (), date(2026, 12, 1)),
        (cst(2027, 1, 1, 1, 30), 1, (), date(2026, 12, 31)),
        (cst(2028, 3, 1, 0, 30), 1, (), date(2028, 2, 29)),
        # 上个月已开始结算：补不回去，算发出的那一天；同一个月里的宽限不问结算
        (cst(2026, 12, 1, 1, 30), 1, (SETTLED,), date(2026, 12, 1)),
        (cst(2026, 12, 2, 1, 30), 1, (SETTLED,), date(2026, 12, 1)),
        (cst(2026, 11, 26, 23, 59, 59), ORG, (), date(2026, 11, 26)),
        (cst(2026, 11, 27, 1, 59, 59), ORG, (), date(2026, 11, 26)),
        (cst(2026, 11, 27, 2, 0, 0), ORG, (), date(2026, 11, 27)),
        (cst(2026, 12, 1, 1, 30), ORG, (), date(2026, 11, 30)),
        (cst(2026, 12, 1, 1, 30), ORG, (SETTLED,), date(2026, 12, 1)),
    ],
)
async def test_the_02_00_grace(
    db, moment: datetime, who: int | None, yesterday: tuple, day: date
) -> None:
    from qungui import months
    from qungui.dates import month_key

    before = moment.astimezone(CST).date() - timedelta(days=1)
    if SHARED in yesterday:
        await post(1, datetime.combine(before, time(9), CST))
    if SETTLED in yesterday:
        await months.begin_settling("jgs", month_key(before), cst(2026, 12, 1, 9))
    assert await shares.share_day(POLICY, moment, who) == day


def test_a_days_shares_are_due_by_the_grace_hour_of_the_next_day() -> None:
    assert shares.share_deadline(POLICY, date(2026, 11, 30)) == cst(2026, 12, 1, 2, 0)
    assert shares.share_deadline(POLICY, date(2026, 12, 31)) == cst(2027, 1, 1, 2, 0)


@pytest.mark.parametrize(
    ("earlier", "at", "credited"),
    [
        (None, cst(2026, 11, 27, 1, 59, 59), date(2026, 11, 26)),
        (cst(2026, 11, 26, 9), cst(2026, 11, 27, 1, 59, 59), date(2026, 11, 27)),
        (None, cst(2026, 11, 27, 2, 0, 0), date(2026, 11, 27)),
    ],
)
async def test_a_share_is_credited_to_the_day_the_grace_rule_names(
    db, earlier, at, credited
) -> None:
    # 每个时刻算哪一天见 test_the_02_00_grace；这里只看记分用的是它、问的是发分享的这个人
    if earlier is not None:
        assert (await post(1, earlier)).credited == earlier.date()
    outcome = await post(1, at)
    assert outcome.credited == credited
    assert outcome.entry.business_date == credited


async def test_two_grace_shares_at_once_take_yesterday_and_today(db) -> None:
    # 凌晨几乎同时发两条（各自原创）：一条补上昨天，另一条算今天，和一条条处理时一样
    outcomes = await asyncio.gather(
        post(1, cst(2026, 11, 27, 1, 30)), post(1, cst(2026, 11, 27, 1, 30, 1))
    )
    assert sorted(o.credited for o in outcomes) == [date(2026, 11, 26), date(2026, 11, 27)]


async def test_a_grace_share_whose_month_is_closed_counts_for_the_day_it_was_sent(
    db, clock_at
) -> None:
    from qungui import months

    # 月底结算已经开始（随后冻结）：宽限时段里的分享补不回上个月，记到发出的那一天
    clock_at(cst(2026, 12, 1, 9, 30))
    await months.begin_settling("jgs", "2026-11", cst(2026, 12, 1, 9))
    outcome = await post(1, cst(2026, 12, 1, 1, 30))
    assert outcome.credited == date(2026, 12, 1)
    assert await LedgerEntry.all().values_list("user_id", "business_date") == [
        (1, date(2026, 12, 1))
    ]
    await months.freeze("jgs", "2026-11", cst(2026, 12, 1, 9))
    assert (await post(2, cst(2026, 12, 1, 1, 45))).credited == date(2026, 12, 1)


async def test_later_shares_that_day_are_recorded_without_points(db) -> None:
    first = await post(1, cst(2026, 11, 27, 9))
    second = await post(1, cst(2026, 11, 27, 21))
    assert first.credited == date(2026, 11, 27) and second.credited is None
    assert second.share.original
    assert await LedgerEntry.filter(rule="share.daily").count() == 1


async def test_a_copy_within_90_days_is_not_original_and_leaves_the_day_open(db) -> None:
    await post(1, cst(2026, 11, 1, 9), exact=True)
    copy = await post(2, cst(2026, 11, 27, 9), text=TEXT.replace("。", "！"), exact=True)
    assert (copy.reason, copy.credited) == (COPY, None)
    own = await post(2, cst(2026, 11, 27, 10))
    assert own.credited == date(2026, 11, 27)


async def test_a_text_last_seen_more_than_90_days_ago_is_original_again(db) -> None:
    await post(1, cst(2026, 11, 1, 9), exact=True)
    await post(2, cst(2026, 11, 27, 9), exact=True)
    # 最近一次出现（11-27 那条抄的）已过 90 天：不再算抄袭
    assert (await post(3, cst(2027, 2, 26, 9), exact=True)).credited == date(2027, 2, 26)


async def test_the_same_event_twice_changes_nothing(db) -> None:
    at = cst(2026, 11, 27, 9)
    first = await post(1, at, message_id=42)
    again = await post(1, at, message_id=42)
    assert first.credited and again.share is None
    assert await Share.all().count() == 1 and await LedgerEntry.all().count() == 1


async def test_the_same_share_through_a_second_account_is_neither_recorded_nor_a_copy(db) -> None:
    # 两个机器人账号收到同一条分享：消息编号各不相同，身份相同
    at = cst(2026, 11, 27, 9)
    first = await post(1, at, message_id=42, event_key="same", exact=True)
    again = await post(1, at, message_id=9042, event_key="same", exact=True)
    assert first.credited == date(2026, 11, 27) and again.share is None
    assert await Share.all().values_list("message_id", "original", "reason") == [(42, True, "")]
    entries = await LedgerEntry.all().values_list("user_id", "delta", "rule", "business_date")
    assert entries == [(1, 1, "share.daily", date(2026, 11, 27))]


async def test_fifty_shares_in_one_second_earn_one_point(db) -> None:
    at = cst(2026, 11, 27, 9)
    outcomes = await asyncio.gather(*(post(1, at + timedelta(milliseconds=n)) for n in range(50)))
    assert sum(o.credited is not None for o in outcomes) == 1
    assert await LedgerEntry.filter(rule="share.daily").count() == 1


async def test_the_same_text_pasted_at_once_by_two_people_is_original_once(db) -> None:
    at = cst(2026, 11, 27, 9)
    outcomes = await asyncio.gather(*(post(user, at, exact=True) for user in range(1, 6)))
    assert sum(o.share.original for o in outcomes) == 1
    assert await LedgerEntry.filter(rule="share.daily").count() == 1


async def test_time_comparisons_hold_whatever_the_offset(db) -> None:
    # 同一时刻分别用 +08:00 和 UTC 表示：第二条是抄的，不是“更早的原创”
    await post(1, cst(2026, 11, 27, 9), exact=True)
    later_utc = cst(2026, 11, 27, 9, 30).astimezone(ZoneInfo("UTC"))
    assert (await post(2, later_utc, exact=True)).reason == COPY
    earlier_utc = cst(2026, 11, 27, 8).astimezone(ZoneInfo("UTC"))
    assert (await post(3, earlier_utc, exact=True)).share.original


async def test_feature_once_reject_and_backfill(db) -> None:
    from qungui.roles import Role

    first = await post(1, cst(2026, 11, 27, 9))
    featured = await shares.feature(
        POLICY,
        first.share,
        actor_id=30001,
        actor_role=Role.ADMIN,
        now=cst(2026, 11, 27, 10),
        command_key="f1",
    )
    entry = featured.entry
    assert (entry.rule, entry.delta, entry.actor_id) == ("share.featured", 5, 30001)
    with pytest.raises(shares.ShareRefused) as again:
        await shares.feature(
            POLICY,
            first.share,
            actor_id=30001,
            actor_role=Role.ADMIN,
            now=cst(2026, 11, 27, 11),
            command_key="f2",
        )
    assert isinstance(again.value, shares.AlreadyCredited) and again.value.entry.id == entry.id

    rejected = await shares.reject(
        POLICY,
        first.share,
        actor_id=30001,
        actor_role=Role.ADMIN,
        now=cst(2026, 11, 27, 12),
        command_key="k1",
    )
    # 当天的分享分和经典分享奖一起撤销
    assert rejected.daily.reverses == first.entry.id
    assert rejected.featured.reverses == entry.id
    assert not await shares.has_share("jgs", 1, date(2026, 11, 27))
    redo = await post(1, cst(2026, 11, 27, 13))
    assert redo.credited == date(2026, 11, 27)

    filled = await shares.backfill(
        POLICY,
        user_id=1,
        day=date(2026, 11, 20),
        actor_id=30001,
        actor_role=Role.ADMIN,
        reason="出差",
        now=cst(2026, 11, 27, 14),
        command_key="b1",
    )
    filled = filled.entry
    assert (filled.business_date, filled.actor_role, filled.reason) == (
        date(2026, 11, 20),
        "admin",
        "补分享：出差",
    )
    with pytest.raises(shares.ShareRefused) as filled_again:
        await shares.backfill(
            POLICY,
            user_id=1,
            day=date(2026, 11, 20),
            actor_id=30001,
            actor_role=Role.ADMIN,
            reason="再补",
            now=cst(2026, 11, 27, 15),
            command_key="b2",
        )
    assert isinstance(filled_again.value, shares.AlreadyCredited)


async def admin_act(action, share, key: str, at: datetime):
    from qungui.roles import Role

    return await action(
        POLICY, share, actor_id=30001, actor_role=Role.ADMIN, now=at, command_key=key
    )


async def test_after_a_share_is_judged_not_original_it_can_no_longer_be_featured(db) -> None:
    posted = await post(1, cst(2026, 11, 27, 9), message_id=4242)
    await admin_act(shares.reject, posted.share, "k1", cst(2026, 11, 27, 10))
    # 后来有人回复同一条消息 /精选：从库里找到的这条分享已不算原创
    found = await shares.find(POLICY, GROUP, 4242)
    assert (found.original, found.reason, found.share_day) == (False, shares.REJECTED, None)
    with pytest.raises(shares.ShareRefused) as refused:
        await admin_act(shares.feature, found, "f1", cst(2026, 11, 27, 11))
    assert isinstance(refused.value, shares.NotOriginal)
    assert not await LedgerEntry.filter(rule=rules.SHARE_FEATURED).exists()


async def test_a_share_judged_twice_is_refused_as_already_reversed(db) -> None:
    posted = await post(1, cst(2026, 11, 27, 9), message_id=4242)
    first = await admin_act(shares.reject, posted.share, "k1", cst(2026, 11, 27, 10))
    found = await shares.find(POLICY, GROUP, 4242)
    with pytest.raises(shares.ledger.AlreadyReversed) as twice:
        await admin_act(shares.reject, found, "k2", cst(2026, 11, 27, 11))
    assert (twice.value.entry_id, twice.value.reversal.id) == (posted.entry.id, first.daily.id)


async def test_a_share_of_a_settled_month_is_neither_judged_nor_backfilled(db) -> None:
    from qungui import months
    from qungui.roles import Role

    posted = await post(1, cst(2026, 11, 30, 9))
    await months.begin_settling("jgs", "2026-11", cst(2026, 12, 1, 9))
    with pytest.raises(shares.ShareRefused) as judged:
        await admin_act(shares.reject, posted.share, "k1", cst(2026, 12, 1, 10))
    assert isinstance(judged.value, shares.MonthSettled)
    with pytest.raises(shares.ShareRefused) as filled:
        await shares.backfill(
            POLICY,
            user_id=2,
            day=date(2026, 11, 20),
            actor_id=30001,
            actor_role=Role.ADMIN,
            reason="出差",
            now=cst(2026, 12, 1, 10),
            command_key="b1",
        )
    assert isinstance(filled.value, shares.MonthSettled)
    assert await LedgerEntry.all().values_list("rule", flat=True) == [rules.SHARE_DAILY]
    assert (await Share.get(id=posted.share.id)).original


async def test_the_stored_share_points_at_the_entry_that_credited_it(db) -> None:
    first = await post(1, cst(2026, 11, 27, 9))
    later = await post(1, cst(2026, 11, 27, 10))
    stored = {s.id: s for s in await Share.all()}
    assert (stored[first.share.id].entry_id, stored[first.share.id].share_day) == (
        first.entry.id,
        date(2026, 11, 27),
    )
    assert (stored[later.share.id].entry_id, stored[later.share.id].share_day) == (None, None)
    assert (await LedgerEntry.get(id=first.entry.id)).ref == str(first.share.message_id)


@pytest.mark.parametrize(("letters", "credited"), [(20, True), (19, False), (10, False)])
async def test_a_share_of_exactly_min_chars_letters_counts_one_less_does_not(
    db, letters: int, credited: bool
) -> None:
    assert POLICY.share.min_chars == 20
    # 标点、空白、表情不算字数
    text = "，".join("今天拜访了经销商备货物流时效春节前最关心的是"[:letters]) + " 😀！"
    draft = Draft(text)
    assert shares.own_chars(text) == letters
    assert shares.is_candidate(draft, POLICY.share.min_chars) is credited
    outcome = await shares.record(
        POLICY,
        group_id=GROUP,
        user_id=1,
        message_id=1,
        event_key="e1",
        sent_at=cst(2026, 11, 27, 9),
        draft=draft,
    )
    assert (outcome.credited is not None, outcome.share.original) == (credited, credited)
    assert outcome.reason == ("" if credited else CARD)
    assert await LedgerEntry.exists(rule=rules.SHARE_DAILY) is credited


async def test_a_reply_to_someone_else_never_finds_a_share_by_its_number(db) -> None:
    # 账号甲记下张三的分享，编号 42；经账号乙回复的是李四的另一条消息，它在乙上的编号碰巧也是 42
    at = cst(2026, 11, 27, 9)
    await post(1, at, message_id=42, event_key="zhang")
    assert (await shares.find(POLICY, GROUP, 42, "zhang", 1)).user_id == 1
    assert await shares.find(POLICY, GROUP, 42, "li-message", 2) is None
    # 身份对不上（取回的原文和上报时略有出入）但确是张三的：仍按编号找到
    assert (await shares.find(POLICY, GROUP, 42, "zhang-refetched", 1)).user_id == 1
    assert (await shares.find(POLICY, GROUP, 42)).user_id == 1


async def test_invisible_characters_do_not_make_a_copy_original(db) -> None:
    # 组合用字词连接符、变体选择符夹在字中间，群里看不出来：仍是同一段话
    at = cst(2026, 11, 27, 9)
    await post(1, at, exact=True)
    disguised = "\u034f".join(TEXT[:10]) + "\ufe0f" + TEXT[10:]
    copy = await post(2, at + timedelta(minutes=5), disguised, exact=True)
    assert (copy.reason, copy.credited) == (COPY, None)


# 另一个进程：记李四的一条分享，查过重、还没写入时停住，说一声“checked”，等到“go”再写
OTHER_PROCESS = """
import asyncio, sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from qungui import shares
from qungui.db import close_database, open_database
from qungui.models import Share
from qungui.policy import load_policies

url, text, at = sys.argv[1:]
policy = load_policies(Path("tests/policy.toml")).orgs["jgs"]
create = Share.create


async def create_after_go(**fields):
    print("checked", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    return await create(**fields)


async def main():
    await open_database(url)
    Share.create = create_after_go
    try:
        await shares.record(
            policy, group_id=987654322, user_id=2, message_id=2, event_key="li",
            sent_at=datetime.fromisoformat(at), draft=shares.Draft(text),
        )
    finally:
        await close_database()


asyncio.run(main())
"""


@pytest.mark.skipif(not databases.ON_POSTGRES, reason="SQLite 只许一个进程用")
async def test_the_same_text_handled_by_two_processes_is_original_once(db: str) -> None:
    at = cst(2026, 11, 27, 9)
    other = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        OTHER_PROCESS,
        db,
        TEXT,
        at.isoformat(),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=Path(__file__).parents[2],
    )
    assert await asyncio.wait_for(other.stdout.readline(), 60) == b"checked\n"
    # 本进程同时记张三贴的同一段文字：没有什么拦着的话，半秒内早已写完、算了原创
    mine = asyncio.create_task(post(1, at, exact=True))
    await asyncio.sleep(0.5)
    other.stdin.write(b"go\n")
    await other.stdin.drain()
    assert await asyncio.wait_for(other.wait(), 60) == 0
    assert (await mine).reason == COPY
    assert await Share.all().order_by("user_id").values_list("user_id", "original") == [
        (1, False),
        (2, True),
    ]
    assert await LedgerEntry.filter(rule="share.daily").values_list("user_id", flat=True) == [2]


async def test_unfeature_reverses_the_award_once_and_not_in_a_frozen_month(db) -> None:
    from qungui import ledger, months
    from qungui.roles import Role

    admin = dict(actor_id=30001, actor_role=Role.ADMIN)
    first = await post(1, cst(2026, 10, 27, 9))
    with pytest.raises(shares.NotFeatured):
        await shares.unfeature(
            POLICY, first.share, now=cst(2026, 10, 27, 9, 30), command_key="u0", **admin
        )
    award = await shares.feature(
        POLICY, first.share, now=cst(2026, 10, 27, 10), command_key="f1", **admin
    )
    undone = await shares.unfeature(
        POLICY, first.share, now=cst(2026, 10, 27, 11), command_key="u1", **admin
    )
    assert (
        undone.entry.reverses,
        undone.entry.delta,
        undone.entry.reason,
        undone.entry.actor_id,
        undone.entry.actor_role,
    ) == (award.entry.id, -5, shares.UNFEATURED, 30001, "admin")
    # 同一条通知重放：返回那次的撤销，不再写
    again = await shares.unfeature(
        POLICY, first.share, now=cst(2026, 10, 27, 11), command_key="u1", **admin
    )
    assert (again.created, again.entry.id) == (False, undone.entry.id)
    # 撤销后可以再评；月份冻结后，哪怕主席也不能靠取消精华撤销
    featured_again = await shares.feature(
        POLICY, first.share, now=cst(2026, 10, 28, 10), command_key="f2", **admin
    )
    await months.freeze("jgs", "2026-10", cst(2026, 11, 1, 9))
    with pytest.raises(ledger.MonthFrozen) as refused:
        await shares.unfeature(
            POLICY,
            first.share,
            actor_id=30002,
            actor_role=Role.CHAIRMAN,
            now=cst(2026, 11, 2, 9),
            command_key="u2",
        )
    # 拒绝里带着是哪条记录、哪个月（日志里说得出）
    assert (refused.value.entry_id, refused.value.month) == (featured_again.entry.id, "2026-10")
    assert await LedgerEntry.filter(rule=rules.SHARE_FEATURED).count() == 2


async def test_the_reaction_follows_how_the_share_was_credited(db) -> None:
    plain = POLICY.model_copy(update={"share": POLICY.share.model_copy(update={"ack_emoji": 124})})
    both = plain.model_copy(update={"share": plain.share.model_copy(update={"grace_emoji": 66})})
    on_time = await post(1, cst(2026, 11, 27, 9))
    second = await post(1, cst(2026, 11, 27, 10))  # 当天第二条：不记分
    grace = await post(2, cst(2026, 11, 28, 1, 30))  # 记到 27 日
    copied = await post(3, cst(2026, 11, 27, 11), TEXT, exact=True)
    copy_again = await post(4, cst(2026, 11, 27, 12), TEXT, exact=True)
    assert copied.entry is not None and copy_again.entry is None
    assert [shares.reaction(POLICY, o.share) for o in (on_time, grace)] == [0, 0]  # 默认不点
    assert [shares.reaction(plain, o.share) for o in (on_time, second, grace, copy_again)] == [
        124,
        0,
        124,
        0,
    ]
    assert [shares.reaction(both, o.share) for o in (on_time, grace)] == [124, 66]


def test_grace_is_read_on_the_organisations_clock_not_the_servers() -> None:
    """纽约的组织：当地 11 月 26 日 23:00 发的（北京已是 27 日中午）记到 26 日，不是宽限时段；
    当地 27 日 01:30 发的记到 26 日，才是。"""
    new_york = POLICY.model_copy(
        update={"org": POLICY.org.model_copy(update={"timezone": "America/New_York"})}
    )
    there = ZoneInfo("America/New_York")
    day = date(2026, 11, 26)
    assert not shares.in_grace(new_york, day, datetime(2026, 11, 26, 23, tzinfo=there))
    assert shares.in_grace(new_york, day, datetime(2026, 11, 27, 1, 30, tzinfo=there))
