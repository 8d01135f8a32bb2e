"""一周的分享走真实 WebSocket：三个人、一次抄袭、一次合并转发、一次重放、一次提醒。"""

from tests import fake
from tests.fake import ADMIN, CHAIRMAN, SHARE_GROUP, at, text

from .harness import LI, WANG, ZHANG, Running, post, settled, share_text, ts

ADMIN_CARD = "鸡公山酒业-王管-13700000000"
OWN_CASE = (
    "这件事与你本人有关（你是得分的人、被处理的人或举报人），不能自己决定，"
    "请另一位管理员或超级用户处理。"
)


def reply_to(message_id: int, command: str) -> list[dict]:
    return [{"type": "reply", "data": {"id": str(message_id)}}, text(command)]


async def test_a_week_of_shares(running: Running) -> None:
    qq, bot = running.qq, running.bot
    # 11 月 23 日（周一）到 29 日：张三每天都发；李四周三抄了张三、周四发了合并转发，其余天正常；
    # 王五只在周一发过，周五凌晨 01:30 补了周四的
    for day in range(23, 30):
        await post(running, ZHANG, share_text(ZHANG, day), ts(2026, 11, day, 9), 900000 + day)
        if day == 25:
            await post(running, LI, share_text(ZHANG, day), ts(2026, 11, day, 10))
        elif day == 26:
            await post(
                running, LI, [{"type": "forward", "data": {"id": "1"}}], ts(2026, 11, day, 10)
            )
        else:
            await post(running, LI, share_text(LI, day), ts(2026, 11, day, 10))
    await post(running, WANG, share_text(WANG, 23), ts(2026, 11, 23, 11))
    await post(running, WANG, share_text(WANG, 26), ts(2026, 11, 27, 1, 30))
    # 重放：张三周一那条原样再来一次
    await post(running, ZHANG, share_text(ZHANG, 23), ts(2026, 11, 23, 9), 900023, replay=True)

    summary = await qq.group_says(
        "/积分",
        user_id=ZHANG,
        group_id=SHARE_GROUP,
        card="鸡公山酒业-张三-13800000000",
        time=ts(2026, 11, 29, 12),
    )
    assert summary.startswith("张三 本月（2026-11）积分 7 分，第 1 名 / 共 3 人")
    li = await qq.group_says(
        "/积分",
        user_id=LI,
        group_id=SHARE_GROUP,
        card="鸡公山酒业-李四-13800000000",
        time=ts(2026, 11, 29, 12),
    )
    assert li.startswith("李四 本月（2026-11）积分 5 分，第 2 名 / 共 3 人")
    wang_days = await running.bot.query(
        "SELECT business_date FROM ledger_entry WHERE user_id = $1 ORDER BY id", WANG
    )
    assert [str(day) for (day,) in wang_days] == ["2026-11-23", "2026-11-26"]

    texts = [c.text for c in qq.calls if c.action == "send_group_msg"]
    assert any("李四（与之前的分享重复）" in t for t in texts)

    # 11 月 30 日 20:00 的提醒：只有王五还没分享
    await post(running, ZHANG, share_text(ZHANG, 30), ts(2026, 11, 30, 9))
    await post(running, LI, share_text(LI, 30), ts(2026, 11, 30, 10))
    await qq.group_says("/排行", user_id=ZHANG, group_id=SHARE_GROUP, time=ts(2026, 11, 30, 11))
    mark = len(qq.calls)
    assert "share.remind.1:jgs:2026-11-30T20:00" in await bot.set_clock("2026-11-30T20:00:30+08:00")
    reminders = [
        c.text
        for c in qq.calls[mark:]
        if c.action == "send_group_msg" and c.params["group_id"] == SHARE_GROUP
    ]
    assert reminders == [
        f"今天（11月30日）还没有原创分享的同事，今晚 24:00 前发都算，特殊情况可到明早 02:00：@{WANG}"
    ]


