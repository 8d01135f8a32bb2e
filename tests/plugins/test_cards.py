from datetime import UTC, datetime

import pytest
from nonebot.adapters.onebot.v11 import ActionFailed, Message, MessageSegment
from nonebug import App

from qungui.models import LedgerEntry, Member
from tests import fake
from tests.fake import ADMIN, NOV27_1000, WORK_GROUP, member_info, notice

from .conftest import expect_group, make_bot
from .test_content import issued

NEWBIE = 20005
DAY = 86400
GOOD = "鸡公山酒业-王五-13600000000"


def expect_info(ctx, user_id: int, card: str, group_id: int = WORK_GROUP) -> None:
    ctx.should_call_api(
        "get_group_member_info",
        {"group_id": group_id, "user_id": user_id, "no_cache": True},
        result=member_info(user_id, group_id, card=card),
    )


def expect_list(ctx, members: list[dict], group_id: int = WORK_GROUP) -> None:
    ctx.should_call_api(
        "get_group_member_list", {"group_id": group_id, "no_cache": True}, result=members
    )


def expect_message(ctx, segments: list[MessageSegment], group_id: int = WORK_GROUP) -> None:
    ctx.should_call_api(
        "send_group_msg",
        {"group_id": group_id, "message": Message(segments)},
        result={"message_id": 1},
    )


