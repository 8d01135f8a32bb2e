"""命令参数的声明（plugins/core/args.py）：解析、用法文字，以及月份只有一条规则。"""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from nonebot.adapters.onebot.v11 import Message, MessageSegment
from nonebug import App

from qungui.roles import Role
from tests import fake
from tests.fake import ADMIN, at, text

from .conftest import expect_group, make_bot

LI = 20002
LI_CARD = "鸡公山酒业-李四-13800000000"


def _ctx(role: Role = Role.ADMIN, month: str = "2026-11"):
    from plugins.core import policies

    return SimpleNamespace(
        policy=policies.all[0], role=role, month=month, event=SimpleNamespace(reply=None)
    )


def _message(*parts: str | int) -> Message:
    message = Message()
    for part in parts:
        if isinstance(part, int):
            message.append(MessageSegment.at(part))
        else:
            message.append(MessageSegment.text(part))
    return message


@pytest.mark.parametrize(
    ("written", "month"),
    [
        ("", "2026-11"),  # 不写：本月
        ("2026-11", "2026-11"),
        ("2026-10", "2026-10"),
        ("2026-1", "2026-01"),
        ("2025-12", "2025-12"),  # 跨年
        ("2026-12", "还没到"),  # 下个月：拒绝，不是“没有记录”
        ("2027-01", "还没到"),
        ("2026-13", "写法"),
        ("2026-00", "写法"),
        ("1999-12", "写法"),
        ("2026/10", "写法"),
        ("十月", "写法"),
    ],
)
async def test_one_month_rule_for_every_command(app: App, written: str, month: str) -> None:
    """/积分明细、/排行、/月榜、/导出 用同一个月份参数：写法是 YYYY-MM，不晚于本月。"""
    from plugins.core.args import Month, Signature
    from plugins.core.refusals import Refusal, UsageError

    signature = Signature((Month(),))
    if month == "还没到":
        with pytest.raises(Refusal) as refused:
            await signature.parse(_message(written), _ctx())
        assert refused.value.message.endswith(" 还没到。")
    elif month == "写法":
        with pytest.raises(UsageError) as wrong:
            await signature.parse(_message(written), _ctx())
        assert wrong.value.reason == "月份应写作 YYYY-MM，例如 2026-10。"
    else:
        assert (await signature.parse(_message(written), _ctx())).month == month


async def test_mentions_anywhere_or_a_qq_number_name_the_member(app: App, db) -> None:
    from plugins.core.args import Person, Points, Reason, Signature
    from plugins.core.refusals import Refusal, UsageError
    from qungui import members

    await members.remember(
        org="jgs",
        group_id=fake.WORK_GROUP,
        user_id=LI,
        card=LI_CARD,
        nickname="Li",
        role="member",
        seen_at=datetime(2026, 11, 27, 2, tzinfo=UTC),
    )
    adjust = Signature((Person(), Points(over_cap="超过 {cap}"), Reason()))
    for message in (
        _message("", LI, " 5 整理 资料"),
        _message(" 5 整理 资料", LI),  # @ 写在后面也认
        _message(f"{LI} 5 整理 资料"),  # 直接写 QQ 号
    ):
        got = await adjust.parse(message, _ctx())
        assert (got.member, got.amount, got.reason) == (LI, 5, "整理 资料")
    with pytest.raises(UsageError) as two:
        await adjust.parse(_message("", LI, " ", ADMIN, " 5 整理资料"), _ctx())
    assert two.value.reason == "请 @ 一位成员。"
    for nobody in ("5 整理资料", "13800000000 5 整理资料", "20003 5 整理资料"):
        # 没写人；手机号、没在群里出现过的号码都不是一个人
        with pytest.raises(UsageError) as none:
            await adjust.parse(_message(nobody), _ctx())
        assert none.value.reason == "请 @ 一位成员。"
    with pytest.raises(UsageError) as zero:
        await adjust.parse(_message("", LI, " 0 整理资料"), _ctx())
    assert zero.value.reason == "分数应为正整数。"
    with pytest.raises(UsageError) as no_reason:
        await adjust.parse(_message("", LI, " 5"), _ctx())
    assert no_reason.value.reason == "请写明理由。"
    # 写法都对时才看上限：先说写法，再说能不能做
    with pytest.raises(Refusal) as over:
        await adjust.parse(_message("", LI, " 51 整理资料"), _ctx())
    assert over.value.message == "超过 50"
    got = await adjust.parse(_message("", LI, " 51 整理资料"), _ctx(Role.CHAIRMAN))
    assert got.amount == 51


