"""月底走真实进程：在发帖前、发帖后各被杀一次，重启后帖子只发一次、奖励只记一次；
月底那一刻机器人停着，连上后补发并注明迟到。"""

import asyncio
import contextlib
import io
import time
from pathlib import Path

import httpx

from tests.conftest import TEST_POLICY
from tests.fake import SHARE_GROUP, SUPERUSER, group_message_payload

from .harness import LONG_DIGITS, NAMES, ZHANG, BotProcess, FakeOneBot, share_text, ts

LI = 20002


def short_streak_policy(tmp_path: Path) -> Path:
    """连续 2 天就有奖励：测试只需要发几条分享。"""
    policy = tmp_path / "policy.toml"
    policy.write_text(
        TEST_POLICY.read_text("utf-8").replace("streak_days = 27", "streak_days = 2"), "utf-8"
    )
    return policy


async def connected(bot: BotProcess) -> FakeOneBot:
    qq = FakeOneBot(bot.ws_url)
    await qq.connect()
    return qq


async def share(qq: FakeOneBot, bot: BotProcess, user: int, day: int, *at: int) -> None:
    payload = group_message_payload(
        share_text(user, day),
        user_id=user,
        card=f"鸡公山酒业-{NAMES.get(user, '李四')}-13800000000",
        group_id=SHARE_GROUP,
        time=ts(*at),
    )
    before = await bot.count("SELECT COUNT(*) FROM share")
    await qq.send_event(payload)
    await bot.wait_count("SELECT COUNT(*) FROM share", before + 1, within=10)


def board_posts(qq: FakeOneBot) -> list[str]:
    return [c.text for c in qq.calls if c.action == "send_group_msg" and "积分排行】" in c.text]


async def crash_at(bot: BotProcess, step: str, moment: str) -> FakeOneBot:
    bot.extra_env = {"QUNGUI_TEST_CRASH_AT": step}
    bot.clock_start = moment
    await bot.start()
    qq = await connected(bot)
    # 到点后任务在 HTTP 请求里执行，进程中途退出：请求本身失败
    with contextlib.suppress(httpx.HTTPError):
        await bot.set_clock(moment)
    assert await bot.exited() == 137
    await qq.close()
    return qq


async def test_killed_before_and_after_the_post_posts_once_and_awards_once(tmp_path: Path) -> None:
    bot = BotProcess(workdir=tmp_path, policy=short_streak_policy(tmp_path))
    await bot.start()
    qq = await connected(bot)
    await share(qq, bot, ZHANG, 29, 2026, 11, 29, 9)
    await share(qq, bot, ZHANG, 30, 2026, 12, 1, 1, 59)  # 1 日 01:59：仍算 11 月 30 日
    await share(qq, bot, LI, 30, 2026, 11, 30, 10)
    await qq.close()
    assert await bot.stop() == 0

    first = await crash_at(bot, "month.close.before_post", "2026-12-01T09:00:10+08:00")
    assert board_posts(first) == []
    second = await crash_at(bot, "month.close.after_post", "2026-12-01T09:02:10+08:00")
    assert len(board_posts(second)) == 1  # 重跑：结算、冻结、快照可以重做，帖子发了一次就崩了

    bot.extra_env, bot.clock_start = {}, "2026-12-01T09:05:00+08:00"
    await bot.start()
    third = await connected(bot)
    try:
        await bot.set_clock("2026-12-01T09:06:00+08:00")  # 下一次走动：重跑没完成的结算
        await bot.set_clock("2026-12-01T10:00:00+08:00")
        assert board_posts(third) == []
        (told,) = await third.wait_for("send_private_msg")
        assert "month.close（jgs）周期 2026-11 上次中途停止" in told.text
        assert await third.group_says(
            "/排行 2026-11", user_id=LI, group_id=SHARE_GROUP, time=ts(2026, 12, 1, 10)
        ) == (
            "鸡公山酒业 2026-11 积分排行（共 2 人）\n"
            "1. 张三 22 分（分享 2 天）\n"
            "2. 李四 1 分（分享 1 天）"
        )
    finally:
        await third.close()
        assert await bot.stop() == 0
    assert await bot.count("SELECT COUNT(*) FROM ledger_entry WHERE rule = 'share.streak'") == 1
    assert await bot.count("SELECT COUNT(*) FROM job_run WHERE job = 'month.close.post'") == 1
    if bot.db_url.startswith("sqlite://"):
        assert (await bot.query("PRAGMA integrity_check")) == [("ok",)]
    for text in board_posts(second):
        assert not LONG_DIGITS.search(text)


