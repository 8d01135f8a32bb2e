import pytest
from nonebug import App

from qungui.models import LedgerEntry, WarningCase
from tests import fake
from tests.fake import ADMIN, CHAIRMAN, SUPERUSER, WORK_GROUP, at, member_info, text

from .conftest import expect_group, expect_private, make_bot, patch_policy

LI = 20002
OWN_CASE = (
    "这件事与你本人有关（你是得分的人、被处理的人或举报人），不能自己决定，"
    "请另一位管理员或超级用户处理。"
)
LI_CARD = "鸡公山酒业-李四-13800000000"


def say(ctx, bot, message, user: int = ADMIN, **fields) -> None:
    ctx.receive_event(bot, fake.group_message(message, user_id=user, **fields))


def warn(category_and_reason: str, target: int = LI) -> list[dict]:
    return [text("/警告 "), at(target), text(f" {category_and_reason}")]


async def test_warnings_per_category_with_their_points(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "在", user=LI, card=LI_CARD)
        say(ctx, bot, warn("不良信息 群里发赌博链接"))
        expect_group(
            ctx,
            "已警告 李四：不良信息，-5 分，30 天内第 1 次（编号 #1）。",
        )
        # 命令的文字也过内容过滤（管理员也一样）：理由里的“赌博”交管理员审核，警告照常生效
        expect_private(
            ctx,
            f"【群规助手】请审核：鸡公山酒业员工群 张三（QQ {ADMIN}）的一条消息命中规则「赌博」（确认后警告：不良信息 -5 分）\n"
            "命中：赌博\n原文：/警告  不良信息 群里发赌博链接\n"
            "确认并警告：/确认 审1　驳回：/驳回 审1",
            ADMIN,
        )
        say(ctx, bot, warn("口头警告"))
        expect_group(
            ctx,
            "已警告 李四：口头警告，不扣分，30 天内第 2 次（编号 #2）。",
        )
        say(ctx, bot, warn("乱说话"))
        expect_group(ctx, "没有这个类别。可用的类别：口头警告、不良信息、泄露他人信息、严重违规。")
        say(ctx, bot, warn("严重违规 500 泄密"))
        expect_group(ctx, "这个类别的扣分由主席在范围内决定，需要主席及以上权限。")
        say(ctx, bot, warn("严重违规 泄密"), user=CHAIRMAN)
        expect_group(
            ctx,
            "请写明扣分数额（200–2000）。\n"
            "用法：/警告 @某人 类别 [数额] [理由]（或回复那条消息：/警告 类别 [理由]）\n"
            "例如：/警告 @张三 不良信息 群里发赌博链接",
        )
        say(ctx, bot, warn("严重违规 500 泄露客户资料"), user=CHAIRMAN)
        expect_group(
            ctx,
            "已警告 李四：严重违规，-500 分，30 天内第 3 次（编号 #3）。",
        )
        for person in (CHAIRMAN, ADMIN):
            expect_private(
                ctx,
                "【群规助手】李四 在 30 天内已被警告 3 次（最近一次：严重违规），请处理。",
                person,
            )
    rows = await LedgerEntry.all().order_by("id").values_list("rule", "delta", "actor_role")
    assert rows == [
        ("warn.不良信息", -5, "admin"),
        ("warn.口头警告", 0, "admin"),
        ("warn.严重违规", -500, "chairman"),
    ]
    case = await WarningCase.get(entry_id=1)
    assert (case.user_id, case.category, case.reason, case.actor_id) == (
        LI,
        "不良信息",
        "群里发赌博链接",
        ADMIN,
    )


async def test_a_number_after_a_fixed_category_is_part_of_the_reason(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "在", user=LI, card=LI_CARD)
        say(ctx, bot, warn("不良信息 3 次发广告"))
        expect_group(
            ctx,
            "已警告 李四：不良信息，-5 分，30 天内第 1 次（编号 #1）。",
        )
    case = await WarningCase.get(entry_id=1)
    assert (case.category, case.points, case.reason) == ("不良信息", 5, "3 次发广告")
    assert await LedgerEntry.all().values_list("delta", "reason") == [(-5, "3 次发广告")]


async def test_who_cannot_be_warned_and_by_whom(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, warn("口头警告", target=fake.SELF_ID))
        expect_group(ctx, "不能警告机器人。")
        say(ctx, bot, warn("口头警告", target=SUPERUSER))
        expect_group(ctx, "不能警告超级用户。")
        say(ctx, bot, warn("口头警告", target=ADMIN))
        expect_group(ctx, OWN_CASE)
        say(ctx, bot, warn("口头警告 " + "长" * 201))
        expect_group(
            ctx,
            "理由最多 200 个字。\n用法：/警告 @某人 类别 [数额] [理由]（或回复那条消息：/警告 类别 [理由]）\n"
            "例如：/警告 @张三 不良信息 群里发赌博链接",
        )
        say(ctx, bot, warn("口头警告"), user=LI)
        expect_group(ctx, "「/警告」需要管理员及以上权限，你现在是成员。")
    assert await WarningCase.all().count() == 0


