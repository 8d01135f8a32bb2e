"""QQ 自己的信号（nonebug）：精华就是经典分享、记了分的分享点个表情、月榜之后把表发给人事。"""

import asyncio
import itertools
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from nonebot.adapters.onebot.v11 import ActionFailed, Adapter, Message, MessageSegment
from nonebot.log import logger
from nonebot.message import handle_event
from nonebug import App

from qungui import months
from qungui.models import JobRun, LedgerEntry
from tests import fake
from tests.fake import ADMIN, SELF_ID, SHARE_GROUP

from .conftest import FileAsBase64, expect_group, make_bot, patch_policy

CST = ZoneInfo("Asia/Shanghai")
TEXT = "今天拜访了三家经销商，发现大家最关心的是春节前的备货节奏和物流时效。"
ZHANG, LI = 20001, 20002
ZHANG_CARD = "鸡公山酒业-张三-13800000000"
HR, HR2, HR_GROUP = 50001, 50002, 66666666


def ts(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=CST).timestamp())


def share_payload(message_id: int, at: int, text: str = TEXT, user: int = ZHANG) -> dict:
    return fake.group_message_payload(
        text, user_id=user, card=ZHANG_CARD, group_id=SHARE_GROUP, time=at, message_id=message_id
    )


def as_get_msg(payload: dict) -> dict:
    """NapCat 的 get_msg 答复：原消息的这些字段。"""
    keep = ("time", "message_type", "message_id", "real_id", "sender", "message", "real_seq")
    return {key: payload[key] for key in keep if key in payload} | {"group_id": SHARE_GROUP}


def essence(kind: str, message_id: int, operator: int, at: int, sender_id: int = 0):
    return fake.notice(
        f"essence_{kind}",
        self_id=SELF_ID,
        group_id=SHARE_GROUP,
        message_id=message_id,
        operator_id=operator,
        sender_id=sender_id,
        time=at,
    )


def member_role(ctx, user_id: int, role: str) -> None:
    ctx.should_call_api(
        "get_group_member_info",
        {"group_id": SHARE_GROUP, "user_id": user_id, "no_cache": True},
        result=fake.member_info(user_id, group_id=SHARE_GROUP, role=role),
    )


def reply_to(message_id: int, command: str) -> list[dict]:
    return [{"type": "reply", "data": {"id": str(message_id)}}, fake.text(command)]


def admin_says(ctx, bot, message, at: int) -> None:
    ctx.receive_event(
        bot,
        fake.group_message(
            message,
            user_id=ADMIN,
            card="鸡公山酒业-王管-13700000000",
            group_id=SHARE_GROUP,
            time=at,
        ),
    )


async def featured_rows() -> list[tuple]:
    return (
        await LedgerEntry.filter(rule__in=["share.featured", "reversal"])
        .order_by("id")
        .values_list("user_id", "delta", "rule", "actor_id")
    )


def test_the_adapter_parses_the_essence_and_reaction_samples_with_our_models() -> None:
    from plugins.core.events import EssenceNoticeEvent, GroupMsgEmojiLikeNoticeEvent

    added = Adapter.json_to_event(fake.EVENTS["essence_add"])
    assert isinstance(added, EssenceNoticeEvent)
    assert (added.sub_type, added.message_id, added.sender_id, added.operator_id) == (
        "add",
        1845621,
        0,
        20001,
    )
    assert added.get_user_id() == "20001"
    removed = Adapter.json_to_event(fake.EVENTS["essence_delete"])
    assert isinstance(removed, EssenceNoticeEvent)
    assert (removed.sub_type, removed.sender_id) == ("delete", 20002)
    liked = Adapter.json_to_event(fake.EVENTS["group_msg_emoji_like"])
    assert isinstance(liked, GroupMsgEmojiLikeNoticeEvent)
    assert [(like.emoji_id, like.count) for like in liked.likes] == [("124", 1)]


