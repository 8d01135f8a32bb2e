import pytest
from nonebot.adapters.onebot.v11 import ActionFailed, Bot, Message, MessageSegment
from nonebug import App

from tests import fake

GROUP = fake.SHARE_GROUP


def ats(users: range) -> list[MessageSegment]:
    return [MessageSegment.at(user) for user in users]


async def test_more_than_ten_mentions_go_out_in_batches(app: App) -> None:
    from plugins.core.sender import Sender

    sender = Sender(0, 0)
    message = Message([MessageSegment.text("还没分享："), *ats(range(21001, 21024))])
    async with app.test_api() as ctx:
        bot = ctx.create_bot(base=Bot, self_id=str(fake.SELF_ID))
        batches = [
            Message([MessageSegment.text("还没分享："), *ats(range(21001, 21011))]),
            Message(ats(range(21011, 21021))),
            Message(ats(range(21021, 21024))),
        ]
        for n, batch in enumerate(batches, start=1):
            ctx.should_call_api(
                "send_group_msg", {"group_id": GROUP, "message": batch}, result={"message_id": n}
            )
        assert await sender.send_group(bot, GROUP, message) == [1, 2, 3]


async def test_long_text_is_split_and_phones_masked(app: App) -> None:
    from plugins.core.sender import Sender

    sender = Sender(0, 0)
    lines = [f"{n:03d}. 鸡公山酒业-张三-13800000000 " + "字" * 60 for n in range(40)]
    async with app.test_api() as ctx:
        bot = ctx.create_bot(base=Bot, self_id=str(fake.SELF_ID))
        masked = [line.replace("13800000000", "138****0000") for line in lines]
        # 每行 86 字：17 行一条（17×86 + 16 个换行 = 1478 ≤ 1500，18 行就超了）
        for n, chunk in enumerate([masked[:17], masked[17:34], masked[34:]], start=1):
            ctx.should_call_api(
                "send_group_msg",
                {"group_id": GROUP, "message": Message(MessageSegment.text("\n".join(chunk)))},
                result={"message_id": n},
            )
        assert await sender.send_group(bot, GROUP, "\n".join(lines)) == [1, 2, 3]


async def test_a_failed_send_backs_off_and_tells_the_operator(app: App) -> None:
    from plugins.core.sender import BACKOFF_START, Sender, SendFailed

    told: list[str] = []

    async def on_backoff(bot: Bot, text: str) -> None:
        told.append(text)

    sender = Sender(0, 0, on_backoff=on_backoff)
    async with app.test_api() as ctx:
        bot = ctx.create_bot(base=Bot, self_id="10001")
        ctx.should_call_api(
            "send_group_msg",
            {"group_id": GROUP, "message": Message(MessageSegment.text("你好"))},
            exception=ActionFailed(**fake.RESPONSES["send_fail_napcat_risk_control"]),
        )
        with pytest.raises(SendFailed):
            await sender.send_group(bot, GROUP, "你好")
    state = sender.account("10001")
    assert (state.failed, state.sent, state.backoff) == (1, 0, BACKOFF_START)
    assert sender.backoff_left("10001") > BACKOFF_START - 5
    assert len(told) == 1 and told[0].startswith("发送失败，暂停 60 秒")


def test_text_that_looks_like_cq_code_is_sent_as_text() -> None:
    from plugins.core.sender import to_parts

    parts = to_parts("名片：[CQ:at,qq=all]")
    assert parts == [Message(MessageSegment.text("名片：[CQ:at,qq=all]"))]
    assert parts[0][0].type == "text"
