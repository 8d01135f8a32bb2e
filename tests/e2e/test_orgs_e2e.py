"""两个组织走真实 WebSocket：私聊按身份选组织、回复署上组织名。"""

from pathlib import Path

from tests.conftest import B_WORK_GROUP, two_orgs
from tests.fake import WORK_GROUP

from .harness import BotProcess, FakeOneBot

ZHANG = 20001
ZHANG_CARD = "鸡公山酒业-张三-13900000000"


async def test_private_chat_with_two_organisations(tmp_path: Path) -> None:
    bot = BotProcess(workdir=tmp_path, policy=two_orgs(tmp_path / "policies"))
    await bot.start()
    qq = FakeOneBot(bot.ws_url)
    try:
        await qq.connect()
        # 张三是鸡公山酒业的普通成员、西山茶业的群管理员
        qq.add_member(B_WORK_GROUP, ZHANG, role="admin", card=ZHANG_CARD)
        await qq.group_says("/积分", user_id=ZHANG, card=ZHANG_CARD, group_id=WORK_GROUP)
        await qq.group_says(
            "/积分", user_id=ZHANG, card=ZHANG_CARD, role="admin", group_id=B_WORK_GROUP
        )
        assert await qq.private_says("/积分", user_id=ZHANG) == (
            "「鸡公山酒业」张三 本月（2026-11）积分 0 分，第 1 名 / 共 1 人；累计 0 分；本月记录 0 条。"
        )
        mark = len(qq.calls)
        exported = await qq.private_says("/导出 2026-11", user_id=ZHANG)
        assert exported.startswith("「西山茶业」已导出积分表「西山茶业-2026年11月积分.xlsx」"), (
            exported
        )
        (upload,) = await qq.wait_for("upload_private_file", after=mark)
        assert upload.params["user_id"] == ZHANG
        assert upload.params["name"] == "西山茶业-2026年11月积分.xlsx"
        assert await qq.private_says("/名单 jgs 未进群", user_id=ZHANG) == (
            "「鸡公山酒业」「/名单」需要管理员及以上权限，你现在是成员。"
        )
    finally:
        await qq.close()
        assert await bot.stop() == 0
    assert "Traceback" not in bot.log(), bot.log()