async def test_an_admin_setting_a_share_as_essence_features_it_and_unsetting_reverses_it(
    app: App, db
) -> None:
    shared = share_payload(5001, ts(2026, 11, 27, 9))
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, Adapter.json_to_event(shared))
        # 群管理员（不在制度名单里）在 QQ 里设精华：通知里作者是 0，取回原消息看是谁的
        ctx.receive_event(bot, essence("add", 5001, LI, ts(2026, 11, 27, 10)))
        member_role(ctx, LI, "admin")
        ctx.should_call_api("get_msg", {"message_id": 5001}, result=as_get_msg(shared))
        expect_group(
            ctx,
            "张三 11月27日 的分享被设为精华，评为经典分享，+5 分（编号 #2）。",
            group_id=SHARE_GROUP,
        )
        # 同一条通知再来一次：什么也不做
        ctx.receive_event(bot, essence("add", 5001, LI, ts(2026, 11, 27, 10)))
        ctx.should_call_api("get_msg", {"message_id": 5001}, result=as_get_msg(shared))
        # 之后管理员再 /精选：已经评过（同一个去重键，+5 只有一次）
        admin_says(ctx, bot, reply_to(5001, "/精选"), ts(2026, 11, 27, 10, 5))
        expect_group(ctx, "这条分享已经是经典分享了（编号 #2）。", group_id=SHARE_GROUP)
        # 制度名单里的管理员取消精华：撤销经典分享奖（不必问 QQ 他的身份）
        ctx.receive_event(bot, essence("delete", 5001, ADMIN, ts(2026, 11, 27, 11), ZHANG))
        ctx.should_call_api("get_msg", {"message_id": 5001}, result=as_get_msg(shared))
        expect_group(
            ctx,
            "张三 11月27日 的分享被取消精华，经典分享奖已撤回。",
            group_id=SHARE_GROUP,
        )
        # 再取消一次（没有可撤的了）：什么也不做
        ctx.receive_event(bot, essence("delete", 5001, ADMIN, ts(2026, 11, 27, 11, 1), ZHANG))
        ctx.should_call_api("get_msg", {"message_id": 5001}, result=as_get_msg(shared))
    assert await featured_rows() == [
        (ZHANG, 5, "share.featured", LI),
        (ZHANG, -5, "reversal", ADMIN),
    ]


async def test_essence_by_a_member_or_on_a_message_that_is_no_counted_share_changes_nothing(
    app: App, db
) -> None:
    shared = share_payload(5001, ts(2026, 11, 27, 9))
    chat = share_payload(5002, ts(2026, 11, 27, 9, 5), text="好的收到")
    copied = share_payload(5003, ts(2026, 11, 27, 9, 6), user=LI)  # 与张三的一字不差：不算原创
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        for payload in (shared, chat):
            ctx.receive_event(bot, Adapter.json_to_event(payload))
        ctx.receive_event(bot, Adapter.json_to_event(copied))
        expect_group(
            ctx,
            "以下消息不算原创分享，没有加分：张三（与之前的分享重复）。原创分享要写自己的工作和生活心得。",
            group_id=SHARE_GROUP,
        )
        # 普通成员（群主、管理员才行）设的精华：不取原消息，不记分
        ctx.receive_event(bot, essence("add", 5001, LI, ts(2026, 11, 27, 10)))
        member_role(ctx, LI, "member")
        # 管理员把闲聊、不算原创的消息设为精华：不是记了分的分享
        ctx.receive_event(bot, essence("add", 5002, ADMIN, ts(2026, 11, 27, 10, 1)))
        ctx.should_call_api("get_msg", {"message_id": 5002}, result=as_get_msg(chat))
        ctx.receive_event(bot, essence("add", 5003, ADMIN, ts(2026, 11, 27, 10, 2)))
        ctx.should_call_api("get_msg", {"message_id": 5003}, result=as_get_msg(copied))
        # 工作群（不是分享群）里的精华：不理
        ctx.receive_event(
            bot,
            fake.notice(
                "essence_add",
                self_id=SELF_ID,
                group_id=fake.WORK_GROUP,
                message_id=5001,
                operator_id=ADMIN,
                time=ts(2026, 11, 27, 10, 3),
            ),
        )
    assert await featured_rows() == []


