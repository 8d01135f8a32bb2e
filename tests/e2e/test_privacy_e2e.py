"""电话不进群，走真实 WebSocket：理由里拆开写的号码打码；只被 @ 过、没发过言的人按名片上的姓名上榜；
名片只写了号码的人按昵称上榜。"""

from pathlib import Path

from tests.conftest import TEST_POLICY
from tests.fake import ADMIN, SHARE_GROUP, WORK_GROUP, at, text

from .harness import BotProcess, FakeOneBot, Running, ts

LI = 20002
LI_CARD = "鸡公山酒业-李四-13800000000"
ADMIN_CARD = "鸡公山酒业-王管-13700000000"
ZHOU = 20005
ZHOU_CARD = "鸡公山酒业-周五-13800000005"


async def test_a_phone_with_spaces_in_a_reason_is_masked(running: Running) -> None:
    qq = running.qq
    admin = {"user_id": ADMIN, "card": ADMIN_CARD}
    await qq.group_says("/积分", user_id=LI, card=LI_CARD)
    reply = await qq.group_says(
        [text("/加分 "), at(LI), text(" 5 帮客户 137 0000 0000 跑了一趟")], **admin
    )
    assert reply == "已记录 #1：李四 +5 分（帮客户 137****0000 跑了一趟）。李四 本月合计 5 分。"
    reply = await qq.group_says([text("/扣分 "), at(LI), text(" 5 乱发 137-0000-0000")], **admin)
    assert reply == "已记录 #2：李四 -5 分（乱发 137****0000）。李四 本月合计 0 分。"
    reply = await qq.group_says(
        [text("/加分 "), at(LI), text(" 1 回电 １３７ ００００ ００００")], **admin
    )
    assert reply == "已记录 #3：李四 +1 分（回电 １３７****００００）。李四 本月合计 1 分。"
    for call in qq.calls:
        if call.action == "send_group_msg":
            assert "0000 0000" not in call.text and "0000-0000" not in call.text, call.text


async def test_an_unknown_member_shows_by_card_name_on_the_board(running: Running) -> None:
    qq = running.qq
    qq.add_member(WORK_GROUP, ZHOU, card=ZHOU_CARD, nickname="zhou", role="member")
    await qq.group_says(
        [text("/加分 "), at(ZHOU), text(" 5 整理仓库")], user_id=ADMIN, card=ADMIN_CARD
    )
    mark = len(qq.calls)
    assert await qq.group_says("/排行", user_id=LI, card=LI_CARD) == (
        "鸡公山酒业 2026-11 积分排行（共 3 人）\n1. 周五 5 分\n2. 李四 0 分\n2. 王管 0 分"
    )
    asked = [c.params for c in qq.calls[mark:] if c.action == "get_group_member_info"]
    assert [(p["group_id"], p["user_id"]) for p in asked] == [(WORK_GROUP, ZHOU)]
    # 记下了：再看排行不再问
    mark = len(qq.calls)
    await qq.group_says("/排行", user_id=LI, card=LI_CARD)
    assert [c for c in qq.calls[mark:] if c.action == "get_group_member_info"] == []


async def test_the_month_end_post_names_everyone_without_their_numbers(tmp_path: Path) -> None:
    bot = BotProcess(workdir=tmp_path, policy=TEST_POLICY)
    await bot.start()
    qq = FakeOneBot(bot.ws_url)
    try:
        await qq.connect()
        qq.add_member(SHARE_GROUP, ZHOU, card=ZHOU_CARD, nickname="zhou", role="member")
        # 名片只写了号码的人
        await qq.group_says("/积分", user_id=LI, card="13712345678", nickname="小李")
        await qq.group_says(
            [text("/加分 "), at(ZHOU), text(" 5 整理仓库")], user_id=ADMIN, card=ADMIN_CARD
        )
        await qq.group_says(
            [text("/加分 "), at(LI), text(" 3 帮忙")], user_id=ADMIN, card=ADMIN_CARD
        )
        mark = len(qq.calls)
        assert "month.close:jgs:2026-11" in await bot.set_clock("2026-12-01T09:00:10+08:00")
        (post, _image) = await qq.wait_for(
            "send_group_msg",
            after=mark,
            count=2,
            where=lambda c: c.params["group_id"] == SHARE_GROUP,
        )
        assert post.text.startswith(
            "【鸡公山酒业 2026年11月 积分排行】\n前 3 名：\n"
            "1. 周五 5 分（分享 0 天）\n2. 小李 3 分（分享 0 天）\n3. 王管 0 分（分享 0 天）\n"
        )
        # 快照里存的名字也没有号码：之后 /排行 上个月也一样
        assert (
            await qq.group_says(
                "/排行 2026-11",
                user_id=LI,
                card="13712345678",
                nickname="小李",
                time=ts(2026, 12, 1, 10),
            )
            == "鸡公山酒业 2026-11 积分排行（共 3 人）\n1. 周五 5 分\n2. 小李 3 分\n3. 王管 0 分"
        )
    finally:
        await qq.close()
        assert await bot.stop() == 0
