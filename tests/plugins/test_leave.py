"""/请假：管理员给成员记、成员为自己申请（审N，/确认 /驳回，本人不能批自己的）、拒绝的几种情况，/撤销 假N。

事件都在 2026-11-27 10:00（北京时间）发生，除非另写。
"""

from datetime import UTC, date, datetime
from unittest.mock import ANY
from zoneinfo import ZoneInfo

from nonebot.adapters.onebot.v11 import Message, MessageSegment
from nonebug import App

from qungui import months
from qungui.models import FilterHit, Leave, LedgerEntry
from tests import fake
from tests.fake import ADMIN, CHAIRMAN, SHARE_GROUP

from .conftest import expect_group, expect_private, make_bot, patch_policy

ZHANG, LI = 20001, 20002
ZHANG_CARD = "鸡公山酒业-张三-13900000000"
LI_CARD = "鸡公山酒业-李四-13800000000"
ADMIN_CARD = "鸡公山酒业-王管-13700000000"
OWN_CASE = (
    "这件事与你本人有关（你是得分的人、被处理的人或举报人），不能自己决定，"
    "请另一位管理员或超级用户处理。"
)
USAGE = "用法：/请假 [@某人] 开始 [结束] 事由\n例如：/请假 12-08 12-10 回老家办事 或 /请假 @张三 12-08 病假"


def say(ctx, bot, message, user: int = ZHANG, card: str = ZHANG_CARD, **fields) -> None:
    ctx.receive_event(bot, fake.group_message(message, user_id=user, card=card, **fields))


def admin(ctx, bot, message, **fields) -> None:
    say(ctx, bot, message, user=ADMIN, card=ADMIN_CARD, **fields)


def on(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp())


async def rows() -> list[tuple]:
    return (
        await Leave.all().order_by("id").values_list("user_id", "first_day", "last_day", "status")
    )


async def test_an_admin_records_leave_for_a_member(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "大家好")  # 张三在群里说过话：有名字
        admin(ctx, bot, [fake.text("/请假 "), fake.at(ZHANG), fake.text(" 12-08 12-10 回老家办事")])
        expect_group(
            ctx,
            "已记下 张三 请假 12月8日至12月10日（3 天，编号 假1），事由：回老家办事。"
            "这几天不提醒分享，也不打断连续分享；撤销：/撤销 假1",
        )
    assert await rows() == [(ZHANG, date(2026, 12, 8), date(2026, 12, 10), "approved")]
    assert await LedgerEntry.all().count() == 0  # 请假不是账本记录
    assert await FilterHit.all().count() == 0


async def test_the_same_command_twice_records_one_leave(app: App, db) -> None:
    payload = dict(message_id=880001)
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "大家好")
        command = [fake.text("/请假 "), fake.at(ZHANG), fake.text(" 11-30 病假")]
        admin(ctx, bot, command, **payload)
        expect_group(
            ctx,
            "已记下 张三 请假 11月30日（1 天，编号 假1），事由：病假。"
            "这几天不提醒分享，也不打断连续分享；撤销：/撤销 假1",
        )
        admin(ctx, bot, command, **payload)
    assert await Leave.all().count() == 1


async def test_leave_for_someone_else_needs_an_admin(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, [fake.text("/请假 "), fake.at(LI), fake.text(" 12-08 帮他请")])
        expect_group(
            ctx,
            "给别人记请假需要管理员及以上权限，你现在是成员。为自己申请：/请假 开始 [结束] 事由",
        )
    assert await rows() == []