async def test_essence_on_a_frozen_month_changes_nothing(app: App, db) -> None:
    shared = share_payload(5001, ts(2026, 10, 27, 9))
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, Adapter.json_to_event(shared))
        ctx.receive_event(bot, essence("add", 5001, ADMIN, ts(2026, 10, 28, 10)))
        ctx.should_call_api("get_msg", {"message_id": 5001}, result=as_get_msg(shared))
        expect_group(
            ctx,
            "张三 10月27日 的分享被设为精华，评为经典分享，+5 分（编号 #2）。",
            group_id=SHARE_GROUP,
        )
    await months.freeze("jgs", "2026-10", datetime(2026, 11, 1, 9, tzinfo=CST))
    assert await months.is_frozen("jgs", date(2026, 10, 27))
    logged: list[str] = []
    sink = logger.add(lambda m: logged.append(m.record["message"]), level="INFO")
    try:
        async with app.test_matcher() as ctx:
            bot = make_bot(ctx)
            # 月份冻结后取消精华、（换一位管理员）再设精华：都不改分，也不在群里说
            ctx.receive_event(bot, essence("delete", 5001, ADMIN, ts(2026, 11, 2, 10)))
            ctx.should_call_api("get_msg", {"message_id": 5001}, result=as_get_msg(shared))
            ctx.receive_event(bot, essence("add", 5001, fake.CHAIRMAN, ts(2026, 11, 2, 11)))
            ctx.should_call_api("get_msg", {"message_id": 5001}, result=as_get_msg(shared))
    finally:
        logger.remove(sink)
    assert await featured_rows() == [(ZHANG, 5, "share.featured", ADMIN)]
    # 运维在日志里看得出为什么没改分、是哪条记录
    unchanged = [line for line in logged if "不改分" in line]
    assert unchanged[0] == (
        f"群 {SHARE_GROUP} 的精华delete（操作人 {ADMIN}）不改分：MonthFrozen(2)"
    )


async def test_featuring_sets_qq_essence_and_the_bots_own_essence_notice_adds_nothing(
    app: App, db
) -> None:
    shared = share_payload(5001, ts(2026, 11, 27, 9))
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, Adapter.json_to_event(shared))
        admin_says(ctx, bot, reply_to(5001, "/精选"), ts(2026, 11, 27, 10))
        member_role(ctx, SELF_ID, "admin")
        ctx.should_call_api("set_essence_msg", {"message_id": 5001}, result=None)
        expect_group(
            ctx, "已把 张三 11月27日 的分享评为经典分享，+5 分（编号 #2）。", group_id=SHARE_GROUP
        )
        # QQ 随后推来的通知：操作人是机器人自己，什么也不查、不写
        ctx.receive_event(bot, essence("add", 5001, SELF_ID, ts(2026, 11, 27, 10)))
        # 另一位管理员随后也在 QQ 里点了精华：+5 还是只有一次
        ctx.receive_event(bot, essence("add", 5001, fake.CHAIRMAN, ts(2026, 11, 27, 10, 2)))
        ctx.should_call_api("get_msg", {"message_id": 5001}, result=as_get_msg(shared))
    assert await featured_rows() == [(ZHANG, 5, "share.featured", ADMIN)]


async def test_featuring_without_admin_rights_says_so_once_and_a_failed_essence_is_named(
    app: App, db
) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        for number, hour in ((5001, 8), (5002, 9), (5003, 10)):
            other = {5001: ZHANG, 5002: LI, 5003: 20003}[number]
            ctx.receive_event(
                bot,
                Adapter.json_to_event(
                    share_payload(number, ts(2026, 11, 27, hour), f"{TEXT}第{number}条", other)
                ),
            )
        admin_says(ctx, bot, reply_to(5001, "/精选"), ts(2026, 11, 27, 11))
        member_role(ctx, SELF_ID, "member")
        expect_group(
            ctx,
            "已把 张三 11月27日 的分享评为经典分享，+5 分（编号 #4）。"
            "（机器人不是本群管理员，没有同时设为 QQ 精华消息；设为管理员后会自动设。）",
            group_id=SHARE_GROUP,
        )
        # 同一个群里第二次：不再说（身份在一分钟的缓存里，不再问）
        admin_says(ctx, bot, reply_to(5002, "/精选"), ts(2026, 11, 27, 11, 1))
        expect_group(
            ctx, "已把 张三 11月27日 的分享评为经典分享，+5 分（编号 #5）。", group_id=SHARE_GROUP
        )
    from qungui.state import STATE

    STATE.group_roles.clear()  # 机器人被设为管理员（一分钟后缓存过期）
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        admin_says(ctx, bot, reply_to(5003, "/精选"), ts(2026, 11, 27, 11, 5))
        member_role(ctx, SELF_ID, "admin")
        ctx.should_call_api(
            "set_essence_msg",
            {"message_id": 5003},
            exception=ActionFailed(
                status="failed", retcode=1200, message="精华消息已达上限", wording=""
            ),
        )
        expect_group(
            ctx,
            "已把 张三 11月27日 的分享评为经典分享，+5 分（编号 #6）。"
            "（没能同时设为 QQ 精华消息：精华消息已达上限。）",
            group_id=SHARE_GROUP,
        )
    assert len(await featured_rows()) == 3


