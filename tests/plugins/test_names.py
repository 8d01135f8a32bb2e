"""只在账本里出现过的人（被 @ 加过分、从没发过言）：画排行前问一次 NapCat，按名片上的姓名上榜（nonebug）。"""

from datetime import date, datetime

from nonebot.adapters.onebot.v11 import ActionFailed, NetworkError
from nonebug import App

from qungui import ledger, members
from tests import fake
from tests.fake import ADMIN, SHARE_GROUP, WORK_GROUP, member_info

from .conftest import expect_group, make_bot

ZHOU = 20005
NOT_IN_GROUP = ActionFailed(**fake.RESPONSES["set_group_card_fail_napcat_no_member"])


async def points_for_an_unknown_member() -> None:
    from plugins.core import policies

    policy = policies.get("jgs")
    now = datetime(2026, 11, 27, 10, tzinfo=policy.tz)
    await members.upsert(
        "jgs", SHARE_GROUP, ADMIN, now, card="鸡公山酒业-王管-13700000000", role="member"
    )
    await ledger.award(
        org="jgs",
        user_id=ZHOU,
        rule="manual",
        period="x",
        delta=4,
        business_date=date(2026, 11, 27),
        now=now,
    )


def board_asked(ctx, bot) -> None:
    ctx.receive_event(
        bot,
        fake.group_message(
            "/排行", user_id=ADMIN, group_id=SHARE_GROUP, card="鸡公山酒业-王管-13700000000"
        ),
    )


def asks(ctx, group_id: int, **answer) -> None:
    ctx.should_call_api("get_group_member_info", {"group_id": group_id, "user_id": ZHOU}, **answer)


BOARD = "鸡公山酒业 2026-11 积分排行（共 2 人）\n1. {name} 4 分\n2. 王管 0 分"


async def test_the_first_group_that_knows_the_member_gives_the_name(app: App, db) -> None:
    await points_for_an_unknown_member()
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        board_asked(ctx, bot)
        asks(ctx, WORK_GROUP, exception=NOT_IN_GROUP)
        card = "鸡公山酒业-周五-13800000005"
        asks(ctx, SHARE_GROUP, result=member_info(ZHOU, SHARE_GROUP, card=card, nickname="z"))
        expect_group(ctx, BOARD.format(name="周五"), SHARE_GROUP)
        board_asked(ctx, bot)  # 记下了：不再问
        expect_group(ctx, BOARD.format(name="周五"), SHARE_GROUP)


async def test_nobody_knows_the_member_and_nobody_is_asked_twice(app: App, db) -> None:
    await points_for_an_unknown_member()
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        board_asked(ctx, bot)
        asks(ctx, WORK_GROUP, exception=NOT_IN_GROUP)
        asks(ctx, SHARE_GROUP, exception=NOT_IN_GROUP)
        expect_group(ctx, BOARD.format(name="成员0005"), SHARE_GROUP)
        board_asked(ctx, bot)
        expect_group(ctx, BOARD.format(name="成员0005"), SHARE_GROUP)


async def test_a_failed_lookup_still_answers_and_asks_again_later(app: App, db) -> None:
    await points_for_an_unknown_member()
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        board_asked(ctx, bot)
        asks(ctx, WORK_GROUP, exception=NetworkError("timeout"))  # 整个账号的问题：这次不再问别的群
        expect_group(ctx, BOARD.format(name="成员0005"), SHARE_GROUP)
        board_asked(ctx, bot)
        card = "鸡公山酒业-周五-13800000005"
        asks(ctx, WORK_GROUP, result=member_info(ZHOU, WORK_GROUP, card=card, nickname="z"))
        expect_group(ctx, BOARD.format(name="周五"), SHARE_GROUP)


async def test_the_month_preview_names_the_member_too(app: App, db, monkeypatch) -> None:
    from qungui import board_image

    board_image.forget_fonts()
    monkeypatch.setattr(board_image, "system_cjk_font", lambda: None)  # 只发文字
    await points_for_an_unknown_member()
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(
            bot,
            fake.group_message(
                "/月榜", user_id=ADMIN, group_id=SHARE_GROUP, card="鸡公山酒业-王管-13700000000"
            ),
        )
        card = "鸡公山酒业-周五-13800000005"
        asks(ctx, WORK_GROUP, result=member_info(ZHOU, WORK_GROUP, card=card, nickname="z"))
        expect_group(
            ctx,
            "【鸡公山酒业 2026年11月 积分排行】（本月预览，尚未结算）\n前 2 名：\n"
            "1. 周五 4 分（分享 0 天）\n2. 王管 0 分（分享 0 天）\n"
            "共 2 人，平均 2.0 分；这个月没有人连续分享满 27 天。",
            SHARE_GROUP,
        )
    board_image.forget_fonts()
