"""要大家确认的通知：/通知 /通知状态 /撤回通知，三种确认方式，截止时的提醒、处罚和报告。"""

from datetime import UTC, datetime
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from nonebot.adapters.onebot.v11 import Message, MessageSegment
from nonebot.adapters.onebot.v11.event import Reply, Sender
from nonebug import App

from qungui import members
from qungui.models import LedgerEntry, Notice, NoticeTarget
from qungui.policy import NoticesSection, Policies
from tests import fake
from tests.fake import ADMIN, CHAIRMAN, SELF_ID, WORK_GROUP

from .conftest import expect_group, expect_private, make_bot
from .test_system import RULES_FOR_MEMBERS

CST = ZoneInfo("Asia/Shanghai")
ZHANG, LI, WANG = 20001, 20002, 20003
NAMES = {ZHANG: "张三", LI: "李四", WANG: "王五", ADMIN: "王管", CHAIRMAN: "赵主席"}
HOW_TO = "请在 {deadline} 前回复“收到”、引用本条或点个表情确认（{count} 人）。"
OWN_CASE = (
    "这件事与你本人有关（你是得分的人、被处理的人或举报人），不能自己决定，"
    "请另一位管理员或超级用户处理。"
)


def ts(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=CST).timestamp())


def enable(monkeypatch: pytest.MonkeyPatch, **values) -> None:
    """本测试的制度启用 [notices]（测试制度文件里没有这一节）。"""
    from plugins.core import policies

    policy = policies.get("jgs")
    patched = policy.model_copy(update={"notices": NoticesSection(**values)})
    monkeypatch.setattr(
        policies,
        "current",
        Policies({"jgs": patched}, {g: patched for g in patched.all_groups}, policies.path),
    )


@pytest.fixture(autouse=True)
async def _notices(db, clock_at, monkeypatch: pytest.MonkeyPatch):
    """群里有张三、李四、王五和管理员；时钟在 11 月 27 日 10:00；内存里的通知从空开始。"""
    from qungui import notices

    notices.board.clear()
    clock_at(datetime(2026, 11, 27, 10, 0, tzinfo=CST))
    seen = datetime(2026, 11, 1, tzinfo=UTC)
    for user, name in NAMES.items():
        await members.upsert(
            "jgs", WORK_GROUP, user, seen, card=f"鸡公山酒业-{name}-13800000000", nickname=name
        )
    enable(monkeypatch)


def say(ctx, bot, message, user: int, at: int | None = None, **fields) -> None:
    ctx.receive_event(
        bot,
        fake.group_message(
            message,
            user_id=user,
            card=f"鸡公山酒业-{NAMES[user]}-13800000000",
            time=at or ts(2026, 11, 27, 10, 0),
            **fields,
        ),
    )


def expect_group_notice(ctx, body: str) -> None:
    """机器人先确认自己是群管理员，再把同样的文字发成 QQ 群公告。"""
    ctx.should_call_api(
        "get_group_member_info",
        {"group_id": WORK_GROUP, "user_id": SELF_ID, "no_cache": True},
        result=fake.member_info(SELF_ID, role="admin"),
    )
    ctx.should_call_api(
        "_send_group_notice",
        {"group_id": WORK_GROUP, "content": body, "confirm_required": 1},
        result=None,
    )


def expect_notice(ctx, notice_id: int, text: str, count: int, message_id: int, ats=()) -> None:
    body = f"【通知 {notice_id}】{text}\n" + HOW_TO.format(deadline="10:30", count=count)
    message = Message(MessageSegment.text(body))
    if ats:
        message += MessageSegment.text("\n请以下同事确认：")
        message.extend(MessageSegment.at(u) for u in ats)
    ctx.should_call_api(
        "send_group_msg",
        {"group_id": WORK_GROUP, "message": message},
        result={"message_id": message_id},
    )


def reply_to(message_id: int, words: str) -> list[dict]:
    return [{"type": "reply", "data": {"id": str(message_id)}}, fake.text(words)]


async def acks() -> dict[int, tuple[str, bool]]:
    rows = await NoticeTarget.exclude(acked_at=None).values_list("user_id", "how", "late")
    return {user: (how, late) for user, how, late in rows}


async def tick(moment: datetime) -> None:
    from plugins.core import advance
    from qungui import clock

    clock.set_now(moment)
    await advance(moment)


