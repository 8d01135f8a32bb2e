"""积分命令走真实 WebSocket：真实的 bot.py 进程、真实的 SQLite 文件。"""

from tests.fake import ADMIN, SUPERUSER, at, text

from .harness import Running

LI = 20002
LI_CARD = "鸡公山酒业-李四-13800000000"
ADMIN_CARD = "鸡公山酒业-王管-13700000000"


async def test_points_before_and_after_an_award(running: Running) -> None:
    qq = running.qq
    assert await qq.group_says("/积分", user_id=LI, card=LI_CARD) == (
        "李四 本月（2026-11）积分 0 分，第 1 名 / 共 1 人；累计 0 分；本月记录 0 条。"
    )
    reply = await qq.group_says(
        [text("/加分 "), at(LI), text(" 5 协助整理客户资料")], user_id=ADMIN, card=ADMIN_CARD
    )
    assert reply == "已记录 #1：李四 +5 分（协助整理客户资料）。李四 本月合计 5 分。"
    assert await qq.group_says("/积分", user_id=LI, card=LI_CARD) == (
        "李四 本月（2026-11）积分 5 分，第 1 名 / 共 2 人；累计 5 分；本月记录 1 条。"
    )
    rows = await running.bot.query(
        "SELECT user_id, delta, rule, actor_id, actor_role, reason FROM ledger_entry"
    )
    assert rows == [(LI, 5, "manual", ADMIN, "admin", "协助整理客户资料")]


async def test_undo_over_the_wire(running: Running) -> None:
    qq = running.qq
    await qq.group_says([text("/扣分 "), at(LI), text(" 10 名片不规范")], user_id=ADMIN)
    assert await qq.group_says("/撤销 1 已改好名片", user_id=ADMIN) == (
        "已撤销 #1（成员0002 -10 分，手动调整），撤销记录 #2。成员0002 2026-11 合计 0 分。"
    )
    assert await qq.group_says("/撤销 1", user_id=ADMIN) == (
        "编号 #1 已经撤销过了（撤销记录 #2），不能重复撤销。"
    )
    rows = await running.bot.query("SELECT id, delta, reverses FROM ledger_entry ORDER BY id")
    assert rows == [(1, -10, None), (2, 10, 1)]


async def test_a_member_is_refused(running: Running) -> None:
    reply = await running.qq.group_says([text("/加分 "), at(LI), text(" 50 自己人")], user_id=LI)
    assert reply == "「/加分」需要管理员及以上权限，你现在是成员。"
    assert await running.bot.query("SELECT COUNT(*) FROM ledger_entry") == [(0,)]


async def test_data_survives_a_restart(running: Running) -> None:
    await running.qq.group_says(
        [text("/加分 "), at(LI), text(" 7 月度之星")], user_id=ADMIN, card=ADMIN_CARD
    )
    await running.restart()
    assert await running.qq.group_says("/积分", user_id=LI, card=LI_CARD) == (
        "李四 本月（2026-11）积分 7 分，第 1 名 / 共 2 人；累计 7 分；本月记录 1 条。"
    )
    assert await running.qq.group_says("/积分明细", user_id=LI, card=LI_CARD) == (
        "李四 2026-11 积分明细：共 1 条，合计 +7 分\n#1 11-27 +7 分 手动调整 月度之星 — 王管"
    )


async def test_clock_route_runs_due_jobs_once(running: Running) -> None:
    assert await running.bot.set_clock("2026-11-28T04:00:00+08:00") == []
    assert await running.bot.set_clock("2026-11-28T04:31:00+08:00") == [
        "totals.check:jgs:2026-11-28"
    ]
    assert await running.bot.set_clock("2026-11-28T05:00:00+08:00") == []
    status = await running.qq.private_says("/状态", user_id=SUPERUSER)
    assert "机器人连接：\n  10000 在线\n发送队列：\n  尚未发送过消息" in status
    assert "totals.check@jgs 上次 2026-11-28（11-28 04:31），下次 11-29 04:30" in status
    assert f"数据库：{running.bot.db_shown}" in status


async def test_policy_reload_backfill_and_remind_over_the_wire(running: Running, tmp_path) -> None:
    from tests.fake import SHARE_GROUP

    qq = running.qq
    rules = await qq.group_says("/群规", user_id=LI, card=LI_CARD)
    assert rules.startswith(
        "【鸡公山酒业 群规】\n一、群名片须为：鸡公山酒业-你的姓名-你的11位手机号"
    )

    assert (
        await qq.private_says("/重载群规", user_id=SUPERUSER)
        == "已重新加载制度：鸡公山酒业（jgs）。"
    )

    reply = await qq.group_says(
        [text("/补分享 "), at(LI), text(" 2026-11-20 出差在外当天无网络")],
        user_id=ADMIN,
        group_id=SHARE_GROUP,
        card=ADMIN_CARD,
    )
    assert reply == "已为 李四 补记 11月20日 的分享，+1 分（编号 #1，理由：出差在外当天无网络）。"
    remind = await qq.group_says(
        "/今日分享 提醒", user_id=ADMIN, group_id=SHARE_GROUP, card=ADMIN_CARD
    )
    # 李四只在公司群里说过话：分享群的定时提醒 @ 不到他，这里说明
    assert remind == (
        f"11月27日 已分享 0 人，还没分享 2 人：@{LI}@{ADMIN}\n"
        "其中 李四 不在分享群里，提醒 @ 不到，请另行告诉他们。"
    )


async def test_a_qq_number_names_a_member_and_a_phone_names_nobody(running: Running) -> None:
    qq = running.qq
    await qq.group_says("/积分", user_id=LI, card=LI_CARD)  # 李四在群里说过话：认得这个 QQ 号
    reply = await qq.group_says(f"/加分 {LI} 5 协助整理客户资料", user_id=ADMIN, card=ADMIN_CARD)
    assert reply == "已记录 #1：李四 +5 分（协助整理客户资料）。李四 本月合计 5 分。"
    refused = await qq.group_says("/加分 13800000000 5 协助", user_id=ADMIN, card=ADMIN_CARD)
    assert "13800000000" not in refused
    rows = await running.bot.query("SELECT user_id, delta FROM ledger_entry")
    assert rows == [(LI, 5)]
