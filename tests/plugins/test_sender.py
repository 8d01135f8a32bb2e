import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from nonebot.adapters.onebot.v11 import ActionFailed, Bot, Message, MessageSegment, NetworkError
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


RISK_CONTROL = fake.RESPONSES["send_fail_napcat_risk_control"]


def said(text: str) -> dict:
    return {"group_id": GROUP, "message": Message(MessageSegment.text(text))}


async def test_a_failed_send_backs_off_tells_the_operator_and_is_sent_again_once(
    app: App,
) -> None:
    from plugins.core.sender import Sender, SendFailed

    told: list[str] = []

    async def on_backoff(bot: Bot, text: str) -> None:
        told.append(text)

    sender = Sender(0, 0, on_backoff=on_backoff, backoff_start=0.05)
    async with app.test_api() as ctx:
        bot = ctx.create_bot(base=Bot, self_id="10001")
        # 风控：第一次和暂停后的重发都失败，就不再发
        ctx.should_call_api("send_group_msg", said("你好"), exception=ActionFailed(**RISK_CONTROL))
        ctx.should_call_api("send_group_msg", said("你好"), exception=ActionFailed(**RISK_CONTROL))
        with pytest.raises(SendFailed):
            await sender.send_group(bot, GROUP, "你好")
    state = sender.account("10001")
    assert (state.failed, state.sent, state.backoff) == (2, 0, 0.1)
    assert sender.backoff_left("10001") > 0.05
    assert told == [f"发送失败，暂停 0 秒：{ActionFailed(**RISK_CONTROL)}"]


async def test_what_waited_goes_out_in_order_after_the_pause(app: App) -> None:
    from plugins.core.sender import Sender

    sender = Sender(0, 0, backoff_start=0.05)
    async with app.test_api() as ctx:
        bot = ctx.create_bot(base=Bot, self_id="10001")
        ctx.should_call_api(
            "send_group_msg", said("第一条"), exception=ActionFailed(**RISK_CONTROL)
        )
        ctx.should_call_api("send_group_msg", said("第一条"), result={"message_id": 1})
        ctx.should_call_api("send_group_msg", said("第二条"), result={"message_id": 2})
        first = asyncio.create_task(sender.send_group(bot, GROUP, "第一条"))
        await asyncio.sleep(0)  # 第一条先拿到发送锁
        assert await sender.send_group(bot, GROUP, "第二条") == [2]
        assert await first == [1]
    assert sender.account("10001").sent == 2


async def test_a_reminder_out_of_date_after_the_pause_is_dropped(app: App) -> None:
    from plugins.core.sender import Sender, SendFailed
    from qungui import clock

    sender = Sender(0, 0, backoff_start=0.05)
    moment = datetime(2026, 11, 27, 23, 59, 59, 990000, tzinfo=UTC)
    clock.set_now(moment)
    try:
        async with app.test_api() as ctx:
            bot = ctx.create_bot(base=Bot, self_id="10001")
            ctx.should_call_api(
                "send_group_msg", said("还没分享"), exception=ActionFailed(**RISK_CONTROL)
            )

            async def midnight_passes() -> None:
                await asyncio.sleep(0.01)
                clock.set_now(moment + timedelta(seconds=1))

            ticking = asyncio.create_task(midnight_passes())
            with pytest.raises(SendFailed, match="过时") as refused:
                await sender.send_group(
                    bot, GROUP, "还没分享", valid_until=moment + timedelta(seconds=0.5)
                )
            await ticking
            assert refused.value.unsent  # NapCat 拒收，过时后也没再发：确知不在群里
    finally:
        clock.set_now(None)


async def test_a_timeout_is_not_sent_again(app: App) -> None:
    # 超时的那条可能已经到了群里：重发会让群里看到两遍
    from plugins.core.sender import Sender, SendFailed

    sender = Sender(0, 0, backoff_start=0.05)
    async with app.test_api() as ctx:
        bot = ctx.create_bot(base=Bot, self_id="10001")
        ctx.should_call_api("send_group_msg", said("你好"), exception=NetworkError("timeout"))
        with pytest.raises(SendFailed) as unknown:
            await sender.send_group(bot, GROUP, "你好")
    assert not unknown.value.unsent
    assert sender.account("10001").failed == 1


# NapCat 对某一个收件人的拒绝（NapCatQQ 的 createContext 与 sendMsg 的报错）：别的群、别的人照常能发
UNKNOWN_QQ = {"status": "failed", "retcode": 1200, "data": None, "message": "无法获取用户信息"}
REMOVED_FROM_GROUP = {
    "status": "failed",
    "retcode": 1200,
    "data": None,
    "message": "EventChecker Failed: NTEvent serviceAndMethod:NodeIKernelMsgService/sendMsg "
    'ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate EventRet:\n{\n    "result": 110,\n'
    '    "errMsg": "发送失败，你已被移出该群，请重新加群。"\n}\n',
}
NOT_A_FRIEND = {
    "status": "failed",
    "retcode": 1200,
    "data": None,
    "message": "发送失败,请添加对方为好友",
}
BAD_PARAMS = {"status": "failed", "retcode": 1400, "data": None, "message": "user_id 格式不对"}


