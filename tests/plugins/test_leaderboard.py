"""/月榜 与 /导出（nonebug）：预览不结算，公布过的月份重发快照，导出的表格打开后核对单元格。"""

import base64
from datetime import date, datetime
from pathlib import Path

import pytest
from nonebot.adapters.onebot.v11 import Message, MessageSegment
from nonebug import App
from openpyxl import load_workbook

from qungui import board_image, ledger, members, month_end, months, rules
from qungui.models import JobRun, LedgerEntry, MonthClose
from tests import fake
from tests.fake import ADMIN, CHAIRMAN, SHARE_GROUP, SUPERUSER

from .conftest import FileAsBase64, expect_group, expect_private, make_bot, patch_policy


@pytest.fixture
def no_fonts(monkeypatch: pytest.MonkeyPatch) -> None:
    board_image.forget_fonts()
    monkeypatch.setattr(board_image, "system_cjk_font", lambda: None)
    yield
    board_image.forget_fonts()


async def some_shares() -> None:
    from plugins.core import policies

    policy = policies.get("jgs")
    for user, name, days in [(20001, "张三", 3), (20002, "李四", 1)]:
        await members.upsert(
            "jgs",
            SHARE_GROUP,
            user,
            datetime(2026, 10, 1, tzinfo=policy.tz),
            card=f"鸡公山酒业-{name}-13800000000",
            nickname=name,
            role="member",
        )
        for day in range(1, days + 1):
            for month in (10, 11):
                await ledger.award(
                    org="jgs",
                    user_id=user,
                    rule=rules.SHARE_DAILY,
                    period=f"2026-{month}-{day}",
                    delta=1,
                    business_date=date(2026, month, day),
                    now=datetime(2026, month, day, 9, tzinfo=policy.tz),
                )
    return policy


def admin_in_share_group(ctx, bot, text: str, user: int = ADMIN) -> None:
    ctx.receive_event(
        bot,
        fake.group_message(
            text, user_id=user, group_id=SHARE_GROUP, card="鸡公山酒业-王管-13700000000"
        ),
    )


# 发命令的管理员也在群里出现过：本月按 0 分计入
BOARD_NOV = (
    "【鸡公山酒业 2026年11月 积分排行】（本月预览，尚未结算）\n"
    "前 3 名：\n"
    "1. 张三 3 分（分享 3 天）\n"
    "2. 李四 1 分（分享 1 天）\n"
    "3. 王管 0 分（分享 0 天）\n"
    "共 3 人，平均 1.3 分；这个月没有人连续分享满 27 天。"
)


async def test_preview_posts_text_only_without_fonts_and_settles_nothing(
    app: App, db, no_fonts
) -> None:
    await some_shares()
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        admin_in_share_group(ctx, bot, "/月榜")
        expect_group(ctx, BOARD_NOV, SHARE_GROUP)
        admin_in_share_group(ctx, bot, "/月榜", user=20002)
        expect_group(ctx, "「/月榜」需要管理员及以上权限，你现在是成员。", SHARE_GROUP)
        admin_in_share_group(ctx, bot, "/月榜 2026-13")
        expect_group(
            ctx,
            "月份应写作 YYYY-MM，例如 2026-10。\n用法：/月榜 [YYYY-MM]\n例如：/月榜 2026-10",
            SHARE_GROUP,
        )
    assert not await MonthClose.exists()
    assert not await months.is_frozen("jgs", date(2026, 11, 1))