async def test_feature_and_reject_by_replying(running: Running) -> None:
    from tests.fake import ADMIN

    qq = running.qq
    await post(running, ZHANG, share_text(ZHANG, 27), ts(2026, 11, 27, 9), 777001)
    admin = {"user_id": ADMIN, "group_id": SHARE_GROUP, "card": "鸡公山酒业-王管-13700000000"}
    reply = [
        {"type": "reply", "data": {"id": "777001"}},
        {"type": "text", "data": {"text": "/精选"}},
    ]
    # 机器人不是群管理员：照样评，回复里说一次没有设为 QQ 精华
    assert await qq.group_says(reply, time=ts(2026, 11, 27, 10), **admin) == (
        "已把 张三 11月27日 的分享评为经典分享，+5 分（编号 #2）。"
        "（机器人不是本群管理员，没有同时设为 QQ 精华消息；设为管理员后会自动设。）"
    )
    reply[1]["data"]["text"] = "/非原创"
    assert await qq.group_says(reply, time=ts(2026, 11, 27, 11), **admin) == (
        "已判定 张三 11月27日 的分享非原创，撤销当天的分享分和经典分享奖（撤销记录 #3、#4）；"
        "当天重新发原创分享仍可得分。"
    )
    mine = await qq.group_says(
        "/今日分享",
        user_id=ZHANG,
        group_id=SHARE_GROUP,
        card="鸡公山酒业-张三-13800000000",
        time=ts(2026, 11, 27, 12),
    )
    assert mine.startswith("张三 今天（11月27日）还没有原创分享")


async def test_a_month_gives_every_member_what_the_policy_says(running: Running) -> None:
    """11 月：张三 30 天全勤，王五 1–27 日连续（27 日那条是 28 日凌晨 01:30 补发的），
    李四 29 天但 14 日断了。12 月 1 日 09:00 结算：连续 27 天以上的加 20 分。"""
    for day in range(1, 31):
        await post(running, ZHANG, share_text(ZHANG, day), ts(2026, 11, day, 9))
        if day != 14:
            await post(running, LI, share_text(LI, day), ts(2026, 11, day, 10))
        if day < 27:
            await post(running, WANG, share_text(WANG, day), ts(2026, 11, day, 11))
    await post(running, WANG, share_text(WANG, 27), ts(2026, 11, 28, 1, 30))

    mark = len(running.qq.calls)
    assert "month.close:jgs:2026-11" in await running.bot.set_clock("2026-12-01T09:00:30+08:00")
    (post_text, post_image) = await running.qq.wait_for("send_group_msg", after=mark, count=2)
    assert post_text.params["group_id"] == SHARE_GROUP
    assert post_text.text == (
        "【鸡公山酒业 2026年11月 积分排行】\n前 3 名：\n"
        "1. 张三 50 分（分享 30 天）\n"
        "2. 王五 47 分（分享 27 天）\n"
        "3. 李四 29 分（分享 29 天）\n"
        "共 3 人，平均 42.0 分；2 人连续分享满 27 天，各得 20 分。"
    )
    (segment,) = post_image.params["message"]
    assert segment["type"] == "image" and segment["data"]["file"].startswith("base64://iVBOR")
    board = await running.qq.group_says(
        "/排行 2026-11", user_id=ZHANG, group_id=SHARE_GROUP, time=ts(2026, 12, 1, 10)
    )
    assert board == (
        "鸡公山酒业 2026-11 积分排行（共 3 人）\n"
        "1. 张三 50 分（分享 30 天）\n"
        "2. 王五 47 分（分享 27 天）\n"
        "3. 李四 29 分（分享 29 天）"
    )
    # 重启后再到点：不会再发一次奖励
    await running.restart()
    assert await running.bot.set_clock("2026-12-01T09:30:00+08:00") == []
    assert await running.bot.set_clock("2027-01-01T08:00:00+08:00") == [
        "totals.check:jgs:2027-01-01"
    ]
    posts = [
        c for c in running.qq.calls[mark:] if c.action == "send_group_msg" and "排行】" in c.text
    ]
    assert len(posts) == 1
    streaks = await running.bot.query(
        "SELECT user_id, delta, business_date FROM ledger_entry WHERE rule = 'share.streak'"
        " ORDER BY user_id"
    )
    assert [(user, delta, str(day)) for user, delta, day in streaks] == [
        (ZHANG, 20, "2026-11-30"),
        (WANG, 20, "2026-11-30"),
    ]