async def test_undo_revokes_the_case_and_history_shows_it(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "在", user=LI, card=LI_CARD)
        say(ctx, bot, warn("不良信息"))
        expect_group(
            ctx,
            "已警告 李四：不良信息，-5 分，30 天内第 1 次（编号 #1）。",
        )
        say(ctx, bot, "/撤销 1 误判")
        expect_group(
            ctx, "已撤销 #1（李四 -5 分，不良信息警告），撤销记录 #2。李四 2026-11 合计 0 分。"
        )
        say(ctx, bot, "/警告记录", user=LI, card=LI_CARD)
        expect_group(ctx, "李四 近 30 天的警告：0 次有效\n#1 11-27 不良信息 -5 分（已撤回）")
        say(ctx, bot, [text("/警告记录 "), at(ADMIN)], user=LI, card=LI_CARD)
        expect_group(ctx, "查看别人的警告记录需要管理员及以上权限，你现在是成员。")
    case = await WarningCase.get(entry_id=1)
    assert (case.revoked_by, case.revoked_reason) == (ADMIN, "误判")


async def test_an_admin_cannot_undo_a_warning_against_himself(app: App, db) -> None:
    admin = dict(card="鸡公山酒业-王管-13700000000")
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "在", **admin)
        say(
            ctx, bot, warn("不良信息 群里发广告", target=ADMIN), user=LI, card=LI_CARD, role="admin"
        )
        expect_group(
            ctx,
            "已警告 王管：不良信息，-5 分，30 天内第 1 次（编号 #1）。",
        )
        say(ctx, bot, "/撤销 1 误判", **admin)
        expect_group(ctx, OWN_CASE)
    assert await LedgerEntry.all().values_list("delta") == [(-5,)]
    case = await WarningCase.get(entry_id=1)
    assert case.revoked_at is None


@pytest.fixture
def mute_ten_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    patch_policy(monkeypatch, "warnings", mute_minutes=10, escalate_at=2)


async def test_escalation_mutes_when_the_bot_is_admin(app: App, db, mute_ten_minutes) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "在", user=LI, card=LI_CARD)
        say(ctx, bot, warn("口头警告"))
        expect_group(
            ctx,
            "已警告 李四：口头警告，不扣分，30 天内第 1 次（编号 #1）。",
        )
        say(ctx, bot, warn("口头警告"))
        expect_group(
            ctx,
            "已警告 李四：口头警告，不扣分，30 天内第 2 次（编号 #2）。",
        )
        for person in (CHAIRMAN, ADMIN):
            expect_private(
                ctx,
                "【群规助手】李四 在 30 天内已被警告 2 次（最近一次：口头警告），请处理。",
                person,
            )
        ctx.should_call_api(
            "get_group_member_info",
            {"group_id": WORK_GROUP, "user_id": fake.SELF_ID, "no_cache": True},
            result=member_info(fake.SELF_ID, role="admin"),
        )
        ctx.should_call_api(
            "set_group_ban", {"group_id": WORK_GROUP, "user_id": LI, "duration": 600}, result=None
        )
        expect_group(ctx, "李四 在 30 天内已被警告 2 次，禁言 10 分钟。")


async def test_another_bot_listed_in_the_policy_cannot_be_warned(
    app: App, db, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 制度里列出的另一个机器人（连在别的进程上）不是成员：不警告它，也不去禁言它
    from .conftest import patch_policy

    patch_policy(monkeypatch, "org", bots=[fake.SELF_ID, 10001])
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, warn("口头警告 发了广告", target=10001))
        expect_group(ctx, "不能警告机器人。")
    assert await WarningCase.all().count() == 0


async def test_an_amount_too_long_for_python_answers_the_range(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, warn("严重违规 " + "9" * 5000 + " 泄密"), user=CHAIRMAN)
        expect_group(
            ctx,
            "请写明扣分数额（200–2000）。\n"
            "用法：/警告 @某人 类别 [数额] [理由]（或回复那条消息：/警告 类别 [理由]）\n"
            "例如：/警告 @张三 不良信息 群里发赌博链接",
        )
    assert await WarningCase.all().count() == 0


def _subclasses(cls: type) -> set[type]:
    return {sub for direct in cls.__subclasses__() for sub in {direct, *_subclasses(direct)}}


def test_every_reason_a_warning_is_refused_has_its_own_reply(app: App) -> None:
    from plugins.core import Refusal, UsageError
    from plugins.warnings import refusal_for
    from qungui import warning_cases as w

    samples = [
        w.UnknownCategory(["不良信息", "口头警告"]),
        w.CategoryNeeded(["不良信息", "口头警告"]),
        w.FixedPoints(5),
        w.ChairmanOnly(),
        w.OutOfRange(200, 2000),
    ]
    declared = {c for c in _subclasses(w.WarningRefused) if c.__module__ == w.__name__}
    assert {type(s) for s in samples} == declared, "新的原因要在 refusal_for 里有回复"
    replies = [refusal_for(s) for s in samples]
    assert all(isinstance(r, Refusal | UsageError) for r in replies)
    assert [str(r.args[0]) if r.args else "" for r in replies] == [
        "没有这个类别。可用的类别：不良信息、口头警告。",
        "这条举报还没有类别，请写明类别：不良信息、口头警告。",
        "这个类别固定扣 5 分，不用写数额。",
        "这个类别的扣分由主席在范围内决定，需要主席及以上权限。",
        "请写明扣分数额（200–2000）。",
    ]


def test_a_reason_without_a_reply_is_not_passed_off_as_another(app: App) -> None:
    """以前不认识的原因一律说成“请写明扣分数额”：现在原样交回，按出错处理。"""
    from plugins.warnings import refusal_for
    from qungui import warning_cases as w

    class Strange(w.WarningRefused):
        pass

    strange = Strange()
    assert refusal_for(strange) is strange