async def test_a_month_end_missed_while_down_is_posted_late_on_connect(tmp_path: Path) -> None:
    bot = BotProcess(workdir=tmp_path, policy=short_streak_policy(tmp_path))
    await bot.start()
    qq = await connected(bot)
    await share(qq, bot, ZHANG, 30, 2026, 11, 30, 9)
    await qq.close()
    assert await bot.stop() == 0

    bot.clock_start = "2026-12-01T10:30:00+08:00"  # 9:00 那一刻机器人停着
    await bot.start()
    qq = await connected(bot)
    try:
        mark = len(qq.calls)
        assert "month.close:jgs:2026-11" in await bot.set_clock("2026-12-01T10:31:00+08:00")
        (post, _image) = await qq.wait_for(
            "send_group_msg",
            after=mark,
            count=2,
            where=lambda c: c.params["group_id"] == SHARE_GROUP,
        )
        # 群里只说晚发了，不宣布停机；为什么晚私聊告诉运维
        assert post.text.endswith("（本帖晚于原定的 12月1日 09:00 发出）")
        assert "停机" not in post.text
        assert post.text.startswith("【鸡公山酒业 2026年11月 积分排行】\n前 1 名：\n1. 张三 1 分")
        (told,) = await qq.wait_for(
            "send_private_msg", after=mark, where=lambda c: c.params["user_id"] == SUPERUSER
        )
        assert told.text == (
            "【群规助手】2026-11 月榜晚于原定的 12-01 09:00 发出：到点时月底任务没能执行"
            "（机器人没有运行、没连上 QQ，或出错后在重试），12-01 10:31 才发帖。群里只说了晚发，没说原因。"
        )
    finally:
        await qq.close()
        assert await bot.stop() == 0


async def test_board_preview_and_export_over_the_wire(running) -> None:
    from openpyxl import load_workbook

    from tests.fake import ADMIN

    qq = running.qq
    await share(qq, running.bot, ZHANG, 27, 2026, 11, 27, 9)
    preview = await qq.group_says("/月榜", user_id=ADMIN, group_id=SHARE_GROUP)
    assert preview.startswith(
        "【鸡公山酒业 2026年11月 积分排行】（本月预览，尚未结算）\n前 2 名：\n1. 张三 1 分"
    )
    # 预览的图片跟在文字后面发：等它发完，免得测试结束断开连接时它还在路上
    await qq.wait_for("send_group_msg", where=lambda c: is_image(c.params["message"]))
    assert await qq.group_says("/月榜", user_id=LI, group_id=SHARE_GROUP) == (
        "「/月榜」需要管理员及以上权限，你现在是成员。"
    )
    reply = await qq.private_says("/导出 2026-11", user_id=ADMIN)
    # 管理员拿不到机器人那台机器上的文件：回复里只有文件名，没有服务器上的路径
    assert reply == (
        "已导出积分表「鸡公山酒业-2026年11月积分.xlsx」（排行、分享、账本三张表），文件已发给你。"
    )
    (upload,) = await qq.wait_for("upload_private_file")
    assert (
        upload.params["user_id"] == ADMIN
        and upload.params["name"] == "鸡公山酒业-2026年11月积分.xlsx"
    )
    # 文件内容随请求以 base64:// 发过去（NapCat 不必读得到机器人的文件夹）；机器人这边也留一份
    assert upload.params["file"].startswith("base64://")
    (kept,) = (running.bot.workdir / "data").rglob("鸡公山酒业-2026年11月积分.xlsx")
    assert qq.files[kept.name] == await asyncio.to_thread(kept.read_bytes)
    book = load_workbook(io.BytesIO(qq.files["鸡公山酒业-2026年11月积分.xlsx"]))
    assert [c.value for c in book["排行"][2]][:4] == [1, "张三", ZHANG, 1]
    # 冻结前的本月可以预览，不会结算
    assert await running.bot.query("SELECT COUNT(*) FROM month_close") == [(0,)]


