"""申诉：/申诉、/确认 /驳回 审N 对申诉的决定、/申诉记录、/积分明细 的标记、/规则统计 的申诉行。"""

from datetime import UTC, datetime
from unittest.mock import ANY

import pytest
from nonebug import App

from qungui import months
from qungui.models import Appeal, FilterHit, LedgerEntry
from tests import fake
from tests.fake import ADMIN, CHAIRMAN, NOV27_1000, SUPERUSER, WORK_GROUP, at, text

from .conftest import expect_group, expect_private, make_bot

LI = 20002
LI_CARD = "鸡公山酒业-李四-13800000000"
ZHANG = 20001
DAY = 24 * 3600
USAGE = "用法：/申诉 编号 申诉理由\n例如：/申诉 #12 那天我发过原创分享"


@pytest.fixture(autouse=True)
def _clock(clock_at) -> None:
    """账本记录的写入时刻取时钟（申诉期限从它算起）：拨到消息发出的那一刻。"""
    clock_at(datetime.fromtimestamp(NOV27_1000, UTC))


def say(ctx, bot, message, user: int = LI, **fields) -> None:
    if user == LI:
        fields.setdefault("card", LI_CARD)
    ctx.receive_event(bot, fake.group_message(message, user_id=user, **fields))


def privately(ctx, bot, message: str, user: int, **fields) -> None:
    ctx.receive_event(bot, fake.private_message(message, user_id=user, **fields))


def deduct(ctx, bot, points: int, reason: str, entry: int, total: int, by: int = ADMIN) -> None:
    say(ctx, bot, [text("/扣分 "), at(LI), text(f" {points} {reason}")], user=by)
    expect_group(ctx, f"已记录 #{entry}：李四 -{points} 分（{reason}）。李四 本月合计 {total} 分。")


def review_message(review: int, entry: int, points: int, reason: str, writer: str) -> str:
    return (
        f"【群规助手】请审核：对记录 #{entry} 的申诉\n"
        f"申诉人：李四（QQ {LI}）\n"
        f"记录：#{entry} 11-27 -{points} 分，手动调整，理由：{reason}\n"
        f"写入：{writer}\n"
        "申诉理由：那天我交了周报\n"
        f"/确认 审{review}：申诉成立，撤销这条记录；/驳回 审{review} 理由：维持"
    )


async def test_an_appeal_upheld_reverses_the_entry_and_tells_the_member(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "在")
        deduct(ctx, bot, 5, "没交周报", entry=1, total=-5)
        say(ctx, bot, "/申诉 #1 那天我交了周报")
        expect_group(
            ctx,
            "已收到申诉（审1）：#1 -5 分（手动调整）。管理员复核后会私聊告诉你结果。",
        )
        expect_private(
            ctx, review_message(1, 1, 5, "没交周报", f"张三（管理员，QQ {ADMIN}）"), ADMIN
        )
        # 写这条记录的管理员、申诉的本人都不能决定
        say(ctx, bot, "/确认 审1", user=ADMIN)
        expect_group(ctx, "审1 申诉的 #1 是你写的记录，不能自己决定，请另一位管理员处理。")
        say(ctx, bot, "/确认 审1")
        expect_group(ctx, "「/确认」需要管理员及以上权限，你现在是成员。")
        privately(ctx, bot, "/确认 审1 周报记录查到了", user=CHAIRMAN)
        expect_private(
            ctx,
            "【群规助手】你的申诉 审1 成立：#1（11-27 -5 分，手动调整）已撤回。",
            LI,
        )
        expect_private(
            ctx,
            "申诉成立：审1，已撤销 #1（李四 -5 分，手动调整），撤销记录 #2。已私聊告诉 李四。",
            CHAIRMAN,
        )
        privately(ctx, bot, "/驳回 审1 再想想", user=CHAIRMAN)
        expect_private(ctx, "审1 已经决定（申诉成立），无需再处理。", CHAIRMAN)
        say(ctx, bot, "/积分明细")
        expect_group(
            ctx,
            "李四 2026-11 积分明细：共 2 条，合计 0 分\n"
            "#1 11-27 -5 分 手动调整 没交周报 — 张三（已撤回）（申诉成立 审1）\n"
            "#2 11-27 +5 分 撤回 #1 申诉成立（审1）：周报记录查到了 — 成员0002",
        )
    reversal = await LedgerEntry.get(id=2)
    assert (reversal.reverses, reversal.actor_id, reversal.actor_role) == (1, CHAIRMAN, "chairman")
    assert (await Appeal.get(review_id=1)).reversal_id == 2


