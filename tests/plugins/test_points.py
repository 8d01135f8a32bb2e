from datetime import UTC, datetime

import pytest
from nonebug import App

from qungui import ledger
from qungui.models import LedgerEntry
from qungui.outgoing import mask_digits
from tests import fake
from tests.fake import ADMIN, CHAIRMAN, NOV27_1000, SUPERUSER, at, text

from .conftest import expect_group, expect_private, make_bot

OWN_CASE = (
    "这件事与你本人有关（你是得分的人、被处理的人或举报人），不能自己决定，"
    "请另一位管理员或超级用户处理。"
)
ZHANG = 20001  # 名片 鸡公山酒业-张三-13900000000
LI = 20002
LI_CARD = "鸡公山酒业-李四-13800000000"


def say(ctx, bot, message, **fields) -> None:
    ctx.receive_event(bot, fake.group_message(message, **fields))


def admin_says(ctx, bot, message, **fields) -> None:
    say(ctx, bot, message, user_id=ADMIN, card="鸡公山酒业-王管-13700000000", **fields)


async def test_points_for_a_new_member(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/积分")
        expect_group(
            ctx, "张三 本月（2026-11）积分 0 分，第 1 名 / 共 1 人；累计 0 分；本月记录 0 条。"
        )


async def test_admin_adds_points_and_the_member_sees_them(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "早", user_id=LI, card=LI_CARD)
        admin_says(ctx, bot, [text("/加分 "), at(LI), text(" 5 协助整理客户资料")])
        expect_group(ctx, "已记录 #1：李四 +5 分（协助整理客户资料）。李四 本月合计 5 分。")
        say(ctx, bot, [text("/积分 "), at(LI)])
        expect_group(
            ctx, "李四 本月（2026-11）积分 5 分，第 1 名 / 共 3 人；累计 5 分；本月记录 1 条。"
        )
    entry = await LedgerEntry.get(id=1)
    assert (entry.user_id, entry.delta, entry.rule, entry.actor_id, entry.actor_role) == (
        LI,
        5,
        "manual",
        ADMIN,
        "admin",
    )
    assert entry.reason == "协助整理客户资料"


async def test_group_admin_by_sender_role_may_deduct(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "在", user_id=LI, card=LI_CARD)
        say(ctx, bot, [text("/扣分 "), at(LI), text(" 5 群内发无关广告")], role="admin")
        expect_group(ctx, "已记录 #1：李四 -5 分（群内发无关广告）。李四 本月合计 -5 分。")


async def test_a_member_is_refused_and_told_the_role(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, [text("/加分 "), at(LI), text(" 5 理由")])
        expect_group(ctx, "「/加分」需要管理员及以上权限，你现在是成员。")
    assert await LedgerEntry.all().count() == 0


USAGE = "用法：/加分 @某人 分数 理由\n例如：/加分 @张三 5 协助整理客户资料"


@pytest.mark.parametrize(
    ("message", "reply"),
    [
        ([text("/加分 5 理由")], f"请 @ 一位成员。\n{USAGE}"),
        ([text("/加分 "), at(LI), text(" abc 理由")], f"分数应为正整数。\n{USAGE}"),
        ([text("/加分 "), at(LI), text(" 0 理由")], f"分数应为正整数。\n{USAGE}"),
        ([text("/加分 "), at(LI), text(" -5 理由")], f"分数应为正整数。\n{USAGE}"),
        ([text("/加分 "), at(LI), text(" 5")], f"请写明理由。\n{USAGE}"),
        ([text("/加分 "), at(LI), text(" 99999 理由")], "分数超过管理员的单次上限 50 分。"),
        ([text("/加分 "), at(ADMIN), text(" 5 自己")], OWN_CASE),
        ([text("/扣分 "), at(ADMIN), text(" 5 自己")], OWN_CASE),
        ([text("/加分")], f"请 @ 一位成员。\n{USAGE}"),
    ],
)
async def test_bad_input_answers_and_writes_nothing(app: App, db, message, reply) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        admin_says(ctx, bot, message)
        expect_group(ctx, reply)
    assert await LedgerEntry.all().count() == 0


async def test_chairman_may_give_a_large_penalty(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "在", user_id=LI, card=LI_CARD)
        say(ctx, bot, [text("/扣分 "), at(LI), text(" 500 泄露公司机密")], user_id=CHAIRMAN)
        expect_group(ctx, "已记录 #1：李四 -500 分（泄露公司机密）。李四 本月合计 -500 分。")


async def test_replayed_event_writes_and_replies_once(app: App, db) -> None:
    payload = dict(user_id=ADMIN, message_id=777, time=NOV27_1000)
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, [text("/加分 "), at(LI), text(" 5 理由")], **payload)
        expect_group(ctx, "已记录 #1：成员0002 +5 分（理由）。成员0002 本月合计 5 分。")
        say(ctx, bot, [text("/加分 "), at(LI), text(" 5 理由")], **payload)
    assert await LedgerEntry.all().count() == 1