async def test_a_posted_month_is_reposted_from_its_snapshot_with_the_image(app: App, db) -> None:
    policy = await some_shares()
    now = datetime(2026, 11, 1, 9, tzinfo=policy.tz)
    await month_end.take_snapshot(policy, "2026-10", [], now)
    # 快照之后张三改了名片：重发的仍是当时公布的名字
    await members.upsert("jgs", SHARE_GROUP, 20001, now, card="鸡公山酒业-张叁-13800000000")
    board = await month_end.stored_board(policy, "2026-10")
    board_image.forget_fonts()
    png = board_image.render(policy, board, board_image.find_font(policy))
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        admin_in_share_group(ctx, bot, "/月榜 2026-10")
        expect_group(
            ctx,
            "【鸡公山酒业 2026年10月 积分排行】\n前 2 名：\n"
            "1. 张三 3 分（分享 3 天）\n2. 李四 1 分（分享 1 天）\n"
            "共 2 人，平均 2.0 分；这个月没有人连续分享满 27 天。",
            SHARE_GROUP,
        )
        image = MessageSegment.image(f"base64://{base64.b64encode(png).decode()}")
        ctx.should_call_api(
            "send_group_msg",
            {"group_id": SHARE_GROUP, "message": Message(image)},
            result={"message_id": 1},
        )