async def test_an_appeal_dismissed_keeps_the_entry_with_the_reason(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "在")
        deduct(ctx, bot, 5, "没交周报", entry=1, total=-5)
        say(ctx, bot, "/申诉 1 那天我交了周报")
        expect_group(
            ctx,
            "已收到申诉（审1）：#1 -5 分（手动调整）。管理员复核后会私聊告诉你结果。",
        )
        expect_private(
            ctx, review_message(1, 1, 5, "没交周报", f"张三（管理员，QQ {ADMIN}）"), ADMIN
        )
        privately(ctx, bot, "/驳回 审1", user=CHAIRMAN)
        expect_private(ctx, "驳回申诉请写明理由（会转告申诉人）：/驳回 审1 理由", CHAIRMAN)
        privately(ctx, bot, "/驳回 审1 系统里没有那天的周报", user=CHAIRMAN)
        expect_private(
            ctx,
            "【群规助手】你的申诉 审1 被驳回：#1（11-27 -5 分，手动调整）维持。"
            "理由：系统里没有那天的周报",
            LI,
        )
        expect_private(ctx, "已驳回申诉 审1：#1 维持。已私聊告诉 李四。", CHAIRMAN)
        say(ctx, bot, "/积分明细")
        expect_group(
            ctx,
            "李四 2026-11 积分明细：共 1 条，合计 -5 分\n"
            "#1 11-27 -5 分 手动调整 没交周报 — 张三（申诉驳回 审1）",
        )
        # 群里只说结果；私聊里才有申诉理由和驳回理由
        say(ctx, bot, "/申诉记录")
        expect_group(ctx, "李四 的申诉（最近 1 条）：\n审1 #1 11-27 -5 分 手动调整：申诉驳回")
        privately(ctx, bot, "/申诉记录", user=LI)
        expect_private(
            ctx,
            "李四 的申诉（最近 1 条）：\n审1 #1 11-27 -5 分 手动调整：申诉驳回\n"
            "　申诉理由：那天我交了周报\n　驳回理由：系统里没有那天的周报",
            LI,
        )
    assert await LedgerEntry.all().count() == 1
    hit = await FilterHit.get(id=1)
    assert (hit.status, hit.decided_by) == ("dismissed", CHAIRMAN)


async def test_refusals_when_filing(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "在")
        deduct(ctx, bot, 5, "没交周报", entry=1, total=-5)
        say(ctx, bot, "/申诉 #1")
        expect_group(ctx, f"请写明理由。\n{USAGE}")
        say(ctx, bot, "/申诉 周报 我交了")
        expect_group(ctx, f"编号应为数字，例如 #12 或 12。\n{USAGE}")
        say(ctx, bot, "/申诉 #1 " + "冤" * 301)
        expect_group(ctx, f"申诉理由最多 300 个字。\n{USAGE}")
        say(ctx, bot, "/申诉 #99 我交了")
        expect_group(ctx, "找不到编号 #99 的记录。")
        say(ctx, bot, "/申诉 #1 替他申诉", user=ZHANG)
        expect_group(ctx, "#1 不是你的记录：只能申诉与自己有关的记录。")
        say(ctx, bot, "/申诉 #1 我交了", time=NOV27_1000 + 8 * DAY)
        expect_group(ctx, "#1 已过申诉期限：记录写下后 7 天内可以申诉，最后一天是 2026-12-04。")
        say(ctx, bot, "/撤销 #1 录错了", user=ADMIN)
        expect_group(
            ctx,
            "已撤销 #1（李四 -5 分，手动调整），撤销记录 #2。李四 2026-11 合计 0 分。",
        )
        say(ctx, bot, "/申诉 #1 我交了")
        expect_group(ctx, "#1 已经撤回了，不用申诉。")
        say(ctx, bot, "/申诉 #2 我交了")
        expect_group(ctx, "#2 是撤回另一条记录时写的，不能申诉。")
        deduct(ctx, bot, 3, "迟到", entry=3, total=-3)
        say(ctx, bot, "/申诉 #3 那天我交了周报")
        expect_group(
            ctx,
            "已收到申诉（审1）：#3 -3 分（手动调整）。管理员复核后会私聊告诉你结果。",
        )
        expect_private(ctx, review_message(1, 3, 3, "迟到", f"张三（管理员，QQ {ADMIN}）"), ADMIN)
        say(ctx, bot, "/申诉 #3 再申诉一次")
        expect_group(ctx, "#3 已经申诉过（审1），每条记录只能申诉一次。")
    assert await Appeal.all().count() == 1


