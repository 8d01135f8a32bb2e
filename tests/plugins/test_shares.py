from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from nonebot.adapters.onebot.v11 import Message, MessageSegment
from nonebug import App

from qungui import months
from qungui.models import LedgerEntry, Share
from tests import fake
from tests.fake import ADMIN, SHARE_GROUP, SUPERUSER

from .conftest import expect_group, make_bot

CST = ZoneInfo("Asia/Shanghai")
TEXT = "今天拜访了三家经销商，发现大家最关心的是春节前的备货节奏和物流时效。"
ZHANG, LI, WANG = 20001, 20002, 20003
OWN_CASE = (
    "这件事与你本人有关（你是得分的人、被处理的人或举报人），不能自己决定，"
    "请另一位管理员或超级用户处理。"
)


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


async def test_a_share_earns_a_point_without_a_reply(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        post(ctx, bot, TEXT, ZHANG, "张三", ts(2026, 11, 27, 9))
        post(ctx, bot, "好的收到", LI, "李四", ts(2026, 11, 27, 9, 1))
    rows = await LedgerEntry.filter(rule="share.daily").values_list("user_id", "delta")
    assert rows == [(ZHANG, 1)]
    assert await Share.all().values_list("user_id", "original") == [(ZHANG, True)]


async def test_copies_and_forwards_earn_nothing_and_the_copier_is_named_once_a_day(
    app: App, db
) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        post(ctx, bot, TEXT, ZHANG, "张三", ts(2026, 11, 27, 9))
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


async def test_punctuation_and_emoji_are_not_a_share(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        # 每天发 20 个符号不能天天拿分享分：只有字母、数字、汉字算字数
        for day in (27, 28):
            post(ctx, bot, "！" * 20, ZHANG, "张三", ts(2026, 11, day, 9))
            post(ctx, bot, "😀🎉👍" * 7, LI, "李四", ts(2026, 11, day, 9))
        post(
            ctx,
            bot,
            "。。。。。。。。。。好的收到～～～～～～～～～～",
            WANG,
            "王五",
            ts(2026, 11, 27, 9),
        )
    assert await LedgerEntry.filter(rule="share.daily").count() == 0
    assert await Share.all().count() == 0


async def test_today_for_a_member_including_the_grace_hours(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        post(ctx, bot, TEXT, ZHANG, "张三", ts(2026, 11, 25, 21))
        post(ctx, bot, TEXT + "第二天", ZHANG, "张三", ts(2026, 11, 26, 21))
        post(ctx, bot, "/今日分享", ZHANG, "张三", ts(2026, 11, 27, 1, 30))
        expect_group(
            ctx,
            "张三 今天（11月27日）还没有原创分享，今晚 24:00 前发都算，特殊情况可到明早 02:00。"
            "本月已分享 2 天，当前连续 2 天。",
            group_id=SHARE_GROUP,
        )
        post(ctx, bot, "/今日分享", LI, "李四", ts(2026, 11, 27, 1, 30))
        expect_group(
            ctx,
            "李四 昨天（11月26日）还没有原创分享，今天 02:00 前发还算。本月已分享 0 天，当前连续 0 天。",
            group_id=SHARE_GROUP,
        )
        post(ctx, bot, TEXT + "第三天", ZHANG, "张三", ts(2026, 11, 27, 8))
        post(ctx, bot, "/今日分享", ZHANG, "张三", ts(2026, 11, 27, 9))
        expect_group(
            ctx,
            "张三 今天（11月27日）的分享已记录。本月已分享 3 天，当前连续 3 天。",
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


async def test_the_evening_reminder_and_the_admin_overview_name_the_same_people(
    app: App, db, clock_at
) -> None:
    """王五、赵六只在公司群里说过话：/今日分享 算他们没交，提醒却 @ 不到（不在分享群里）。
    两处用同一个名单，/今日分享 说明谁提醒不到、为什么。"""
    from plugins.core import policies, runner
    from qungui.jobs import JobRunner

    reminders = JobRunner()
    reminders.register(runner.jobs["share.remind.1"])
    policy = policies.get("jgs")
    await reminders.run_due([policy], datetime(2026, 11, 27, 8, tzinfo=CST))
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        post(ctx, bot, TEXT, ZHANG, "张三", ts(2026, 11, 27, 9))
        post(ctx, bot, "在", LI, "李四", ts(2026, 11, 27, 9, 5))
        for user, name in ((WANG, "王五"), (20004, "赵六")):
            ctx.receive_event(
                bot,
                fake.group_message("在", user_id=user, card=card(name), time=ts(2026, 11, 27, 9)),
            )
        post(ctx, bot, "/今日分享", ADMIN, "王管", ts(2026, 11, 27, 10))
        expect_group(
            ctx,
            "11月27日 已分享 1 人，还没分享 4 人：李四、王五、赵六、王管。"
            "其中 王五、赵六 不在分享群里，提醒 @ 不到，请另行告诉他们。",
            group_id=SHARE_GROUP,
        )
    async with app.test_api() as ctx:
        make_bot(ctx)
        evening = datetime(2026, 11, 27, 20, 0, 5, tzinfo=CST)
        clock_at(evening)
        ctx.should_call_api(
            "send_group_msg",
            {
                "group_id": SHARE_GROUP,
                "message": Message(
                    [
                        MessageSegment.text(
                            "今天（11月27日）还没有原创分享的同事，今晚 24:00 前发都算，"
                            "特殊情况可到明早 02:00："
                        ),
                        MessageSegment.at(LI),
                        MessageSegment.at(ADMIN),
                    ]
                ),
            },
            result={"message_id": 1},
        )
        assert await reminders.run_due([policy], evening) == ["share.remind.1:jgs:2026-11-27T20:00"]


async def test_a_member_may_not_ask_for_reminders(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        post(ctx, bot, "/今日分享 提醒", LI, "李四", ts(2026, 11, 27, 10, 2))
        expect_group(
            ctx,
            "“提醒”需要管理员及以上权限。\n用法：/今日分享 [提醒]\n例如：/今日分享",
            group_id=SHARE_GROUP,
        )


def reply_to(message_id: int, command: str) -> list[dict]:
    return [{"type": "reply", "data": {"id": str(message_id)}}, fake.text(command)]


NOT_ESSENCE = "（机器人不是本群管理员，没有同时设为 QQ 精华消息；设为管理员后会自动设。）"


def bot_role(ctx, role: str) -> None:
    """/精选 先问机器人自己在分享群里的身份（是管理员才设 QQ 精华）。"""
    ctx.should_call_api(
        "get_group_member_info",
        {"group_id": SHARE_GROUP, "user_id": fake.SELF_ID, "no_cache": True},
        result=fake.member_info(fake.SELF_ID, group_id=SHARE_GROUP, role=role),
    )


async def test_feature_reject_and_backfill(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        post(ctx, bot, TEXT, ZHANG, "张三", ts(2026, 11, 27, 9), message_id=5001)
        post(ctx, bot, reply_to(5001, "/精选"), ADMIN, "王管", ts(2026, 11, 27, 10))
        bot_role(ctx, "member")
        expect_group(
            ctx,
            "已把 张三 11月27日 的分享评为经典分享，+5 分（编号 #2）。" + NOT_ESSENCE,
            group_id=SHARE_GROUP,
        )
        post(ctx, bot, reply_to(5001, "/精选"), ADMIN, "王管", ts(2026, 11, 27, 10, 1))
        expect_group(ctx, "这条分享已经是经典分享了（编号 #2）。", group_id=SHARE_GROUP)
        post(ctx, bot, reply_to(5001, "/非原创"), ADMIN, "王管", ts(2026, 11, 27, 11))
        expect_group(
            ctx,
            "已判定 张三 11月27日 的分享非原创，撤销当天的分享分和经典分享奖（撤销记录 #3、#4）；"
            "当天重新发原创分享仍可得分。",
            group_id=SHARE_GROUP,
        )
        post(ctx, bot, reply_to(9999, "/精选"), ADMIN, "王管", ts(2026, 11, 27, 11, 1))
        expect_group(
            ctx, "回复的那条消息不是记录过的分享（要在分享群里、够字数）。", group_id=SHARE_GROUP
        )
        post(ctx, bot, "/精选", ADMIN, "王管", ts(2026, 11, 27, 11, 2))
        expect_group(
            ctx,
            "请回复（引用）那条分享，再发这个命令。\n用法：回复一条分享：/精选\n例如：（回复那条分享）/精选",
            group_id=SHARE_GROUP,
        )
        post(ctx, bot, reply_to(5001, "/精选"), LI, "李四", ts(2026, 11, 27, 11, 3))
        expect_group(ctx, "「/精选」需要管理员及以上权限，你现在是成员。", group_id=SHARE_GROUP)
        post(
            ctx,
            bot,
            [fake.text("/补分享 "), fake.at(LI), fake.text(" 2026-11-20 出差在外")],
            ADMIN,
            "王管",
            ts(2026, 11, 27, 12),
        )
        expect_group(
            ctx,
            "已为 李四 补记 11月20日 的分享，+1 分（编号 #5，理由：出差在外）。",
            group_id=SHARE_GROUP,
        )
        post(
            ctx,
            bot,
            [fake.text("/补分享 "), fake.at(LI), fake.text(" 2026-10-20 太早了")],
            ADMIN,
            "王管",
            ts(2026, 11, 27, 12, 1),
        )
        expect_group(
            ctx,
            "日期应写作 YYYY-MM-DD，且在本月或（上月排行公布前的）上月之内、不晚于今天。\n"
            "用法：/补分享 @某人 YYYY-MM-DD 理由\n例如：/补分享 @张三 2026-11-20 出差在外当天无网络",
            group_id=SHARE_GROUP,
        )
    rows = (
        await LedgerEntry.all().order_by("id").values_list("user_id", "delta", "rule", "actor_id")
    )
    assert rows == [
        (ZHANG, 1, "share.daily", None),
        (ZHANG, 5, "share.featured", ADMIN),
        (ZHANG, -1, "reversal", ADMIN),
        (ZHANG, -5, "reversal", ADMIN),
        (LI, 1, "share.daily", ADMIN),
    ]


def backfill(user: int, day: str, reason: str) -> list[dict]:
    return [fake.text("/补分享 "), fake.at(user), fake.text(f" {day} {reason}")]


async def test_an_admin_decides_nothing_about_his_own_share(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        post(ctx, bot, TEXT, ADMIN, "王管", ts(2026, 11, 27, 9), message_id=5101)
        post(ctx, bot, backfill(ADMIN, "2026-11-20", "出差"), ADMIN, "王管", ts(2026, 11, 27, 10))
        expect_group(ctx, OWN_CASE, group_id=SHARE_GROUP)
        post(ctx, bot, reply_to(5101, "/精选"), ADMIN, "王管", ts(2026, 11, 27, 10, 1))
        expect_group(ctx, OWN_CASE, group_id=SHARE_GROUP)
        post(ctx, bot, reply_to(5101, "/非原创"), ADMIN, "王管", ts(2026, 11, 27, 10, 2))
        expect_group(ctx, OWN_CASE, group_id=SHARE_GROUP)
    rows = await LedgerEntry.all().values_list("user_id", "delta", "rule", "actor_id")
    assert rows == [(ADMIN, 1, "share.daily", None)]
    assert (await Share.get(message_id=5101)).original


async def test_a_superuser_may_backfill_himself_and_it_is_logged(
    app: App, db, caplog: pytest.LogCaptureFixture
) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        post(
            ctx,
            bot,
            backfill(SUPERUSER, "2026-11-20", "出差"),
            SUPERUSER,
            "运维",
            ts(2026, 11, 27, 10),
        )
        expect_group(
            ctx,
            "已为 运维 补记 11月20日 的分享，+1 分（编号 #1，理由：出差）。",
            group_id=SHARE_GROUP,
        )
    assert await LedgerEntry.all().values_list("user_id", "rule") == [(SUPERUSER, "share.daily")]
    assert any(
        "超级用户 40001" in record.getMessage() and "补分享" in record.getMessage()
        for record in caplog.records
    )


async def test_replayed_share_commands_write_and_reply_once(app: App, db) -> None:
    feature = dict(message_id=6001, time=ts(2026, 11, 27, 10))
    fill = dict(message_id=6002, time=ts(2026, 11, 27, 11))
    reject = dict(message_id=6003, time=ts(2026, 11, 27, 12))
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        post(ctx, bot, "在", LI, "李四", ts(2026, 11, 27, 8))
        post(ctx, bot, TEXT, ZHANG, "张三", ts(2026, 11, 27, 9), message_id=5301)
        for _ in range(2):
            ctx.receive_event(
                bot,
                fake.group_message(
                    reply_to(5301, "/精选"),
                    user_id=ADMIN,
                    card=card("王管"),
                    group_id=SHARE_GROUP,
                    **feature,
                ),
            )
        bot_role(ctx, "admin")
        ctx.should_call_api("set_essence_msg", {"message_id": 5301}, result=None)
        expect_group(
            ctx, "已把 张三 11月27日 的分享评为经典分享，+5 分（编号 #2）。", group_id=SHARE_GROUP
        )
        ctx.receive_event(
            bot,
            fake.group_message(
                backfill(LI, "2026-11-20", "出差"),
                user_id=ADMIN,
                card=card("王管"),
                group_id=SHARE_GROUP,
                **fill,
            ),
        )
        expect_group(
            ctx,
            "已为 李四 补记 11月20日 的分享，+1 分（编号 #3，理由：出差）。",
            group_id=SHARE_GROUP,
        )
        post(ctx, bot, "/撤销 3 补错了", ADMIN, "王管", ts(2026, 11, 27, 11, 30))
        expect_group(
            ctx,
            "已撤销 #3（李四 +1 分，每日分享），撤销记录 #4。李四 2026-11 合计 0 分。",
            group_id=SHARE_GROUP,
        )
        # 撤销之后同一条 /补分享 重放：不再补记，也不再回复
        ctx.receive_event(
            bot,
            fake.group_message(
                backfill(LI, "2026-11-20", "出差"),
                user_id=ADMIN,
                card=card("王管"),
                group_id=SHARE_GROUP,
                **fill,
            ),
        )
        for _ in range(2):
            ctx.receive_event(
                bot,
                fake.group_message(
                    reply_to(5301, "/非原创"),
                    user_id=ADMIN,
                    card=card("王管"),
                    group_id=SHARE_GROUP,
                    **reject,
                ),
            )
        expect_group(
            ctx,
            "已判定 张三 11月27日 的分享非原创，撤销当天的分享分和经典分享奖（撤销记录 #5、#6）；"
            "当天重新发原创分享仍可得分。",
            group_id=SHARE_GROUP,
        )
        # /精选 那条事件在 /非原创 之后重放：不再回复
        ctx.receive_event(
            bot,
            fake.group_message(
                reply_to(5301, "/精选"),
                user_id=ADMIN,
                card=card("王管"),
                group_id=SHARE_GROUP,
                **feature,
            ),
        )
    rows = await LedgerEntry.all().order_by("id").values_list("user_id", "delta", "rule")
    assert rows == [
        (ZHANG, 1, "share.daily"),
        (ZHANG, 5, "share.featured"),
        (LI, 1, "share.daily"),
        (LI, -1, "reversal"),
        (ZHANG, -1, "reversal"),
        (ZHANG, -5, "reversal"),
    ]


async def test_featuring_a_share_of_a_closed_month_says_the_month_is_closed(app: App, db) -> None:
    from plugins.core import policies

    policy = policies.get("jgs")
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        post(ctx, bot, TEXT, ZHANG, "张三", ts(2026, 10, 20, 9), message_id=5401)
    await months.freeze(policy.id, "2026-10", datetime(2026, 11, 1, 9, tzinfo=CST))
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        post(ctx, bot, reply_to(5401, "/精选"), ADMIN, "王管", ts(2026, 11, 27, 10))
        expect_group(
            ctx, "2026-10 的排行已公布，该月已冻结，不能再评经典分享。", group_id=SHARE_GROUP
        )
    assert await LedgerEntry.all().values_list("rule") == [("share.daily",)]


async def test_a_share_replayed_on_the_last_morning_of_a_frozen_month_writes_nothing(
    app: App, db, clock_at
) -> None:
    from qungui.policy import load_policies
    from tests.conftest import TEST_POLICY

    policy = load_policies(TEST_POLICY).orgs["jgs"]
    await months.freeze(policy.id, "2026-11", datetime(2026, 12, 1, 9, tzinfo=CST))
    clock_at(datetime(2026, 12, 2, 10, tzinfo=CST))
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        # 迟到（或重放）的事件：盖着 11 月 30 日上午的时间戳，到得却在月榜发出之后
        post(ctx, bot, TEXT, ZHANG, "张三", ts(2026, 11, 30, 9))
    assert await LedgerEntry.all().count() == 0


async def test_who_was_told_a_copy_is_not_kept_for_days_gone_by(app: App, db) -> None:
    # “当天只点名一次”的记号只对当天（和宽限时段里的前一天）有用：进程连跑几个月，
    # 不该每天为每个抄过的人多留一条
    from datetime import date

    from qungui.state import STATE

    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        post(ctx, bot, TEXT, ZHANG, "张三", ts(2026, 12, 2, 9))
        for day in (2, 3, 4):
            post(ctx, bot, TEXT + "！" * day, LI, "李四", ts(2026, 12, day, 9, 2))
            expect_group(
                ctx,
                "以下消息不算原创分享，没有加分：李四（与之前的分享重复）。"
                "原创分享要写自己的工作和生活心得。",
                group_id=SHARE_GROUP,
            )
    told = STATE.org("jgs").told_not_original
    assert (LI, date(2026, 12, 2)) not in told
    assert (LI, date(2026, 12, 4)) in told


async def test_batched_group_messages_are_process_state_cleared_with_the_rest(app: App, db) -> None:
    from plugins.shares import not_original
    from qungui.state import STATE

    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        post(ctx, bot, TEXT, ZHANG, "张三", ts(2026, 12, 2, 9))
        # 同一窗口里的第二个点名攒着，等下次走动
        not_original.last_sent[SHARE_GROUP] = datetime(2026, 12, 2, 9, 1, tzinfo=CST)
        post(ctx, bot, TEXT + "！", LI, "李四", ts(2026, 12, 2, 9, 2))
    assert not_original.pending
    STATE.reset()
    assert not not_original.pending and not not_original.last_sent
