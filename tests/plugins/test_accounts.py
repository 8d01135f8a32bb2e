"""几个机器人账号在同一个群里：同一条消息经几个账号上报，只算一次；制度里列出的机器人不算成员。"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from nonebug import App

from qungui.models import FilterHit, LedgerEntry, Share
from tests import fake
from tests.fake import ADMIN, SHARE_GROUP, at, text

from .conftest import expect_group, expect_private, patch_policy

CST = ZoneInfo("Asia/Shanghai")
ZHANG, LI = 20001, 20002
LI_CARD = "鸡公山酒业-李四-13800000000"
OTHER_BOT = 10001
TEXT = "今天拜访了三家经销商，发现大家最关心的是春节前的备货节奏和物流时效。"


def ts(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=CST).timestamp())


def through(account: int, message, **fields):
    """同一条群消息经某个账号上报：账号不同，message_id（以及 message_seq、real_id）不同。"""
    return fake.group_message(
        message, self_id=account, message_id=account * 1000 + 1, real_seq="4711", **fields
    )


def key(event) -> str:
    from plugins.core.identity import event_key

    return event_key("jgs", event)


ADJUST = [text("/加分 "), at(LI), text(" 5 协助盘点")]


@pytest.mark.parametrize("real_seq", ["4711", None])
def test_the_same_message_has_one_key_whichever_account_saw_it(app: App, real_seq) -> None:
    seen = [
        fake.group_message(
            [{"type": "reply", "data": {"id": str(account * 7)}}, *ADJUST],
            user_id=ADMIN,
            self_id=account,
            message_id=account * 1000 + 1,
            real_seq=real_seq,
        )
        for account in (fake.SELF_ID, OTHER_BOT)
    ]
    assert seen[0].message_id != seen[1].message_id
    assert key(seen[0]) == key(seen[1])
    assert str(fake.SELF_ID) not in key(seen[0]) and str(seen[0].message_id) not in key(seen[0])


def test_a_different_message_has_a_different_key(app: App) -> None:
    one = dict(user_id=ADMIN, time=fake.NOV27_1000, real_seq=None)
    base = key(fake.group_message(ADJUST, **one))
    others = [
        fake.group_message([text("/加分 "), at(LI), text(" 6 协助盘点")], **one),
        fake.group_message([text("/加分 "), at(ZHANG), text(" 5 协助盘点")], **one),
        fake.group_message([text("/加分 @20002 5 协助盘点")], **one),
        fake.group_message(ADJUST, **(one | {"time": fake.NOV27_1000 + 1})),
        fake.group_message(ADJUST, **(one | {"user_id": ADMIN + 1})),
        fake.group_message(ADJUST, **(one | {"group_id": SHARE_GROUP})),
        fake.group_message(ADJUST, **(one | {"real_seq": "4712"})),
    ]
    keys = {key(event) for event in others}
    assert base not in keys and len(keys) == len(others)


async def test_an_adjustment_seen_by_two_accounts_is_written_and_answered_once(
    app: App, db
) -> None:
    async with app.test_matcher() as ctx:
        first = ctx.create_bot(self_id=str(fake.SELF_ID))
        second = ctx.create_bot(self_id=str(OTHER_BOT))
        ctx.receive_event(first, through(fake.SELF_ID, ADJUST, user_id=ADMIN))
        expect_group(ctx, "已记录 #1：成员0002 +5 分（协助盘点）。成员0002 本月合计 5 分。")
        ctx.receive_event(second, through(OTHER_BOT, ADJUST, user_id=ADMIN))
    rows = await LedgerEntry.all().values_list("user_id", "delta", "rule")
    assert rows == [(LI, 5, "manual")]


async def test_a_share_seen_by_two_accounts_is_one_share_and_not_a_copy(app: App, db) -> None:
    at_nine = dict(user_id=ZHANG, group_id=SHARE_GROUP, time=ts(2026, 11, 27, 9))
    async with app.test_matcher() as ctx:
        first = ctx.create_bot(self_id=str(fake.SELF_ID))
        second = ctx.create_bot(self_id=str(OTHER_BOT))
        ctx.receive_event(first, through(fake.SELF_ID, TEXT, **at_nine))
        # 经第二个账号再来一次：不是“与之前的分享重复”，群里什么也不说
        ctx.receive_event(second, through(OTHER_BOT, TEXT, **at_nine))
    shares = await Share.all().values_list("user_id", "original", "reason", "share_day")
    assert shares == [(ZHANG, True, "", datetime(2026, 11, 27).date())]
    rows = await LedgerEntry.all().values_list("user_id", "delta", "rule")
    assert rows == [(ZHANG, 1, "share.daily")]


async def test_bots_listed_in_the_policy_are_not_members(
    app: App, db, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 另一个机器人（连在别的进程上）在群里说过话：它不排名、不算进还没分享的人
    patch_policy(monkeypatch, "org", bots=[OTHER_BOT])
    morning = dict(group_id=SHARE_GROUP, time=ts(2026, 11, 27, 9))
    async with app.test_matcher() as ctx:
        bot = ctx.create_bot(self_id=str(fake.SELF_ID))
        ctx.receive_event(
            bot,
            fake.group_message(
                "提醒：今天的分享还没交", user_id=OTHER_BOT, card="", nickname="小助手", **morning
            ),
        )
        ctx.receive_event(bot, fake.group_message(TEXT, user_id=ZHANG, **morning))
        ctx.receive_event(
            bot,
            fake.group_message(
                "/今日分享", user_id=ADMIN, card="鸡公山酒业-王管-13700000000", **morning
            ),
        )
        expect_group(ctx, "11月27日 已分享 1 人，还没分享 1 人：王管。", group_id=SHARE_GROUP)
        ctx.receive_event(bot, fake.group_message("/排行", user_id=ZHANG, **morning))
        expect_group(
            ctx,
            "鸡公山酒业 2026-11 积分排行（共 2 人）\n1. 张三 1 分（分享 1 天）\n2. 王管 0 分",
            group_id=SHARE_GROUP,
        )


async def test_no_points_are_given_to_a_bot_by_command(
    app: App, db, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 机器人不是成员：给它加分、补分享写进账本也不会出现在任何排行里，只是一笔说不清的账
    patch_policy(monkeypatch, "org", bots=[OTHER_BOT])
    admin = dict(user_id=ADMIN, card="鸡公山酒业-王管-13700000000", group_id=SHARE_GROUP)
    async with app.test_matcher() as ctx:
        bot = ctx.create_bot(self_id=str(fake.SELF_ID))
        for command in ("/加分 ", "/扣分 "):
            ctx.receive_event(
                bot,
                fake.group_message(
                    [fake.text(command), fake.at(OTHER_BOT), fake.text(" 5 协助盘点")], **admin
                ),
            )
            expect_group(ctx, "机器人不是成员，不能给它记分。", group_id=SHARE_GROUP)
        ctx.receive_event(
            bot,
            fake.group_message(
                [fake.text("/补分享 "), fake.at(fake.SELF_ID), fake.text(" 2026-11-20 出差")],
                **admin,
            ),
        )
        expect_group(ctx, "机器人不是成员，不能给它记分。", group_id=SHARE_GROUP)
    assert await LedgerEntry.all().count() == 0


async def test_a_filter_hit_seen_by_two_accounts_is_warned_once(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        first = ctx.create_bot(self_id=str(fake.SELF_ID))
        second = ctx.create_bot(self_id=str(OTHER_BOT))
        ctx.receive_event(
            first, through(fake.SELF_ID, "低价代开发票，私聊", user_id=LI, card=LI_CARD)
        )
        expect_group(
            ctx,
            "已警告 李四：不良信息，-5 分，30 天内第 1 次（编号 #1）。",
        )
        ctx.receive_event(
            second, through(OTHER_BOT, "低价代开发票，私聊", user_id=LI, card=LI_CARD)
        )
    assert await LedgerEntry.all().values_list("user_id", "delta") == [(LI, -5)]
    assert await FilterHit.all().values_list("rule", "status") == [("发票广告", "warned")]


async def test_a_report_through_two_accounts_is_one_report(app: App, db) -> None:
    said = dict(time=fake.NOV27_1000 - 60, real_seq="4700")
    async with app.test_matcher() as ctx:
        for account in (fake.SELF_ID, OTHER_BOT):
            bot = ctx.create_bot(self_id=str(account))
            # 被举报的那条在这个账号上的编号，和 /举报 本身一样因账号而异
            reported_id = account * 1000 + 2
            ctx.receive_event(
                bot,
                through(
                    account,
                    [{"type": "reply", "data": {"id": str(reported_id)}}, text("/举报 骂同事")],
                    user_id=LI,
                    card=LI_CARD,
                ),
            )
            ctx.should_call_api(
                "get_msg",
                {"message_id": reported_id},
                result={
                    "message_id": reported_id,
                    "sender": {"user_id": ZHANG, "nickname": "Zhang", "card": ""},
                    "message": [{"type": "text", "data": {"text": "某某就是个废物"}}],
                    **said,
                },
            )
            if account == fake.SELF_ID:
                expect_group(ctx, "已收到举报（审1），管理员会处理。")
                expect_private(
                    ctx,
                    f"【群规助手】请审核：鸡公山酒业员工群 成员0001（QQ {ZHANG}）的一条消息被人举报（确认后警告：不良信息 -5 分）\n"
                    f"举报人：李四（QQ {LI}），理由：骂同事\n"
                    "原文：某某就是个废物\n"
                    "确认并警告：/确认 审1　驳回：/驳回 审1",
                    ADMIN,
                )
    assert await FilterHit.all().values_list("user_id", "reporter_id") == [(ZHANG, LI)]


async def test_messages_seen_by_two_accounts_are_counted_once_for_flooding(app: App, db) -> None:
    # 李四一分钟里发了 3 条“收到收到”（刷屏要 5 条）：经两个账号各报一次，也还是 3 条，不交审核
    async with app.test_matcher() as ctx:
        first = ctx.create_bot(self_id=str(fake.SELF_ID))
        second = ctx.create_bot(self_id=str(OTHER_BOT))
        for n in range(3):
            for bot, account in ((first, fake.SELF_ID), (second, OTHER_BOT)):
                seen = fake.group_message(
                    "收到收到",
                    user_id=LI,
                    card=LI_CARD,
                    self_id=account,
                    message_id=account * 1000 + n,
                    time=fake.NOV27_1000 + n,
                )
                ctx.receive_event(bot, seen)
    assert await FilterHit.all().count() == 0


async def test_a_decision_seen_by_two_accounts_is_answered_once(app: App, db) -> None:
    admin = dict(user_id=ADMIN, card="鸡公山酒业-王管-13700000000", time=fake.NOV27_1000 + 60)
    async with app.test_matcher() as ctx:
        first = ctx.create_bot(self_id=str(fake.SELF_ID))
        second = ctx.create_bot(self_id=str(OTHER_BOT))
        ctx.receive_event(
            first, through(fake.SELF_ID, "周末一起去澳门大赌场玩", user_id=LI, card=LI_CARD)
        )
        expect_private(
            ctx,
            f"【群规助手】请审核：鸡公山酒业员工群 李四（QQ {LI}）的一条消息命中规则「赌博」（确认后警告：不良信息 -5 分）\n"
            "命中：澳门大赌场\n"
            "原文：周末一起去澳门大赌场玩\n"
            "确认并警告：/确认 审1　驳回：/驳回 审1",
            ADMIN,
        )
        ctx.receive_event(
            second, through(OTHER_BOT, "周末一起去澳门大赌场玩", user_id=LI, card=LI_CARD)
        )
        # 管理员在群里 /驳回 审1：两个账号都收到，只回答一次（第二次不说“已驳回，无需再处理”）
        ctx.receive_event(first, through(fake.SELF_ID, "/驳回 审1 看错了", **admin))
        expect_group(ctx, "已驳回 审1。")
        ctx.receive_event(second, through(OTHER_BOT, "/驳回 审1 看错了", **admin))
        # 之后另一条 /确认 审1（不同的消息）照常回答
        later = admin | {"time": fake.NOV27_1000 + 61}
        ctx.receive_event(first, through(fake.SELF_ID, "/确认 审1", **later))
        expect_group(ctx, "审1 已驳回，无需再处理。")
    assert await FilterHit.all().values_list("status", "decided_by") == [("dismissed", ADMIN)]
