import asyncio
import shutil
from pathlib import Path

import pytest
from nonebug import App

from qungui.outgoing import mask_digits, split_text
from qungui.roles import Role
from tests import fake
from tests.fake import SUPERUSER

from .conftest import expect_group, expect_private, make_bot, patch_policy

RULES_FOR_MEMBERS = (
    "【鸡公山酒业 群规】\n"
    "一、群名片须为：鸡公山酒业-你的姓名-你的11位手机号（新成员 3 天内改好；之后仍不规范，每天扣 10 分）\n"
    "二、每天在分享群发一条原创分享（至少 20 字），加 1 分；转载、合并转发不加分。"
    "当天 24:00 前发都算，特殊情况可到次日 02:00\n"
    "三、一个月内连续分享 27 天以上，奖励 20 分；被评为经典分享，每条再加 5 分\n"
    "四、违规警告：口头警告 不扣分；不良信息 -5 分；泄露他人信息 -5 分；"
    "严重违规 -200 至 -2000 分（范围处罚由主席决定）\n"
    "    30 天内被警告 3 次，通知主席与管理员处理\n"
    "    机器人会留意：赌博、发票广告、陌生链接、他人隐私号码、刷屏；看到违规可回复那条消息发 /举报\n"
    "五、每月 1 日 09:00 公布上月积分排行（前 3 名与末尾）\n"
    "对自己的某条积分记录有异议，记录写下后 7 天内可发 /申诉 编号 理由（如 /申诉 #12 那天我发过原创分享），"
    "由另一位管理员复核，主席写的记录由主席复核；成立的撤销那条记录，结果私聊告诉你"
)


async def test_the_rules_show_the_card_format_in_words_and_no_caps_to_members(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("/群规"))
        expect_group(ctx, RULES_FOR_MEMBERS)


async def test_admins_also_read_the_caps_per_role(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("/群规", user_id=fake.ADMIN, role="admin"))
        expect_group(ctx, RULES_FOR_MEMBERS + "\n管理员单次加/扣分上限 50 分，主席 2000 分。")


async def test_rule_items_are_numbered_as_listed(app: App, db, monkeypatch) -> None:
    patch_policy(monkeypatch, "duty", members=[fake.ADMIN])
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("/群规"))
        expect_group(
            ctx,
            RULES_FOR_MEMBERS.replace(
                "五、每月 1 日", "五、群管理员、统计员每周加 5 分\n六、每月 1 日"
            ),
        )


MEMBER_COMMANDS = (
    "群规助手命令（[ ] 内可省略）：\n"
    "/申诉 编号 申诉理由 —— 对自己的一条积分记录提出申诉，交另一位管理员复核；例：/申诉 #12 那天我发过原创分享\n"
    "/申诉记录 [@某人] —— 申诉和各自的结果（看别人的需管理员）；例：/申诉记录 @张三\n"
    "/改名片 [@某人] 姓名 手机号 —— 机器人按规范格式设置群名片（给别人改需管理员）；"
    "例：/改名片 张三 你的11位手机号\n"
    "/申报 项目 [说明]（附截图） —— 申报制度里列出的、机器人看不到的加分项，附截图交管理员确认；"
    "例：/申报 客户表扬 王总来电表扬我的服务（附截图）\n"
    "/已转发 推N（附截图） —— 申报已把某次推广转发到朋友圈，附截图；截止前每次推广报一次；"
    "例：/已转发 推3（附朋友圈截图）\n"
    "/请假 [@某人] 开始 [结束] 事由 —— 为自己申请请假，管理员确认后生效（给别人记需管理员）；"
    "请假的日子不提醒分享；例：/请假 12-08 12-10 回老家办事 或 /请假 @张三 12-08 病假\n"
    "/积分 [@某人] —— 本月积分、排名、累计积分；例：/积分 或 /积分 @张三\n"
    "/积分明细 [@某人] [YYYY-MM] —— 某月的每一条积分记录（看别人的需管理员；警告的理由私聊查看）；"
    "例：/积分明细 2026-10\n"
    "/排行 [YYYY-MM] —— 某月积分排行前几名；例：/排行 或 /排行 2026-10\n"
    "/今日分享 [提醒] —— 今天的分享交了没有；管理员看全员，加“提醒”会 @ 没交的人；例：/今日分享\n"
    "/群规 —— 本组织的群规和分值；例：/群规\n"
    "/帮助 [全部] —— 你能用的命令和例子；加“全部”列出所有命令；例：/帮助\n"
    "/警告记录 [@某人] —— 近期的警告（看别人的需管理员）；例：/警告记录 @张三\n"
    "回复那条消息：/举报 [理由] —— 举报一条违规消息，交管理员审核；例：（回复一条消息）/举报 发赌博链接\n"
    "/后台（私聊） —— 网页后台的一次性登录链接，在浏览器里看今日、本月、待审等；例：/后台"
)
MEMBER_HELP = MEMBER_COMMANDS + "\n管理员的命令：私聊机器人发 /帮助，或发 /帮助 全部 列出所有命令。"


