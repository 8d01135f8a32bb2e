"""警告走真实 WebSocket：回复违规消息警告、第三次升级并禁言、撤销退回分数。"""

from pathlib import Path

from tests.conftest import TEST_POLICY
from tests.fake import ADMIN, CHAIRMAN, WORK_GROUP, at, text

from .harness import BotProcess, FakeOneBot, Running

LI = 20002
LI_CARD = "鸡公山酒业-李四-13800000000"


async def test_warn_by_reply_escalate_mute_and_undo(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(
        TEST_POLICY.read_text("utf-8").replace("mute_minutes = 0", "mute_minutes = 10"), "utf-8"
    )
    bot = BotProcess(workdir=tmp_path, policy=policy)
    await bot.start()
    qq = FakeOneBot(bot.ws_url)
    try:
        await qq.connect()
        qq.add_member(WORK_GROUP, qq.self_id, role="admin")
        admin = {"user_id": ADMIN, "card": "鸡公山酒业-王管-13700000000"}
        # 李四发了一条广告，管理员回复它发 /警告
        await qq.group_says("/积分", user_id=LI, card=LI_CARD, message_id=880001)
        reply = [
            {"type": "reply", "data": {"id": "880001"}},
            at(qq.self_id),
            text(" /警告 不良信息 发广告"),
        ]
        assert await qq.group_says(reply, **admin) == (
            "已警告 李四：不良信息，-5 分，30 天内第 1 次（编号 #1）。"
        )
        await qq.group_says([text("/警告 "), at(LI), text(" 口头警告")], **admin)
        mark = len(qq.calls)
        third = await qq.group_says([text("/警告 "), at(LI), text(" 不良信息 又发")], **admin)
        assert third.startswith("已警告 李四：不良信息，-5 分，30 天内第 3 次（编号 #3）。")
        (ban,) = await qq.wait_for("set_group_ban", after=mark)
        assert ban.params == {"group_id": WORK_GROUP, "user_id": LI, "duration": 600}
        told = await qq.wait_for("send_private_msg", after=mark, count=2)
        assert {c.params["user_id"] for c in told} == {CHAIRMAN, ADMIN}
        (muted,) = await qq.wait_for("send_group_msg", after=mark, where=lambda c: "禁言" in c.text)
        assert muted.text == "李四 在 30 天内已被警告 3 次，禁言 10 分钟。"

        assert await qq.group_says("/撤销 3 证据不足", **admin) == (
            "已撤销 #3（李四 -5 分，不良信息警告），撤销记录 #4。李四 2026-11 合计 -5 分。"
        )
        assert await qq.group_says("/警告记录", user_id=LI, card=LI_CARD) == (
            "李四 近 30 天的警告：2 次有效\n#1 11-27 不良信息 -5 分\n#2 11-27 口头警告 不扣分\n"
            "#3 11-27 不良信息 -5 分（已撤回）"
        )
    finally:
        await qq.close()
        assert await bot.stop() == 0


async def test_a_number_in_the_reason_and_a_huge_entry_id(running: Running) -> None:
    qq = running.qq
    admin = {"user_id": ADMIN, "card": "鸡公山酒业-王管-13700000000"}
    await qq.group_says("/积分", user_id=LI, card=LI_CARD)
    warned = await qq.group_says([text("/警告 "), at(LI), text(" 不良信息 3 次发广告")], **admin)
    assert warned.startswith("已警告 李四：不良信息，-5 分，")
    assert await running.bot.query("SELECT delta, reason FROM ledger_entry") == [(-5, "3 次发广告")]
    assert await qq.group_says("/撤销 99999999999999999999", **admin) == (
        "编号太大了，没有这样的记录。\n用法：/撤销 编号 [理由]\n例如：/撤销 #12 分数填错了"
    )
