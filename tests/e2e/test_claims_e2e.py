"""申报与转发推广走真实 WebSocket：一次推广三人申报、一个迟了被拒，到期（测试时钟）管理员只收到一条审核消息，
/确认 推1 一次给三人各加 2 分并私聊告诉他们；带截图的 /申报 由管理员定分确认。每一步都重放一次，什么也不多记。"""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests import fake
from tests.conftest import TEST_POLICY
from tests.fake import ADMIN, CHAIRMAN, text

from .harness import LONG_DIGITS, BotProcess, FakeOneBot, Running, ts

ZHANG, LI, WANG = 20001, 20002, 20003
NAMES = {ZHANG: "张三", LI: "李四", WANG: "王五", ADMIN: "王管", CHAIRMAN: "赵主席"}
IMAGE = {
    "type": "image",
    "data": {
        "file": "B7E1.jpg",
        "url": "https://multimedia.nt.qq.com.cn/download?appid=1407&fileid=B7E1",
        "summary": "[图片]",
        "sub_type": 0,
    },
}
CLAIMS = """
[claims.items]
"客户表扬" = [1, 10]

[claims.repost]
points = 2
claim_days = 2
keep_days = 2
"""


def card(user: int) -> str:
    return f"鸡公山酒业-{NAMES[user]}-13800000000"


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    """测试制度加上 [claims]：客户表扬 1 到 10 分，转发推广 2 分。"""
    policy = tmp_path / "policy.toml"
    policy.write_text(TEST_POLICY.read_text("utf-8") + CLAIMS, "utf-8")
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
    # 群里的回复不带 QQ 号、电话：申报人的 QQ 号只在给管理员的私聊里
    for call in state.qq.calls:
        if call.action == "send_group_msg":
            assert not LONG_DIGITS.search(call.text), call.text


def said(qq: FakeOneBot, user: int, message, at: int, message_id: int) -> dict[str, Any]:
    return fake.group_message_payload(
        message, user_id=user, card=card(user), time=at, message_id=message_id, self_id=qq.self_id
    )


async def says(qq: FakeOneBot, payload: dict[str, Any]) -> str:
    """发一条群消息，返回机器人回到群里的下一条消息。"""
    mark = len(qq.calls)
    await qq.send_event(payload)
    (reply,) = await qq.wait_for(
        "send_group_msg", after=mark, where=lambda c: c.params["group_id"] == payload["group_id"]
    )
    return reply.text


async def replayed(running: Running, payload: dict[str, Any]) -> None:
    """同一条消息再上报一次（重连、几个机器人账号）：机器人什么也不说。"""
    mark = len(running.qq.calls)
    await running.qq.send_event(payload)
    await running.bot.idle()
    assert [c.text for c in running.qq.calls[mark:] if c.action.startswith("send_")] == []