def _expect_long(ctx, lines: list[str], user_id: int | None = None) -> None:
    """全部命令超过一条消息的字数：发送出口按行拆成几条发。"""
    for part in split_text(mask_digits("\n".join(lines))):
        if user_id is None:
            expect_group(ctx, part)
        else:
            expect_private(ctx, part, user_id)


def _help_lines(commands) -> list[str]:
    ordered = sorted(commands, key=lambda c: (c.listed_for, c.handler.__module__))
    return ["群规助手命令（[ ] 内可省略）："] + [
        f"{c.usage} —— {c.summary}；例：{c.example}" for c in ordered
    ]


async def test_help_in_a_group_lists_what_a_member_may_use(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("/帮助"))
        expect_group(ctx, MEMBER_HELP)
        # 全群都看得到回复：管理员在群里问，也只列成员的命令，管理员的私聊看
        ctx.receive_event(bot, fake.group_message("/帮助", user_id=fake.ADMIN, role="admin"))
        expect_group(ctx, MEMBER_HELP)


async def test_help_in_private_lists_what_the_asker_may_use(app: App, db) -> None:
    from plugins.core import router

    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("在"))
        ctx.receive_event(bot, fake.private_message("/帮助", user_id=20001))
        hidden = len([c for c in router.commands.values() if c.listed_for > Role.MEMBER])
        expect_private(
            ctx,
            MEMBER_COMMANDS + f"\n另有 {hidden} 条命令需要更高的权限，发 /帮助 全部 可以看到。",
            20001,
        )
        ctx.receive_event(bot, fake.private_message("/帮助", user_id=fake.ADMIN))
        shown = [
            c for c in router.commands.values() if c.name not in ("状态", "重载群规", "群列表")
        ]
        lines = [*_help_lines(shown), "另有 3 条命令需要更高的权限，发 /帮助 全部 可以看到。"]
        _expect_long(ctx, lines, fake.ADMIN)
    assert (
        "/加分 @某人 分数 理由 —— 给成员加分（管理员）；例：/加分 @张三 5 协助整理客户资料" in lines
    )
    assert any(line.startswith("/通知状态 ") for line in lines)


async def test_help_all_shows_every_command_to_anyone(app: App, db) -> None:
    from plugins.core import router

    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("/帮助 全部"))
        lines = _help_lines(router.commands.values())
        _expect_long(ctx, lines)
        ctx.receive_event(bot, fake.group_message("/帮助 别的"))
        expect_group(ctx, "用法：/帮助 [全部]\n例如：/帮助")
    assert "/状态 —— 连接、发送、定时任务与数据库状态（超级用户私聊）；例：/状态" in lines