def is_image(message) -> bool:
    return isinstance(message, list) and [seg["type"] for seg in message] == ["image"]


def board_calls(qq: FakeOneBot, after: int = 0) -> list:
    """发往公告群（这里是分享群）的月榜：文字和紧跟其后的图片。"""
    return [
        c
        for c in qq.calls[after:]
        if c.action == "send_group_msg"
        and c.params["group_id"] == SHARE_GROUP
        and ("积分排行】" in c.text or is_image(c.params["message"]))
    ]


async def test_a_month_end_post_refused_is_delivered_later_once_across_a_restart(
    tmp_path: Path,
) -> None:
    from tests.fake import SUPERUSER

    bot = BotProcess(
        workdir=tmp_path,
        policy=short_streak_policy(tmp_path),
        extra_env={"QUNGUI_SEND_BACKOFF": "0.2"},
    )
    await bot.start()
    first = await connected(bot)
    await share(first, bot, ZHANG, 30, 2026, 11, 30, 9)
    first.risk_control_until = time.monotonic() + 3600  # NapCat 被风控：什么都发不出去
    assert "month.close:jgs:2026-11" in await bot.set_clock("2026-12-01T09:00:10+08:00")
    # 第一次和暂停后的那一次重发都被拒收
    refused, _again = board_posts(first)
    told = [c for c in first.calls if c.action == "send_private_msg" and "2026-11 月榜" in c.text]
    assert told[0].params["user_id"] == SUPERUSER
    assert "月榜没有发到群" in told[0].text and "之后每分钟再试，最晚到 12-02 09:00" in told[0].text
    ((unfinished, note),) = await bot.query(
        "SELECT finished_at IS NULL, note FROM job_run WHERE job = 'month.close.post'"
    )
    assert unfinished and note.startswith("未送达：")
    await first.close()
    assert await bot.stop() == 0

    # 重启：没丢，也还没发出
    bot.clock_start = "2026-12-01T09:30:00+08:00"
    await bot.start()
    second = await connected(bot)
    try:
        second.risk_control_until = time.monotonic() + 3600
        await bot.set_clock("2026-12-01T09:31:00+08:00")  # 重启后第一次走动：又被拒收
        assert len(board_posts(second)) == 2
        second.risk_control_until = 0.0  # 风控解除
        mark = len(second.calls)
        minute = 32
        while not board_calls(second, mark) and minute < 59:  # 等发送器的暂停结束
            await asyncio.sleep(0.5)
            await bot.set_clock(f"2026-12-01T09:{minute}:00+08:00")
            minute += 1
        (post, image) = board_calls(second, mark)
        assert post.text.startswith("【鸡公山酒业 2026年11月 积分排行】\n前 1 名：\n1. 张三 1 分")
        assert post.text == refused  # 送达的就是当时被拒收的那一份，不说“晚于原定”
        assert is_image(image.params["message"])
        (done,) = await second.wait_for(
            "send_private_msg", after=mark, where=lambda c: "month.close" in c.text
        )
        assert done.text == (
            "【群规助手】任务 month.close（jgs）周期 2026-11 已做完："
            "2026-11：连续分享奖励 0 人，1 人上榜，已发到群 987654322"
        )
        await bot.set_clock("2026-12-01T10:30:00+08:00")
        await bot.set_clock("2026-12-02T10:30:00+08:00")
        assert len(board_calls(second, mark)) == 2
    finally:
        await second.close()
        assert await bot.stop() == 0

    # 再重启一次：送达过的不会再发
    bot.clock_start = "2026-12-02T11:00:00+08:00"
    await bot.start()
    third = await connected(bot)
    try:
        await bot.set_clock("2026-12-02T11:01:00+08:00")
        await bot.idle()
        assert board_posts(third) == []
    finally:
        await third.close()
        assert await bot.stop() == 0
    assert await bot.query(
        "SELECT job, finished_at IS NOT NULL, note FROM job_run "
        "WHERE job LIKE 'month.close.post%' ORDER BY job"
    ) == [("month.close.post", 1, "已送达"), ("month.close.post.image", 1, "已送达")]
    assert "Traceback" not in bot.log()