async def test_an_admin_is_refused_on_his_own_share_and_nothing_is_written(
    running: Running,
) -> None:
    qq = running.qq
    admin = {"user_id": ADMIN, "group_id": SHARE_GROUP, "card": ADMIN_CARD}
    await qq.send_event(
        fake.group_message_payload(
            "王管的心得：今天跟经销商对了一遍年底的备货计划，物流要提前一周排期。",
            time=ts(2026, 11, 27, 9),
            message_id=778001,
            self_id=qq.self_id,
            **admin,
        )
    )
    await settled(running, 1)
    backfill = [text("/补分享 "), at(ADMIN), text(" 2026-11-20 出差在外")]
    assert await qq.group_says(backfill, time=ts(2026, 11, 27, 10), **admin) == OWN_CASE
    assert await qq.group_says(
        reply_to(778001, "/精选"), time=ts(2026, 11, 27, 10, 1), **admin
    ) == (OWN_CASE)
    rows = await running.bot.query("SELECT user_id, delta, rule, actor_id FROM ledger_entry")
    assert rows == [(ADMIN, 1, "share.daily", None)]
    # 别人（主席）可以评他的分享
    chairman = {"user_id": CHAIRMAN, "group_id": SHARE_GROUP, "card": "鸡公山酒业-赵总-13500000000"}
    assert await qq.group_says(
        reply_to(778001, "/精选"), time=ts(2026, 11, 27, 10, 2), **chairman
    ) == (
        "已把 王管 11月27日 的分享评为经典分享，+5 分（编号 #2）。"
        "（机器人不是本群管理员，没有同时设为 QQ 精华消息；设为管理员后会自动设。）"
    )


async def test_a_replayed_backfill_and_featuring_in_a_closed_month(running: Running) -> None:
    qq = running.qq
    admin = {"user_id": ADMIN, "group_id": SHARE_GROUP, "card": ADMIN_CARD}
    await post(running, LI, share_text(LI, 26), ts(2026, 11, 26, 10), 779000)
    backfill = fake.group_message_payload(
        [text("/补分享 "), at(LI), text(" 2026-11-20 出差在外")],
        time=ts(2026, 11, 27, 10),
        message_id=779001,
        self_id=qq.self_id,
        **admin,
    )
    mark = len(qq.calls)
    await qq.send_event(backfill)
    (reply,) = await qq.wait_for("send_group_msg", after=mark)
    assert reply.text == "已为 李四 补记 11月20日 的分享，+1 分（编号 #2，理由：出差在外）。"
    assert await qq.group_says("/撤销 2 补错了", time=ts(2026, 11, 27, 11), **admin) == (
        "已撤销 #2（李四 +1 分，每日分享），撤销记录 #3。李四 2026-11 合计 1 分。"
    )
    # 撤销之后同一事件重放：不再补记，也不再回复
    mark = len(qq.calls)
    await qq.send_event(backfill)
    await running.bot.idle()
    assert [c for c in qq.calls[mark:] if c.action == "send_group_msg"] == []
    rows = await running.bot.query("SELECT id, delta, rule FROM ledger_entry ORDER BY id")
    assert rows == [(1, 1, "share.daily"), (2, 1, "share.daily"), (3, -1, "reversal")]

    # 12 月 1 日 09:00 结算并冻结 11 月：再精选 11 月的分享，说这个月已冻结
    mark = len(qq.calls)
    assert "month.close:jgs:2026-11" in await running.bot.set_clock("2026-12-01T09:00:30+08:00")
    await qq.wait_for("send_group_msg", after=mark, count=2)
    assert await qq.group_says(reply_to(779000, "/精选"), time=ts(2026, 12, 1, 10), **admin) == (
        "2026-11 的排行已公布，该月已冻结，不能再评经典分享。"
    )
    assert len(await running.bot.query("SELECT id FROM ledger_entry")) == 3
