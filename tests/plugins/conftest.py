"""nonebug 测试的小工具：收到一条消息、期望机器人发一条群消息或私聊。"""

from typing import Any

from nonebot.adapters.onebot.v11 import Bot, Message, MessageSegment

from tests import fake

_ids = iter(range(5000, 10**9))


def make_bot(ctx: Any) -> Bot:
    return ctx.create_bot(base=Bot, self_id=str(fake.SELF_ID))


def expect_group(ctx: Any, text: str, group_id: int = fake.WORK_GROUP) -> None:
    ctx.should_call_api(
        "send_group_msg",
        {"group_id": group_id, "message": Message(MessageSegment.text(text))},
        result={"message_id": next(_ids)},
    )


def expect_private(ctx: Any, text: str, user_id: int) -> None:
    ctx.should_call_api(
        "send_private_msg",
        {"user_id": user_id, "message": Message(MessageSegment.text(text))},
        result={"message_id": next(_ids)},
    )
