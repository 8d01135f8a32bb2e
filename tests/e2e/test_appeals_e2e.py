"""申诉走真实 WebSocket：成立（撤销那条记录、私聊告诉本人）、驳回、写记录的人自己决定被拒，
以及每一步的重放（同一事件再上报一次：不写、不说）。"""

from tests import fake
from tests.fake import ADMIN, CHAIRMAN, at, text

from .harness import Running

LI = 20002
LI_CARD = "鸡公山酒业-李四-13800000000"
ADMIN_CARD = "鸡公山酒业-王管-13700000000"
ZHANG, ZHANG_CARD = 20001, "鸡公山酒业-张三-13900000000"
SENT = ("send_group_msg", "send_private_msg")


async def replayed_says_nothing(running: Running, payload: dict) -> None:
    """同一事件再上报一次（重连、几个机器人账号）：机器人处理完了也一句不说。"""
    qq = running.qq
    mark = len(qq.calls)
    await qq.send_event(payload)
    await running.bot.idle()
    assert [c.text for c in qq.calls[mark:] if c.action in SENT] == []


async def chairman_decides(running: Running, command: str, message_id: int, told: int):
    """主席私聊发出决定：返回 (这条事件, 私聊给 told 的那条, 给主席的答复)。"""
    qq = running.qq
    mark = len(qq.calls)
    payload = fake.private_message_payload(
        command, user_id=CHAIRMAN, message_id=message_id, self_id=qq.self_id
    )
    await qq.send_event(payload)
    (to_them,) = await qq.wait_for(
        "send_private_msg", after=mark, where=lambda c: c.params["user_id"] == told
    )
    (answer,) = await qq.wait_for(
        "send_private_msg", after=mark, where=lambda c: c.params["user_id"] == CHAIRMAN
    )
    return payload, to_them, answer


async def test_appeals_upheld_refused_and_a_self_decision(running: Running) -> None:
    qq, bot = running.qq, running.bot
    await bot.set_clock("2026-11-27T09:30:00+08:00")
    assert (await qq.group_says("/积分", user_id=LI, card=LI_CARD)).startswith("李四 本月")
    for points, reason in ((5, "没交周报"), (3, "迟到")):
        await qq.group_says(
            [text("/扣分 "), at(LI), text(f" {points} {reason}")], user_id=ADMIN, card=ADMIN_CARD
        )

    # 一、申诉 #1，成立
    mark = len(qq.calls)
    filed = fake.group_message_payload(
        "/申诉 #1 那天我交了周报",
        user_id=LI,
        card=LI_CARD,
        message_id=881001,
        self_id=qq.self_id,
    )
    await qq.send_event(filed)
    (reply,) = await qq.wait_for("send_group_msg", after=mark)
    assert reply.text == ("已收到申诉（审1）：#1 -5 分（手动调整）。管理员复核后会私聊告诉你结果。")
    (review,) = await qq.wait_for(
        "send_private_msg", after=mark, where=lambda c: c.params["user_id"] == ADMIN
    )
    assert review.text == (
        "【群规助手】请审核：对记录 #1 的申诉\n"
        f"申诉人：李四（QQ {LI}）\n"
        "记录：#1 11-27 -5 分，手动调整，理由：没交周报\n"
        f"写入：王管（管理员，QQ {ADMIN}）\n"
        "申诉理由：那天我交了周报\n"
        "/确认 审1：申诉成立，撤销这条记录；/驳回 审1 理由：维持"
    )
    await replayed_says_nothing(running, filed)
    assert await bot.query("SELECT COUNT(*) FROM appeal") == [(1,)]

    # 写这条记录的管理员自己决定：拒绝，什么也不写
    own = "审1 申诉的 #1 是你写的记录，不能自己决定，请另一位管理员处理。"
    assert await qq.private_says("/确认 审1", user_id=ADMIN, message_id=881010) == own
    # 拒绝不写任何东西，所以重放时也只是同一句拒绝（没有新的内容），仍然什么也不写
    assert await qq.private_says("/确认 审1", user_id=ADMIN, message_id=881010) == own
    assert await bot.query("SELECT status FROM filter_hit WHERE id = 1") == [("pending",)]
    assert await bot.query("SELECT COUNT(*) FROM ledger_entry") == [(2,)]

    upheld, told, answer = await chairman_decides(running, "/确认 审1 周报系统里查到了", 881002, LI)
    assert told.text == ("【群规助手】你的申诉 审1 成立：#1（11-27 -5 分，手动调整）已撤回。")
    assert answer.text == (
        "申诉成立：审1，已撤销 #1（李四 -5 分，手动调整），撤销记录 #3。已私聊告诉 李四。"
    )
    await replayed_says_nothing(running, upheld)
    assert await bot.query(
        "SELECT id, delta, reverses, actor_id, actor_role, reason FROM ledger_entry WHERE id > 2"
    ) == [(3, 5, 1, CHAIRMAN, "chairman", "申诉成立（审1）：周报系统里查到了")]

    # 二、申诉 #2，驳回
    mark = len(qq.calls)
    assert await qq.private_says("/申诉 2 那天是堵车", user_id=LI) == (
        "已收到申诉（审2）：#2 -3 分（手动调整）。管理员复核后会私聊告诉你结果。"
    )
    await qq.wait_for(
        "send_private_msg",
        after=mark,
        where=lambda c: c.params["user_id"] == ADMIN and "对记录 #2 的申诉" in c.text,
    )
    refused, told, answer = await chairman_decides(running, "/驳回 审2 迟到不看原因", 881003, LI)
    assert told.text == (
        "【群规助手】你的申诉 审2 被驳回：#2（11-27 -3 分，手动调整）维持。理由：迟到不看原因"
    )
    assert answer.text == "已驳回申诉 审2：#2 维持。已私聊告诉 李四。"
    await replayed_says_nothing(running, refused)

    assert await qq.group_says("/积分明细", user_id=LI, card=LI_CARD) == (
        "李四 2026-11 积分明细：共 3 条，合计 -3 分\n"
        "#1 11-27 -5 分 手动调整 没交周报 — 王管（已撤回）（申诉成立 审1）\n"
        "#2 11-27 -3 分 手动调整 迟到 — 王管（申诉驳回 审2）\n"
        "#3 11-27 +5 分 撤回 #1 申诉成立（审1）：周报系统里查到了 — 成员0002"
    )
    assert await bot.query("SELECT COUNT(*) FROM ledger_entry") == [(3,)]
    assert await bot.query("SELECT id, status, decided_by FROM filter_hit ORDER BY id") == [
        (1, "confirmed", CHAIRMAN),
        (2, "dismissed", CHAIRMAN),
    ]


