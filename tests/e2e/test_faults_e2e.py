"""故障：同样的 1,000 条事件上报两遍（交错）与上报一遍结果相同；一阵分享中途 kill -9，
重启后重放这一阵：一条不丢、一条不重，SQLite 文件完好。"""

import asyncio
import os
import signal
import time
from pathlib import Path

from tests.conftest import TEST_POLICY
from tests.fake import ADMIN, SHARE_GROUP, at, group_message_payload, text

from .harness import ApiCall, BotProcess, FakeOneBot, Running, ts

MEMBERS = list(range(21001, 21041))  # 40 人


def burst(self_id: int, days: range, with_commands: bool = True) -> list[dict]:
    """每人每天一条分享，外加给每人一次 /加分。"""
    found, message_id = [], 500000
    for day in days:
        for n, user in enumerate(MEMBERS):
            message_id += 1
            found.append(
                group_message_payload(
                    f"{user}号{day}日：今天跟经销商对了一遍库存，备货节奏要再提前两天才稳妥。",
                    user_id=user,
                    card=f"鸡公山酒业-成员{n:02d}-13800000000",
                    group_id=SHARE_GROUP,
                    time=ts(2026, 11, day, 9, n),
                    message_id=message_id,
                    self_id=self_id,
                )
            )
    if with_commands:
        for n, user in enumerate(MEMBERS):
            message_id += 1
            found.append(
                group_message_payload(
                    [text("/加分 "), at(user), text(" 2 协助盘点")],
                    user_id=ADMIN,
                    group_id=SHARE_GROUP,
                    time=ts(2026, 11, 26, 15, n),
                    message_id=message_id,
                    self_id=self_id,
                )
            )
    return found


async def settle(bot: BotProcess, expected: int) -> None:
    """等账本里有 expected 条，再等机器人把后面排着的事件（重放的那些）都处理完。"""
    await bot.wait_count("SELECT COUNT(*) FROM ledger_entry", expected, within=90)
    await bot.idle()


async def ledger_by_member(bot: BotProcess) -> list[tuple]:
    return await bot.query(
        "SELECT user_id, rule, COUNT(*), SUM(delta) FROM ledger_entry"
        " GROUP BY user_id, rule ORDER BY user_id, rule"
    )


async def test_every_event_twice_interleaved_equals_once(tmp_path: Path) -> None:
    events = burst(10000, range(1, 25))  # 40 × 24 天 + 40 条命令 = 1,000 条
    assert len(events) == 1000
    results = []
    # 第二遍：正序和倒序交替着来，每条事件的两次上报隔得有远有近
    twice = [e for pair in zip(events, reversed(events), strict=True) for e in pair]
    for name, delivery in [("once", events), ("twice", twice)]:
        workdir = tmp_path / name
        workdir.mkdir()
        bot = BotProcess(workdir=workdir, policy=TEST_POLICY)
        await bot.start()
        qq = FakeOneBot(bot.ws_url)
        await qq.connect()
        try:
            for payload in delivery:
                await qq.send_event(payload)
            await settle(bot, 24 * 40 + 40)
            results.append(await ledger_by_member(bot))
            replies = [c for c in qq.calls if c.action == "send_group_msg" and "已记录" in c.text]
            assert len(replies) == 40, name
        finally:
            await qq.close()
            assert await bot.stop() == 0
    once, twice = results
    assert once == twice
    assert len(once) == 80 and once[0][1:] == ("manual", 1, 2)
    assert once[1][1:] == ("share.daily", 24, 24)