async def test_notice_is_acknowledged_by_a_word_a_quote_and_a_reaction(app: App) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/通知 明天上午九点全员开会，请准时参加", ADMIN)
        expect_notice(ctx, 1, "明天上午九点全员开会，请准时参加", 4, 7001)
        # 四种说法：确认用语开头、全角的确认用语、引用、点表情；闲聊不算
        say(ctx, bot, "收到，马上安排", ZHANG, ts(2026, 11, 27, 10, 1))
        say(ctx, bot, "我明天请假", CHAIRMAN, ts(2026, 11, 27, 10, 2))
        say(ctx, bot, reply_to(7001, "好"), LI, ts(2026, 11, 27, 10, 3))
        ctx.receive_event(
            bot,
            fake.notice(
                "group_msg_emoji_like",
                user_id=WANG,
                message_id=7001,
                time=ts(2026, 11, 27, 10, 4),
            ),
        )
        # 确认两次什么也不改
        say(ctx, bot, "收到", ZHANG, ts(2026, 11, 27, 10, 5))
    assert await acks() == {ZHANG: ("word", False), LI: ("quote", False), WANG: ("emoji", False)}
    notice = await Notice.get(id=1)
    assert (notice.bot_id, notice.message_ids, notice.sender_id) == (SELF_ID, "7001", ADMIN)


async def test_fullwidth_ack_word_counts_and_members_only_need_to_answer_their_own(
    app: App,
) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, [fake.text("/通知 "), fake.at(LI), fake.text(" 今天把报表交上来")], ADMIN)
        expect_notice(ctx, 1, "今天把报表交上来", 1, 7101, ats=[LI])
        say(ctx, bot, "收到", ZHANG)  # 没点到张三：他的“收到”不算什么
        say(ctx, bot, "ｍａｙｂｅ", LI)
        say(ctx, bot, "明白！", LI)
    assert await acks() == {LI: ("word", False)}
    assert await NoticeTarget.all().values_list("user_id", flat=True) == [LI]


async def test_members_cannot_send_notices(app: App) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/通知 大家好", ZHANG)
        expect_group(ctx, "「/通知」需要管理员及以上权限，你现在是成员。")
        say(ctx, bot, "/通知", ADMIN)
        expect_group(
            ctx,
            "通知的内容不能是空的。\n用法：/通知 [@某人…] 内容\n"
            "例如：/通知 明天上午九点全员开会，请准时参加",
        )
    assert await Notice.all().count() == 0


async def test_notices_need_the_policy_section(app: App, monkeypatch) -> None:
    from plugins.core import policies

    policy = policies.get("jgs").model_copy(update={"notices": None})
    monkeypatch.setattr(
        policies, "current", Policies({"jgs": policy}, {WORK_GROUP: policy}, policies.path)
    )
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/通知 大家好", ADMIN)
        expect_group(
            ctx, "本组织的制度没有启用通知（制度文件里没有 [notices] 一节），请联系超级用户。"
        )


async def test_replayed_notice_command_posts_once(app: App) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/通知 下午三点消防演练", ADMIN, message_id=555)
        expect_notice(ctx, 1, "下午三点消防演练", 4, 7201)
        say(ctx, bot, "/通知 下午三点消防演练", ADMIN, message_id=555)
    assert await Notice.all().count() == 1


async def test_with_several_open_only_a_quote_counts_and_the_bot_says_so_once(app: App) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/通知 周五交周报", ADMIN)
        expect_notice(ctx, 1, "周五交周报", 4, 7301)
        say(ctx, bot, "/通知 周六加班", ADMIN, ts(2026, 11, 27, 10, 0, 30))
        expect_notice(ctx, 2, "周六加班", 4, 7302)
        say(ctx, bot, "收到", ZHANG, ts(2026, 11, 27, 10, 1))
        expect_group(
            ctx,
            "张三，你有 2 条通知还没确认（通知 1、通知 2）：请引用（回复）要确认的那条通知，再发“收到”。",
        )
        say(ctx, bot, "收到了", ZHANG, ts(2026, 11, 27, 10, 2))  # 不再说第二遍
        say(ctx, bot, reply_to(7302, "收到"), ZHANG, ts(2026, 11, 27, 10, 3))
        # 只剩一条没确认：这回“收到”就是它
        say(ctx, bot, "收到", ZHANG, ts(2026, 11, 27, 10, 4))
    rows = (
        await NoticeTarget.filter(user_id=ZHANG).order_by("notice_id").values_list("how", flat=True)
    )
    assert rows == ["word", "quote"]