def test_every_command_is_in_its_plugins_usage_and_every_plugin_is_for_onebot_v11(app: App) -> None:
    import nonebot

    from plugins.core import router

    ours = {
        p.module_name: p
        for p in nonebot.get_loaded_plugins()
        if p.module_name.startswith("plugins.")
    }
    assert {"plugins.core", "plugins.points", "plugins.warnings", "plugins.system"} <= set(ours)
    for plugin in ours.values():
        assert plugin.metadata is not None
        assert plugin.metadata.supported_adapters == {"~onebot.v11"}, plugin.module_name
    for command in router.commands.values():
        (owner,) = [name for name in ours if command.belongs_to(name)]
        assert command.usage in ours[owner].metadata.usage.split("\n"), command.name
    # 一条不少：每个插件的 usage 恰好是它登记的命令
    lines = [
        line
        for p in ours.values()
        if p.module_name != "plugins.core"
        for line in p.metadata.usage.split("\n")
    ]
    assert sorted(lines) == sorted(c.usage for c in router.commands.values())


async def test_points_in_private_chat(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("在"))
        ctx.receive_event(bot, fake.private_message("/积分", user_id=20001))
        expect_private(
            ctx,
            "张三 本月（2026-11）积分 0 分，第 1 名 / 共 1 人；累计 0 分；本月记录 0 条。",
            20001,
        )
        # 私聊里只回答少数命令；别的命令说一声去群里发
        ctx.receive_event(bot, fake.private_message("/排行", user_id=20001))
        expect_private(ctx, "「/排行」要在群里发，私聊里不能用。", 20001)


def test_a_group_only_command_in_private_is_not_sent_to_a_help_that_lists_it_unmarked() -> None:
    """私聊发了群里的命令，回复若叫人去看 /帮助，私聊的 /帮助 就得分得出哪些命令私聊能用；
    它列出的成员命令（test_help_in_private_lists_what_the_asker_may_use）里，/排行 与私聊能用的
    /积分 看起来一样：那就别叫人去那里找。"""
    from plugins.core import replies

    told = replies.GROUP_ONLY.format(command="排行")
    listed = next(line for line in MEMBER_COMMANDS.split("\n") if line.startswith("/排行 "))
    assert "/帮助" not in told or "群" in listed


async def test_a_stranger_in_private_chat_is_told_why(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.private_message("/积分", user_id=99999))
        expect_private(ctx, "没有找到你所在的组织：请先在公司群里发言一次，或联系管理员。", 99999)


async def test_status_is_refused_to_a_member_and_kept_out_of_groups(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("在"))
        ctx.receive_event(bot, fake.private_message("/状态", user_id=20001))
        expect_private(ctx, "「/状态」需要超级用户及以上权限，你现在是成员。", 20001)
        ctx.receive_event(bot, fake.group_message("/状态", user_id=SUPERUSER))
        expect_group(ctx, "/状态 含运维信息，请私聊机器人查看。")


async def test_reload_keeps_the_old_policy_on_error(app: App, db, tmp_path: Path) -> None:
    from plugins.core import policies

    edited = tmp_path / "policy.toml"
    shutil.copy(policies.path, edited)
    original_path = policies.path
    policies.path = edited
    try:
        edited.write_text(edited.read_text("utf-8").replace('"10:00"', '"25:00"'), "utf-8")
        async with app.test_matcher() as ctx:
            bot = make_bot(ctx)
            ctx.receive_event(bot, fake.private_message("/重载群规", user_id=SUPERUSER))
            expect_private(
                ctx,
                "制度文件有误，仍使用原来的制度：\n"
                f"{edited}: nickname.check_time：应为 00:00 到 23:59 之间的时间，写作 HH:MM（现在是 '25:00'）",
                SUPERUSER,
            )
        assert policies.get("jgs").nickname.check_time == "10:00"

        edited.write_text(edited.read_text("utf-8").replace('"25:00"', '"11:00"'), "utf-8")
        async with app.test_matcher() as ctx:
            bot = make_bot(ctx)
            ctx.receive_event(bot, fake.private_message("/重载群规", user_id=SUPERUSER))
            expect_private(ctx, "已重新加载制度：鸡公山酒业（jgs）。", SUPERUSER)
        assert policies.get("jgs").nickname.check_time == "11:00"
    finally:
        policies.path = original_path
        policies.reload()