@pytest.mark.parametrize(
    ("api", "target", "refusal"),
    [
        ("send_private_msg", {"user_id": 30009}, UNKNOWN_QQ),
        ("send_private_msg", {"user_id": 30009}, NOT_A_FRIEND),
        ("send_private_msg", {"user_id": 30009}, BAD_PARAMS),
        ("send_group_msg", {"group_id": 55555555}, REMOVED_FROM_GROUP),
    ],
)
async def test_a_refusal_for_one_recipient_does_not_pause_the_account(
    app: App, api: str, target: dict, refusal: dict
) -> None:
    from plugins.core.sender import Sender, SendFailed

    told: list[str] = []

    async def on_backoff(bot: Bot, text: str) -> None:
        told.append(text)

    # 暂停一分钟：若还按退避处理，后面那条群消息在测试的 2 秒里发不出去
    sender = Sender(0, 0, on_backoff=on_backoff, backoff_start=60)
    async with app.test_api() as ctx:
        bot = ctx.create_bot(base=Bot, self_id="10001")
        message = Message(MessageSegment.text("审1 待处理"))
        ctx.should_call_api(api, {**target, "message": message}, exception=ActionFailed(**refusal))
        ctx.should_call_api("send_group_msg", said("你好"), result={"message_id": 7})
        with pytest.raises(SendFailed, match=refusal["message"][:10]):
            if api == "send_private_msg":
                await sender.send_private(bot, target["user_id"], "审1 待处理")
            else:
                await sender.send_group(bot, target["group_id"], "审1 待处理")
        async with asyncio.timeout(2):
            assert await sender.send_group(bot, GROUP, "你好") == [7]
    state = sender.account("10001")
    assert sender.backoff_left("10001") == 0
    assert (state.sent, state.failed, state.refused) == (1, 0, 1)
    assert refusal["message"][:10] in state.last_refusal
    assert told == []


async def test_risk_control_after_a_refusal_still_pauses(app: App) -> None:
    from plugins.core.sender import Sender, SendFailed

    sender = Sender(0, 0, backoff_start=0.05)
    async with app.test_api() as ctx:
        bot = ctx.create_bot(base=Bot, self_id="10001")
        private = {"user_id": 30009, "message": Message(MessageSegment.text("审1"))}
        ctx.should_call_api("send_private_msg", private, exception=ActionFailed(**UNKNOWN_QQ))
        ctx.should_call_api("send_group_msg", said("你好"), exception=ActionFailed(**RISK_CONTROL))
        ctx.should_call_api("send_group_msg", said("你好"), exception=ActionFailed(**RISK_CONTROL))
        with pytest.raises(SendFailed):
            await sender.send_private(bot, 30009, "审1")
        with pytest.raises(SendFailed):
            await sender.send_group(bot, GROUP, "你好")
    state = sender.account("10001")
    assert (state.refused, state.failed) == (1, 2)
    # 仍在退避（退避的长度，不看还剩几秒：机器忙时 0.1 秒一眨眼就过去了）
    assert state.backoff > 0 and state.backoff_until > 0


async def test_a_connection_closing_while_sending_is_a_failed_send(app: App) -> None:
    # NapCat 断开的那一刻，FastAPI 驱动发消息抛的是 starlette 的 WebSocketDisconnect，不是
    # OneBot 适配器的异常：它也只是一次没发出去的消息，不能从发送出口漏出去（后台通知里没人接）
    from starlette.websockets import WebSocketDisconnect

    from plugins.core.sender import Sender, SendFailed

    sender = Sender(0, 0, backoff_start=0.05)
    async with app.test_api() as ctx:
        bot = ctx.create_bot(base=Bot, self_id="10001")
        private = {"user_id": 30009, "message": Message(MessageSegment.text("发送失败"))}
        ctx.should_call_api("send_private_msg", private, exception=WebSocketDisconnect(1006))
        with pytest.raises(SendFailed) as failed:
            await sender.send_private(bot, 30009, "发送失败")
    assert failed.value.unsent
    assert sender.account("10001").failed == 1


def test_text_that_looks_like_cq_code_is_sent_as_text() -> None:
    from plugins.core.sender import to_parts

    parts = to_parts("名片：[CQ:at,qq=all]")
    assert parts == [Message(MessageSegment.text("名片：[CQ:at,qq=all]"))]
    assert parts[0][0].type == "text"