async def test_a_frozen_month_refuses_filing_and_upholding(app: App, db, clock_at) -> None:
    clock_at(datetime(2026, 11, 27, 3, tzinfo=UTC))
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "在")
        deduct(ctx, bot, 5, "没交周报", entry=1, total=-5)
        deduct(ctx, bot, 3, "迟到", entry=2, total=-8)
        say(ctx, bot, "/申诉 #1 那天我交了周报")
        expect_group(
            ctx,
            "已收到申诉（审1）：#1 -5 分（手动调整）。管理员复核后会私聊告诉你结果。",
        )
        expect_private(
            ctx, review_message(1, 1, 5, "没交周报", f"张三（管理员，QQ {ADMIN}）"), ADMIN
        )
    await months.freeze("jgs", "2026-11", datetime(2026, 12, 1, 1, tzinfo=UTC))
    clock_at(datetime(2026, 12, 1, 2, tzinfo=UTC))
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/申诉 #2 那天没迟到", time=NOV27_1000 + 4 * DAY)
        expect_group(ctx, "#2 属于 2026-11，该月排行已公布并冻结，不能再申诉。")
        privately(ctx, bot, "/确认 审1", user=CHAIRMAN, time=NOV27_1000 + 4 * DAY)
        expect_private(
            ctx,
            "审1 申诉的 #1 属于 2026-11，该月排行已公布并冻结，申诉不能成立；"
            "请用 /驳回 审1 理由 结案。",
            CHAIRMAN,
        )
    assert await LedgerEntry.all().count() == 2
    assert (await FilterHit.get(id=1)).status == "pending"


async def test_a_chairmans_entry_needs_a_chairman_and_own_appeals_are_refused(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "在")
        say(ctx, bot, "在", user=ADMIN)
        deduct(ctx, bot, 100, "泄露报价", entry=1, total=-100, by=CHAIRMAN)
        say(ctx, bot, "/申诉 #1 那天我交了周报")
        expect_group(
            ctx,
            "已收到申诉（审1）：#1 -100 分（手动调整）。管理员复核后会私聊告诉你结果。",
        )
        expect_private(
            ctx,
            review_message(1, 1, 100, "泄露报价", f"张三（主席，QQ {CHAIRMAN}）").replace(
                "\n/确认", "\n这条记录由主席写入，申诉要主席决定。\n/确认"
            ),
            ADMIN,
        )
        privately(ctx, bot, "/确认 审1", user=ADMIN)
        expect_private(
            ctx,
            "审1 申诉的 #1 由主席写入，要主席及以上权限才能决定，你现在是管理员。",
            ADMIN,
        )
        # 主席给管理员扣的分，管理员自己申诉，自己不能决定
        say(ctx, bot, [text("/扣分 "), at(ADMIN), text(" 5 晚交报表")], user=CHAIRMAN)
        expect_group(ctx, "已记录 #2：张三 -5 分（晚交报表）。张三 本月合计 -5 分。")
        say(ctx, bot, "/申诉 #2 报表按时交了", user=ADMIN)
        expect_group(
            ctx,
            "已收到申诉（审2）：#2 -5 分（手动调整）。管理员复核后会私聊告诉你结果。",
        )
        expect_private(
            ctx,
            f"【群规助手】请审核：对记录 #2 的申诉\n申诉人：张三（QQ {ADMIN}）\n"
            "记录：#2 11-27 -5 分，手动调整，理由：晚交报表\n"
            f"写入：张三（主席，QQ {CHAIRMAN}）\n申诉理由：报表按时交了\n"
            "这条记录由主席写入，申诉要主席决定。\n"
            "/确认 审2：申诉成立，撤销这条记录；/驳回 审2 理由：维持",
            ADMIN,
        )
        privately(ctx, bot, "/驳回 审2 维持", user=ADMIN)
        expect_private(ctx, "审2 是你自己的申诉，不能自己决定，请另一位管理员处理。", ADMIN)
        privately(ctx, bot, "/驳回 审1 维持", user=CHAIRMAN)
        expect_private(
            ctx, "审1 申诉的 #1 是你写的记录，不能自己决定，请另一位管理员处理。", CHAIRMAN
        )
        # 超级用户总可以
        privately(ctx, bot, "/确认 审1 查无实据", user=SUPERUSER)
        expect_private(
            ctx,
            "【群规助手】你的申诉 审1 成立：#1（11-27 -100 分，手动调整）已撤回。",
            LI,
        )
        expect_private(
            ctx,
            "申诉成立：审1，已撤销 #1（李四 -100 分，手动调整），撤销记录 #3。已私聊告诉 李四。",
            SUPERUSER,
        )
    assert await LedgerEntry.filter(reverses__not_isnull=True).count() == 1


