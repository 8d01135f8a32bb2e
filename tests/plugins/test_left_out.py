"""制度可以让领导不参加排名（`leaderboard.exclude`、`exclude_chairmen`）：照常记账，
不上榜、不被提醒分享；/积分 的人数、/排行、/今日分享 数的是同一群人。"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from nonebot.adapters.onebot.v11 import Message, MessageSegment
from nonebug import App

from tests import fake
from tests.fake import ADMIN, CHAIRMAN, SHARE_GROUP, at, text

from .conftest import expect_group, make_bot, patch_policy

CST = ZoneInfo("Asia/Shanghai")
SHARE = "今天拜访了三家经销商，发现大家最关心的是春节前的备货节奏和物流时效。"
ZHANG, LI = 20001, 20002
NAMES = {ZHANG: "张三", LI: "李四", ADMIN: "王管", CHAIRMAN: "赵总"}


def says(ctx, bot, message, user: int, minute: int) -> None:
    moment = int(datetime(2026, 11, 27, 10, minute, tzinfo=CST).timestamp())
    card = f"鸡公山酒业-{NAMES[user]}-13800000000"
    ctx.receive_event(
        bot,
        fake.group_message(message, user_id=user, card=card, group_id=SHARE_GROUP, time=moment),
    )


@pytest.fixture
def chairmen_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    patch_policy(monkeypatch, "leaderboard", exclude_chairmen=True)


async def test_a_chairman_left_out_is_neither_reminded_nor_ranked(
    app: App, db, chairmen_left_out
) -> None:
    from plugins.points import replies as points_replies
    from plugins.shares import replies as share_replies

    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        says(ctx, bot, SHARE, ZHANG, 0)
        says(ctx, bot, "各位辛苦了", CHAIRMAN, 1)
        says(ctx, bot, "在", LI, 2)
        says(ctx, bot, "/今日分享 提醒", ADMIN, 3)
        head = share_replies.ADMIN_COUNTS.format(
            day="11月27日", done=1
        ) + share_replies.ADMIN_MISSING.format(missing=2)
        ctx.should_call_api(
            "send_group_msg",
            {
                "group_id": SHARE_GROUP,
                "message": Message(
                    [
                        MessageSegment.text(head + "："),
                        MessageSegment.at(LI),
                        MessageSegment.at(ADMIN),
                    ]
                ),
            },
            result={"message_id": 1},
        )
        # 主席照常记账，只是不排名：/积分 说他不参加排名，人数与 /排行 相同
        says(ctx, bot, [text("/加分 "), at(CHAIRMAN), text(" 5 带队拜访客户")], ADMIN, 4)
        expect_group(
            ctx,
            "已记录 #2：赵总 +5 分（带队拜访客户）。赵总 本月合计 5 分。",
            group_id=SHARE_GROUP,
        )
        says(ctx, bot, "/积分", CHAIRMAN, 5)
        expect_group(
            ctx,
            points_replies.SUMMARY_UNRANKED.format(
                name="赵总", month="2026-11", points=5, count=3, all_time=5, entries=1
            ),
            group_id=SHARE_GROUP,
        )
        says(ctx, bot, "/排行", LI, 6)
        expect_group(
            ctx,
            points_replies.BOARD_HEAD.format(org="鸡公山酒业", month="2026-11", count=3)
            + "\n1. 张三 1 分（分享 1 天）\n2. 李四 0 分\n2. 王管 0 分",
            group_id=SHARE_GROUP,
        )
