from pathlib import Path

import pytest
from nonebug import App

from tests import fake
from tests.fake import ADMIN, WORK_GROUP, member_info

from .conftest import expect_group, expect_private, make_bot, patch_policy
from .test_cards import expect_list

CSV = (
    "\ufeff姓名,手机,部门,QQ,状态\r\n"
    "张三,13800000001,销售部,20001,\r\n"
    "李四,13800000002,生产部,,\r\n"
    "王五,1380000000,行政部,,\r\n"
    "周八,13800000008,销售部,20008,离职\r\n"
)


@pytest.fixture
def roster_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(CSV, encoding="utf-8")
    patch_policy(monkeypatch, "roster", file=str(path))
    return path


async def test_reload_reports_rows_rejections_and_matches(app: App, db, roster_file: Path) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("在", card="鸡公山酒业-张三-13800000001"))
        ctx.receive_event(bot, fake.group_message("/名单 重载", user_id=ADMIN))
        expect_group(
            ctx,
            "名单已重新读取：有效 3 行，拒绝 1 行；1 位成员的名片对上了名单。\n第 4 行：手机号应为 11 位数字",
        )
        ctx.receive_event(bot, fake.group_message("/名单", user_id=ADMIN))
        expect_group(ctx, "用法：/名单 重载 或 /名单 未进群\n例如：/名单 未进群")


async def test_sweep_with_a_roster_reports_who_is_not_in_the_group(
    app: App, db, roster_file: Path
) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("/名片检查", user_id=ADMIN))
        expect_list(ctx, [member_info(20001, card="鸡公山酒业-张三-13800000001", join_time=1)])
        expect_group(
            ctx,
            "群规助手开始检查本群的群名片：请把群名片改为「鸡公山酒业-你的姓名-你的11位手机号」"
            "（或发 /改名片 姓名 手机号，由机器人代改）。"
            "11月30日 10:00 起仍不规范的，每天扣 10 分。",
        )
        expect_group(
            ctx,
            "以下名单上的同事还没有进公司群（或群名片没对上名单）：李四。"
            "管理员可私聊机器人 /名单 未进群 查看联系方式。",
        )
        expect_group(ctx, "名片检查：规范 1 人，还在改名片期限内 0 人，逾期 0 人，未进群 1 人。")
        ctx.receive_event(bot, fake.private_message("/名单 未进群", user_id=ADMIN))
        expect_private(ctx, "未进公司群 1 人：\n李四 13800000002 生产部（0 天）", ADMIN)
        ctx.receive_event(bot, fake.group_message("/名单 未进群", user_id=ADMIN))
        expect_group(ctx, "未进群名单含电话，请私聊机器人发送 /名单 未进群。", group_id=WORK_GROUP)
        ctx.receive_event(bot, fake.private_message("/名单 未进群", user_id=20001))
        expect_private(ctx, "「/名单」需要管理员及以上权限，你现在是成员。", 20001)


async def test_without_a_roster_the_command_says_so(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("/名单 重载", user_id=ADMIN))
        expect_group(ctx, "制度里没有配置人事名单（[roster] file）。")


async def test_a_chairman_who_cannot_be_reached_is_noted_and_the_operator_is_told(
    app: App, db, roster_file: Path
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from nonebot.adapters.onebot.v11 import ActionFailed, Message, MessageSegment

    from plugins.cards.sweeps import check_roster
    from plugins.core import policies
    from qungui.models import AbsenceCase

    cst = ZoneInfo("Asia/Shanghai")
    await AbsenceCase.create(
        org="jgs",
        phone="13800000002",
        name="李四",
        qq=None,
        opened_at=datetime(2026, 11, 20, 10, tzinfo=cst),
    )
    escalation = "名单上的同事登记 6 天后仍未进公司群，请处理：\n李四 13800000002 生产部"
    async with app.test_api() as ctx:
        bot = make_bot(ctx)
        expect_group(
            ctx,
            "以下名单上的同事还没有进公司群（或群名片没对上名单）：张三。"
            "管理员可私聊机器人 /名单 未进群 查看联系方式。",
        )
        # 主席没加机器人好友：私聊发不过去。这一级提醒不能只留一行日志
        ctx.should_call_api(
            "send_private_msg",
            {"user_id": 30002, "message": Message(MessageSegment.text(escalation))},
            exception=ActionFailed(
                status="failed", retcode=1400, data=None, message="对方不是你的好友", wording=""
            ),
        )
        expect_private(ctx, "【群规助手】" + escalation, fake.SUPERUSER)
        unsent: list[str] = []
        report = await check_roster(
            bot, policies.get("jgs"), datetime(2026, 11, 27, 10, tzinfo=cst), unsent
        )
    assert [row.name for row in report.escalated] == ["李四"]
    assert unsent == ["主席 30002（私聊）"]