async def test_undo_and_its_refusals(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "在", user_id=LI, card=LI_CARD)
        admin_says(ctx, bot, [text("/加分 "), at(LI), text(" 5 理由")])
        expect_group(ctx, "已记录 #1：李四 +5 分（理由）。李四 本月合计 5 分。")
        admin_says(ctx, bot, "/撤销 #1 录错了")
        expect_group(
            ctx, "已撤销 #1（李四 +5 分，手动调整），撤销记录 #2。李四 2026-11 合计 0 分。"
        )
        admin_says(ctx, bot, "/撤销 1")
        expect_group(ctx, "编号 #1 已经撤销过了（撤销记录 #2），不能重复撤销。")
        admin_says(ctx, bot, "/撤销 2")
        expect_group(ctx, "编号 #2 本身是撤销记录，不能再撤销。")
        admin_says(ctx, bot, "/撤销 99")
        expect_group(ctx, "找不到编号 #99 的记录。")
        admin_says(ctx, bot, "/撤销 abc")
        expect_group(
            ctx,
            "编号应为数字，例如 #12 或 12。\n用法：/撤销 编号 [理由]\n例如：/撤销 #12 分数填错了",
        )
        say(ctx, bot, [text("/扣分 "), at(LI), text(" 300 严重违规")], user_id=CHAIRMAN)
        expect_group(ctx, "已记录 #3：李四 -300 分（严重违规）。李四 本月合计 -300 分。")
        admin_says(ctx, bot, "/撤销 3")
        expect_group(ctx, "编号 #3 由主席写入，撤销需要主席及以上权限，你现在是管理员。")
        say(ctx, bot, "/撤销 3")
        expect_group(ctx, "「/撤销」需要管理员及以上权限，你现在是成员。")
    assert await LedgerEntry.all().count() == 3


async def test_undo_of_an_id_beyond_the_database_range_answers_the_usage(app: App, db) -> None:
    # 超出 2^63−1 的数在 SQLite 里溢出，超出 2^31−1 的在 PostgreSQL 的 integer 列里出错
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        for too_large in ("99999999999999999999", "#2147483648"):
            admin_says(ctx, bot, f"/撤销 {too_large} 录错了")
            expect_group(
                ctx,
                "编号太大了，没有这样的记录。\n用法：/撤销 编号 [理由]\n例如：/撤销 #12 分数填错了",
            )
        admin_says(ctx, bot, "/撤销 #2147483647")
        expect_group(ctx, mask_digits("找不到编号 #2147483647 的记录。"))
    assert await LedgerEntry.all().count() == 0


async def test_detail_own_others_and_bad_month(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        admin_says(ctx, bot, [text("/加分 "), at(ZHANG), text(" 5 整理资料")])
        expect_group(ctx, "已记录 #1：成员0001 +5 分（整理资料）。成员0001 本月合计 5 分。")
        say(ctx, bot, "/积分明细")
        expect_group(
            ctx,
            "张三 2026-11 积分明细：共 1 条，合计 +5 分\n#1 11-27 +5 分 手动调整 整理资料 — 王管",
        )
        say(ctx, bot, "/积分明细 2026-10")
        expect_group(ctx, "张三 2026-10 没有积分记录。")
        say(ctx, bot, "/积分明细 2026-13")
        expect_group(
            ctx,
            "月份应写作 YYYY-MM，例如 2026-10。\n用法：/积分明细 [@某人] [YYYY-MM]\n例如：/积分明细 2026-10",
        )
        say(ctx, bot, [text("/积分明细 "), at(ADMIN)])
        expect_group(ctx, "查看别人的积分明细需要管理员及以上权限，你现在是成员。")


async def test_detail_names_every_rule_in_chinese(app: App, db) -> None:
    """举报属实的加分、通知没确认的扣分、内容过滤的警告：明细里都是中文名称，不是账本代码。"""
    day = datetime.fromtimestamp(NOV27_1000, UTC).date()
    for n, (code, delta) in enumerate(
        [("filter.report", 2), ("notice.silent", -5), ("warn.不良信息", -5)], start=1
    ):
        await ledger.award(
            org="jgs",
            user_id=ZHANG,
            rule=code,
            period=str(n),
            delta=delta,
            business_date=day,
            now=datetime.fromtimestamp(NOV27_1000, UTC),
        )
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/积分明细")
        expect_group(
            ctx,
            "张三 2026-11 积分明细：共 3 条，合计 -8 分\n"
            "#1 11-27 +2 分 举报属实\n#2 11-27 -5 分 通知未确认\n#3 11-27 -5 分 不良信息警告",
        )


async def test_in_a_group_warnings_show_only_their_category_reasons_go_to_private(
    app: App, db
) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "在")
        admin_says(ctx, bot, [text("/警告 "), at(ZHANG), text(" 不良信息 泄露客户资料")])
        expect_group(ctx, "已警告 张三：不良信息，-5 分，30 天内第 1 次（编号 #1）。")
        admin_says(ctx, bot, [text("/警告 "), at(ZHANG), text(" 口头警告 群里吵架")])
        expect_group(
            ctx,
            "已警告 张三：口头警告，0 分，30 天内第 2 次（编号 #2）。".replace("0 分", "不扣分"),
        )
        admin_says(ctx, bot, "/撤销 #1 看错了人")
        expect_group(
            ctx, "已撤销 #1（张三 -5 分，不良信息警告），撤销记录 #3。张三 2026-11 合计 0 分。"
        )
        say(ctx, bot, "/积分明细")
        expect_group(
            ctx,
            "张三 2026-11 积分明细：共 3 条，合计 0 分\n"
            "#1 11-27 -5 分 不良信息警告 — 王管（已撤回）\n"
            "#2 11-27 0 分 口头警告 — 王管\n"
            "#3 11-27 +5 分 撤回 #1 看错了人 — 王管\n"
            "群里只列警告的类别；警告的理由请私聊机器人发 /积分明细 查看。",
        )
        ctx.receive_event(bot, fake.private_message("/积分明细", user_id=ZHANG))
        expect_private(
            ctx,
            "张三 2026-11 积分明细：共 3 条，合计 0 分\n"
            "#1 11-27 -5 分 不良信息警告 泄露客户资料 — 王管（已撤回）\n"
            "#2 11-27 0 分 口头警告 群里吵架 — 王管\n"
            "#3 11-27 +5 分 撤回 #1 看错了人 — 王管",
            ZHANG,
        )