# —— 表情 ——


@pytest.fixture
def reacting(monkeypatch: pytest.MonkeyPatch):
    """分享记分后点表情：ack 124、宽限 66、经典 76；表情之间不等。"""
    from plugins.core import sender

    patch_policy(monkeypatch, "share", ack_emoji=124, grace_emoji=66, featured_emoji=76)
    monkeypatch.setattr(sender, "react_interval", 0.0)
    monkeypatch.setattr(sender, "accounts", {})
    return sender


async def deliver(bot, payload: dict) -> None:
    await handle_event(bot, Adapter.json_to_event(payload))


def react_call(ctx, message_id: int, emoji: str) -> None:
    ctx.should_call_api(
        "set_msg_emoji_like", {"message_id": message_id, "emoji_id": emoji}, result=None
    )


async def test_a_counted_share_gets_a_reaction_and_a_grace_share_its_own(
    app: App, db, reacting
) -> None:
    async with app.test_api() as ctx:
        bot = make_bot(ctx)
        react_call(ctx, 5001, "124")
        await deliver(bot, share_payload(5001, ts(2026, 11, 27, 9)))
        await reacting.reactions_done()
        # 同一天第二条原创、闲聊：没有记分，不点
        await deliver(bot, share_payload(5002, ts(2026, 11, 27, 10), TEXT + "下午补充"))
        await deliver(bot, share_payload(5003, ts(2026, 11, 27, 10, 1), "好的收到"))
        # 凌晨宽限时段里记到前一天的：用 grace_emoji
        react_call(ctx, 5004, "66")
        await deliver(bot, share_payload(5004, ts(2026, 11, 29, 1), TEXT + "昨晚", LI))
        await reacting.reactions_done()
        # 经典分享：评完再点 featured_emoji
        member_role(ctx, SELF_ID, "member")
        expect_group(
            ctx,
            "已把 张三 11月27日 的分享评为经典分享，+5 分（编号 #3）。"
            "（机器人不是本群管理员，没有同时设为 QQ 精华消息；设为管理员后会自动设。）",
            group_id=SHARE_GROUP,
        )
        react_call(ctx, 5001, "76")
        await deliver(
            bot,
            fake.group_message_payload(
                reply_to(5001, "/精选"),
                user_id=ADMIN,
                card="鸡公山酒业-王管-13700000000",
                group_id=SHARE_GROUP,
                time=ts(2026, 11, 29, 10),
            ),
        )
        await reacting.reactions_done()
    assert reacting.account(str(SELF_ID)).reacted == 3


async def test_no_reaction_when_ack_emoji_is_zero(app: App, db, monkeypatch) -> None:
    from plugins.core import sender

    monkeypatch.setattr(sender, "accounts", {})
    async with app.test_api() as ctx:
        bot = make_bot(ctx)
        await deliver(bot, share_payload(5001, ts(2026, 11, 27, 9)))
        await sender.reactions_done()
    assert await LedgerEntry.filter(rule="share.daily").count() == 1
    assert sender.account(str(SELF_ID)).reacted == 0


class SlowBot:
    """只会点表情的假机器人：每次点要 `delay` 秒，可以让它失败。"""

    def __init__(self, delay: float = 0.0, fail: Exception | None = None):
        self.self_id = "10001"
        self.delay = delay
        self.fail = fail
        self.calls: list[tuple[float, dict[str, Any]]] = []

    async def call_api(self, api: str, **data: Any) -> None:
        assert api == "set_msg_emoji_like"
        self.calls.append((time.monotonic(), data))
        await asyncio.sleep(self.delay)
        if self.fail is not None:
            raise self.fail


def a_sender(interval: float = 0.0):
    from plugins.core.sender import Sender

    return Sender(0, 0, react_interval=interval)


