"""私聊里的管理员身份以 QQ 现在的为准：被撤掉的管理员不能再看未进群名单（含电话）。"""

from tests import fake
from tests.fake import WORK_GROUP

from .harness import Running

NEEDS_ADMIN = "「/名单」需要管理员及以上权限，你现在是成员。"
NO_ROSTER = "制度里没有配置人事名单（[roster] file）。"


async def test_a_demoted_admin_is_refused_the_phone_list_in_private(running: Running) -> None:
    qq = running.qq
    zhang, wang = 20001, 20003
    for user, card in (
        (zhang, "鸡公山酒业-张三-13900000000"),
        (wang, "鸡公山酒业-王五-13700000000"),
    ):
        qq.add_member(WORK_GROUP, user, card=card, role="admin")
        await qq.send_event(
            fake.group_message_payload("收到", user_id=user, card=card, role="admin")
        )
    await running.bot.idle()
    # 还是管理员：QQ 确认了，照常回答
    assert await qq.private_says("/名单 未进群", user_id=zhang) == NO_ROSTER

    # 张三被撤掉管理员，NapCat 发来 group_admin 通知
    qq.rosters[WORK_GROUP][zhang]["role"] = "member"
    await qq.send_event(fake.notice_payload("group_admin_unset", user_id=zhang))
    await running.bot.idle()
    assert await qq.private_says("/名单 未进群", user_id=zhang) == NEEDS_ADMIN

    # 王五也被撤掉了，但机器人没收到通知（离线时发生的）：私聊时问 QQ 才知道
    qq.rosters[WORK_GROUP][wang]["role"] = "member"
    mark = len(qq.calls)
    assert await qq.private_says("/名单 未进群", user_id=wang) == NEEDS_ADMIN
    (lookup,) = await qq.wait_for("get_group_member_info", after=mark)
    assert (lookup.params["group_id"], lookup.params["user_id"]) == (WORK_GROUP, wang)
    assert await running.bot.query(
        "SELECT user_id, role FROM member WHERE group_id = $1 ORDER BY user_id", WORK_GROUP
    ) == [(zhang, "member"), (wang, "member")]