async def test_usage_is_generated_from_the_declaration(app: App) -> None:
    from plugins.core.args import Choice, Month, Person, Points, Reason, Signature, entry_id

    assert Signature((Person(), Points(), Reason())).usage("加分") == "/加分 @某人 分数 理由"
    assert Signature((entry_id(), Reason(optional=True))).usage("撤销") == "/撤销 编号 [理由]"
    assert (
        Signature((Person(optional=True), Month())).usage("积分明细")
        == "/积分明细 [@某人] [YYYY-MM]"
    )
    assert (
        Signature((Choice("action", "操作", choices=("重载", "未进群")),)).usage("名单")
        == "/名单 重载 或 /名单 未进群"
    )
    assert Signature().usage("群规") == "/群规"


async def test_a_future_month_is_refused_by_the_points_commands_too(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("/积分明细 2026-12"))
        expect_group(ctx, "2026-12 还没到。")
        ctx.receive_event(bot, fake.group_message("/排行 2027-01"))
        expect_group(ctx, "2027-01 还没到。")


async def test_a_qq_number_names_the_member_like_a_mention(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("在", user_id=LI, card=LI_CARD))
        ctx.receive_event(
            bot,
            fake.group_message(
                f"/加分 {LI} 5 整理资料", user_id=ADMIN, card="鸡公山酒业-王管-13700000000"
            ),
        )
        expect_group(ctx, "已记录 #1：李四 +5 分（整理资料）。李四 本月合计 5 分。")
        ctx.receive_event(bot, fake.group_message([text("/积分 "), at(LI)]))
        expect_group(
            ctx, "李四 本月（2026-11）积分 5 分，第 1 名 / 共 3 人；累计 5 分；本月记录 1 条。"
        )
        ctx.receive_event(bot, fake.group_message(f"/积分 {LI}"))
        expect_group(
            ctx, "李四 本月（2026-11）积分 5 分，第 1 名 / 共 3 人；累计 5 分；本月记录 1 条。"
        )


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("#12", 12),
        ("＃12", 12),  # 中文输入法全角的 #：和全角数字一样认
        ("＃１２", 12),
        ("#１２", 12),
    ],
)
async def test_an_entry_id_written_with_a_full_width_hash(
    app: App, written: str, value: int
) -> None:
    from plugins.core.args import Signature, entry_id

    assert (await Signature((entry_id(),)).parse(_message(written), _ctx())).entry_id == value


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("2026-11-05", "2026-11-05"),
        ("２０２６-１１-０５", "2026-11-05"),  # 全角数字：月份认，日期也认（同一条“写的数字”规则）
        ("２０２６－１１－０５", "2026-11-05"),
        ("20261105", None),  # 用法写的是 YYYY-MM-DD：别的 ISO 写法不认
        ("2026-W45-4", None),
        ("2026-11-5", None),
    ],
)
async def test_a_day_is_written_yyyy_mm_dd_in_any_width(
    app: App, written: str, day: str | None
) -> None:
    from datetime import date

    from plugins.core.args import Day, Signature
    from plugins.core.refusals import UsageError

    signature = Signature((Day(),))
    if day is None:
        with pytest.raises(UsageError):
            await signature.parse(_message(written), _ctx())
    else:
        parsed = await signature.parse(_message(written), _ctx())
        assert parsed.day == date.fromisoformat(day)