async def test_kill_9_during_a_burst_then_replay_loses_and_doubles_nothing(tmp_path: Path) -> None:
    bot = BotProcess(workdir=tmp_path, policy=TEST_POLICY)
    await bot.start()
    qq = FakeOneBot(bot.ws_url)
    await qq.connect()
    events = burst(10000, range(1, 11), with_commands=False)  # 400 条分享
    for payload in events[:250]:
        await qq.send_event(payload)
    await asyncio.sleep(0.05)
    os.kill(bot.process.pid, signal.SIGKILL)  # 正在写库的时候
    assert await bot.exited() == -signal.SIGKILL
    await qq.close()

    await bot.start()
    qq = FakeOneBot(bot.ws_url)
    await qq.connect()
    try:
        for payload in events:  # 重连后 NapCat 不会补发：这里把整阵重放一遍
            await qq.send_event(payload)
        await settle(bot, 400)
        rows = await bot.query(
            "SELECT user_id, COUNT(*), COUNT(DISTINCT business_date), SUM(delta)"
            " FROM ledger_entry GROUP BY user_id ORDER BY user_id"
        )
        assert rows == [(user, 10, 10, 10) for user in MEMBERS]
        totals = await bot.query(
            "SELECT user_id, points, share_days FROM month_total ORDER BY user_id"
        )
        assert totals == [(user, 10, 10) for user in MEMBERS]
        if bot.db_url.startswith("sqlite://"):
            assert await bot.query("PRAGMA integrity_check") == [("ok",)]
    finally:
        await qq.close()
        assert await bot.stop() == 0


async def test_risk_control_backs_off_keeps_state_and_sends_what_waited_once(
    tmp_path: Path,
) -> None:
    from tests.fake import SUPERUSER

    bot = BotProcess(workdir=tmp_path, policy=TEST_POLICY, extra_env={"QUNGUI_SEND_BACKOFF": "1.5"})
    await bot.start()
    qq = FakeOneBot(bot.ws_url)
    await qq.connect()
    try:
        qq.risk_control_until = time.monotonic() + 1.0  # 接下来 1 秒 NapCat 报 1200 风控
        add = group_message_payload(
            [text("/加分 "), at(MEMBERS[0]), text(" 2 协助盘点")], user_id=ADMIN, message_id=990001
        )
        await qq.send_event(add)
        (failed,) = await qq.wait_for("send_group_msg")
        assert failed.text.startswith("已记录 #1")
        # 退避期间来的命令排队：暂停结束先重发没发出的那条，再发它
        mark = len(qq.calls)
        await qq.send_event(group_message_payload("/积分", user_id=MEMBERS[0], message_id=990002))
        resent, later = await qq.wait_for("send_group_msg", after=mark, count=2, within=10)
        assert resent.text == failed.text
        assert later.text.startswith("张三 本月（2026-11）积分 2 分")
        told = await qq.wait_for("send_private_msg", where=lambda c: "暂停" in c.text, within=10)
        assert told[0].params["user_id"] == SUPERUSER
        # 状态没丢：那笔加分记下了；重放同一条命令不会再记、也不会再回
        await qq.send_event(add)
        await bot.idle()
        assert await bot.query("SELECT user_id, delta FROM ledger_entry") == [(MEMBERS[0], 2)]
        # 风控拒掉的一次 + 暂停后重发成功的一次；重放的事件不再回复
        assert sum(1 for c in qq.calls if c.text.startswith("已记录")) == 2
    finally:
        await qq.close()
        assert await bot.stop() == 0


async def test_a_reminder_held_back_past_its_deadline_is_not_sent_late(tmp_path: Path) -> None:
    bot = BotProcess(workdir=tmp_path, policy=TEST_POLICY, extra_env={"QUNGUI_SEND_BACKOFF": "2"})
    await bot.start()
    qq = FakeOneBot(bot.ws_url)
    await qq.connect()
    try:
        # 一位同事在分享群里说过话、还没分享：20:00 要提醒他
        await qq.send_event(
            group_message_payload(
                "收到", user_id=MEMBERS[0], group_id=SHARE_GROUP, time=ts(2026, 11, 30, 9)
            )
        )
        await bot.idle()
        await bot.set_clock("2026-11-30T19:00:00+08:00")  # 先把之前该补的任务跑完
        mark = len(qq.calls)
        qq.risk_control_until = time.monotonic() + 60
        moving = asyncio.create_task(bot.set_clock("2026-11-30T20:00:30+08:00"))

        def is_reminder(call) -> bool:
            return (
                call.params.get("group_id") == SHARE_GROUP and "还没有原创分享的同事" in call.text
            )

        (refused,) = await qq.wait_for("send_group_msg", after=mark, where=is_reminder)
        # 暂停的 2 秒里风控解除，但时间已过了当天分享的最后期限（次日 02:00）
        qq.risk_control_until = 0.0
        await bot.set_clock("2026-12-01T02:30:00+08:00")
        assert "share.remind.1:jgs:2026-11-30T20:00" in await moving
        await bot.idle()
        sent = [c for c in qq.calls[mark:] if c.action == "send_group_msg" and is_reminder(c)]
        assert sent == [refused]  # 只有被风控拒掉的那一次，过期后没有补发
        assert await bot.query("SELECT note FROM job_run WHERE job = 'share.remind.1'") == [
            (f"提醒 0 人；没发出去：群 {SHARE_GROUP}（已过时，不再发送）",)
        ]
    finally:
        await qq.close()
        assert await bot.stop() == 0


