"""群名片走真实 WebSocket：入群提醒、宽限、每天扣一次、改好后不再扣。"""

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.fake import RESPONSES, SUPERUSER, WORK_GROUP, at, text

from .harness import ApiFailure, Running

CST = ZoneInfo("Asia/Shanghai")
NEWBIE = 20005
GOOD = "鸡公山酒业-王五-13600000000"


def ts(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=CST).timestamp())


def sent_since(running: Running, mark: int) -> list[str]:
    """发到公司群的消息（12 月 1 日的月度排行帖发在分享群，不算在内）。"""
    return [
        c.text
        for c in running.qq.calls[mark:]
        if c.action == "send_group_msg" and c.params["group_id"] == WORK_GROUP
    ]


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
        "「鸡公山酒业-你的姓名-你的11位手机号」（或发 /改名片 姓名 手机号，由机器人代改）；逾期每天扣 10 分。"
    )

    mark = len(qq.calls)
    assert "card.sweep:jgs:2026-11-27" in await bot.set_clock("2026-11-27T10:00:00+08:00")
    assert sent_since(running, mark) == [
        "群规助手开始检查本群的群名片：请把群名片改为「鸡公山酒业-你的姓名-你的11位手机号」"
        "（或发 /改名片 姓名 手机号，由机器人代改）。"
        "11月30日 10:00 起仍不规范的，每天扣 10 分。"
    ]

    mark = len(qq.calls)
    assert "card.sweep:jgs:2026-11-30" in await bot.set_clock("2026-11-30T10:00:00+08:00")
    assert await bot.set_clock("2026-11-30T15:00:00+08:00") == []
    assert "card.sweep:jgs:2026-12-01" in await bot.set_clock("2026-12-01T10:00:00+08:00")
    overdue = (
        "以下成员的群名片仍不规范，今天各扣 10 分，请把群名片改为「鸡公山酒业-你的姓名-你的11位手机号」"
        "（或发 /改名片 姓名 手机号，由机器人代改）："
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
        "王五 2026-11 积分明细：共 1 条，合计 -10 分\n#1 11-30 -10 分 名片不规范 宽限期后仍未改为规范格式"
    )
    assert await qq.group_says(
        "/积分明细", user_id=NEWBIE, card=GOOD, time=ts(2026, 12, 2, 11)
    ) == (
        "王五 2026-12 积分明细：共 1 条，合计 -10 分\n#2 12-01 -10 分 名片不规范 宽限期后仍未改为规范格式"
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


async def test_roster_not_in_group_over_the_wire(tmp_path) -> None:
    from tests.conftest import TEST_POLICY
    from tests.fake import ADMIN

    from .harness import BotProcess, FakeOneBot

    roster = tmp_path / "roster.csv"
    roster.write_text(
        "姓名,手机,部门,QQ\n张三,13800000001,销售部,20001\n李四,13800000002,生产部,20002\n", "utf-8"
    )
    policy = tmp_path / "policy.toml"
    policy.write_text(
        TEST_POLICY.read_text("utf-8") + f'\n[roster]\nfile = "{roster}"\nabsent_days = 3\n',
        "utf-8",
    )
    bot = BotProcess(workdir=tmp_path, policy=policy)
    await bot.start()
    qq = FakeOneBot(bot.ws_url)
    try:
        await qq.connect()
        qq.add_member(WORK_GROUP, 20001, card="鸡公山酒业-张三-13800000001", join_time=1)
        mark = len(qq.calls)
        await bot.set_clock("2026-11-27T10:00:00+08:00")
        group_texts = [c.text for c in qq.calls[mark:] if c.action == "send_group_msg"]
        assert group_texts[-1] == (
            "以下名单上的同事还没有进公司群（或群名片没对上名单）：李四。"
            "管理员可私聊机器人 /名单 未进群 查看联系方式。"
        )
        assert await qq.group_says("/名单 重载", user_id=ADMIN) == (
            "名单已重新读取：有效 2 行，拒绝 0 行；1 位成员的名片对上了名单。"
        )
        qq.add_member(WORK_GROUP, ADMIN, card="鸡公山酒业-王管-13700000000", join_time=1)
        qq.add_member(WORK_GROUP, qq.self_id, card="群规助手", join_time=1)
        # 王管在改名片期限内；机器人自己也在成员列表里，但它不是成员，不算
        assert await qq.group_says("/名片检查", user_id=ADMIN, time=ts(2026, 11, 27, 10, 30)) == (
            "名片检查：规范 1 人，还在改名片期限内 1 人，逾期 0 人，未进群 1 人。"
        )
        listing = await qq.private_says("/名单 未进群", user_id=ADMIN, time=ts(2026, 11, 27, 11))
        assert listing == "未进公司群 1 人：\n李四 13800000002 生产部（0 天）"
        mark = len(qq.calls)
        await bot.set_clock("2026-11-30T10:00:00+08:00")
        group_texts = [c.text for c in qq.calls[mark:] if c.action == "send_group_msg"]
        # 管理员的名片不在名单上：按规则一样逾期；机器人自己不是成员，不用列入 exempt 也不查
        assert group_texts == [
            "以下成员的群名片仍不规范，今天各扣 10 分，请把群名片改为「鸡公山酒业-你的姓名-你的11位手机号」"
            "（或发 /改名片 姓名 手机号，由机器人代改）："
            f"@{ADMIN}",
            "以下同事名单登记 3 天后仍未进公司群，各扣 50 分：李四。",
        ]
        detail = await qq.group_says(
            [text("/积分明细 "), at(20002), text(" 2026-11")],
            user_id=ADMIN,
            time=ts(2026, 12, 1, 9),
        )
        assert detail == (
            "成员0002 2026-11 积分明细：共 1 条，合计 -50 分\n"
            "#2 11-30 -50 分 未进群 名单登记 3 天后仍未进公司群"
        )
    finally:
        await qq.close()
        assert await bot.stop() == 0


async def test_set_card_reported_done_without_effect_is_not_believed(running: Running) -> None:
    # go-cqhttp、Lagrange 会对 set_group_card 报成功而名片没变：机器人读回来核对
    qq = running.qq
    qq.add_member(WORK_GROUP, NEWBIE, card="王五")
    qq.add_member(WORK_GROUP, qq.self_id, card="群规助手", role="admin")
    qq.responders["set_group_card"] = lambda params: None
    reply = await qq.group_says("/改名片 王五 13612345678", user_id=NEWBIE, card="王五")
    assert reply == "已提交修改，但复查时群名片仍是原样，没有改成功。请在群里自行修改群名片。"
    (asked,) = [c for c in qq.calls if c.action == "set_group_card"]
    assert asked.params["card"] == "鸡公山酒业-王五-13612345678"
    assert qq.rosters[WORK_GROUP][NEWBIE]["card"] == "王五"
    assert await running.bot.query(
        "SELECT card, card_ok FROM member WHERE user_id = $1", NEWBIE
    ) == [("王五", None)]

    # NapCat 自己读回核对，失败时报 1200“设置群名片未生效”
    def napcat_not_effective(params: dict) -> None:
        raise ApiFailure(dict(RESPONSES["set_group_card_fail_napcat_not_effective"]))

    qq.responders["set_group_card"] = napcat_not_effective
    reply = await qq.group_says("/改名片 王五 13612345678", user_id=NEWBIE, card="王五")
    assert reply == "修改名片失败（设置群名片未生效），请自己在群里修改。"
    assert qq.rosters[WORK_GROUP][NEWBIE]["card"] == "王五"


async def test_member_list_failing_during_a_sweep_penalises_nobody(running: Running) -> None:
    qq, bot = running.qq, running.bot
    qq.add_member(WORK_GROUP, NEWBIE, card="", join_time=ts(2026, 11, 27, 9))
    assert "card.sweep:jgs:2026-11-27" in await bot.set_clock("2026-11-27T10:00:00+08:00")

    def list_fails(params: dict) -> None:
        raise ApiFailure(
            {"status": "failed", "retcode": 1200, "data": None, "message": "获取群成员列表超时"}
        )

    qq.responders["get_group_member_list"] = list_fails
    mark = len(qq.calls)
    # 宽限已过，本该扣分的这一天读不到成员列表：说明原因，不扣分
    assert "card.sweep:jgs:2026-11-30" in await bot.set_clock("2026-11-30T10:00:00+08:00")
    assert sent_since(running, mark) == [
        "名片检查没有完成：读取群成员列表失败（获取群成员列表超时），今天不扣分。"
    ]
    assert await bot.query("SELECT COUNT(*) FROM ledger_entry") == [(0,)]

    # 第二天恢复了：照常检查、照常扣那一天的分
    qq.responders["get_group_member_list"] = qq._member_list
    mark = len(qq.calls)
    assert "card.sweep:jgs:2026-12-01" in await bot.set_clock("2026-12-01T10:00:00+08:00")
    assert len(sent_since(running, mark)) == 1
    assert await bot.query(
        "SELECT user_id, delta, CAST(business_date AS TEXT) FROM ledger_entry"
    ) == [(NEWBIE, -10, "2026-12-01")]


async def test_a_refused_announcement_does_not_stop_the_day_sweep(tmp_path) -> None:
    from tests.conftest import TEST_POLICY

    from .harness import ApiCall, BotProcess, FakeOneBot

    second = 987654323  # 第二个公司群
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "姓名,手机,部门,QQ\n张三,13800000001,销售部,20001\n李四,13800000002,生产部,20002\n"
        "赵六,13800000006,财务部,20006\n",
        "utf-8",
    )
    policy = tmp_path / "policy.toml"
    policy.write_text(
        TEST_POLICY.read_text("utf-8").replace(
            "work = [987654321]", f"work = [{WORK_GROUP}, {second}]"
        )
        + f'\n[roster]\nfile = "{roster}"\nabsent_days = 3\n',
        "utf-8",
    )
    bot = BotProcess(workdir=tmp_path, policy=policy, extra_env={"QUNGUI_SEND_BACKOFF": "0.3"})
    await bot.start()
    qq = FakeOneBot(bot.ws_url)
    try:
        await qq.connect()
        qq.add_member(WORK_GROUP, 20001, card="鸡公山酒业-张三-13800000001", join_time=1)
        qq.add_member(WORK_GROUP, 20003, card="王五", join_time=1)
        qq.add_member(second, 20004, card="小孙", join_time=1)
        # 赵六进了第二个群，名片还没改：每天 -10，但不是“未进群”
        qq.add_member(second, 20006, card="小赵", join_time=1)
        assert "card.sweep:jgs:2026-11-27" in await bot.set_clock("2026-11-27T10:00:00+08:00")
        assert [c.text for c in qq.calls if c.action == "send_group_msg"][-1] == (
            "以下名单上的同事还没有进公司群（或群名片没对上名单）：李四。"
            "管理员可私聊机器人 /名单 未进群 查看联系方式。"
        )

        # 第一个群的逾期公告撞上风控（NapCat 1200），暂停后重发也被拒
        answer = qq._answer

        def risk_control_on_the_first_group(call: ApiCall) -> dict:
            if (
                call.action == "send_group_msg"
                and int(call.params["group_id"]) == WORK_GROUP
                and "仍不规范" in call.text
            ):
                return dict(RESPONSES["send_fail_napcat_risk_control"])
            return answer(call)

        qq._answer = risk_control_on_the_first_group
        mark = len(qq.calls)
        assert "card.sweep:jgs:2026-11-30" in await bot.set_clock("2026-11-30T10:00:00+08:00")
        sent = [
            (int(c.params["group_id"]), c.text)
            for c in qq.calls[mark:]
            if c.action == "send_group_msg"
        ]
        overdue = (
            "以下成员的群名片仍不规范，今天各扣 10 分，请把群名片改为「鸡公山酒业-你的姓名-你的11位手机号」"
            "（或发 /改名片 姓名 手机号，由机器人代改）："
        )
        assert sent == [
            (WORK_GROUP, overdue + "@20003"),  # 被拒
            (WORK_GROUP, overdue + "@20003"),  # 暂停后重发，又被拒
            (second, overdue + "@20004@20006"),
            (WORK_GROUP, "以下同事名单登记 3 天后仍未进公司群，各扣 50 分：李四。"),
        ]
        fines = await bot.query(
            "SELECT user_id, rule, delta, CAST(business_date AS TEXT) FROM ledger_entry"
            " ORDER BY user_id"
        )
        assert fines == [
            (20002, "roster.absent", -50, "2026-11-30"),
            (20003, "card.penalty", -10, "2026-11-30"),
            (20004, "card.penalty", -10, "2026-11-30"),
            (20006, "card.penalty", -10, "2026-11-30"),
        ]
        ((finished, note),) = await bot.query(
            "SELECT finished_at IS NOT NULL, note FROM job_run"
            " WHERE job = 'card.sweep' AND period = '2026-11-30'"
        )
        napcat_says = RESPONSES["send_fail_napcat_risk_control"]["message"]
        assert finished
        assert note == (
            f"群 {WORK_GROUP}：规范 1，宽限中 0，逾期 1；群 {second}：规范 0，宽限中 0，逾期 2；"
            f"未进群 1；没发出去：群 {WORK_GROUP}（{napcat_says}）"
        )
        # 运维不用翻数据库：/状态 在这个任务下面写着上次的结果
        status = await qq.private_says("/状态", user_id=SUPERUSER)
        assert f"    结果：{note}" in status
    finally:
        await qq.close()
        assert await bot.stop() == 0
    assert "Traceback" not in bot.log()