async def test_wrong_input_answers_with_the_usage_and_writes_nothing(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        admin(ctx, bot, [fake.text("/请假 "), fake.at(ZHANG), fake.text(" 下周一 回老家")])
        expect_group(ctx, "日期应写作 YYYY-MM-DD 或 MM-DD，例如 2026-12-08 或 12-08。\n" + USAGE)
        admin(ctx, bot, [fake.text("/请假 "), fake.at(ZHANG), fake.text(" 12-08 12-10")])
        expect_group(ctx, "请写明理由。\n" + USAGE)
        admin(ctx, bot, [fake.text("/请假 "), fake.at(ZHANG), fake.text(" 12-10 2026-12-08 事")])
        expect_group(ctx, "结束日期早于开始日期。\n" + USAGE)
        admin(ctx, bot, [fake.text("/请假 "), fake.at(ZHANG), fake.text(" 02-30 事由")])
        expect_group(ctx, "日期应写作 YYYY-MM-DD 或 MM-DD，例如 2026-12-08 或 12-08。\n" + USAGE)
    assert await rows() == []


async def test_refusals_longer_than_max_days_overlapping_and_frozen(
    app: App, db, monkeypatch
) -> None:
    patch_policy(monkeypatch, "leave", max_days=5)
    await months.freeze("jgs", "2026-10", datetime(2026, 11, 1, 9, tzinfo=UTC))
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "大家好")
        admin(ctx, bot, [fake.text("/请假 "), fake.at(ZHANG), fake.text(" 12-01 12-06 年假")])
        expect_group(ctx, "一次最多请假 5 天（这次是 6 天），请分几次记。")
        admin(ctx, bot, [fake.text("/请假 "), fake.at(ZHANG), fake.text(" 10-30 11-02 补记")])
        expect_group(ctx, "2026-10 的排行已公布，该月已冻结，不能再记请假。")
        admin(ctx, bot, [fake.text("/请假 "), fake.at(ZHANG), fake.text(" 12-01 12-03 年假")])
        expect_group(
            ctx,
            "已记下 张三 请假 12月1日至12月3日（3 天，编号 假1），事由：年假。"
            "这几天不提醒分享，也不打断连续分享；撤销：/撤销 假1",
        )
        admin(ctx, bot, [fake.text("/请假 "), fake.at(ZHANG), fake.text(" 12-03 12-04 又请")])
        expect_group(ctx, "张三 在这几天已有请假（假1，12月1日至12月3日），不能重复记。")
        # 本月已经过去的日子可以补记（管理员改错）
        admin(ctx, bot, [fake.text("/请假 "), fake.at(ZHANG), fake.text(" 11-02 病假")])
        expect_group(
            ctx,
            "已记下 张三 请假 11月2日（1 天，编号 假2），事由：病假。"
            "这几天不提醒分享，也不打断连续分享；撤销：/撤销 假2",
        )
    assert [r[1] for r in await rows()] == [date(2026, 12, 1), date(2026, 11, 2)]


