"""要大家确认的通知走真实 WebSocket：一条通知，“收到”、引用、表情回应三种确认，发通知和截止之间重启一次，
截止时（测试时钟）只提醒一次没确认的人、记一次处罚，私聊报告给发通知的人。"""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests import fake
from tests.conftest import TEST_POLICY
from tests.fake import ADMIN, WORK_GROUP, text

from .harness import BotProcess, FakeOneBot, Running, ts

ZHANG, LI, WANG, ZHAO = 20001, 20002, 20003, 20004
NAMES = {ZHANG: "张三", LI: "李四", WANG: "王五", ZHAO: "赵六", ADMIN: "王管"}


def card(user: int) -> str:
    return f"鸡公山酒业-{NAMES[user]}-13800000000"


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    """测试制度加上 [notices]（未确认的每人扣 5 分）。"""
    policy = tmp_path / "policy.toml"
    policy.write_text(TEST_POLICY.read_text("utf-8") + "\n[notices]\npenalty = 5\n", "utf-8")
    bot = BotProcess(workdir=tmp_path, policy=policy)
    await bot.start()
    state = Running(bot, FakeOneBot(bot.ws_url))
    try:
        await state.qq.connect()
        yield state
    finally:
        await state.qq.close()
        code = await bot.stop()
    assert code == 0, bot.log()
    assert "Traceback" not in bot.log(), bot.log()


async def says(running: Running, user: int, message, minute: int) -> None:
    payload = fake.group_message_payload(
        message,
        user_id=user,
        card=card(user),
        time=ts(2026, 11, 27, 8, minute),
        self_id=running.qq.self_id,
    )
    await running.qq.send_event(payload)


async def acked(running: Running, count: int) -> None:
    await running.bot.wait_count(
        "SELECT COUNT(*) FROM notice_target WHERE acked_at IS NOT NULL", count, within=15
    )


async def test_a_notice_is_acknowledged_and_the_silent_are_reminded_once(running: Running) -> None:
    qq, bot = running.qq, running.bot
    for user in (ZHANG, LI, WANG, ZHAO):
        await says(running, user, "大家早", 0)
    await bot.wait_count("SELECT COUNT(*) FROM member", 4, within=15)

    post = await qq.group_says(
        "/通知 今天下午三点在三楼会议室开会，请准时参加",
        user_id=ADMIN,
        card=card(ADMIN),
        time=ts(2026, 11, 27, 8, 0),
    )
    assert post == (
        "【通知 1】今天下午三点在三楼会议室开会，请准时参加\n"
        "请在 08:30 前回复“收到”、引用本条或点个表情确认（4 人）。"
    )
    await bot.wait_count("SELECT COUNT(*) FROM notice WHERE bot_id IS NOT NULL", 1, within=15)
    ((ids, bot_id),) = await bot.query("SELECT message_ids, bot_id FROM notice")
    assert bot_id == qq.self_id
    notice_id = int(ids)
    # 像 NapCat 一样：机器人自己发的消息也能用 get_msg 取回（引用时适配器会去取）
    qq.messages[notice_id] = fake.group_message_payload(
        post, user_id=qq.self_id, message_id=notice_id, time=ts(2026, 11, 27, 8, 0)
    )

    await says(running, ZHANG, "收到！", 1)
    await says(running, LI, [{"type": "reply", "data": {"id": str(notice_id)}}, text("好的")], 2)
    await acked(running, 2)

    # 发通知和截止之间重启：未确认的人、消息编号都在库里，重启后照样认得表情回应、照样到点提醒
    await running.restart()
    mark = len(qq.calls)
    reaction = fake.notice_payload(
        "group_msg_emoji_like",
        user_id=WANG,
        group_id=WORK_GROUP,
        message_id=notice_id,
        time=ts(2026, 11, 27, 8, 10),
        self_id=running.qq.self_id,
    )
    await running.qq.send_event(reaction)
    await running.qq.send_event(reaction)  # 重放：不会再记一次
    await acked(running, 3)
    qq = running.qq

    await bot.set_clock("2026-11-27T08:29:30+08:00")
    assert not [c for c in qq.calls[mark:] if c.action == "send_group_msg"]
    await bot.set_clock("2026-11-27T08:30:30+08:00")
    (reminder,) = await qq.wait_for(
        "send_group_msg", after=mark, where=lambda c: c.params["group_id"] == WORK_GROUP
    )
    assert reminder.text == (
        "【通知 1】已到截止时间（08:30），以下 1 位同事还没有确认，请马上回复“收到”：@20004"
    )
    (report,) = await qq.wait_for(
        "send_private_msg", after=mark, where=lambda c: c.params["user_id"] == ADMIN
    )
    assert report.text == (
        "【通知 1】截止（08:30）：应确认 4 人，按时确认 3 人，没有确认 1 人。\n"
        "按时确认：张三、李四、王五\n没有确认：赵六\n"
        "没有确认的人各记 -5 分（规则 notice.silent，可用 /撤销 改正）。"
    )
    # 之后的时钟走动不再提醒
    await bot.set_clock("2026-11-27T08:31:30+08:00")
    await bot.set_clock("2026-11-27T08:40:30+08:00")
    await bot.idle()
    reminders = [c for c in qq.calls[mark:] if "已到截止时间" in c.text]
    assert len(reminders) == 1
    assert await bot.query("SELECT user_id, delta, rule FROM ledger_entry") == [
        (ZHAO, -5, "notice.silent")
    ]
    rows = await bot.query("SELECT user_id, how, late FROM notice_target ORDER BY user_id")
    assert [(user, how, bool(late)) for user, how, late in rows] == [
        (ZHANG, "word", False),
        (LI, "quote", False),
        (WANG, "emoji", False),
        (ZHAO, "", False),
    ]

    # 赵六迟到的“收到”：记下、标为迟到
    await says(running, ZHAO, "收到，刚才在开车", 45)
    await acked(running, 4)
    status = await qq.group_says(
        "/通知状态 1", user_id=ADMIN, card=card(ADMIN), time=ts(2026, 11, 27, 8, 50)
    )
    assert status == (
        "【通知 1】今天下午三点在三楼会议室开会，请准时参加\n"
        "王管 发于 11-27 08:00，截止 11-27 08:30（已截止）\n"
        "应确认 4 人：按时 3 人，迟到 1 人，没有确认 0 人。\n"
        "按时确认：张三、李四、王五\n迟到确认：赵六"
    )