async def test_appeal_history_of_others_needs_an_admin(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "在")
        say(ctx, bot, [text("/申诉记录 "), at(LI)], user=ZHANG)
        expect_group(ctx, "查看别人的申诉记录需要管理员及以上权限，你现在是成员。")
        say(ctx, bot, [text("/申诉记录 "), at(LI)], user=ADMIN)
        expect_group(ctx, "李四 没有申诉过。")
        deduct(ctx, bot, 5, "没交周报", entry=1, total=-5)
        say(ctx, bot, "/申诉 #1 那天我交了周报")
        expect_group(
            ctx,
            "已收到申诉（审1）：#1 -5 分（手动调整）。管理员复核后会私聊告诉你结果。",
        )
        expect_private(
            ctx, review_message(1, 1, 5, "没交周报", f"张三（管理员，QQ {ADMIN}）"), ADMIN
        )
        privately(ctx, bot, f"/申诉记录 {LI}", user=ADMIN)
        expect_private(
            ctx,
            "李四 的申诉（最近 1 条）：\n审1 #1 11-27 -5 分 手动调整：申诉中\n"
            "　申诉理由：那天我交了周报",
            ADMIN,
        )


async def test_an_appeal_by_private_message_and_a_replay(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "在")
        deduct(ctx, bot, 5, "没交周报", entry=1, total=-5)
        privately(ctx, bot, "/申诉 #1 那天我交了周报", user=LI, message_id=7101)
        expect_private(
            ctx,
            "已收到申诉（审1）：#1 -5 分（手动调整）。管理员复核后会私聊告诉你结果。",
            LI,
        )
        expect_private(
            ctx, review_message(1, 1, 5, "没交周报", f"张三（管理员，QQ {ADMIN}）"), ADMIN
        )
        # 同一条私聊再上报一次（重连）：什么也不说、不写
        privately(ctx, bot, "/申诉 #1 那天我交了周报", user=LI, message_id=7101)
        privately(ctx, bot, "/确认 审1 查到了", user=CHAIRMAN, message_id=7102)
        expect_private(
            ctx,
            "【群规助手】你的申诉 审1 成立：#1（11-27 -5 分，手动调整）已撤回。",
            LI,
        )
        expect_private(
            ctx,
            "申诉成立：审1，已撤销 #1（李四 -5 分，手动调整），撤销记录 #2。已私聊告诉 李四。",
            CHAIRMAN,
        )
        privately(ctx, bot, "/确认 审1 查到了", user=CHAIRMAN, message_id=7102)
    assert await Appeal.all().count() == 1
    assert await LedgerEntry.all().count() == 2