async def test_a_month_close_that_raises_once_is_retried_without_a_restart_and_posted_once(
    tmp_path: Path,
) -> None:
    from tests.fake import SUPERUSER

    step = "month.close.before_post"  # 结算、冻结、快照之后，发帖之前出一次错
    bot = BotProcess(
        workdir=tmp_path,
        policy=short_streak_policy(tmp_path),
        extra_env={"QUNGUI_TEST_RAISE_AT": step},
    )
    await bot.start()
    qq = await connected(bot)
    try:
        await share(qq, bot, ZHANG, 29, 2026, 11, 29, 9)
        await share(qq, bot, ZHANG, 30, 2026, 11, 30, 9)
        assert "month.close:jgs:2026-11" not in await bot.set_clock("2026-12-01T09:00:10+08:00")
        assert board_posts(qq) == []
        (told,) = await qq.wait_for("send_private_msg", where=lambda c: "month.close" in c.text)
        assert told.params["user_id"] == SUPERUSER
        assert told.text == (
            "【群规助手】任务 month.close（jgs）周期 2026-11 出错："
            f"RuntimeError: 测试：在 {step} 处模拟出错。"
            "将自动重试（间隔 1、2、4… 分钟，最长 30 分钟，直到做完），做完时再告诉你。"
        )
        status = await qq.private_says("/状态", user_id=SUPERUSER)
        assert (
            "  month.close@jgs 上次 无，下次 01-01 09:00\n"
            f"    周期 2026-11 出错：RuntimeError: 测试：在 {step} 处模拟出错"
            "（已失败 1 次，12-01 09:01 再试）\n"
        ) in status

        mark = len(qq.calls)
        assert "month.close:jgs:2026-11" in await bot.set_clock("2026-12-01T09:01:10+08:00")
        (post, image) = board_calls(qq, mark)
        assert post.text.startswith("【鸡公山酒业 2026年11月 积分排行】\n前 1 名：\n1. 张三 22 分")
        assert "晚于原定" not in post.text
        assert is_image(image.params["message"])
        (done,) = await qq.wait_for(
            "send_private_msg", after=mark, where=lambda c: "month.close" in c.text
        )
        # 奖励在出错前那一次已经记下：重试再结算一遍，不再记
        assert done.text == (
            "【群规助手】任务 month.close（jgs）周期 2026-11 已做完："
            "2026-11：连续分享奖励 0 人，1 人上榜，已发到群 987654322"
        )
        status = await qq.private_says("/状态", user_id=SUPERUSER)
        assert "  month.close@jgs 上次 2026-11（12-01 09:01），下次 01-01 09:00\n" in status
        assert "出错" not in status
        for moment in ("2026-12-01T09:05:00+08:00", "2026-12-01T10:00:00+08:00"):
            assert not any("month.close" in ran for ran in await bot.set_clock(moment))
        await bot.idle()
        assert len(board_calls(qq)) == 2
    finally:
        await qq.close()
        assert await bot.stop() == 0
    assert await bot.count("SELECT COUNT(*) FROM ledger_entry WHERE rule = 'share.streak'") == 1
    assert await bot.query(
        "SELECT job, finished_at IS NOT NULL, note FROM job_run "
        "WHERE job LIKE 'month.close%' ORDER BY job"
    ) == [
        ("month.close", 1, "2026-11：连续分享奖励 0 人，1 人上榜，已发到群 987654322"),
        ("month.close.post", 1, "已送达"),
        ("month.close.post.image", 1, "已送达"),
    ]
