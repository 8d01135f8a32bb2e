"""两个机器人账号连在同一个进程上、同在一个群（制度没有列出它们）：同一条消息两个账号都上报，
NapCat 给它们的消息编号不同。记分、分享都只算一次，只回复一次；经第二个账号上报的分享不是“抄袭”。
另一个机器人（列在制度的 org.bots 里、连在别的进程上）在群里说话：它不算成员。"""

import asyncio
from pathlib import Path

from tests.conftest import TEST_POLICY
from tests.fake import ADMIN, SHARE_GROUP, at, group_message_payload, text

from .harness import ZHANG, BotProcess, FakeOneBot, Running, share_text, ts

SECOND = 10001
ADMIN_CARD = "鸡公山酒业-王管-13700000000"
ZHANG_CARD = "鸡公山酒业-张三-13900000000"


def seen_by(qq: FakeOneBot, message, *, seq: int, **fields) -> dict:
    """同一条群消息在某个账号上的样子：time、发送者、内容、real_seq 相同，编号因账号而异。"""
    return group_message_payload(
        message,
        self_id=qq.self_id,
        message_id=qq.self_id * 100000 + seq,
        real_seq=str(seq),
        group_id=SHARE_GROUP,
        **fields,
    )


def said(qq: FakeOneBot, words: str) -> list[str]:
    return [c.text for c in qq.calls if c.action == "send_group_msg" and words in c.text]


async def test_two_accounts_on_one_process_write_and_answer_once(running: Running) -> None:
    first, bot = running.qq, running.bot
    second = FakeOneBot(bot.ws_url, self_id=SECOND)
    await second.connect()
    try:
        share = dict(user_id=ZHANG, card=ZHANG_CARD, time=ts(2026, 11, 27, 9))
        adjust = dict(user_id=ADMIN, card=ADMIN_CARD, time=ts(2026, 11, 27, 9, 5))
        for qq in (first, second):
            await qq.send_event(seen_by(qq, share_text(ZHANG, 27), seq=501, **share))
        await bot.wait_count("SELECT COUNT(*) FROM ledger_entry", 1)
        await bot.idle()
        await asyncio.gather(
            *(
                qq.send_event(
                    seen_by(qq, [text("/加分 "), at(ZHANG), text(" 5 协助盘点")], seq=502, **adjust)
                )
                for qq in (first, second)
            )
        )
        await bot.wait_count("SELECT COUNT(*) FROM ledger_entry", 2)
        await bot.idle()
        # 编号以库里为准：PostgreSQL 上被回滚的那次插入也用掉一个编号
        rows = await bot.query("SELECT user_id, delta, rule FROM ledger_entry ORDER BY id")
        assert rows == [(ZHANG, 1, "share.daily"), (ZHANG, 5, "manual")]
        assert await bot.query("SELECT original, reason FROM share") == [(True, "")]
        replies = said(first, "已记录") + said(second, "已记录")
        ((manual,),) = await bot.query("SELECT id FROM ledger_entry WHERE rule = 'manual'")
        assert replies == [f"已记录 #{manual}：张三 +5 分（协助盘点）。张三 本月合计 6 分。"]
        assert said(first, "不算原创") + said(second, "不算原创") == []

        # 管理员经没记下这条分享的那个账号回复它（回复段里是那个账号上的编号）：认得出是同一条分享
        ((stored,),) = await bot.query("SELECT message_id FROM share")
        other = second if stored == first.self_id * 100000 + 501 else first
        reply = [
            {"type": "reply", "data": {"id": str(other.self_id * 100000 + 501)}},
            text("/精选"),
        ]
        featured = await other.group_says(
            reply,
            user_id=ADMIN,
            card=ADMIN_CARD,
            group_id=SHARE_GROUP,
            time=ts(2026, 11, 27, 10),
            message_id=other.self_id * 100000 + 503,
        )
        assert featured.startswith("已把 张三 11月27日 的分享评为经典分享"), featured
        ((entry,),) = await bot.query("SELECT id FROM ledger_entry WHERE rule = 'share.featured'")
        assert featured == (
            f"已把 张三 11月27日 的分享评为经典分享，+5 分（编号 #{entry}）。"
            "（机器人不是本群管理员，没有同时设为 QQ 精华消息；设为管理员后会自动设。）"
        )
    finally:
        await second.close()


async def test_a_bot_listed_in_the_policy_is_not_a_member(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(
        TEST_POLICY.read_text("utf-8").replace(
            "chairmen = [30002]", "chairmen = [30002]\nbots = [10099]"
        ),
        "utf-8",
    )
    bot = BotProcess(workdir=tmp_path, policy=policy)
    await bot.start()
    qq = FakeOneBot(bot.ws_url)
    try:
        await qq.connect()
        morning = dict(group_id=SHARE_GROUP, time=ts(2026, 11, 27, 9))
        # 另一个进程上的机器人在分享群里发提醒；张三分享
        await qq.send_event(
            group_message_payload(
                "提醒：今天还没分享的同事请在 24:00 前分享",
                user_id=10099,
                card="",
                nickname="小助手",
                **morning,
            )
        )
        await qq.send_event(
            group_message_payload(share_text(ZHANG, 27), user_id=ZHANG, card=ZHANG_CARD, **morning)
        )
        await bot.wait_count("SELECT COUNT(*) FROM share", 1)
        await bot.idle()
        assert await bot.query("SELECT user_id FROM share") == [(ZHANG,)]
        later = dict(group_id=SHARE_GROUP, time=ts(2026, 11, 27, 10))
        overview = await qq.group_says("/今日分享", user_id=ADMIN, card=ADMIN_CARD, **later)
        assert overview == "11月27日 已分享 1 人，还没分享 1 人：王管。"
        board = await qq.group_says("/排行", user_id=ZHANG, card=ZHANG_CARD, **later)
        assert (
            board
            == "鸡公山酒业 2026-11 积分排行（共 2 人）\n1. 张三 1 分（分享 1 天）\n2. 王管 0 分"
        )
    finally:
        await qq.close()
        assert await bot.stop() == 0, bot.log()
    assert "Traceback" not in bot.log(), bot.log()
