"""QQ 自己的信号走真实进程和 WebSocket：精华通知（管理员的、普通成员的）、记分的分享点表情、
月榜之后把积分表以 base64:// 发给人事（每月一次，重启也一样）。"""

import io
from pathlib import Path

from openpyxl import load_workbook

from tests.conftest import TEST_POLICY
from tests.fake import ADMIN, SELF_ID, SHARE_GROUP, group_message_payload, notice_payload

from .harness import NAMES, ZHANG, ApiCall, ApiFailure, BotProcess, FakeOneBot, share_text, ts

LI, WANG = 20002, 20003
HR, HR_GROUP = 50001, 66666666


def signals_policy(tmp_path: Path) -> Path:
    """点表情（124）、经典分享再点一个（76）；人事一人、人事群一个；连续 2 天就有奖励。"""
    text = TEST_POLICY.read_text("utf-8")
    text = text.replace(
        "featured_bonus = 5", "featured_bonus = 5\nack_emoji = 124\nfeatured_emoji = 76"
    )
    text = text.replace("top = 3\n", f"top = 3\nhr = [{HR}]\nhr_group = {HR_GROUP}\n")
    text = text.replace("streak_days = 27", "streak_days = 2")
    policy = tmp_path / "policy.toml"
    policy.write_text(text, "utf-8")
    return policy


async def connected(bot: BotProcess) -> FakeOneBot:
    qq = FakeOneBot(bot.ws_url)
    await qq.connect()
    return qq


async def share(qq: FakeOneBot, bot: BotProcess, user: int, day: int, *at: int) -> int:
    payload = group_message_payload(
        share_text(user, day),
        user_id=user,
        card=f"鸡公山酒业-{NAMES[user]}-13800000000",
        group_id=SHARE_GROUP,
        time=ts(*at),
    )
    before = await bot.count("SELECT COUNT(*) FROM share")
    await qq.send_event(payload)
    await bot.wait_count("SELECT COUNT(*) FROM share", before + 1, within=10)
    return int(payload["message_id"])


def essence(kind: str, message_id: int, operator: int, at: int) -> dict:
    # NapCat 有的版本 sender_id 报 0：机器人要自己用 get_msg 取回原消息
    return notice_payload(
        f"essence_{kind}",
        self_id=SELF_ID,
        group_id=SHARE_GROUP,
        message_id=message_id,
        operator_id=operator,
        sender_id=0,
        time=at,
    )


def group_texts(qq: FakeOneBot, after: int) -> list[str]:
    return [
        c.text
        for c in qq.calls[after:]
        if c.action == "send_group_msg" and c.params["group_id"] == SHARE_GROUP
    ]


async def featured(bot: BotProcess) -> list[tuple]:
    return await bot.query(
        "SELECT user_id, delta, actor_id FROM ledger_entry "
        "WHERE rule IN ('share.featured', 'reversal') ORDER BY id"
    )


async def test_essence_notices_from_an_admin_count_and_from_a_member_do_not(
    tmp_path: Path,
) -> None:
    bot = BotProcess(workdir=tmp_path, policy=signals_policy(tmp_path))
    await bot.start()
    qq = await connected(bot)
    try:
        qq.add_member(SHARE_GROUP, LI, role="member")
        qq.add_member(SHARE_GROUP, WANG, role="admin")  # QQ 里的群管理员，不在制度名单上
        mark = len(qq.calls)
        message_id = await share(qq, bot, ZHANG, 27, 2026, 11, 27, 9)
        # 记了分：机器人点个表情，不发消息
        (reaction,) = await qq.wait_for("set_msg_emoji_like", after=mark)
        assert reaction.params == {"message_id": message_id, "emoji_id": "124"}

        # 普通成员设精华、取消精华：什么也不改
        mark = len(qq.calls)
        await qq.send_event(essence("add", message_id, LI, ts(2026, 11, 27, 10)))
        await qq.send_event(essence("delete", message_id, LI, ts(2026, 11, 27, 10, 1)))
        await qq.wait_for(
            "get_group_member_info", after=mark, where=lambda c: c.params["user_id"] == LI
        )
        await bot.idle()
        assert await featured(bot) == []
        assert group_texts(qq, mark) == []

        # 群管理员设精华：就是 /精选，+5；再点一个经典分享的表情
        mark = len(qq.calls)
        await qq.send_event(essence("add", message_id, WANG, ts(2026, 11, 27, 11)))
        (said,) = await qq.wait_for("send_group_msg", after=mark)
        assert said.text == "张三 11月27日 的分享被设为精华，评为经典分享，+5 分（编号 #2）。"
        (reaction,) = await qq.wait_for("set_msg_emoji_like", after=mark)
        assert reaction.params == {"message_id": message_id, "emoji_id": "76"}
        # 管理员再 /精选 同一条：已经评过
        assert (
            await qq.group_says(
                [
                    {"type": "reply", "data": {"id": str(message_id)}},
                    {"type": "text", "data": {"text": "/精选"}},
                ],
                user_id=ADMIN,
                card="鸡公山酒业-王管-13700000000",
                group_id=SHARE_GROUP,
                time=ts(2026, 11, 27, 11, 5),
            )
            == "这条分享已经是经典分享了（编号 #2）。"
        )

        # 群管理员取消精华：撤销经典分享奖
        mark = len(qq.calls)
        await qq.send_event(essence("delete", message_id, WANG, ts(2026, 11, 27, 12)))
        (said,) = await qq.wait_for("send_group_msg", after=mark)
        assert said.text == "张三 11月27日 的分享被取消精华，经典分享奖已撤回。"
        assert await featured(bot) == [(ZHANG, 5, WANG), (ZHANG, -5, WANG)]
    finally:
        await qq.close()
        assert await bot.stop() == 0
    assert "Traceback" not in bot.log(), bot.log()