async def test_recording_a_share_does_not_wait_for_a_slow_reaction(app: App, db, reacting) -> None:
    answer = asyncio.Event()
    asked: list[dict] = []

    async def slow_napcat(api: str, **data: Any) -> None:
        # NapCat 迟迟不回点表情的请求（要等到测试放行）
        assert api == "set_msg_emoji_like"
        asked.append(data)
        await answer.wait()

    async with app.test_api() as ctx:
        bot = make_bot(ctx)
        bot.call_api = slow_napcat
        started = time.monotonic()
        await asyncio.wait_for(deliver(bot, share_payload(5001, ts(2026, 11, 27, 9))), 5)
        assert time.monotonic() - started < 2
        # 分享已经记了分，表情的请求还挂着
        assert await LedgerEntry.filter(user_id=ZHANG).values_list("delta", flat=True) == [1]
        await asyncio.sleep(0.05)
        assert asked == [{"message_id": 5001, "emoji_id": "124"}]
        assert reacting.account(str(SELF_ID)).reactions_waiting == 1
        answer.set()
        await reacting.reactions_done()
    assert reacting.account(str(SELF_ID)).reacted == 1


async def test_reactions_are_spaced_and_a_slow_api_never_blocks_the_caller() -> None:
    sender = a_sender(interval=0.2)
    bot = SlowBot(delay=0.3)
    started = time.monotonic()
    for number in range(3):
        assert sender.react(bot, 7000 + number, 124)
    assert time.monotonic() - started < 0.05  # 立刻返回，不等 NapCat
    await sender.reactions_done()
    moments = [moment for moment, _ in bot.calls]
    assert [data for _, data in bot.calls] == [
        {"message_id": 7000 + n, "emoji_id": "124"} for n in range(3)
    ]
    # 一个接一个：上一个答复之后再隔 react_interval
    assert all(later - earlier >= 0.45 for earlier, later in itertools.pairwise(moments))


async def test_a_failed_reaction_is_logged_and_not_retried(caplog) -> None:
    sender = a_sender()
    refused = ActionFailed(status="failed", retcode=1200, message="消息不存在", wording="")
    bot = SlowBot(fail=refused)
    sender.react(bot, 7001, 124)
    await sender.reactions_done()
    assert len(bot.calls) == 1
    state = sender.account(bot.self_id)
    assert (state.react_failed, state.reacted) == (1, 0)
    # 别的实现没有这个接口（1404）：这个账号以后不再点
    bot.fail = ActionFailed(status="failed", retcode=1404, message="不支持的Api", wording="")
    sender.react(bot, 7002, 124)
    await sender.reactions_done()
    assert not sender.react(bot, 7003, 124)
    assert len(bot.calls) == 2


async def test_reactions_are_dropped_while_the_account_backs_off_or_too_many_wait() -> None:
    from plugins.core.sender import REACTIONS_WAITING_MAX

    sender = a_sender()
    bot = SlowBot()
    sender.account(bot.self_id).backoff_until = time.monotonic() + 60
    sender.react(bot, 7001, 124)
    await sender.reactions_done()
    assert bot.calls == []  # 风控暂停中：不点，暂停之后也不补
    sender.account(bot.self_id).backoff_until = 0
    gate = asyncio.Event()
    slow = SlowBot()

    async def stuck(api: str, **data: Any) -> None:
        await gate.wait()

    slow.call_api = stuck
    accepted = [sender.react(slow, n, 124) for n in range(REACTIONS_WAITING_MAX + 5)]
    assert accepted.count(True) == REACTIONS_WAITING_MAX
    gate.set()
    await sender.reactions_done()


# —— 月榜之后把表发给人事 ——


@pytest.fixture
def no_fonts(monkeypatch: pytest.MonkeyPatch):
    """没有中文字体：月榜只发文字（图片的内容与本文件无关）。"""
    from qungui import board_image

    board_image.forget_fonts()
    monkeypatch.setattr(board_image, "system_cjk_font", lambda: None)
    yield
    board_image.forget_fonts()


@pytest.fixture
def quick_sender(monkeypatch: pytest.MonkeyPatch):
    from plugins.core import sender

    monkeypatch.setattr(sender, "backoff_start", 0.01)
    monkeypatch.setattr(sender, "on_backoff", None)
    monkeypatch.setattr(sender, "accounts", {})
    return sender