async def test_a_campaign_three_claims_one_confirmation_and_a_late_claim(
    running: Running,
) -> None:
    qq, bot = running.qq, running.bot
    opening = said(qq, ADMIN, "/推广 鸡公山酒业新品发布", ts(2026, 11, 27, 8, 0), 810001)
    assert await says(qq, opening) == (
        "【推1】鸡公山酒业新品发布\n"
        "请转发到朋友圈并保持 2 天以上，11月28日 24:00 前把截图和“/已转发 推1”发在群里申报；"
        "12月1日 起管理员统一审核，每人加 2 分。"
    )
    await replayed(running, opening)
    assert await bot.count("SELECT COUNT(*) FROM campaign") == 1

    claims = {}
    for review, user in enumerate((ZHANG, LI, WANG), start=1):
        claims[user] = said(
            qq, user, [text("/已转发 推1"), IMAGE], ts(2026, 11, 28, 23, 59), 810010 + review
        )
        assert await says(qq, claims[user]) == (
            f"已收到 {NAMES[user]} 的转发申报（推1，审{review}），12月1日 起管理员统一审核。"
        )
    await replayed(running, claims[ZHANG])
    late = said(qq, CHAIRMAN, [text("/已转发 推1"), IMAGE], ts(2026, 11, 29, 0, 0), 810020)
    assert await says(qq, late) == "推1 的申报已于 11月28日 24:00 截止，不能再申报。"
    # 拒绝不写任何东西：重放时照样回答同一句，库里仍然没有这条申报
    assert await says(qq, late) == "推1 的申报已于 11月28日 24:00 截止，不能再申报。"
    assert await bot.count("SELECT COUNT(*) FROM claim") == 3

    # 保持期满（12 月 1 日 0 点）：管理员收到一条审核消息；之后的走动和重启都不再发
    mark = len(qq.calls)
    await bot.set_clock("2026-12-01T00:00:30+08:00")
    (review,) = await qq.wait_for(
        "send_private_msg", after=mark, where=lambda c: "已过保持期" in c.text
    )
    assert review.params["user_id"] == ADMIN
    assert review.text == (
        "【群规助手】推1「鸡公山酒业新品发布」已过保持期，3 人申报已转发：\n"
        f"审1 张三（QQ {ZHANG}）\n审2 李四（QQ {LI}）\n审3 王五（QQ {WANG}）\n"
        "全部确认（每人 +2 分）：/确认 推1　个别不通过的先驳回：/驳回 审M 理由"
    )
    await running.restart()
    qq = running.qq
    await bot.set_clock("2026-12-01T00:01:30+08:00")
    await bot.idle()
    assert len([c for c in qq.calls[mark:] if "已过保持期" in c.text]) == 1

    mark = len(qq.calls)
    confirm = fake.private_message_payload(
        "/确认 推1",
        user_id=ADMIN,
        time=ts(2026, 12, 1, 0, 5),
        message_id=810030,
        self_id=qq.self_id,
    )
    await qq.send_event(confirm)
    (answer,) = await qq.wait_for(
        "send_private_msg", after=mark, where=lambda c: c.params["user_id"] == ADMIN
    )
    assert answer.text == "已确认 推1：3 人各 +2 分（张三、李四、王五）。"
    told = await qq.wait_for(
        "send_private_msg", after=mark, where=lambda c: c.params["user_id"] != ADMIN, count=3
    )
    assert {c.params["user_id"]: c.text for c in told} == {
        user: f"【群规助手】你的申报「推1」（审{n}）已确认，+2 分（编号 #{n}）。"
        for n, user in enumerate((ZHANG, LI, WANG), start=1)
    }
    await replayed(running, confirm)
    assert await bot.query(
        "SELECT user_id, delta, rule, actor_id FROM ledger_entry ORDER BY id"
    ) == [
        (ZHANG, 2, "repost", ADMIN),
        (LI, 2, "repost", ADMIN),
        (WANG, 2, "repost", ADMIN),
    ]


async def test_a_claim_with_a_screenshot_is_confirmed_with_a_score(running: Running) -> None:
    qq, bot = running.qq, running.bot
    filing = said(
        qq, ZHANG, [text("/申报 客户表扬 王总来电表扬我的服务"), IMAGE], ts(2026, 11, 27, 9), 820001
    )
    mark = len(qq.calls)
    assert await says(qq, filing) == "已收到 张三 的申报「客户表扬」（审1），管理员确认后加分。"
    (review,) = await qq.wait_for(
        "send_private_msg", after=mark, where=lambda c: c.params["user_id"] == ADMIN
    )
    assert review.text == (
        f"【群规助手】请审核：鸡公山酒业员工群 张三（QQ {ZHANG}）申报「客户表扬」（+1 至 +10 分）\n"
        "说明：王总来电表扬我的服务\n"
        "确认并定分：/确认 审1 分数（1–10）　驳回：/驳回 审1 理由\n"
        "截图 1 张："
    )
    assert [seg["type"] for seg in review.params["message"]] == ["text", "image"]
    await replayed(running, filing)
    # 截图要同事看得到：私聊里申报不收，说一声去群里发，什么也不记
    assert await qq.private_says("/申报 客户表扬 私聊发的", user_id=ZHANG) == (
        "「/申报」要在群里发，私聊里不能用。"
    )
    assert await bot.query("SELECT COUNT(*) FROM claim") == [(1,)]

    assert (
        await qq.private_says("/确认 审1 12", user_id=ADMIN, time=ts(2026, 11, 27, 10))
        == "「客户表扬」的分数应在 1 到 10 之间。"
    )
    mark = len(qq.calls)
    confirm = fake.private_message_payload(
        "/确认 审1 8 客户指名表扬",
        user_id=ADMIN,
        time=ts(2026, 11, 27, 10),
        message_id=820010,
        self_id=qq.self_id,
    )
    await qq.send_event(confirm)
    (told,) = await qq.wait_for(
        "send_private_msg", after=mark, where=lambda c: c.params["user_id"] == ZHANG
    )
    assert told.text == "【群规助手】你的申报「客户表扬」（审1）已确认，+8 分（编号 #1）。"
    (answer,) = await qq.wait_for(
        "send_private_msg", after=mark, where=lambda c: c.params["user_id"] == ADMIN
    )
    assert answer.text == "已确认 审1：张三「客户表扬」+8 分（编号 #1）。"
    await replayed(running, confirm)
    assert await bot.query("SELECT user_id, delta, rule FROM ledger_entry") == [
        (ZHANG, 8, "claim.客户表扬")
    ]