async def test_an_admin_cannot_record_their_own_leave(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        admin(ctx, bot, [fake.text("/请假 "), fake.at(ADMIN), fake.text(" 12-08 年假")])
        expect_group(ctx, "已提交请假申请 12月8日（1 天，审1），管理员确认后生效。")
        expect_private(
            ctx,
            f"【群规助手】请审核：鸡公山酒业员工群 王管（QQ {ADMIN}）的请假申请\n"
            "日期：12月8日（1 天）\n"
            "事由：年假\n"
            "批准：/确认 审1　驳回：/驳回 审1 [理由]",
            ADMIN,
        )
        # 自己申请的，自己不能批
        ctx.receive_event(bot, fake.private_message("/确认 审1", user_id=ADMIN))
        expect_private(ctx, OWN_CASE, ADMIN)
    assert await rows() == [(ADMIN, date(2026, 12, 8), date(2026, 12, 8), "pending")]


async def test_a_member_asks_and_an_admin_approves_in_private(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/请假 12-30 01-02 回老家办喜事", group_id=SHARE_GROUP)
        expect_group(
            ctx,
            "已提交请假申请 12月30日至2027年1月2日（4 天，审1），管理员确认后生效。",
            group_id=SHARE_GROUP,
        )
        expect_private(
            ctx,
            f"【群规助手】请审核：90落地交流群 张三（QQ {ZHANG}）的请假申请\n"
            "日期：12月30日至2027年1月2日（4 天）\n"
            "事由：回老家办喜事\n"
            "批准：/确认 审1　驳回：/驳回 审1 [理由]",
            ADMIN,
        )
        ctx.receive_event(bot, fake.private_message("/确认 审1", user_id=ADMIN, message_id=9901))
        expect_group(
            ctx,
            "张三 的请假申请（审1）已批准：12月30日至2027年1月2日 请假（编号 假1）。",
            group_id=SHARE_GROUP,
        )
        expect_private(
            ctx,
            "已批准 审1：张三 12月30日至2027年1月2日 请假（编号 假1），已在群里告诉他。",
            ADMIN,
        )
        ctx.receive_event(bot, fake.private_message("/驳回 审1", user_id=ADMIN))
        expect_private(ctx, "审1 已批准，无需再处理。", ADMIN)
    assert await rows() == [(ZHANG, date(2026, 12, 30), date(2027, 1, 2), "approved")]
    hit = await FilterHit.get(id=1)
    assert (hit.rule, hit.status, hit.decided_by) == ("请假", "confirmed", ADMIN)


async def test_an_admin_refuses_a_request_in_the_group(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/请假 2026-12-08 家里有事")
        expect_group(ctx, "已提交请假申请 12月8日（1 天，审1），管理员确认后生效。")
        ctx.should_call_api("send_private_msg", ANY, result={"message_id": 1})
        # 有待审的申请时，同样的日子不能再申请一次
        say(ctx, bot, "/请假 12-08 12-09 家里有事")
        expect_group(ctx, "张三 在这几天已有待审的请假申请（审1，12月8日）。")
        admin(ctx, bot, "/驳回 审1 年底人手紧")
        expect_group(ctx, "张三 的请假申请（审1，12月8日）没有批准：年底人手紧。这几天照常分享。")
    assert await rows() == [(ZHANG, date(2026, 12, 8), date(2026, 12, 8), "refused")]


async def test_self_requests_can_be_turned_off(app: App, db, monkeypatch) -> None:
    patch_policy(monkeypatch, "leave", self_request=False)
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/请假 12-08 家里有事")
        expect_group(ctx, "本组织不接受自己申请请假，请找管理员记。")
    assert await rows() == []


async def test_revoke_removes_only_the_days_not_yet_passed(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "大家好")
        admin(
            ctx,
            bot,
            [fake.text("/请假 "), fake.at(ZHANG), fake.text(" 11-25 11-29 出差")],
            time=on(2026, 11, 24, 9),
        )
        expect_group(
            ctx,
            "已记下 张三 请假 11月25日至11月29日（5 天，编号 假1），事由：出差。"
            "这几天不提醒分享，也不打断连续分享；撤销：/撤销 假1",
        )
        # 11 月 27 日：25、26 日已经过去，照旧算请假
        admin(ctx, bot, "/撤销 假1 提前回来了")
        expect_group(
            ctx,
            "已撤销 假1：张三 从 11月27日 起不再算请假；已经过去的 2 天（11月25日至11月26日）照旧算请假。",
        )
        admin(ctx, bot, "/撤销 假1")
        expect_group(ctx, "假1 已经撤销过了。")
        admin(ctx, bot, "/撤销 假9")
        expect_group(ctx, "没有 假9 这条请假。")
        # 账本的 #1 不是 假1
        admin(ctx, bot, "/撤销 1")
        expect_group(ctx, "找不到编号 #1 的记录。")
    leave = await Leave.get(id=1)
    assert (leave.status, leave.cut_from, leave.revoked_by) == (
        "approved",
        date(2026, 11, 27),
        ADMIN,
    )


async def test_revoke_refusals(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "大家好")
        admin(ctx, bot, [fake.text("/请假 "), fake.at(ZHANG), fake.text(" 11-20 11-21 病假")])
        ctx.should_call_api("send_group_msg", ANY, result={"message_id": 1})
        admin(ctx, bot, "/撤销 假1")
        expect_group(
            ctx, "假1（11月20日至11月21日）的日子都已过去，撤销不了：过去的日子照旧算请假。"
        )
        say(ctx, bot, "/请假 12-08 家里有事")
        ctx.should_call_api("send_group_msg", ANY, result={"message_id": 2})
        ctx.should_call_api("send_private_msg", ANY, result={"message_id": 3})
        admin(ctx, bot, "/撤销 假2")
        expect_group(ctx, "假2 还在等审核，不用撤销：驳回它用 /驳回 审1。")
        say(ctx, bot, "/撤销 假2")
        expect_group(ctx, "「/撤销」需要管理员及以上权限，你现在是成员。")
        # 主席记的、给管理员的请假：管理员自己不能撤
        say(
            ctx,
            bot,
            [fake.text("/请假 "), fake.at(ADMIN), fake.text(" 12-10 年假")],
            user=CHAIRMAN,
            card="鸡公山酒业-赵主席-13600000000",
        )
        ctx.should_call_api("send_group_msg", ANY, result={"message_id": 4})
        admin(ctx, bot, "/撤销 假3")
        expect_group(ctx, OWN_CASE)
    assert [r[3] for r in await rows()] == ["approved", "pending", "approved"]


async def test_today_and_its_reminder_leave_out_a_member_on_leave(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "大家好", group_id=SHARE_GROUP)
        say(ctx, bot, "收到", user=LI, card=LI_CARD, group_id=SHARE_GROUP)
        admin(ctx, bot, [fake.text("/请假 "), fake.at(LI), fake.text(" 11-27 陪家人看病")])
        ctx.should_call_api("send_group_msg", ANY, result={"message_id": 1})
        admin(ctx, bot, "/今日分享", group_id=SHARE_GROUP)
        expect_group(
            ctx,
            "11月27日 已分享 0 人，请假 1 人（李四），还没分享 2 人：张三、王管。",
            group_id=SHARE_GROUP,
        )
        admin(ctx, bot, "/今日分享 提醒", group_id=SHARE_GROUP)
        ctx.should_call_api(
            "send_group_msg",
            {
                "group_id": SHARE_GROUP,
                "message": Message(
                    [
                        MessageSegment.text(
                            "11月27日 已分享 0 人，请假 1 人（李四），还没分享 2 人："
                        ),
                        MessageSegment.at(ZHANG),
                        MessageSegment.at(ADMIN),
                    ]
                ),
            },
            result={"message_id": 2},
        )
        say(ctx, bot, "/今日分享", user=LI, card=LI_CARD, group_id=SHARE_GROUP)
        expect_group(
            ctx,
            "李四 今天（11月27日）请假，不用分享。本月已分享 0 天，当前连续 0 天。",
            group_id=SHARE_GROUP,
        )


async def test_on_a_holiday_today_names_nobody(app: App, db, monkeypatch) -> None:
    patch_policy(monkeypatch, "calendar", holidays=((date(2026, 11, 27), date(2026, 11, 27)),))
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "大家好", group_id=SHARE_GROUP)
        admin(ctx, bot, "/今日分享 提醒", group_id=SHARE_GROUP)
        expect_group(
            ctx, "11月27日 是节假日，不用分享，不提醒（已分享 0 人）。", group_id=SHARE_GROUP
        )
        say(ctx, bot, "/今日分享", group_id=SHARE_GROUP)
        expect_group(
            ctx,
            "今天（11月27日）是节假日，不用分享。张三 本月已分享 0 天，当前连续 0 天。",
            group_id=SHARE_GROUP,
        )


async def test_a_member_cannot_flood_the_reviewers_with_requests(app: App, db) -> None:
    """每条申请都私聊打扰管理员：一个人同时待审的申请有上限，多出来的不进队列、不通知任何人。"""
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        for n, day in enumerate((8, 9, 10), start=1):
            say(ctx, bot, f"/请假 12-{day:02} 家里有事")
            expect_group(ctx, f"已提交请假申请 12月{day}日（1 天，审{n}），管理员确认后生效。")
            ctx.should_call_api("send_private_msg", ANY, result={"message_id": n})
        say(ctx, bot, "/请假 12-11 家里有事")
        expect_group(
            ctx,
            "你已有 3 条待审的请假申请（审1、审2、审3），等管理员处理后再申请；急事请直接找管理员记。",
        )
        # 管理员处理掉一条，就又能申请了
        admin(ctx, bot, "/驳回 审1")
        expect_group(ctx, "张三 的请假申请（审1，12月8日）没有批准。这几天照常分享。")
        say(ctx, bot, "/请假 12-11 家里有事")
        expect_group(ctx, "已提交请假申请 12月11日（1 天，审4），管理员确认后生效。")
        ctx.should_call_api("send_private_msg", ANY, result={"message_id": 4})
    assert await FilterHit.filter(status="pending").count() == 3
    assert [r[1].day for r in await rows()] == [8, 9, 10, 11]


async def test_a_very_long_reason_reaches_the_reviewers_as_kept(app: App, db) -> None:
    """事由只存前 200 个字：审核通知也只带这些，一条申请不会拆成好几条私聊塞给管理员。"""
    long = "家" * 3000
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, f"/请假 12-08 {long}")
        expect_group(ctx, "已提交请假申请 12月8日（1 天，审1），管理员确认后生效。")
        expect_private(
            ctx,
            f"【群规助手】请审核：鸡公山酒业员工群 张三（QQ {ZHANG}）的请假申请\n"
            "日期：12月8日（1 天）\n"
            f"事由：{long[:200]}\n"
            "批准：/确认 审1　驳回：/驳回 审1 [理由]",
            ADMIN,
        )
    assert (await Leave.get(id=1)).reason == long[:200]


async def test_a_day_at_the_end_of_the_calendar_is_refused_not_failed(app: App, db) -> None:
    """9999 年 12 月的日子日历算不下去（下个月不存在）：当作写错的日期，不回“处理失败”。"""
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/请假 9999-12-30 家里有事")
        expect_group(ctx, "日期应写作 YYYY-MM-DD 或 MM-DD，例如 2026-12-08 或 12-08。\n" + USAGE)
        admin(ctx, bot, [fake.text("/请假 "), fake.at(ZHANG), fake.text(" 9999-12-01 事")])
        expect_group(ctx, "日期应写作 YYYY-MM-DD 或 MM-DD，例如 2026-12-08 或 12-08。\n" + USAGE)
    assert await rows() == []


async def test_an_admin_deciding_in_private_hears_when_the_group_could_not_be_told(
    app: App, db
) -> None:
    """申请所在的群发不进去（机器人被移出、群被解散）：批准照样记下，私聊里告诉管理员没说到，
    而不是一句话也没有、让他以为命令没收到。"""
    from nonebot.adapters.onebot.v11 import ActionFailed

    gone = ActionFailed(status="failed", retcode=1400, message="群不存在", wording="群不存在")
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/请假 12-08 家里有事", group_id=SHARE_GROUP)
        expect_group(
            ctx, "已提交请假申请 12月8日（1 天，审1），管理员确认后生效。", group_id=SHARE_GROUP
        )
        ctx.should_call_api("send_private_msg", ANY, result={"message_id": 1})
        say(ctx, bot, "/请假 12-10 家里有事", group_id=SHARE_GROUP)
        expect_group(
            ctx, "已提交请假申请 12月10日（1 天，审2），管理员确认后生效。", group_id=SHARE_GROUP
        )
        ctx.should_call_api("send_private_msg", ANY, result={"message_id": 2})
        ctx.receive_event(bot, fake.private_message("/确认 审1", user_id=ADMIN))
        ctx.should_call_api("send_group_msg", ANY, exception=gone)
        expect_private(
            ctx,
            "已批准 审1：张三 12月8日 请假（编号 假1），但没能在群里告诉他（群不存在），请转告。",
            ADMIN,
        )
        ctx.receive_event(bot, fake.private_message("/驳回 审2", user_id=ADMIN))
        ctx.should_call_api("send_group_msg", ANY, exception=gone)
        expect_private(
            ctx,
            "已驳回 审2（张三 12月10日 的请假申请），但没能在群里告诉他（群不存在），请转告。",
            ADMIN,
        )
    assert [r[3] for r in await rows()] == ["approved", "refused"]


async def test_a_colleague_named_in_the_reason_is_not_the_one_on_leave(app: App, db) -> None:
    """管理员为自己申请、事由里 @ 了交接的同事：应当是他自己的申请（审1），不是直接给同事记了假。"""
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "大家好", user=LI, card=LI_CARD)
        admin(ctx, bot, [fake.text("/请假 12-08 病假，工作交给 "), fake.at(LI)])
        expect_group(ctx, "已提交请假申请 12月8日（1 天，审1），管理员确认后生效。")
        ctx.should_call_api("send_private_msg", ANY, result={"message_id": 1})
        # 写在最前面的 @ 才是请假的人，而且只能一位
        admin(ctx, bot, [fake.text("/请假 "), fake.at(LI), fake.at(ZHANG), fake.text(" 12-09 事")])
        expect_group(ctx, "请 @ 一位成员。\n" + USAGE)
    assert await rows() == [(ADMIN, date(2026, 12, 8), date(2026, 12, 8), "pending")]