@pytest.fixture
def hr_policy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    import plugins.leaderboard as leaderboard

    patch_policy(monkeypatch, "leaderboard", hr=[HR, HR2], hr_group=HR_GROUP)
    monkeypatch.setattr(leaderboard, "export_folder", lambda: tmp_path)
    return tmp_path / "jgs" / "鸡公山酒业-2026年11月积分.xlsx"


def upload_private(ctx, user_id: int, path: Path, **outcome: Any) -> None:
    ctx.should_call_api(
        "upload_private_file",
        {"user_id": user_id, "file": FileAsBase64(path), "name": path.name},
        **(outcome or {"result": None}),
    )


def upload_group(ctx, path: Path, **outcome: Any) -> None:
    ctx.should_call_api(
        "upload_group_file",
        {"group_id": HR_GROUP, "file": FileAsBase64(path), "name": path.name},
        **(outcome or {"result": None}),
    )


async def month_close(reports: list[str]):
    from plugins.core import policies, runner
    from qungui.jobs import JobRunner

    async def report(text: str) -> None:
        reports.append(text)

    only = JobRunner(report=report)
    only.register(runner.jobs["month.close"])
    policy = policies.get("jgs")
    await only.run_due([policy], datetime(2026, 11, 20, tzinfo=policy.tz))
    return only, policy


async def a_november_share() -> None:
    from plugins.core import policies
    from qungui import ledger, members, rules

    policy = policies.get("jgs")
    await members.upsert(
        "jgs",
        SHARE_GROUP,
        ZHANG,
        datetime(2026, 11, 1, tzinfo=policy.tz),
        card=ZHANG_CARD,
        nickname="张三",
        role="member",
    )
    await ledger.award(
        org="jgs",
        user_id=ZHANG,
        rule=rules.SHARE_DAILY,
        period="2026-11-03",
        delta=1,
        business_date=date(2026, 11, 3),
        now=datetime(2026, 11, 3, 9, tzinfo=policy.tz),
    )


BOARD = (
    "【鸡公山酒业 2026年11月 积分排行】\n前 1 名：\n1. 张三 1 分（分享 1 天）\n"
    "共 1 人，平均 1.0 分；这个月没有人连续分享满 27 天。"
)


def board_post(ctx) -> None:
    ctx.should_call_api(
        "send_group_msg",
        {"group_id": SHARE_GROUP, "message": Message(MessageSegment.text(BOARD))},
        result={"message_id": 1},
    )


async def test_the_months_sheet_goes_to_hr_after_the_post_once_and_a_refusal_is_retried(
    app: App, db, clock_at, hr_policy, quick_sender, no_fonts
) -> None:
    path = hr_policy
    await a_november_share()
    reports: list[str] = []
    jobs, policy = await month_close(reports)
    refused = ActionFailed(
        status="failed", retcode=1200, message="文件上传失败", wording="文件上传失败"
    )
    async with app.test_api() as ctx:
        make_bot(ctx)
        board_post(ctx)
        upload_private(ctx, HR, path)
        upload_private(ctx, HR2, path, exception=refused)
        upload_group(ctx, path)
        due = datetime(2026, 12, 1, 9, 0, 10, tzinfo=policy.tz)
        clock_at(due)
        assert await jobs.run_due([policy], due) == ["month.close:jgs:2026-11"]
        assert reports == [
            "任务 month.close（jgs）周期 2026-11：2026-11 积分表没有发到 QQ 50002（文件上传失败），"
            "之后每分钟再试，一天内发不出就放弃；"
            f"文件在机器人所在机器上：{path.resolve()}"
        ]
        # 下一次走动：只重发没送到的那一份，帖子和已送到的不再发
        upload_private(ctx, HR2, path)
        later = datetime(2026, 12, 1, 9, 1, 10, tzinfo=policy.tz)
        clock_at(later)
        assert await jobs.run_due([policy], later) == ["month.close:jgs:2026-11"]
        assert await jobs.run_due([policy], datetime(2026, 12, 1, 9, 5, tzinfo=policy.tz)) == []
    assert reports[1].endswith("积分表已发给 QQ 50002")
    steps = await JobRun.filter(job__startswith="month.close.hr").order_by("job")
    assert [(s.job, s.note) for s in steps] == [
        ("month.close.hr.50001", "已送达"),
        ("month.close.hr.50002", "已送达"),
        ("month.close.hr.group.66666666", "已送达"),
    ]