async def test_a_connection_dropped_mid_reply_recovers_without_duplicates(tmp_path: Path) -> None:
    bot = BotProcess(
        workdir=tmp_path,
        policy=TEST_POLICY,
        extra_env={"QUNGUI_SEND_BACKOFF": "1", "API_TIMEOUT": "3"},
    )
    await bot.start()
    qq = FakeOneBot(bot.ws_url)
    await qq.connect()
    add = group_message_payload(
        [text("/加分 "), at(MEMBERS[0]), text(" 2 协助盘点")], user_id=ADMIN, message_id=990101
    )
    try:
        qq.drop_on = lambda call: call.action == "send_group_msg"
        await qq.send_event(add)
        await qq.wait_for("send_group_msg")
        await bot.idle()
        # NapCat 重连（同一个 QQ 号），把断线前那条事件又报了一遍
        again = FakeOneBot(bot.ws_url)
        again.calls, again.rosters = qq.calls, qq.rosters
        await again.connect()
        mark = len(again.calls)
        await again.send_event(add)
        reply = await again.group_says("/积分", user_id=MEMBERS[0], message_id=990102)
        assert reply.startswith("张三 本月（2026-11）积分 2 分")
        assert not [c for c in again.calls[mark:] if c.text.startswith("已记录")]
        assert await bot.query("SELECT COUNT(*) FROM ledger_entry") == [(1,)]
        await again.close()
    finally:
        await qq.close()
        assert await bot.stop() == 0
    assert "Traceback" not in bot.log()


async def test_a_notice_one_admin_cannot_receive_does_not_pause_the_bot(running: Running) -> None:
    # 管理员 30001 不是机器人的好友、QQ 号也填错了：NapCat 当场答复“无法获取用户信息”
    from tests.fake import SUPERUSER, WORK_GROUP

    qq = running.qq
    answer = qq._answer

    def refuse_the_admin(call: ApiCall) -> dict:
        if call.action == "send_private_msg" and int(call.params["user_id"]) == ADMIN:
            return {
                "status": "failed",
                "retcode": 1200,
                "data": None,
                "message": "无法获取用户信息",
            }
        return answer(call)

    qq._answer = refuse_the_admin
    await qq.send_event(
        group_message_payload("周末一起去澳门大赌场玩", user_id=20002, group_id=WORK_GROUP)
    )
    (refused,) = await qq.wait_for("send_private_msg", where=lambda c: c.params["user_id"] == ADMIN)
    assert refused.text.startswith("【群规助手】请审核：鸡公山酒业员工群 ")
    assert "的一条消息命中规则「赌博」" in refused.text
    # 没有因此暂停一分钟：下一条命令马上有回复
    started = time.monotonic()
    reply = await qq.group_says("/积分", user_id=20002, card="鸡公山酒业-李四-13800000000")
    assert reply.startswith("李四 本月（2026-11）积分 0 分")
    assert time.monotonic() - started < 5
    status = await qq.private_says("/状态", user_id=SUPERUSER)
    assert "，正常；另有 1 条对方收不到（最近一条 QQ 30001：无法获取用户信息）" in status