async def test_export_is_uploaded_in_private_and_kept_on_disk(
    app: App, db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import plugins.leaderboard as leaderboard

    monkeypatch.setattr(leaderboard, "export_folder", lambda: tmp_path)
    await some_shares()
    path = tmp_path / "jgs" / "鸡公山酒业-2026年10月积分.xlsx"
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        admin_in_share_group(ctx, bot, "/导出")
        expect_group(ctx, "导出文件里有全员的记录，请私聊机器人发 /导出。", SHARE_GROUP)
        ctx.receive_event(bot, fake.private_message("/导出", user_id=ADMIN))
        ctx.should_call_api(
            "upload_private_file",
            {"user_id": ADMIN, "file": FileAsBase64(path), "name": path.name},
            result=None,
        )
        expect_private(
            ctx,
            "已导出积分表「鸡公山酒业-2026年10月积分.xlsx」（排行、分享、账本三张表），文件已发给你。",
            ADMIN,
        )
    book = load_workbook(path)
    assert [row for row in book["排行"].iter_rows(min_row=2, values_only=True)] == [
        (1, "张三", 20001, 3, 3, None),
        (2, "李四", 20002, 1, 1, None),
    ]
    assert [c.value for c in book["分享"][3]][:6] == ["李四", 20002, 1, "✓", "—", "—"]
    assert book["账本"].max_row == 1 + 4


async def test_export_says_where_the_file_is_when_upload_is_unsupported(
    app: App, db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nonebot.adapters.onebot.v11 import ActionFailed

    import plugins.leaderboard as leaderboard

    monkeypatch.setattr(leaderboard, "export_folder", lambda: tmp_path)
    path = tmp_path / "jgs" / "鸡公山酒业-2026年11月积分.xlsx"
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.private_message("/导出 2026-11", user_id=ADMIN))
        ctx.should_call_api(
            "upload_private_file",
            {"user_id": ADMIN, "file": FileAsBase64(path), "name": path.name},
            exception=ActionFailed(
                status="failed", retcode=1404, message="不支持的Api", wording=""
            ),
        )
        expect_private(
            ctx,
            "已导出积分表「鸡公山酒业-2026年11月积分.xlsx」，但没能发给你（不支持的Api）。"
            "请稍后再发一次 /导出，或请运维转交。",
            ADMIN,
        )
    assert path.is_file()


async def test_weekly_duty_is_caught_up_after_downtime(
    app: App, db, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plugins.core import policies, runner

    patch_policy(monkeypatch, "duty", members=[ADMIN])
    tz = policies.get("jgs").tz
    await runner.run_due(policies.all, datetime(2026, 11, 20, 12, tzinfo=tz))  # 装上的那一刻
    # 停机到 12 月 9 日：错过的三个周一都补上，每周一次
    ran = await runner.run_due(policies.all, datetime(2026, 12, 9, 12, tzinfo=tz))
    assert {f"duty.weekly:jgs:2026-W{week}" for week in (47, 48, 49)} <= set(ran)
    assert "duty.weekly:jgs:2026-W49" not in await runner.run_due(
        policies.all, datetime(2026, 12, 9, 13, tzinfo=tz)
    )
    rows = await LedgerEntry.filter(rule="duty.weekly").order_by("id")
    assert [(r.user_id, r.delta, r.business_date, r.reason) for r in rows] == [
        (ADMIN, 5, date(2026, 11, 23), "第 47 周（11-16 至 11-22）群管理值班"),
        (ADMIN, 5, date(2026, 11, 30), "第 48 周（11-23 至 11-29）群管理值班"),
        (ADMIN, 5, date(2026, 12, 7), "第 49 周（11-30 至 12-06）群管理值班"),
    ]


async def test_undoing_an_entry_of_a_frozen_month_needs_the_chairman(app: App, db) -> None:
    policy = await some_shares()
    await months.freeze(policy.id, "2026-10", datetime(2026, 11, 1, 9, tzinfo=policy.tz))
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        admin_in_share_group(ctx, bot, "/撤销 1 填错了")
        expect_group(
            ctx,
            "#1 属于 2026-10，该月排行已公布并冻结：只有主席写明理由才能撤销（/撤销 1 理由）。",
            SHARE_GROUP,
        )
        admin_in_share_group(ctx, bot, "/撤销 1 主席复核：那天是转载", user=CHAIRMAN)
        expect_group(
            ctx,
            "已撤销 #1（张三 +1 分，每日分享），撤销记录 #9。张三 2026-10 合计 2 分。",
            SHARE_GROUP,
        )


@pytest.fixture
def quick_sender(monkeypatch: pytest.MonkeyPatch):
    """唯一的发送器：暂停只要几十毫秒，不另发暂停通知，账号状态用完即弃。"""
    from plugins.core import sender

    monkeypatch.setattr(sender, "backoff_start", 0.01)
    monkeypatch.setattr(sender, "on_backoff", None)
    monkeypatch.setattr(sender, "accounts", {})
    return sender


def month_close_runner(reports: list[str]):
    from plugins.core import runner
    from qungui.jobs import JobRunner

    async def report(text: str) -> None:
        reports.append(text)

    only = JobRunner(report=report)
    only.register(runner.jobs["month.close"])
    return only


BOARD_TEXT_NOV = (
    "【鸡公山酒业 2026年11月 积分排行】\n前 2 名：\n"
    "1. 张三 3 分（分享 3 天）\n2. 李四 1 分（分享 1 天）\n"
    "共 2 人，平均 2.0 分；这个月没有人连续分享满 27 天。"
)


async def test_a_month_post_refused_for_a_whole_day_is_given_up_and_reported(
    app: App, db, clock_at, no_fonts, quick_sender
) -> None:
    from nonebot.adapters.onebot.v11 import ActionFailed

    policy = await some_shares()
    reports: list[str] = []
    jobs = month_close_runner(reports)
    await jobs.run_due([policy], datetime(2026, 11, 20, tzinfo=policy.tz))
    refused = ActionFailed(**fake.RESPONSES["send_fail_napcat_risk_control"])
    text = {"group_id": SHARE_GROUP, "message": Message(MessageSegment.text(BOARD_TEXT_NOV))}
    async with app.test_api() as ctx:
        make_bot(ctx)
        ctx.should_call_api("send_group_msg", text, exception=refused)
        ctx.should_call_api("send_group_msg", text, exception=refused)
        due = datetime(2026, 12, 1, 9, 0, 10, tzinfo=policy.tz)
        clock_at(due)
        assert await jobs.run_due([policy], due) == ["month.close:jgs:2026-11"]
        napcat_says = refused.info["message"]
        assert reports == [
            f"任务 month.close（jgs）周期 2026-11：2026-11 月榜没有发到群 987654322（{napcat_says}），"
            "之后每分钟再试，最晚到 12-02 09:00"
        ]
        # 一天过去，风控还没解除：不再发，告诉超级用户可以手动发
        day_later = datetime(2026, 12, 2, 9, 1, tzinfo=policy.tz)
        clock_at(day_later)
        assert await jobs.run_due([policy], day_later) == ["month.close:jgs:2026-11"]
    assert reports[1:] == [
        "任务 month.close（jgs）周期 2026-11 已做完：2026-11：连续分享奖励 0 人，2 人上榜，"
        "2026-11 月榜一天内没能发到群 987654322，不再自动发；可用 /月榜 2026-11 手动发"
    ]
    assert await jobs.run_due([policy], day_later) == []
    assert await JobRun.get(job="month.close.post").values_list("note") == ("过期未发",)


async def test_a_month_post_that_timed_out_is_not_sent_again(
    app: App, db, clock_at, no_fonts, quick_sender
) -> None:
    from nonebot.adapters.onebot.v11 import NetworkError

    policy = await some_shares()
    reports: list[str] = []
    jobs = month_close_runner(reports)
    await jobs.run_due([policy], datetime(2026, 11, 20, tzinfo=policy.tz))
    text = {"group_id": SHARE_GROUP, "message": Message(MessageSegment.text(BOARD_TEXT_NOV))}
    async with app.test_api() as ctx:
        make_bot(ctx)
        # 等回执超时：帖子可能已经在群里，重发可能让群里有两份
        ctx.should_call_api("send_group_msg", text, exception=NetworkError("timeout"))
        due = datetime(2026, 12, 1, 9, 0, 10, tzinfo=policy.tz)
        clock_at(due)
        assert await jobs.run_due([policy], due) == ["month.close:jgs:2026-11"]
        assert await jobs.run_due([policy], datetime(2026, 12, 1, 9, 1, tzinfo=policy.tz)) == []
    close = await JobRun.get(job="month.close")
    assert close.finished_at is not None
    assert close.note.endswith(
        "2026-11 月榜可能没有发出（等 NapCat 回执超时），不知道群 987654322 里有没有，不再自动发；"
        "请核对，没有的话用 /月榜 2026-11 手动发"
    )
    assert reports == []


def test_board_text_has_top_bottom_and_totals_without_phones() -> None:
    from plugins.core import policies
    from plugins.leaderboard.replies import board_text

    policy = policies.get("jgs")
    names = "甲乙丙丁戊己庚辛壬癸"
    rows = [month_end.Row(n, n, f"成员{names[n - 1]}", 11 - n, 11 - n, False) for n in range(1, 11)]
    board = month_end.MonthBoard("鸡公山酒业", "2026-11", rows, posted=True)
    late = datetime(2026, 12, 1, 9, tzinfo=policy.tz)
    assert board_text(policy, board, late_since=late) == (
        "【鸡公山酒业 2026年11月 积分排行】\n"
        "前 3 名：\n"
        "1. 成员甲 10 分（分享 10 天）\n"
        "2. 成员乙 9 分（分享 9 天）\n"
        "3. 成员丙 8 分（分享 8 天）\n"
        "下月加油：\n"
        "6. 成员己 5 分（分享 5 天）\n"
        "7. 成员庚 4 分（分享 4 天）\n"
        "8. 成员辛 3 分（分享 3 天）\n"
        "9. 成员壬 2 分（分享 2 天）\n"
        "10. 成员癸 1 分（分享 1 天）\n"
        "共 10 人，平均 5.5 分；这个月没有人连续分享满 27 天。\n"
        "（本帖晚于原定的 12月1日 09:00 发出）"
    )
    small = month_end.MonthBoard("鸡公山酒业", "2026-11", rows[:4], posted=True)
    assert "下月加油：\n4. 成员丁" in board_text(policy, small)
    empty = month_end.MonthBoard("鸡公山酒业", "2026-12", [], posted=False)
    assert board_text(policy, empty, preview=True) == (
        "【鸡公山酒业 2026年12月 积分排行】（本月预览，尚未结算）\n这个月没有人参与统计。"
    )


async def test_export_names_a_timeout_in_words(
    app: App, db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """大文件以 base64 传给 NapCat，等回执超时并不少见：回复说清楚是什么情况，而不是“错误码 ?”。"""
    from nonebot.adapters.onebot.v11 import NetworkError

    import plugins.leaderboard as leaderboard

    monkeypatch.setattr(leaderboard, "export_folder", lambda: tmp_path)
    path = tmp_path / "jgs" / "鸡公山酒业-2026年11月积分.xlsx"
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.private_message("/导出 2026-11", user_id=ADMIN))
        ctx.should_call_api(
            "upload_private_file",
            {"user_id": ADMIN, "file": FileAsBase64(path), "name": path.name},
            exception=NetworkError("WebSocket call api upload_private_file timeout"),
        )
        expect_private(
            ctx,
            "已导出积分表「鸡公山酒业-2026年11月积分.xlsx」，但没能发给你（等 NapCat 回执超时）。"
            "请稍后再发一次 /导出，或请运维转交。",
            ADMIN,
        )
        # 运维能到机器人所在的机器上取文件：只有他看到路径
        ctx.receive_event(bot, fake.private_message("/导出 2026-11", user_id=SUPERUSER))
        ctx.should_call_api(
            "upload_private_file",
            {"user_id": SUPERUSER, "file": FileAsBase64(path), "name": path.name},
            exception=NetworkError("WebSocket call api upload_private_file timeout"),
        )
        expect_private(
            ctx,
            "已导出积分表「鸡公山酒业-2026年11月积分.xlsx」，但没能发给你（等 NapCat 回执超时）；"
            f"文件在机器人所在机器上：{path.resolve()}",
            SUPERUSER,
        )


def test_board_text_follows_the_policy_words() -> None:
    from plugins.core import policies
    from plugins.leaderboard.replies import board_text

    shipped = policies.get("jgs")
    policy = shipped.model_copy(
        update={
            "leaderboard": shipped.leaderboard.model_copy(
                update={"bottom_title": "本月还要加把劲：", "top": 1, "bottom": 1}
            ),
            "share": shipped.share.model_copy(update={"streak_consecutive": False}),
        }
    )
    rows = [
        month_end.Row(1, 1, "成员甲", 30, 28, True),
        month_end.Row(2, 2, "成员乙", 29, 27, True),
        month_end.Row(3, 3, "成员丙", 3, 3, False),
    ]
    board = month_end.MonthBoard("鸡公山酒业", "2027-01", rows, posted=True)
    assert board_text(policy, board) == (
        "【鸡公山酒业 2027年1月 积分排行】\n"
        "前 1 名：\n"
        "1. 成员甲 30 分（分享 28 天）\n"
        "本月还要加把劲：\n"
        "3. 成员丙 3 分（分享 3 天）\n"
        "共 3 人，平均 20.7 分；2 人累计分享满 27 天，各得 20 分。"
    )


def test_export_file_is_named_after_the_org_and_month() -> None:
    from plugins.core import policies
    from plugins.leaderboard import export_name

    policy = policies.get("jgs")
    assert export_name(policy, "2026-11") == "鸡公山酒业-2026年11月积分.xlsx"
    # 组织名里有文件名不能用的字符：换掉，人事那边照样打得开
    odd = policy.model_copy(
        update={"org": policy.org.model_copy(update={"name": "鸡公山/酒业:总部"})}
    )
    assert export_name(odd, "2027-01") == "鸡公山_酒业_总部-2027年1月积分.xlsx"


async def test_a_month_nobody_was_in_is_settled_but_not_posted(
    app: App, db, clock_at, no_fonts, quick_sender
) -> None:
    # 装上机器人的那天，上个月谁也没见过：不在公司群里贴一张空榜
    from plugins.core import policies

    policy = policies.get("jgs")
    jobs = month_close_runner([])
    await jobs.run_due([policy], datetime(2026, 11, 20, tzinfo=policy.tz))
    async with app.test_api() as ctx:
        make_bot(ctx)  # 发任何消息都会让 nonebug 报“没想到的调用”
        due = datetime(2026, 12, 1, 9, 0, 10, tzinfo=policy.tz)
        clock_at(due)
        assert await jobs.run_due([policy], due) == ["month.close:jgs:2026-11"]
    (note,) = await JobRun.filter(job="month.close").values_list("note", flat=True)
    assert note.endswith("0 人上榜，没有人参与统计，未发帖")