async def test_rule_stats_count_appeals_per_rule_and_not_as_content_hits(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "在")
        deduct(ctx, bot, 5, "没交周报", entry=1, total=-5)
        deduct(ctx, bot, 3, "迟到", entry=2, total=-8)
        for entry, points, reason in ((1, 5, "没交周报"), (2, 3, "迟到")):
            say(ctx, bot, f"/申诉 #{entry} 那天我交了周报")
            expect_group(
                ctx,
                f"已收到申诉（审{entry}）：#{entry} -{points} 分（手动调整）。"
                "管理员复核后会私聊告诉你结果。",
            )
            expect_private(
                ctx,
                review_message(entry, entry, points, reason, f"张三（管理员，QQ {ADMIN}）"),
                ADMIN,
            )
        privately(ctx, bot, "/确认 审1 查到了", user=CHAIRMAN)
        expect_private(
            ctx,
            "【群规助手】你的申诉 审1 成立：#1（11-27 -5 分，手动调整）已撤回。",
            LI,
        )
        expect_private(
            ctx,
            "申诉成立：审1，已撤销 #1（李四 -5 分，手动调整），撤销记录 #3。已私聊告诉 李四。",
            CHAIRMAN,
        )
        privately(ctx, bot, "/规则统计 7", user=CHAIRMAN)
        expect_private(
            ctx,
            "近 7 天内容规则命中：\n"
            "「赌博」（交管理员审核，不良信息 -5 分）：没有命中\n"
            "「发票广告」（直接警告，不良信息 -5 分）：没有命中\n"
            "「试运行」（只记录，口头警告 不扣分）：没有命中\n"
            "「链接」（交管理员审核，不良信息 -5 分）：没有命中\n"
            "「隐私」（撤回并警告，泄露他人信息 -5 分）：没有命中\n"
            "「刷屏」（交管理员审核，口头警告 不扣分）：没有命中\n"
            "「举报」（交管理员审核，不良信息 -5 分）：没有命中\n"
            "申诉：手动调整 成立 1 / 申诉 2",
            CHAIRMAN,
        )


async def test_a_category_word_in_the_decision_stays_in_the_reason(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "在")
        deduct(ctx, bot, 5, "没交周报", entry=1, total=-5)
        say(ctx, bot, "/申诉 #1 那天我交了周报")
        expect_group(
            ctx,
            "已收到申诉（审1）：#1 -5 分（手动调整）。管理员复核后会私聊告诉你结果。",
        )
        expect_private(
            ctx, review_message(1, 1, 5, "没交周报", f"张三（管理员，QQ {ADMIN}）"), ADMIN
        )
        privately(ctx, bot, "/确认 审1 口头警告 就够了", user=CHAIRMAN)
        expect_private(
            ctx,
            "【群规助手】你的申诉 审1 成立：#1（11-27 -5 分，手动调整）已撤回。",
            LI,
        )
        expect_private(
            ctx,
            "申诉成立：审1，已撤销 #1（李四 -5 分，手动调整），撤销记录 #2。已私聊告诉 李四。",
            CHAIRMAN,
        )
    assert (await LedgerEntry.get(id=2)).reason == "申诉成立（审1）：口头警告 就够了"


def reported_warned_and_appealed(ctx, bot, reporter: int = ZHANG, confirmer: int = ADMIN) -> None:
    """reporter 举报李四的一条消息，confirmer 确认（李四 #1 -5，举报人 #2 举报属实 +2），李四申诉那条警告（审2）。"""
    say(ctx, bot, "在")
    say(ctx, bot, [{"type": "reply", "data": {"id": "7110"}}, text("/举报 骂同事")], user=reporter)
    ctx.should_call_api(
        "get_msg",
        {"message_id": 7110},
        result={
            "message_id": 7110,
            "sender": {"user_id": LI, "nickname": "Li", "card": ""},
            "message": [{"type": "text", "data": {"text": "某某就是个废物"}}],
        },
    )
    expect_group(ctx, "已收到举报（审1），管理员会处理。")
    ctx.should_call_api("send_private_msg", {"user_id": ADMIN, "message": ANY}, result={})
    privately(ctx, bot, "/确认 审1", user=confirmer)
    ctx.should_call_api("send_group_msg", {"group_id": WORK_GROUP, "message": ANY})
    expect_private(ctx, "已确认并警告 李四：不良信息，-5 分（编号 #1）。举报人加 2 分。", confirmer)
    say(ctx, bot, "/申诉 #1 我说的是游戏里的角色")
    expect_group(ctx, "已收到申诉（审2）：#1 -5 分（不良信息警告）。管理员复核后会私聊告诉你结果。")
    ctx.should_call_api("send_private_msg", {"user_id": ANY, "message": ANY}, result={})


