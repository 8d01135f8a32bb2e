"""core 插件自己的事：唯一的规则只做决定、写库在处理函数里；qungui 的日志进 NoneBot 的日志。"""

import logging

from nonebot.adapters.onebot.v11 import Adapter
from nonebug import App

from qungui.models import BotPresence, Member
from tests import fake

from .conftest import make_bot


async def test_the_rule_only_decides_and_the_handler_remembers_the_speaker(app: App, db) -> None:
    from plugins.core.dispatch import _route

    chat = fake.group_message("在", user_id=20001, card="鸡公山酒业-张三-13800000000")
    state: dict = {}
    assert await _route(chat, state) is True  # 没见过的人：要进处理函数记下他
    assert not await Member.exists()  # 规则本身什么也不写
    async with app.test_matcher() as ctx:
        ctx.receive_event(make_bot(ctx), chat)
    member = await Member.get(user_id=20001)
    assert member.card == "鸡公山酒业-张三-13800000000"
    # 记下之后，同一个人照旧说话就是普通聊天：规则到此为止，不进处理函数
    assert await _route(chat, {}) is False


async def test_a_heartbeat_is_written_by_the_handler_not_the_rule(app: App, db) -> None:
    from plugins.core.dispatch import _route

    heartbeat = Adapter.json_to_event(
        {
            "post_type": "meta_event",
            "meta_event_type": "heartbeat",
            "time": fake.NOV27_1000,
            "self_id": fake.SELF_ID,
            "status": {"online": True, "good": True},
            "interval": 30000,
        }
    )
    assert await _route(heartbeat, {}) is True
    assert not await BotPresence.exists()
    async with app.test_matcher() as ctx:
        ctx.receive_event(make_bot(ctx), heartbeat)
    assert await BotPresence.filter(self_id=fake.SELF_ID).exists()
    # 20 秒内再来的心跳不写库，也就不进处理函数
    assert await _route(heartbeat, {}) is False


def test_a_qungui_info_line_reaches_nonebots_logger() -> None:
    # qungui/ 不认识 NoneBot，用标准库 logging；它的 INFO 行要和 NoneBot 自己的日志走同一条路
    from nonebot.log import logger

    seen: list[tuple[str, str]] = []
    sink = logger.add(lambda m: seen.append((m.record["level"].name, m.record["message"])))
    try:
        logging.getLogger("qungui.jobs").info(
            "任务 %s（%s）周期 %s 再试", "cards.sweep", "jgs", "x"
        )
    finally:
        logger.remove(sink)
    assert seen == [("INFO", "任务 cards.sweep（jgs）周期 x 再试")]