async def test_a_newcomer_is_greeted_with_the_format_and_deadline(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(
            bot, notice("group_increase", user_id=NEWBIE, group_id=WORK_GROUP, time=NOV27_1000)
        )
        expect_info(ctx, NEWBIE, "")
        expect_message(
            ctx,
            [
                MessageSegment.text("欢迎 "),
                MessageSegment.at(NEWBIE),
                MessageSegment.text(
                    " 加入鸡公山酒业！请在 11月30日 10:00 前把群名片改为「鸡公山酒业-你的姓名-你的11位手机号」"
                    "（或发 /改名片 姓名 手机号，由机器人代改）；逾期每天扣 10 分。"
                ),
            ],
        )
    member = await Member.get(user_id=NEWBIE)
    assert member.joined_at.timestamp() == NOV27_1000 and member.card_ok is False


async def test_a_newcomer_with_a_good_card_gets_a_short_welcome(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, notice("group_increase", user_id=NEWBIE, group_id=WORK_GROUP))
        expect_info(ctx, NEWBIE, GOOD)
        expect_message(
            ctx,
            [
                MessageSegment.text("欢迎 "),
                MessageSegment.at(NEWBIE),
                MessageSegment.text(" 加入鸡公山酒业！"),
            ],
        )


async def test_fixed_cards_are_thanked_at_most_once_per_ten_minutes(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(
            bot,
            notice("group_card", user_id=NEWBIE, card_new=GOOD, card_old="", time=NOV27_1000),
        )
        expect_group(ctx, "感谢 王五 改好了群名片。")
        ctx.receive_event(
            bot,
            notice(
                "group_card",
                user_id=20006,
                card_new="鸡公山酒业-赵六-13500000000",
                card_old="zl",
                time=NOV27_1000 + 60,
            ),
        )
    from datetime import UTC, datetime

    from plugins.cards import thanks

    async with app.test_api() as ctx:
        bot = make_bot(ctx)
        thanks.bots[WORK_GROUP] = bot
        await thanks.flush(datetime.fromtimestamp(NOV27_1000 + 9 * 60, UTC))
        expect_group(ctx, "感谢 赵六 改好了群名片。")
        await thanks.flush(datetime.fromtimestamp(NOV27_1000 + 10 * 60, UTC))


async def test_sweep_announces_first_then_fines_the_overdue_once_a_day(app: App, db) -> None:
    roster = [
        member_info(20001, card="鸡公山酒业-张三-13900000000", join_time=1700000000),
        member_info(NEWBIE, card="王五", join_time=1700000000),
    ]
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("/名片检查", user_id=ADMIN, time=NOV27_1000))
        expect_list(ctx, roster)
        expect_group(
            ctx,
            "群规助手开始检查本群的群名片：请把群名片改为「鸡公山酒业-你的姓名-你的11位手机号」"
            "（或发 /改名片 姓名 手机号，由机器人代改）。"
            "11月30日 10:00 起仍不规范的，每天扣 10 分。",
        )
        expect_group(ctx, "名片检查：规范 1 人，还在改名片期限内 1 人，逾期 0 人。")
        for day in (3, 3, 4):
            ctx.receive_event(
                bot, fake.group_message("/名片检查", user_id=ADMIN, time=NOV27_1000 + day * DAY)
            )
            expect_list(ctx, roster)
            expect_info(ctx, NEWBIE, "王五")
            expect_message(
                ctx,
                [
                    MessageSegment.text(
                        "以下成员的群名片仍不规范，今天各扣 10 分，请把群名片改为「鸡公山酒业-你的姓名-你的11位手机号」"
                        "（或发 /改名片 姓名 手机号，由机器人代改）："
                    ),
                    MessageSegment.at(NEWBIE),
                ],
            )
            expect_group(ctx, "名片检查：规范 1 人，还在改名片期限内 0 人，逾期 1 人。")
    rows = await LedgerEntry.filter(rule="card.penalty").values_list(
        "user_id", "delta", "business_date"
    )
    assert [(u, d, str(b)) for u, d, b in rows] == [
        (NEWBIE, -10, "2026-11-30"),
        (NEWBIE, -10, "2026-12-01"),
    ]


@pytest.mark.parametrize(
    ("first_tick", "later_tick"),
    [
        ((10, 0, 5, 600000), (10, 0, 5, 100000)),  # 几百毫秒的早晚
        ((10, 1, 2), (10, 0, 30)),  # 第一次的时钟走动晚了一分多钟
    ],
)
async def test_the_daily_sweep_fines_from_the_announced_day_whatever_the_tick(
    app: App, db, clock_at, first_tick: tuple, later_tick: tuple
) -> None:
    from plugins.core import policies, runner
    from qungui.jobs import JobRunner

    sweeps = JobRunner()
    sweeps.register(runner.jobs["card.sweep"])
    policy = policies.get("jgs")
    await sweeps.run_due([policy], datetime(2026, 11, 20, tzinfo=policy.tz))  # 装上的那一刻
    members = [member_info(NEWBIE, card="王五", join_time=1700000000)]
    async with app.test_api() as ctx:
        make_bot(ctx)
        first = datetime(2026, 11, 27, *first_tick, tzinfo=policy.tz)
        clock_at(first)
        expect_list(ctx, members)
        expect_group(
            ctx,
            "群规助手开始检查本群的群名片：请把群名片改为「鸡公山酒业-你的姓名-你的11位手机号」"
            "（或发 /改名片 姓名 手机号，由机器人代改）。"
            "11月30日 10:00 起仍不规范的，每天扣 10 分。",
        )
        assert await sweeps.run_due([policy], first) == ["card.sweep:jgs:2026-11-27"]
        later = datetime(2026, 11, 30, *later_tick, tzinfo=policy.tz)
        clock_at(later)
        expect_list(ctx, members)
        expect_info(ctx, NEWBIE, "王五")
        expect_message(
            ctx,
            [
                MessageSegment.text(
                    "以下成员的群名片仍不规范，今天各扣 10 分，请把群名片改为「鸡公山酒业-你的姓名-你的11位手机号」"
                    "（或发 /改名片 姓名 手机号，由机器人代改）："
                ),
                MessageSegment.at(NEWBIE),
            ],
        )
        assert await sweeps.run_due([policy], later) == ["card.sweep:jgs:2026-11-30"]
    rows = await LedgerEntry.filter(rule="card.penalty").values_list("business_date", flat=True)
    assert [str(day) for day in rows] == ["2026-11-30"]


async def test_a_failed_member_list_fines_nobody(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("/名片检查", user_id=ADMIN))
        ctx.should_call_api(
            "get_group_member_list",
            {"group_id": WORK_GROUP, "no_cache": True},
            exception=ActionFailed(**fake.RESPONSES["set_group_ban_fail_napcat_not_admin"]),
        )
        expect_group(
            ctx, "名片检查没有完成：读取群成员列表失败（ERR_NOT_GROUP_ADMIN），今天不扣分。"
        )
    assert await LedgerEntry.all().count() == 0


async def test_sweep_is_for_work_groups_and_admins(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(
            bot, fake.group_message("/名片检查", user_id=ADMIN, group_id=fake.SHARE_GROUP)
        )
        expect_group(ctx, "名片检查只在公司群里进行。", group_id=fake.SHARE_GROUP)
        ctx.receive_event(bot, fake.group_message("/名片检查"))
        expect_group(ctx, "「/名片检查」需要管理员及以上权限，你现在是成员。")


async def test_a_leaver_is_marked_not_deleted(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("在", user_id=20006))
        ctx.receive_event(bot, notice("group_decrease", user_id=20006, group_id=WORK_GROUP))
    member = await Member.get(user_id=20006)
    assert member.left_at is not None


def expect_bot_role(ctx, role: str) -> None:
    ctx.should_call_api(
        "get_group_member_info",
        {"group_id": WORK_GROUP, "user_id": fake.SELF_ID, "no_cache": True},
        result=member_info(fake.SELF_ID, role=role),
    )


def expect_set(ctx, user_id: int, card: str, exception: Exception | None = None) -> None:
    ctx.should_call_api(
        "set_group_card",
        {"group_id": WORK_GROUP, "user_id": user_id, "card": card},
        result=None,
        exception=exception,
    )


async def test_set_own_card_and_read_it_back(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(
            bot, fake.group_message("/改名片 王五 13612345678", user_id=NEWBIE, card="王五")
        )
        expect_bot_role(ctx, "admin")
        expect_set(ctx, NEWBIE, "鸡公山酒业-王五-13612345678")
        expect_info(ctx, NEWBIE, "鸡公山酒业-王五-13612345678")
        expect_group(ctx, "已把你的群名片改为「鸡公山酒业-王五-136****5678」。")
    member = await Member.get(user_id=NEWBIE)
    assert member.card_ok and member.card == "鸡公山酒业-王五-13612345678"


async def test_admin_sets_a_members_card_but_the_change_silently_fails(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(
            bot,
            fake.group_message(
                [fake.text("/改名片 "), fake.at(NEWBIE), fake.text(" 王五 13612345678")],
                user_id=ADMIN,
            ),
        )
        expect_bot_role(ctx, "admin")
        expect_set(ctx, NEWBIE, "鸡公山酒业-王五-13612345678")
        expect_info(ctx, NEWBIE, "王五")
        expect_group(
            ctx, "已提交修改，但复查时群名片仍是原样，没有改成功。请在群里自行修改群名片。"
        )


async def test_napcat_reports_the_card_did_not_take(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("/改名片 王五 13612345678", user_id=NEWBIE))
        expect_bot_role(ctx, "owner")
        expect_set(
            ctx,
            NEWBIE,
            "鸡公山酒业-王五-13612345678",
            exception=ActionFailed(**fake.RESPONSES["set_group_card_fail_napcat_not_effective"]),
        )
        expect_group(ctx, "修改名片失败（设置群名片未生效），请自己在群里修改。")


async def test_without_admin_rights_the_bot_says_so_every_time(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        expect_bot_role(ctx, "member")
        for _ in range(2):
            ctx.receive_event(bot, fake.group_message("/改名片 王五 13612345678", user_id=NEWBIE))
            expect_group(
                ctx,
                "机器人不是本群的管理员，没法改名片：请群主把机器人设为管理员，或自己在群里修改名片。",
            )


async def test_set_card_bad_input_and_roles(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("/改名片 王五 123"))
        expect_group(
            ctx,
            "姓名或手机号不符合名片规则：群名片应为「鸡公山酒业-你的姓名-你的11位手机号」。\n"
            "用法：/改名片 [@某人] 姓名 手机号\n例如：/改名片 张三 你的11位手机号",
        )
        ctx.receive_event(
            bot,
            fake.group_message(
                [fake.text("/改名片 "), fake.at(NEWBIE), fake.text(" 王五 13612345678")],
                message_id=7013,
            ),
        )
        expect_group(ctx, "给别人改名片需要管理员及以上权限，你现在是成员。")
        # 被拒的命令没把电话写进任何名片：留在群里的是别人的号码，照隐私规则撤回、警告
        ctx.should_call_api(
            "get_group_member_info",
            {"group_id": WORK_GROUP, "user_id": fake.SELF_ID, "no_cache": True},
            result=member_info(fake.SELF_ID, role="admin"),
        )
        ctx.should_call_api("delete_msg", {"message_id": 7013}, result=None)
        expect_group(ctx, issued("张三", "泄露他人信息", "-5 分", 1, 1))


OTHER_WORK = 987654329
REMOVED = {
    "status": "failed",
    "retcode": 1200,
    "data": None,
    "message": "EventChecker Failed: NTEvent serviceAndMethod:NodeIKernelMsgService/sendMsg "
    'ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate EventRet:\n{\n    "result": 110,\n'
    '    "errMsg": "发送失败，你已被移出该群，请重新加群。"\n}\n',
}


async def test_a_refused_announcement_does_not_stop_the_daily_sweep(
    app: App, db, monkeypatch
) -> None:
    # 两个公司群：第一个群不收机器人的消息（被移出、被禁言），第二个群照样检查、照样公布
    from datetime import UTC, datetime

    from plugins.cards import _daily_sweep
    from plugins.core import failure_reason, policies, runner
    from qungui.jobs import JobContext

    from .conftest import patch_policy

    patch_policy(monkeypatch, "groups", work=[WORK_GROUP, OTHER_WORK])
    policy = policies.get("jgs")
    at = datetime.fromtimestamp(NOV27_1000, UTC)
    first_sweep = MessageSegment.text(
        "群规助手开始检查本群的群名片：请把群名片改为「鸡公山酒业-你的姓名-你的11位手机号」"
        "（或发 /改名片 姓名 手机号，由机器人代改）。"
        "11月30日 10:00 起仍不规范的，每天扣 10 分。"
    )
    async with app.test_matcher() as ctx:
        make_bot(ctx)
        expect_list(ctx, [member_info(NEWBIE, card="王五", join_time=1700000000)])
        ctx.should_call_api(
            "send_group_msg",
            {"group_id": WORK_GROUP, "message": Message(first_sweep)},
            exception=ActionFailed(**REMOVED),
        )
        expect_list(ctx, [member_info(NEWBIE, card="王五", join_time=1700000000)], OTHER_WORK)
        expect_message(ctx, [first_sweep], OTHER_WORK)
        job = runner.jobs["card.sweep"]
        note = await _daily_sweep(JobContext(job, policy, "2026-11-27", at, at, late=False))
    # 发不出去的公告写进任务结果
    reason = failure_reason(ActionFailed(**REMOVED))
    assert note == (
        f"群 {WORK_GROUP}：规范 0，宽限中 1，逾期 0；群 {OTHER_WORK}：规范 0，宽限中 1，逾期 0；"
        f"没发出去：群 {WORK_GROUP}（{reason}）"
    )


async def test_an_admin_naming_the_member_by_qq_number_is_not_leaking_the_new_cards_phone(
    app: App, db
) -> None:
    # 写 QQ 号和 @ 是同一个命令（plugins/core/args.py 的 Person）：名片上要写的电话
    # 在两种写法里都是写进名片的，不算泄露别人的号码（不撤回、不警告）
    from qungui import members

    await members.remember(
        org="jgs",
        group_id=WORK_GROUP,
        user_id=NEWBIE,
        card="王五",
        nickname="Wang",
        role="member",
        seen_at=datetime.fromtimestamp(NOV27_1000 - DAY, UTC),
    )
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(
            bot,
            fake.group_message(
                f"/改名片 {NEWBIE} 王五 13612345678",
                user_id=ADMIN,
                card="鸡公山酒业-王管-13700000000",
            ),
        )
        expect_bot_role(ctx, "admin")
        expect_set(ctx, NEWBIE, "鸡公山酒业-王五-13612345678")
        expect_info(ctx, NEWBIE, "鸡公山酒业-王五-13612345678")
        expect_group(ctx, "已把王五的群名片改为「鸡公山酒业-王五-136****5678」。")
    assert await LedgerEntry.filter(rule__startswith="warn.").count() == 0


async def test_the_bot_in_napcats_member_list_is_not_fined_for_its_own_card(app: App, db) -> None:
    # NapCat 的群成员列表里也有机器人自己（名片通常是空的）：它不是成员，不检查、不点名、不扣分
    roster = [
        member_info(20001, card="鸡公山酒业-张三-13900000000", join_time=1700000000),
        member_info(fake.SELF_ID, card="", join_time=1700000000),
    ]
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("/名片检查", user_id=ADMIN, time=NOV27_1000))
        expect_list(ctx, roster)
        expect_group(
            ctx,
            "群规助手开始检查本群的群名片：请把群名片改为「鸡公山酒业-你的姓名-你的11位手机号」"
            "（或发 /改名片 姓名 手机号，由机器人代改）。11月30日 10:00 起仍不规范的，每天扣 10 分。",
        )
        expect_group(ctx, "名片检查：规范 1 人，还在改名片期限内 0 人，逾期 0 人。")
        ctx.receive_event(
            bot, fake.group_message("/名片检查", user_id=ADMIN, time=NOV27_1000 + 4 * DAY)
        )
        expect_list(ctx, roster)
        expect_group(ctx, "名片检查：规范 1 人，还在改名片期限内 0 人，逾期 0 人。")
    assert await LedgerEntry.filter(rule="card.penalty").count() == 0