async def test_an_upheld_appeal_takes_back_the_reporters_bonus(running: Running) -> None:
    """李四举报张三、管理员确认（李四得举报属实奖励）；张三申诉成立：李四的奖励一并撤回，私聊告诉他。"""
    qq, bot = running.qq, running.bot
    await bot.set_clock("2026-11-27T09:30:00+08:00")
    await qq.send_event(
        fake.group_message_payload(
            "你们都是废物", user_id=ZHANG, card=ZHANG_CARD, message_id=882001
        )
    )
    report = [{"type": "reply", "data": {"id": "882001"}}, text("/举报 骂人")]
    assert (
        await qq.group_says(report, user_id=LI, card=LI_CARD) == "已收到举报（审1），管理员会处理。"
    )
    confirmed = await qq.group_says("/确认 审1", user_id=ADMIN, card=ADMIN_CARD)
    assert confirmed.startswith("已警告 张三：不良信息，-5 分，")
    assert await bot.query("SELECT id, user_id, delta FROM ledger_entry ORDER BY id") == [
        (1, ZHANG, -5),
        (2, LI, 2),
    ]
    mark = len(qq.calls)
    assert await qq.private_says("/申诉 #1 我说的是游戏里的角色", user_id=ZHANG) == (
        "已收到申诉（审2）：#1 -5 分（不良信息警告）。管理员复核后会私聊告诉你结果。"
    )
    await qq.wait_for("send_private_msg", after=mark, where=lambda c: "对记录 #1 的申诉" in c.text)

    upheld, reporter_told, answer = await chairman_decides(
        running, "/确认 审2 聊的是游戏", 882002, LI
    )
    assert reporter_told.text == (
        "【群规助手】你举报的消息经申诉认定不算违规（审2），举报属实奖励 #2（+2 分）已撤回。"
    )
    assert answer.text.endswith(
        "举报人 李四 的举报属实奖励 #2（+2 分）一并撤回，已私聊告诉举报人。"
    )
    await replayed_says_nothing(running, upheld)
    assert await bot.query(
        "SELECT user_id, delta, reverses, actor_id, reason FROM ledger_entry WHERE id > 2 ORDER BY id"
    ) == [
        (ZHANG, 5, 1, CHAIRMAN, "申诉成立（审2）：聊的是游戏"),
        (LI, -2, 2, CHAIRMAN, "申诉成立（审2），举报不属实"),
    ]