async def test_a_quote_of_the_notice_posted_by_another_bot_account(app: App) -> None:
    """另一个机器人账号发的通知：消息编号对不上，按被引用消息的发送人和“【通知 N】”认。"""
    from plugins.core import policies

    other_bot = 10002
    policy = policies.get("jgs")
    patched = policy.model_copy(
        update={"org": policy.org.model_copy(update={"bots": [SELF_ID, other_bot]})}
    )
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/通知 周五交周报", ADMIN)
        expect_notice(ctx, 1, "周五交周报", 4, 7401)
    event = fake.group_message(reply_to(8888, "收到"), user_id=LI, time=ts(2026, 11, 27, 10, 2))
    event.reply = Reply(
        time=ts(2026, 11, 27, 10, 0),
        message_type="group",
        message_id=8888,
        real_id=8888,
        sender=Sender(user_id=other_bot),
        message=Message("【通知 1】周五交周报\n请在 10:30 前回复“收到”"),
    )
    with patch.object(
        policies, "current", Policies({"jgs": patched}, {WORK_GROUP: patched}, policies.path)
    ):
        async with app.test_matcher() as ctx:
            bot = make_bot(ctx)
            ctx.receive_event(bot, event)
    assert await acks() == {LI: ("quote", False)}


async def test_deadline_reminds_the_silent_once_penalises_and_reports(
    app: App, monkeypatch
) -> None:
    enable(monkeypatch, penalty=5)
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/通知 明天上午九点全员开会", ADMIN)
        expect_notice(ctx, 1, "明天上午九点全员开会", 4, 7501)
        say(ctx, bot, "收到", ZHANG, ts(2026, 11, 27, 10, 5))
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.should_call_api(
            "send_group_msg",
            {
                "group_id": WORK_GROUP,
                "message": Message(
                    MessageSegment.text(
                        "【通知 1】已到截止时间（10:30），以下 3 位同事还没有确认，请马上回复“收到”："
                    )
                )
                + MessageSegment.at(LI)
                + MessageSegment.at(WANG)
                + MessageSegment.at(CHAIRMAN),
            },
            result={"message_id": 7502},
        )
        expect_private(
            ctx,
            "【通知 1】截止（10:30）：应确认 4 人，按时确认 1 人，没有确认 3 人。\n"
            "按时确认：张三\n没有确认：李四、王五、赵主席\n"
            "没有确认的人各记 -5 分（规则 notice.silent，可用 /撤销 改正）。",
            ADMIN,
        )
        await tick(datetime(2026, 11, 27, 10, 29, tzinfo=CST))  # 还没到
        await tick(datetime(2026, 11, 27, 10, 30, 5, tzinfo=CST))
        await tick(datetime(2026, 11, 27, 10, 31, 5, tzinfo=CST))  # 不再提醒
    rows = (
        await LedgerEntry.filter(rule="notice.silent")
        .order_by("user_id")
        .values_list("user_id", "delta", "actor_id")
    )
    assert rows == [(LI, -5, None), (WANG, -5, None), (CHAIRMAN, -5, None)]
    # 截止后确认：记下，标为迟到；处罚不变
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, reply_to(7501, "收到，刚看到"), LI, ts(2026, 11, 27, 10, 40))
    assert (await acks())[LI] == ("quote", True)
    assert await LedgerEntry.filter(rule="notice.silent").count() == 3


async def test_reminder_names_at_most_remind_max_and_gives_the_count(app: App, monkeypatch) -> None:
    enable(monkeypatch, remind_max=2)
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/通知 交材料", ADMIN)
        expect_notice(ctx, 1, "交材料", 4, 7601)
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.should_call_api(
            "send_group_msg",
            {
                "group_id": WORK_GROUP,
                "message": Message(
                    MessageSegment.text(
                        "【通知 1】已到截止时间（10:30），以下 4 位同事还没有确认，请马上回复“收到”："
                    )
                )
                + MessageSegment.at(ZHANG)
                + MessageSegment.at(LI)
                + MessageSegment.text("\n另有 2 人没有确认，完整名单已私聊发给通知人。"),
            },
            result={"message_id": 7602},
        )
        expect_private(
            ctx,
            "【通知 1】截止（10:30）：应确认 4 人，按时确认 0 人，没有确认 4 人。\n"
            "没有确认：张三、李四、王五、赵主席",
            ADMIN,
        )
        await tick(datetime(2026, 11, 27, 10, 30, 5, tzinfo=CST))
    assert await LedgerEntry.all().count() == 0  # penalty 默认 0：不扣分


