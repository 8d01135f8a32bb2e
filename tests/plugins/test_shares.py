from datetime import datetime
from zoneinfo import ZoneInfo

from nonebot.adapters.onebot.v11 import Message, MessageSegment
from nonebug import App

from qungui.models import LedgerEntry, Share
from tests import fake
from tests.fake import ADMIN, SHARE_GROUP

from .conftest import expect_group, make_bot

CST = ZoneInfo("Asia/Shanghai")
TEXT = "今天拜访了三家经销商，发现大家最关心的是春节前的备货节奏和物流时效。"
ZHANG, LI, WANG = 20001, 20002, 20003


def ts(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=CST).timestamp())


def card(name: str) -> str:
    return f"鸡公山酒业-{name}-13800000000"


def post(ctx, bot, message, user: int, name: str, at: int, **fields) -> None:
    ctx.receive_event(
        bot,
        fake.group_message(
            message, user_id=user, card=card(name), group_id=SHARE_GROUP, time=at, **fields
        ),
    )


async def test_shares_earn_a_point_silently_and_copies_are_named_once(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        post(ctx, bot, TEXT, ZHANG, "张三", ts(2026, 11, 27, 9))
        post(ctx, bot, "好的收到", LI, "李四", ts(2026, 11, 27, 9, 1))
        post(ctx, bot, TEXT.replace("。", "！"), LI, "李四", ts(2026, 11, 27, 9, 2))
        expect_group(
            ctx,
            "以下消息不算原创分享，没有加分：李四（与之前的分享重复）。原创分享要写自己的工作和生活心得。",
            group_id=SHARE_GROUP,
        )
        # 同一天再抄一次：不再点名
        post(ctx, bot, TEXT + "！", LI, "李四", ts(2026, 11, 27, 9, 30))
        post(
            ctx,
            bot,
            [{"type": "forward", "data": {"id": "7476318233489186872"}}],
            WANG,
            "王五",
            ts(2026, 11, 27, 9, 3),
        )
    rows = await LedgerEntry.filter(rule="share.daily").values_list("user_id", "delta")
    assert rows == [(ZHANG, 1)]
    assert await Share.filter(original=False).count() == 3
    assert await Share.filter(user_id=LI, reason="").count() == 0


async def test_today_for_a_member_including_the_grace_hours(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        post(ctx, bot, TEXT, ZHANG, "张三", ts(2026, 11, 25, 21))
        post(ctx, bot, TEXT + "第二天", ZHANG, "张三", ts(2026, 11, 26, 21))
        post(ctx, bot, "/今日分享", ZHANG, "张三", ts(2026, 11, 27, 1, 30))
        expect_group(
            ctx,
            "张三 11月27日 还没有原创分享（今晚 24:00，特殊情况可延至次日 02:00前有效）。"
            "本月已分享 2 天，当前连续 2 天。",
            group_id=SHARE_GROUP,
        )
        post(ctx, bot, "/今日分享", LI, "李四", ts(2026, 11, 27, 1, 30))
        expect_group(
            ctx,
            "李四 11月26日 还没有原创分享（今天 02:00 前有效）。本月已分享 0 天，当前连续 0 天。",
            group_id=SHARE_GROUP,
        )
        post(ctx, bot, TEXT + "第三天", ZHANG, "张三", ts(2026, 11, 27, 8))
        post(ctx, bot, "/今日分享", ZHANG, "张三", ts(2026, 11, 27, 9))
        expect_group(
            ctx,
            "张三 11月27日 的分享已记录。本月已分享 3 天，当前连续 3 天。",
            group_id=SHARE_GROUP,
        )


async def test_today_for_admins_counts_names_and_reminds(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        post(ctx, bot, TEXT, ZHANG, "张三", ts(2026, 11, 27, 9))
        post(ctx, bot, "在", LI, "李四", ts(2026, 11, 27, 9, 5))
        post(ctx, bot, "/今日分享", ADMIN, "王管", ts(2026, 11, 27, 10))
        expect_group(ctx, "11月27日 已分享 1 人，还没分享 2 人：李四、王管。", group_id=SHARE_GROUP)
        post(ctx, bot, "/今日分享 提醒", ADMIN, "王管", ts(2026, 11, 27, 10, 1))
        ctx.should_call_api(
            "send_group_msg",
            {
                "group_id": SHARE_GROUP,
                "message": Message(
                    [
                        MessageSegment.text("11月27日 已分享 1 人，还没分享 2 人："),
                        MessageSegment.at(LI),
                        MessageSegment.at(ADMIN),
                    ]
                ),
            },
            result={"message_id": 1},
        )
        post(ctx, bot, "/今日分享 提醒", LI, "李四", ts(2026, 11, 27, 10, 2))
        expect_group(
            ctx,
            "“提醒”需要管理员及以上权限。\n用法：/今日分享 [提醒]\n例如：/今日分享",
            group_id=SHARE_GROUP,
        )