async def test_board_shows_top_and_the_askers_own_rank(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        for user, name in [(21001, "赵一"), (21002, "钱二"), (21003, "孙三"), (21004, "李四")]:
            say(ctx, bot, "在", user_id=user, card=f"鸡公山酒业-{name}-13800000000")
        for n, (user, name, points) in enumerate(
            [(21001, "赵一", 9), (21002, "钱二", 7), (21003, "孙三", 7)], start=1
        ):
            admin_says(ctx, bot, [text("/加分 "), at(user), text(f" {points} 理由")])
            expect_group(
                ctx, f"已记录 #{n}：{name} +{points} 分（理由）。{name} 本月合计 {points} 分。"
            )
        say(ctx, bot, "/排行", user_id=21004, card="鸡公山酒业-李四-13800000000")
        expect_group(
            ctx,
            "鸡公山酒业 2026-11 积分排行（共 5 人）\n1. 赵一 9 分\n2. 钱二 7 分\n2. 孙三 7 分\n你：第 4 名，0 分",
        )


async def test_a_group_outside_the_policy_gets_no_answer(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/积分", group_id=fake.OTHER_GROUP)
    assert await LedgerEntry.all().count() == 0


async def test_unknown_command_and_plain_chat_get_no_answer(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/不存在的命令")
        say(ctx, bot, "今天的分享：把客户的问题一条条记下来再回复")


async def test_an_admin_cannot_undo_what_another_admin_wrote_against_him(app: App, db) -> None:
    other_admin = dict(user_id=LI, card=LI_CARD, role="admin")
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        admin_says(ctx, bot, "在")
        say(ctx, bot, [text("/扣分 "), at(ADMIN), text(" 10 值班迟到")], **other_admin)
        expect_group(ctx, "已记录 #1：王管 -10 分（值班迟到）。王管 本月合计 -10 分。")
        admin_says(ctx, bot, "/撤销 1 我没迟到")
        expect_group(ctx, OWN_CASE)
        say(ctx, bot, "/撤销 1 核实过了", user_id=CHAIRMAN)
        expect_group(
            ctx, "已撤销 #1（王管 -10 分，手动调整），撤销记录 #2。王管 2026-11 合计 0 分。"
        )
    rows = await LedgerEntry.all().order_by("id").values_list("delta", "actor_id")
    assert rows == [(-10, LI), (10, CHAIRMAN)]


async def test_a_superuser_may_decide_about_himself_and_it_is_logged(
    app: App, db, caplog: pytest.LogCaptureFixture
) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(
            ctx,
            bot,
            [text("/加分 "), at(SUPERUSER), text(" 5 运维值守")],
            user_id=SUPERUSER,
            card="鸡公山酒业-运维-13600000000",
        )
        expect_group(ctx, "已记录 #1：运维 +5 分（运维值守）。运维 本月合计 5 分。")
    assert await LedgerEntry.all().values_list("user_id", "delta") == [(SUPERUSER, 5)]
    assert any(
        "超级用户 40001" in record.getMessage() and "加分" in record.getMessage()
        for record in caplog.records
    )


async def test_numbers_too_long_for_python_answer_like_any_large_number(app: App, db) -> None:
    # 4300 位以上的数字 Python 的 int() 不肯转：不能因此答“出错了”
    huge = "9" * 5000
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        admin_says(ctx, bot, f"/撤销 {huge} 录错了")
        expect_group(
            ctx, "编号太大了，没有这样的记录。\n用法：/撤销 编号 [理由]\n例如：/撤销 #12 分数填错了"
        )
        admin_says(ctx, bot, [text("/加分 "), at(LI), text(f" {huge} 理由")])
        expect_group(ctx, "分数超过管理员的单次上限 50 分。")
    assert await LedgerEntry.all().count() == 0