async def test_status_shows_who_acknowledged(app: App) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/通知 周五交周报", ADMIN)
        expect_notice(ctx, 1, "周五交周报", 4, 7701)
        say(ctx, bot, "收到", WANG, ts(2026, 11, 27, 10, 1))
        say(ctx, bot, "/通知状态 1", ZHANG, ts(2026, 11, 27, 10, 2))
        expect_group(ctx, "只有通知 1 的发送人或管理员可以查看确认情况（你是成员）。")
        say(ctx, bot, "/通知状态 1", ADMIN, ts(2026, 11, 27, 10, 3))
        expect_group(
            ctx,
            "【通知 1】周五交周报\n王管 发于 11-27 10:00，截止 11-27 10:30（进行中）\n"
            "应确认 4 人：按时 1 人，迟到 0 人，没有确认 3 人。\n"
            "按时确认：王五\n没有确认：张三、李四、赵主席",
        )
        say(ctx, bot, "/通知状态 9", ADMIN, ts(2026, 11, 27, 10, 4))
        expect_group(ctx, "没有通知 9。")
        say(ctx, bot, "/通知状态 几号", ADMIN, ts(2026, 11, 27, 10, 5))
        expect_group(ctx, "用法：/通知状态 [编号]\n例如：/通知状态 3")


async def test_status_in_private(app: App) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/通知 周五交周报", ADMIN)
        expect_notice(ctx, 1, "周五交周报", 4, 7751)
        ctx.receive_event(bot, fake.private_message("/通知状态", user_id=ADMIN))
        expect_private(
            ctx,
            "【通知 1】周五交周报\n王管 发于 11-27 10:00，截止 11-27 10:30（进行中）\n"
            "应确认 4 人：按时 0 人，迟到 0 人，没有确认 4 人。\n"
            "没有确认：张三、李四、王五、赵主席",
            ADMIN,
        )


async def test_withdrawn_notice_neither_reminds_nor_penalises(app: App, monkeypatch) -> None:
    enable(monkeypatch, penalty=5)
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/通知 周五交周报", ADMIN)
        expect_notice(ctx, 1, "周五交周报", 4, 7801)
        say(ctx, bot, "/撤回通知", ADMIN, ts(2026, 11, 27, 10, 1))
        expect_group(ctx, "用法：/撤回通知 编号\n例如：/撤回通知 3")
        say(ctx, bot, "/撤回通知 1", ZHANG, ts(2026, 11, 27, 10, 2))
        expect_group(ctx, "只有通知 1 的发送人或管理员可以撤回（你是成员）。")
        # 主席自己也要确认这条通知：不能替自己撤
        say(ctx, bot, "/撤回通知 1", CHAIRMAN, ts(2026, 11, 27, 10, 3))
        expect_group(ctx, OWN_CASE)
        say(ctx, bot, "/撤回通知 1", ADMIN, ts(2026, 11, 27, 10, 4))
        expect_group(ctx, "已撤回通知 1：不再提醒，也不处罚。")
        say(ctx, bot, "/撤回通知 1", ADMIN, ts(2026, 11, 27, 10, 5))
        expect_group(ctx, "通知 1 已经撤回了。")
        say(ctx, bot, "收到", ZHANG, ts(2026, 11, 27, 10, 6))  # 撤回了：不再记
    async with app.test_matcher() as ctx:
        make_bot(ctx)
        await tick(datetime(2026, 11, 27, 10, 30, 5, tzinfo=CST))
    assert await acks() == {}
    assert await LedgerEntry.all().count() == 0


async def test_withdraw_after_the_deadline_is_refused(app: App) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/通知 周五交周报", ADMIN)
        expect_notice(ctx, 1, "周五交周报", 4, 7851)
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.should_call_api(
            "send_group_msg",
            {
                "group_id": WORK_GROUP,
                "message": Message(
                    MessageSegment.text(
                        "【通知 1】已到截止时间（10:30），以下 4 位同事还没有确认，请马上回复“收到”："
                    )
                )
                + [MessageSegment.at(u) for u in (ZHANG, LI, WANG, CHAIRMAN)],
            },
            result={"message_id": 7852},
        )
        expect_private(
            ctx,
            "【通知 1】截止（10:30）：应确认 4 人，按时确认 0 人，没有确认 4 人。\n"
            "没有确认：张三、李四、王五、赵主席",
            ADMIN,
        )
        await tick(datetime(2026, 11, 27, 10, 30, 5, tzinfo=CST))
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/撤回通知 1", ADMIN, ts(2026, 11, 27, 10, 31))
        expect_group(ctx, "通知 1 已过截止时间，提醒已发出；要改正扣分请用 /撤销 编号。")


