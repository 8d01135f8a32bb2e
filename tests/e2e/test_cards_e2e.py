"""群名片走真实 WebSocket：入群提醒、宽限、每天扣一次、改好后不再扣。"""

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.fake import SUPERUSER, WORK_GROUP

from .conftest import Running

CST = ZoneInfo("Asia/Shanghai")
NEWBIE = 20005
GOOD = "鸡公山酒业-王五-13600000000"


def ts(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=CST).timestamp())


def sent_since(running: Running, mark: int) -> list[str]:
    return [c.text for c in running.qq.calls[mark:] if c.action == "send_group_msg"]


async def test_join_grace_daily_penalty_then_fixed(running: Running) -> None:
    qq, bot = running.qq, running.bot
    qq.add_member(WORK_GROUP, 20001, card="鸡公山酒业-张三-13900000000", join_time=1700000000)
    qq.add_member(WORK_GROUP, NEWBIE, card="", join_time=ts(2026, 11, 27, 9))

    mark = len(qq.calls)
    await qq.send_event(
        {
            "time": ts(2026, 11, 27, 9),
            "self_id": qq.self_id,
            "post_type": "notice",
            "notice_type": "group_increase",
            "sub_type": "approve",
            "group_id": WORK_GROUP,
            "operator_id": 0,
            "user_id": NEWBIE,
        }
    )
    (greeting,) = await qq.wait_for("send_group_msg", after=mark)
    assert greeting.text == (
        f"欢迎 @{NEWBIE} 加入鸡公山酒业！请在 11月30日 09:00 前把群名片改为"
        "「鸡公山酒业-张三-138****0000」（公司-姓名-电话）；逾期每天扣 10 分。"
    )

    mark = len(qq.calls)
    assert "card.sweep:jgs:2026-11-27" in await bot.set_clock("2026-11-27T10:00:00+08:00")
    assert sent_since(running, mark) == [
        "群规助手开始检查本群的群名片：请改为「鸡公山酒业-张三-138****0000」（公司-姓名-电话）。"
        "11月30日 10:00 起仍不规范的，每天扣 10 分。"
    ]

    mark = len(qq.calls)
    assert "card.sweep:jgs:2026-11-30" in await bot.set_clock("2026-11-30T10:00:00+08:00")
    assert await bot.set_clock("2026-11-30T15:00:00+08:00") == []
    assert "card.sweep:jgs:2026-12-01" in await bot.set_clock("2026-12-01T10:00:00+08:00")
    overdue = (
        "以下成员的群名片仍不规范，今天各扣 10 分，请改为「鸡公山酒业-张三-138****0000」："
        f"@{NEWBIE}"
    )
    assert sent_since(running, mark) == [overdue, overdue]

    qq.add_member(WORK_GROUP, NEWBIE, card=GOOD, join_time=ts(2026, 11, 27, 9))
    mark = len(qq.calls)
    await qq.send_event(
        {
            "time": ts(2026, 12, 1, 11),
            "self_id": qq.self_id,
            "post_type": "notice",
            "notice_type": "group_card",
            "group_id": WORK_GROUP,
            "user_id": NEWBIE,
            "card_new": GOOD,
            "card_old": "",
        }
    )
    (thanks,) = await qq.wait_for("send_group_msg", after=mark)
    assert thanks.text == "感谢 王五 改好了群名片。"

    mark = len(qq.calls)
    await bot.set_clock("2026-12-02T10:00:00+08:00")
    assert sent_since(running, mark) == []

    detail = await qq.group_says("/积分明细 2026-11", user_id=NEWBIE, card=GOOD)
    assert detail == (
        "王五 2026-11 积分明细：共 1 条，合计 -10 分\n#1 11-30 -10 名片不规范 宽限期后仍未改为规范格式"
    )
    assert await qq.group_says(
        "/积分明细", user_id=NEWBIE, card=GOOD, time=ts(2026, 12, 2, 11)
    ) == (
        "王五 2026-12 积分明细：共 1 条，合计 -10 分\n#2 12-01 -10 名片不规范 宽限期后仍未改为规范格式"
    )
    status = await qq.private_says("/状态", user_id=SUPERUSER)
    assert "card.sweep@jgs 上次 2026-12-02" in status


async def test_set_card_over_the_wire(running: Running) -> None:
    qq = running.qq
    qq.add_member(WORK_GROUP, NEWBIE, card="王五")
    qq.add_member(WORK_GROUP, qq.self_id, card="群规助手", role="member")
    reply = await qq.group_says("/改名片 王五 13612345678", user_id=NEWBIE, card="王五")
    assert (
        reply
        == "机器人不是本群的管理员，没法改名片：请群主把机器人设为管理员，或自己在群里修改名片。"
    )
    assert qq.rosters[WORK_GROUP][NEWBIE]["card"] == "王五"

    running.qq.add_member(WORK_GROUP, qq.self_id, card="群规助手", role="admin")
    await running.restart()  # 机器人对自己身份的缓存随进程重置
    reply = await running.qq.group_says("/改名片 王五 13612345678", user_id=NEWBIE, card="王五")
    assert reply == "已把你的群名片改为「鸡公山酒业-王五-136****5678」。"
    assert running.qq.rosters[WORK_GROUP][NEWBIE]["card"] == "鸡公山酒业-王五-13612345678"
