"""私聊时的身份：群管理员身份不能信几周前记下的值。需要管理员及以上的私聊命令先问 QQ 现在的身份
（get_group_member_info，缓存 60 秒）；group_admin 通知随时更新记下的身份。"""

from nonebot.adapters.onebot.v11 import ActionFailed
from nonebug import App

from qungui.models import FilterHit, LedgerEntry, Member, WarningCase
from tests import fake
from tests.fake import ADMIN, WORK_GROUP, member_info

from .conftest import expect_private, make_bot

ZHANG = 20001  # 曾是群管理员，不在制度的管理小组名单里
ZHANG_CARD = "鸡公山酒业-张三-13900000000"
LI = 20002
LI_CARD = "鸡公山酒业-李四-13800000000"
NO_ROSTER = "制度里没有配置人事名单（[roster] file）。"


def speaks_as(ctx, bot, role: str) -> None:
    ctx.receive_event(bot, fake.group_message("在", user_id=ZHANG, card=ZHANG_CARD, role=role))


def asks(ctx, bot, message: str) -> None:
    ctx.receive_event(bot, fake.private_message(message, user_id=ZHANG))


def qq_says_role(ctx, role: str) -> None:
    ctx.should_call_api(
        "get_group_member_info",
        {"group_id": WORK_GROUP, "user_id": ZHANG, "no_cache": True},
        result=member_info(ZHANG, role=role, card=ZHANG_CARD),
    )


async def stored_role() -> str:
    return (await Member.get(group_id=WORK_GROUP, user_id=ZHANG)).role


async def test_a_demoted_admin_is_refused_in_private_chat_and_nothing_is_written(
    app: App, db
) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        speaks_as(ctx, bot, "admin")  # 一周前还是管理员
        ctx.receive_event(
            bot, fake.group_message("周末一起去澳门大赌场玩", user_id=LI, card=LI_CARD)
        )
        expect_private(
            ctx,
            f"【群规助手】请审核：鸡公山酒业员工群 李四（QQ {LI}）的一条消息命中规则「赌博」（确认后警告：不良信息 -5 分）\n"
            "命中：澳门大赌场\n原文：周末一起去澳门大赌场玩\n"
            "确认并警告：/确认 审1　驳回：/驳回 审1",
            ADMIN,
        )
        # 现在已被撤掉管理员（机器人没收到通知）：QQ 说他是普通成员
        asks(ctx, bot, "/确认 审1")
        qq_says_role(ctx, "member")
        expect_private(ctx, "「/确认」需要管理员及以上权限，你现在是成员。", ZHANG)
        # 记下的身份已改：再问不用再查
        asks(ctx, bot, "/名单 未进群")
        expect_private(ctx, "「/名单」需要管理员及以上权限，你现在是成员。", ZHANG)
    assert await stored_role() == "member"
    assert (await FilterHit.get(id=1)).status == "pending"
    assert await LedgerEntry.all().count() == 0
    assert await WarningCase.all().count() == 0


async def test_a_confirmed_admin_is_answered_and_asked_about_once_a_minute(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        speaks_as(ctx, bot, "admin")
        asks(ctx, bot, "/名单 未进群")
        qq_says_role(ctx, "admin")
        expect_private(ctx, NO_ROSTER, ZHANG)
        asks(ctx, bot, "/名单 未进群")  # 60 秒内不再问
        expect_private(ctx, NO_ROSTER, ZHANG)


async def test_group_admin_notices_update_the_stored_role(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        speaks_as(ctx, bot, "admin")
        ctx.receive_event(bot, fake.notice("group_admin_unset", user_id=ZHANG))
        # 已知被撤掉：不用再问 QQ
        asks(ctx, bot, "/导出")
        expect_private(ctx, "「/导出」需要管理员及以上权限，你现在是成员。", ZHANG)
    assert await stored_role() == "member"
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.notice("group_admin_unset", user_id=ZHANG, sub_type="set"))
        asks(ctx, bot, "/名单 未进群")
        qq_says_role(ctx, "admin")
        expect_private(ctx, NO_ROSTER, ZHANG)
    assert await stored_role() == "admin"


async def test_a_failed_lookup_grants_nothing(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        speaks_as(ctx, bot, "admin")
        asks(ctx, bot, "/名单 未进群")
        ctx.should_call_api(
            "get_group_member_info",
            {"group_id": WORK_GROUP, "user_id": ZHANG, "no_cache": True},
            exception=ActionFailed(**fake.RESPONSES["any_fail_lagrange_exception"]),
        )
        expect_private(
            ctx,
            "「/名单」需要管理员及以上权限：现在查不到你在群里的身份，请稍后再试。",
            ZHANG,
        )
    assert await stored_role() == "admin"  # 没查到不等于被撤掉：下次再问


async def test_member_commands_and_listed_admins_cost_no_lookup(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        speaks_as(ctx, bot, "admin")
        asks(ctx, bot, "/积分")
        expect_private(
            ctx,
            "张三 本月（2026-11）积分 0 分，第 1 名 / 共 1 人；累计 0 分；本月记录 0 条。",
            ZHANG,
        )
        # 制度名单里的管理员（30001）不看群里的身份
        ctx.receive_event(bot, fake.private_message("/名单 未进群", user_id=ADMIN))
        expect_private(ctx, NO_ROSTER, ADMIN)