async def test_featuring_as_group_admin_sets_qq_essence_and_its_notice_adds_nothing(
    tmp_path: Path,
) -> None:
    bot = BotProcess(workdir=tmp_path, policy=signals_policy(tmp_path))
    await bot.start()
    qq = await connected(bot)
    try:
        qq.add_member(SHARE_GROUP, SELF_ID, role="admin")
        qq.admin_in.add(SHARE_GROUP)
        message_id = await share(qq, bot, LI, 27, 2026, 11, 27, 9)
        mark = len(qq.calls)
        reply = await qq.group_says(
            [
                {"type": "reply", "data": {"id": str(message_id)}},
                {"type": "text", "data": {"text": "/精选"}},
            ],
            user_id=ADMIN,
            card="鸡公山酒业-王管-13700000000",
            group_id=SHARE_GROUP,
            time=ts(2026, 11, 27, 10),
        )
        assert reply == "已把 李四 11月27日 的分享评为经典分享，+5 分（编号 #2）。"
        (essence_call,) = await qq.wait_for("set_essence_msg", after=mark)
        assert essence_call.params == {"message_id": message_id}
        assert message_id in qq.essence
        # QQ 推回来的 essence 通知（操作人是机器人）已经到了：不再加分、不再说话
        for task in qq.pushed:
            await task
        await bot.idle()
        assert await featured(bot) == [(LI, 5, ADMIN)]
        assert group_texts(qq, mark) == [reply]
    finally:
        await qq.close()
        assert await bot.stop() == 0
    assert "Traceback" not in bot.log(), bot.log()


def uploads(qq: FakeOneBot, action: str) -> list[ApiCall]:
    return [c for c in qq.calls if c.action == action]


async def test_the_months_sheet_reaches_hr_once_also_across_a_restart(tmp_path: Path) -> None:
    bot = BotProcess(workdir=tmp_path, policy=signals_policy(tmp_path))
    await bot.start()
    qq = await connected(bot)
    await share(qq, bot, ZHANG, 29, 2026, 11, 29, 9)
    await share(qq, bot, ZHANG, 30, 2026, 11, 30, 9)
    refused = {"status": "failed", "retcode": 1200, "data": None, "message": "文件上传失败"}

    def refuse(params: dict) -> None:
        raise ApiFailure(refused)

    # 私聊人事的那份第一次被 NapCat 拒收；群文件那份送到了
    qq.responders["upload_private_file"] = refuse
    mark = len(qq.calls)
    assert "month.close:jgs:2026-11" in await bot.set_clock("2026-12-01T09:00:10+08:00")
    await qq.wait_for("upload_private_file", after=mark)
    await qq.wait_for("upload_group_file", after=mark)
    posts = [c for c in qq.calls[mark:] if c.action == "send_group_msg" and "积分排行】" in c.text]
    assert len(posts) == 1
    # 表在帖子之后
    order = [c.action for c in qq.calls[mark:] if c.action != "send_private_msg"]
    assert order.index("upload_private_file") > order.index("send_group_msg")
    (group_upload,) = uploads(qq, "upload_group_file")
    assert group_upload.params["group_id"] == HR_GROUP
    assert group_upload.params["file"].startswith("base64://")
    await qq.close()
    assert await bot.stop() == 0

    # 重启后（几分钟后）接着重试：私聊那份送到了，群文件那份不再发，帖子不再发
    bot.clock_start = "2026-12-01T09:05:00+08:00"
    await bot.start()
    second = await connected(bot)
    second.calls = qq.calls
    try:
        mark = len(second.calls)
        await bot.set_clock("2026-12-01T09:06:00+08:00")
        (upload,) = await second.wait_for("upload_private_file", after=mark)
        assert upload.params["user_id"] == HR
        assert upload.params["name"] == "鸡公山酒业-2026年11月积分.xlsx"
        assert upload.params["file"].startswith("base64://")
        book = load_workbook(io.BytesIO(second.files["鸡公山酒业-2026年11月积分.xlsx"]))
        assert [c.value for c in book["排行"][2]][:4] == [1, "张三", ZHANG, 22]
        await bot.set_clock("2026-12-01T09:30:00+08:00")
        await bot.set_clock("2026-12-02T09:30:00+08:00")
        await bot.idle()
    finally:
        await second.close()
        assert await bot.stop() == 0
    assert len(uploads(second, "upload_group_file")) == 1
    delivered = [c for c in uploads(second, "upload_private_file")]
    assert len(delivered) == 2  # 被拒的一次，重启后送到的一次
    assert [c for c in second.calls if "积分排行】" in c.text and c.action == "send_group_msg"] == (
        posts
    )
    assert await bot.query(
        "SELECT job, note FROM job_run WHERE job LIKE 'month.close.hr%' ORDER BY job"
    ) == [("month.close.hr.50001", "已送达"), (f"month.close.hr.group.{HR_GROUP}", "已送达")]
    assert "Traceback" not in bot.log(), bot.log()