async def test_the_sheet_waits_for_the_post(
    app: App, db, clock_at, hr_policy, quick_sender, no_fonts
) -> None:
    path = hr_policy
    await a_november_share()
    jobs, policy = await month_close([])
    refused = ActionFailed(**fake.RESPONSES["send_fail_napcat_risk_control"])
    text = {"group_id": SHARE_GROUP, "message": Message(MessageSegment.text(BOARD))}
    async with app.test_api() as ctx:
        make_bot(ctx)
        # 帖子被拒收（发送器暂停后重发一次也被拒）：人事的表也先不发
        ctx.should_call_api("send_group_msg", text, exception=refused)
        ctx.should_call_api("send_group_msg", text, exception=refused)
        due = datetime(2026, 12, 1, 9, 0, 10, tzinfo=policy.tz)
        clock_at(due)
        await jobs.run_due([policy], due)
        assert not await JobRun.filter(job__startswith="month.close.hr").exists()
        await asyncio.sleep(0.1)  # 发送器的暂停（这里只有几十毫秒）过去
        board_post(ctx)
        upload_private(ctx, HR, path)
        upload_private(ctx, HR2, path)
        upload_group(ctx, path)
        later = datetime(2026, 12, 1, 9, 2, tzinfo=policy.tz)
        clock_at(later)
        assert await jobs.run_due([policy], later) == ["month.close:jgs:2026-11"]


async def test_a_sheet_upload_that_timed_out_or_cannot_reach_its_person_is_not_sent_again(
    app: App, db, clock_at, hr_policy, quick_sender, no_fonts
) -> None:
    from nonebot.adapters.onebot.v11 import NetworkError

    path = hr_policy
    await a_november_share()
    jobs, policy = await month_close([])
    async with app.test_api() as ctx:
        make_bot(ctx)
        board_post(ctx)
        upload_private(ctx, HR, path, exception=NetworkError("timeout"))
        # 人事 2 不是机器人的好友：每分钟再发也一样收不到，不重试
        not_friend = ActionFailed(
            status="failed", retcode=1200, message="请添加对方为好友", wording=""
        )
        upload_private(ctx, HR2, path, exception=not_friend)
        upload_group(ctx, path)
        due = datetime(2026, 12, 1, 9, 0, 10, tzinfo=policy.tz)
        clock_at(due)
        assert await jobs.run_due([policy], due) == ["month.close:jgs:2026-11"]
        assert await jobs.run_due([policy], datetime(2026, 12, 1, 9, 2, tzinfo=policy.tz)) == []
    close = await JobRun.get(job="month.close")
    assert close.finished_at is not None
    assert close.note.endswith(
        "积分表已发给 群 66666666 的群文件；积分表没有自动发到 QQ 50001（NetworkError，不知道到没到）、"
        "QQ 50002（请添加对方为好友），可用 /导出 2026-11 手动取；"
        f"文件在机器人所在机器上：{path.resolve()}"
    )


async def test_a_sheet_that_could_not_be_written_is_sent_on_the_next_try(
    app: App, db, clock_at, hr_policy, quick_sender, no_fonts, monkeypatch
) -> None:
    """表没写出来（磁盘满、文件夹没有写权限）时还一份也没发：下次重试照常发给人事，
    而不是当作“上次发到一半进程就停了，不知道到没到”从此不发。"""
    import plugins.leaderboard as leaderboard

    path = hr_policy
    real = leaderboard.write_export
    failures = [OSError(28, "No space left on device")]

    async def write_export(policy, month):
        if failures:
            raise failures.pop()
        return await real(policy, month)

    monkeypatch.setattr(leaderboard, "write_export", write_export)
    await a_november_share()
    jobs, policy = await month_close([])
    async with app.test_api() as ctx:
        make_bot(ctx)
        board_post(ctx)
        due = datetime(2026, 12, 1, 9, 0, 10, tzinfo=policy.tz)
        clock_at(due)
        await jobs.run_due([policy], due)
        upload_private(ctx, HR, path)
        upload_private(ctx, HR2, path)
        upload_group(ctx, path)
        later = datetime(2026, 12, 1, 9, 5, tzinfo=policy.tz)
        clock_at(later)
        assert await jobs.run_due([policy], later) == ["month.close:jgs:2026-11"]
    steps = await JobRun.filter(job__startswith="month.close.hr").order_by("job")
    assert [s.note for s in steps] == ["已送达", "已送达", "已送达"]