async def test_group_notice_when_the_bot_is_not_admin_is_said_once(app: App, monkeypatch) -> None:
    enable(monkeypatch, post_as_group_notice=True)
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/通知 周五交周报", ADMIN)
        expect_notice(ctx, 1, "周五交周报", 4, 7901)
        ctx.should_call_api(
            "get_group_member_info",
            {"group_id": WORK_GROUP, "user_id": SELF_ID, "no_cache": True},
            result=fake.member_info(SELF_ID, role="member"),
        )
        expect_group(
            ctx, "机器人不是本群的管理员，发不了 QQ 群公告；通知已照常发在群里、照常统计确认。"
        )
        # 第二条通知不再说一遍
        say(ctx, bot, "/通知 周六加班", ADMIN, ts(2026, 11, 27, 10, 1))
        expect_notice(ctx, 2, "周六加班", 4, 7902)


async def test_group_notice_is_published_when_the_bot_is_admin(app: App, monkeypatch) -> None:
    enable(monkeypatch, post_as_group_notice=True)
    body = "【通知 1】周五交周报\n" + HOW_TO.format(deadline="10:30", count=4)
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/通知 周五交周报", ADMIN)
        expect_notice(ctx, 1, "周五交周报", 4, 7951)
        expect_group_notice(ctx, body)


async def test_policy_text_explains_notices_when_enabled(app: App, monkeypatch) -> None:
    enable(monkeypatch, penalty=5)
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/群规", ZHANG)
        ctx.should_call_api(
            "send_group_msg",
            {
                "group_id": WORK_GROUP,
                "message": Message(
                    MessageSegment.text(
                        RULES_FOR_MEMBERS.replace(
                            "\n对自己的",
                            "\n六、管理员发的【通知】要在 30 分钟内确认：回复“收到”“执行”“马上执行”“好的”“明白”、"
                            "引用那条通知或点个表情都算，截止时仍没有确认的每条扣 5 分\n对自己的",
                        )
                    )
                ),
            },
            result={"message_id": 1},
        )


async def test_a_group_admin_sees_and_withdraws_another_admins_notice_in_private(
    app: App,
) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/通知 周五交周报", ADMIN)
        expect_notice(ctx, 1, "周五交周报", 4, 7951)
        # 王五是 QQ 群管理员（不在制度的管理小组名单上）：私聊时先问 QQ 他现在是不是管理员
        say(ctx, bot, "在", WANG, ts(2026, 11, 27, 10, 1), role="admin")
        ctx.receive_event(bot, fake.private_message("/通知状态 1", user_id=WANG))
        ctx.should_call_api(
            "get_group_member_info",
            {"group_id": WORK_GROUP, "user_id": WANG, "no_cache": True},
            result=fake.member_info(WANG, role="admin"),
        )
        expect_private(
            ctx,
            "【通知 1】周五交周报\n王管 发于 11-27 10:00，截止 11-27 10:30（进行中）\n"
            "应确认 4 人：按时 0 人，迟到 0 人，没有确认 4 人。\n"
            "没有确认：张三、李四、王五、赵主席",
            WANG,
        )
        # 管理员身份认了，自己要确认的通知照样不能替自己撤；普通成员看不了别人的通知
        ctx.receive_event(bot, fake.private_message("/撤回通知 1", user_id=WANG))
        expect_private(ctx, OWN_CASE, WANG)
        ctx.receive_event(bot, fake.private_message("/通知状态 1", user_id=ZHANG))
        expect_private(ctx, "只有通知 1 的发送人或管理员可以查看确认情况（你是成员）。", ZHANG)


async def test_the_group_notice_masks_phone_numbers_like_any_group_message(
    app: App, monkeypatch
) -> None:
    enable(monkeypatch, post_as_group_notice=True)
    # 群公告也在群里：手机号和群消息一样打码（这是发通知的人自己名片上的号，内容过滤不拦）
    body = "【通知 1】有事打我 138****0000\n" + HOW_TO.format(deadline="10:30", count=4)
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/通知 有事打我 13800000000", ADMIN)
        expect_notice(ctx, 1, "有事打我 138****0000", 4, 7961)
        expect_group_notice(ctx, body)