async def test_reload_names_a_gbk_file_instead_of_failing(app: App, db, tmp_path: Path) -> None:
    from plugins.core import policies

    edited = tmp_path / "policy.toml"
    edited.write_bytes(policies.path.read_text("utf-8").encode("gbk"))
    original_path = policies.path
    policies.path = edited
    try:
        async with app.test_matcher() as ctx:
            bot = make_bot(ctx)
            ctx.receive_event(bot, fake.private_message("/重载群规", user_id=SUPERUSER))
            expect_private(
                ctx,
                "制度文件有误，仍使用原来的制度：\n"
                f"{edited}: 不是 UTF-8 编码（第 1 行起，可能是 GBK）：请用 UTF-8 保存",
                SUPERUSER,
            )
        assert policies.get("jgs").org.name == "鸡公山酒业"
    finally:
        policies.path = original_path
        policies.reload()


async def test_a_failing_command_says_so_without_a_stack_trace(app: App, db, monkeypatch) -> None:
    import dataclasses

    from plugins.core import router

    async def broken(ctx) -> None:
        raise RuntimeError("数据库连接断了 /srv/secret/path")

    monkeypatch.setitem(
        router.commands, "群规", dataclasses.replace(router.commands["群规"], handler=broken)
    )
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("/群规"))
        expect_group(ctx, "处理这条命令时出错了，已记录日志，请联系管理员。")


def test_the_test_clock_route_exists_only_in_the_test_environment() -> None:
    import nonebot

    assert nonebot.get_driver().env != "test"
    paths = {getattr(route, "path", None) for route in nonebot.get_app().routes}
    assert "/onebot/v11/ws" in paths
    assert "/_test/clock" not in paths


async def test_shutdown_waits_for_the_clock_tick_that_is_running(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    # apscheduler 关闭时不等正在跑的任务：不等的话，这一下时钟会在关掉的库上出错
    import plugins.core.lifecycle as core

    order: list[str] = []
    release = asyncio.Event()

    async def slow_advance(now) -> list[str]:
        order.append("tick")
        await release.wait()
        order.append("tick done")
        return []

    async def close() -> None:
        order.append("closed")

    monkeypatch.setattr(core, "advance", slow_advance)
    monkeypatch.setattr(core, "close_database", close)
    monkeypatch.setattr(core, "_closing", False)
    tick = asyncio.create_task(core._tick())
    await asyncio.sleep(0.01)
    stop = asyncio.create_task(core._stop())
    await asyncio.sleep(0.05)
    assert order == ["tick"]
    release.set()
    await asyncio.gather(tick, stop)
    assert order == ["tick", "tick done", "closed"]
    await core._tick()  # 关闭之后再到点：什么也不做
    assert order == ["tick", "tick done", "closed"]


async def test_status_shows_a_failing_job_with_its_error(
    app: App, db, clock_at, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime, time

    import plugins.system as system
    from plugins.core import policies, sender
    from qungui.jobs import Job, JobRunner, Schedule

    async def broken(ctx) -> str:
        raise ConnectionError("数据库连接断开")

    runner = JobRunner()
    runner.register(Job("card.sweep", "daily", lambda _: Schedule(time(10, 0)), broken))
    monkeypatch.setattr(system, "runner", runner)
    monkeypatch.setattr(system, "db_url", "postgres://postgres@127.0.0.1:5432/qungui")
    monkeypatch.setattr(sender, "accounts", {})
    tz = policies.get("jgs").tz
    await runner.run_due(policies.all, datetime(2026, 11, 26, 8, tzinfo=tz))
    for minute in (0, 1, 2):
        await runner.run_due(policies.all, datetime(2026, 11, 27, 10, minute, 5, tzinfo=tz))
    clock_at(datetime(2026, 11, 27, 10, 2, 30, tzinfo=tz))
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.private_message("/状态", user_id=SUPERUSER))
        expect_private(
            ctx,
            "【群规助手状态】\n机器人连接：\n  10000 在线\n发送队列：\n  尚未发送过消息\n定时任务：\n"
            "  card.sweep@jgs 上次 无，下次 11-28 10:00\n"
            "    周期 2026-11-27 出错：ConnectionError: 数据库连接断开（已失败 2 次，11-27 10:03 再试）\n"
            "数据库：127.0.0.1:5432/qungui",
            SUPERUSER,
        )
