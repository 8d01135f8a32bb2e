"""请假与节假日走真实 WebSocket：节假日的提醒谁也不 @；请假那天提醒不 @ 请假的人，/今日分享 说他请假。
两种日子里发的分享照样记分。"""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import TEST_POLICY
from tests.fake import ADMIN, SHARE_GROUP, at, text

from .harness import LI, WANG, ZHANG, BotProcess, FakeOneBot, Running, post, share_text, ts

HOLIDAY = "2026-11-28"
ADMIN_CARD = "鸡公山酒业-王管-13700000000"


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    """测试制度加上 [calendar]：11 月 28 日是节假日。"""
    policy = tmp_path / "policy.toml"
    policy.write_text(
        TEST_POLICY.read_text("utf-8") + f'\n[calendar]\nholidays = ["{HOLIDAY}"]\n', "utf-8"
    )
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


def reminders(running: Running, mark: int) -> list[str]:
    return [
        c.text
        for c in running.qq.calls[mark:]
        if c.action == "send_group_msg"
        and c.params["group_id"] == SHARE_GROUP
        and "还没有原创分享的同事" in c.text
    ]


async def test_a_holiday_reminds_nobody_and_a_share_still_counts(running: Running) -> None:
    qq, bot = running.qq, running.bot
    # 27 日三个人都在分享群里说过话；28 日（节假日）只有张三发了分享
    for user in (ZHANG, LI, WANG):
        await post(running, user, share_text(user, 27), ts(2026, 11, 27, 9, user % 60))
    await post(running, ZHANG, share_text(ZHANG, 28), ts(2026, 11, 28, 9))
    mark = len(qq.calls)
    assert "share.remind.1:jgs:2026-11-28T20:00" in await bot.set_clock("2026-11-28T20:00:30+08:00")
    await bot.idle()
    assert reminders(running, mark) == []
    answer = await qq.group_says(
        "/今日分享", user_id=ADMIN, group_id=SHARE_GROUP, card=ADMIN_CARD, time=ts(2026, 11, 28, 21)
    )
    assert answer == "11月28日 是节假日，不用分享，不提醒（已分享 1 人）。"
    answer = await qq.group_says(
        "/今日分享",
        user_id=LI,
        group_id=SHARE_GROUP,
        card="鸡公山酒业-李四-13800000000",
        time=ts(2026, 11, 28, 21, 1),
    )
    assert answer == "今天（11月28日）是节假日，不用分享。李四 本月已分享 1 天，当前连续 1 天。"
    days = await bot.query(
        "SELECT business_date FROM ledger_entry WHERE user_id = $1 ORDER BY id", ZHANG
    )
    assert [str(day) for (day,) in days] == ["2026-11-27", "2026-11-28"]


async def test_a_member_on_leave_is_not_reminded_and_today_says_leave(running: Running) -> None:
    qq, bot = running.qq, running.bot
    for user in (ZHANG, LI, WANG):
        await post(running, user, share_text(user, 26), ts(2026, 11, 26, 9, user % 60))
    recorded = await qq.group_says(
        [text("/请假 "), at(LI), text(" 11-27 11-27 去医院复查")],
        user_id=ADMIN,
        group_id=SHARE_GROUP,
        card=ADMIN_CARD,
        time=ts(2026, 11, 27, 8, 30),
    )
    assert recorded == (
        "已记下 李四 请假 11月27日（1 天，编号 假1），事由：去医院复查。"
        "这几天不提醒分享，也不打断连续分享；撤销：/撤销 假1"
    )
    await post(running, ZHANG, share_text(ZHANG, 27), ts(2026, 11, 27, 9))
    mark = len(qq.calls)
    assert "share.remind.1:jgs:2026-11-27T20:00" in await bot.set_clock("2026-11-27T20:00:30+08:00")
    await qq.wait_for("send_group_msg", after=mark)
    assert reminders(running, mark) == [
        f"今天（11月27日）还没有原创分享的同事，今晚 24:00 前发都算，特殊情况可到明早 02:00："
        f"@{WANG}@{ADMIN}"
    ]
    answer = await qq.group_says(
        "/今日分享",
        user_id=LI,
        group_id=SHARE_GROUP,
        card="鸡公山酒业-李四-13800000000",
        time=ts(2026, 11, 27, 21),
    )
    assert answer == "李四 今天（11月27日）请假，不用分享。本月已分享 1 天，当前连续 1 天。"
    answer = await qq.group_says(
        "/今日分享", user_id=ADMIN, group_id=SHARE_GROUP, card=ADMIN_CARD, time=ts(2026, 11, 27, 21)
    )
    assert answer == "11月27日 已分享 1 人，请假 1 人（李四），还没分享 2 人：王五、王管。"
    # 请假那天发的分享照样记分
    await post(running, LI, share_text(LI, 27), ts(2026, 11, 27, 22))
    days = await bot.query(
        "SELECT business_date FROM ledger_entry WHERE user_id = $1 ORDER BY id", LI
    )
    assert [str(day) for (day,) in days] == ["2026-11-26", "2026-11-27"]