async def test_the_admin_who_reported_the_message_does_not_decide_the_appeal(app: App, db) -> None:
    """管理员举报了李四的一条消息（属实有奖励），主席确认后李四申诉：举报的管理员不能维持它。"""
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        reported_warned_and_appealed(ctx, bot, reporter=ADMIN, confirmer=CHAIRMAN)
        privately(ctx, bot, "/驳回 审2 骂人属实", user=ADMIN)
        expect_private(
            ctx,
            "审2 申诉的 #1 是因你的举报记下的，不能自己决定，请另一位管理员处理。",
            ADMIN,
        )
    assert (await FilterHit.get(id=2)).status == "pending"


async def test_closing_an_appeal_whose_entry_was_undone_meanwhile_does_not_say_it_stands(
    app: App, db
) -> None:
    """申诉期间主席已经 /撤销 了那条记录；结案时李四不该听到“#1 维持”——它已经撤销了。"""
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "在")
        deduct(ctx, bot, 5, "没交周报", entry=1, total=-5)
        say(ctx, bot, "/申诉 #1 那天我交了周报")
        expect_group(
            ctx,
            "已收到申诉（审1）：#1 -5 分（手动调整）。管理员复核后会私聊告诉你结果。",
        )
        expect_private(
            ctx, review_message(1, 1, 5, "没交周报", f"张三（管理员，QQ {ADMIN}）"), ADMIN
        )
        say(ctx, bot, "/撤销 #1 周报查到了", user=CHAIRMAN)
        ctx.should_call_api("send_group_msg", {"group_id": WORK_GROUP, "message": ANY})
        privately(ctx, bot, "/确认 审1", user=SUPERUSER)
        expect_private(
            ctx,
            "审1 申诉的 #1 已经撤销了（撤销记录 #2），不用再成立；请用 /驳回 审1 理由 结案。",
            SUPERUSER,
        )
        privately(ctx, bot, "/驳回 审1 主席已撤销", user=SUPERUSER)
        expect_private(
            ctx,
            "【群规助手】你的申诉 审1 已结案：#1（11-27 -5 分，手动调整）已经撤回。"
            "说明：主席已撤销",
            LI,
        )
        expect_private(
            ctx, "已结案申诉 审1：#1 已经撤销（撤销记录 #2）。已私聊告诉 李四。", SUPERUSER
        )


UPHELD_REPORTED = (
    "申诉成立：审2，已撤销 #1（李四 -5 分，不良信息警告），撤销记录 #3。已私聊告诉 李四。"
)


@pytest.mark.parametrize("in_group", [False, True], ids=["私聊决定", "工作群里决定"])
async def test_an_upheld_appeal_takes_back_the_reporters_bonus_and_tells_the_reporter(
    app: App, db, in_group: bool
) -> None:
    """张三举报李四，管理员确认（张三得举报属实奖励）；李四申诉成立：那条消息不算违规，张三的奖励撤回。
    举报人只告诉管理员：私聊里的答复说出是张三；在工作群里决定，全群（包括李四）都看得到，不说是谁。"""
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        reported_warned_and_appealed(ctx, bot)
        decide = say if in_group else privately
        decide(ctx, bot, "/确认 审2 聊的是游戏", user=CHAIRMAN)
        expect_private(
            ctx, "【群规助手】你的申诉 审2 成立：#1（11-27 -5 分，不良信息警告）已撤回。", LI
        )
        expect_private(
            ctx,
            "【群规助手】你举报的消息经申诉认定不算违规（审2），举报属实奖励 #2（+2 分）已撤回。",
            ZHANG,
        )
        if in_group:
            expect_group(
                ctx,
                UPHELD_REPORTED + "举报人的举报属实奖励 #2（+2 分）一并撤回，已私聊告诉举报人。",
            )
        else:
            expect_private(
                ctx,
                UPHELD_REPORTED
                + "举报人 张三 的举报属实奖励 #2（+2 分）一并撤回，已私聊告诉举报人。",
                CHAIRMAN,
            )
    taken_back = await LedgerEntry.get(reverses=2)
    assert (taken_back.user_id, taken_back.delta, taken_back.actor_id) == (ZHANG, -2, CHAIRMAN)
