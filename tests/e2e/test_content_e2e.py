"""内容过滤走真实 WebSocket：隐私号码立即撤回并警告，赌博交管理员审核后确认，举报属实给举报人加分。"""

import time

from tests.fake import ADMIN, WORK_GROUP, group_message_payload

from .harness import Running

LI, LI_CARD = 20002, "鸡公山酒业-李四-13800000000"
ZHANG, ZHANG_CARD = 20001, "鸡公山酒业-张三-13900000000"
ADMIN_CARD = "鸡公山酒业-王管-13700000000"


async def ledger(running: Running) -> list[tuple]:
    return await running.bot.query(
        "SELECT user_id, delta, rule, actor_role FROM ledger_entry ORDER BY id"
    )


async def test_filter_recalls_reviews_and_pays_reporters(running: Running) -> None:
    qq = running.qq
    qq.add_member(WORK_GROUP, qq.self_id, role="admin")

    # 1. 李四发了客户的手机号：机器人是群管理员，立即撤回，再警告（群里不复述号码）
    mark = len(qq.calls)
    warned = await qq.group_says(
        "王总电话 13912345678，直接打", user_id=LI, card=LI_CARD, message_id=880001
    )
    assert warned == ("已警告 李四：泄露他人信息，-5 分，30 天内第 1 次（编号 #1）。")
    (recall,) = await qq.wait_for("delete_msg", after=mark)
    assert recall.params == {"message_id": 880001}

    # 2. 张三发赌博内容：不在群里说，私聊管理员审核；管理员私聊 /确认
    mark = len(qq.calls)
    await qq.send_event(
        group_message_payload("周末澳门赌场走起", user_id=ZHANG, card=ZHANG_CARD, message_id=880002)
    )
    (review,) = await qq.wait_for("send_private_msg", after=mark)
    assert review.params["user_id"] == ADMIN
    assert review.text.startswith(
        "【群规助手】请审核：鸡公山酒业员工群 张三（QQ 20001）的一条消息命中规则「赌博」（确认后警告：不良信息 -5 分）"
    )
    assert review.text.endswith("确认并警告：/确认 审2　驳回：/驳回 审2")
    mark = len(qq.calls)
    assert (
        await qq.private_says("/确认 审2", user_id=ADMIN)
        == "已确认并警告 张三：不良信息，-5 分（编号 #2）。"
    )
    (told,) = await qq.wait_for("send_group_msg", after=mark)
    assert told.text.startswith("已警告 张三：不良信息，-5 分，")

    # 3. 李四回复张三的一条消息举报；适配器用 get_msg 取回原文
    await qq.send_event(
        group_message_payload("你们都是废物", user_id=ZHANG, card=ZHANG_CARD, message_id=880004)
    )
    report = [
        {"type": "reply", "data": {"id": "880004"}},
        {"type": "text", "data": {"text": "/举报 骂人"}},
    ]
    mark = len(qq.calls)
    assert (
        await qq.group_says(report, user_id=LI, card=LI_CARD) == "已收到举报（审3），管理员会处理。"
    )
    (review,) = await qq.wait_for("send_private_msg", after=mark)
    assert f"举报人：李四（QQ {LI}），理由：骂人" in review.text
    assert "原文：你们都是废物" in review.text
    confirmed = await qq.group_says("/确认 审3", user_id=ADMIN, card=ADMIN_CARD)
    assert confirmed.startswith("已警告 张三：不良信息，-5 分，30 天内第 2 次（编号 #3）。")

    # 4. 一条链接被驳回；/规则统计 看得到各规则的结果
    mark = len(qq.calls)
    await qq.send_event(
        group_message_payload("供应商活动页 http://promo.example.top/x", user_id=LI, card=LI_CARD)
    )
    (review,) = await qq.wait_for("send_private_msg", after=mark)
    assert "hxxp://promo[.]example[.]top/x" in review.text
    assert await qq.private_says("/驳回 审4 是供应商的活动页", user_id=ADMIN) == "已驳回 审4。"
    stats = await qq.private_says("/规则统计", user_id=ADMIN)
    assert "「赌博」（交管理员审核，不良信息 -5 分）：命中 1 次，1 人；已确认 1" in stats
    assert "「链接」（交管理员审核，不良信息 -5 分）：命中 1 次，1 人；已驳回 1" in stats
    assert "「隐私」（撤回并警告，泄露他人信息 -5 分）：命中 1 次，1 人；已警告 1" in stats

    assert await ledger(running) == [
        (LI, -5, "warn.泄露他人信息", "system"),
        (ZHANG, -5, "warn.不良信息", "admin"),
        (ZHANG, -5, "warn.不良信息", "admin"),
        (LI, 2, "filter.report", "admin"),
    ]


async def test_a_crafted_long_message_does_not_stall_the_bot(running: Running) -> None:
    """两万四千字的“1.1.1.…”曾让链接正则回溯十几秒：事件循环停住，下一条命令要等，心跳超时就掉线。"""
    qq = running.qq
    crafted = "1." * 12000
    assert len(crafted) == 24000
    message_ids = iter(range(880101, 880200))

    async def answered_within_a_second(command: str) -> str:
        mark = len(qq.calls)
        sent = time.monotonic()
        await qq.send_event(
            group_message_payload(command, user_id=LI, card=LI_CARD, message_id=next(message_ids))
        )
        (reply,) = await qq.wait_for(
            "send_group_msg", after=mark, where=lambda c: c.params["group_id"] == WORK_GROUP
        )
        waited = time.monotonic() - sent
        assert waited < 1.0, f"等了 {waited:.1f} 秒才回答 {command[:10]}"
        return reply.text

    # 普通消息，和命令后面跟着的（过滤也看命令的文字）
    await qq.send_event(
        group_message_payload(crafted, user_id=ZHANG, card=ZHANG_CARD, message_id=next(message_ids))
    )
    assert (await answered_within_a_second("/积分")).startswith("李四 本月（2026-11）积分 0 分")
    assert (await answered_within_a_second("/群规 " + crafted[:23996])).startswith(
        "【鸡公山酒业 群规】"
    )
    # 连接还在：再问一次照样回答，也没有人被误判
    assert (await answered_within_a_second("/积分")).startswith("李四 本月（2026-11）积分 0 分")
    assert await running.bot.query("SELECT COUNT(*) FROM filter_hit") == [(0,)]


async def test_an_order_number_passes_and_a_card_number_with_context_is_recalled(
    running: Running,
) -> None:
    qq = running.qq
    qq.add_member(WORK_GROUP, qq.self_id, role="admin")
    mark = len(qq.calls)
    # 天猫订单号碰巧通过了卡号校验（62 开头、Luhn）：前面写着“订单号”，不是卡号
    await qq.send_event(
        group_message_payload(
            "天猫订单号 6222021234567890128，客户要改收货地址",
            user_id=LI,
            card=LI_CARD,
            message_id=880301,
        )
    )
    assert (await qq.group_says("/积分", user_id=LI, card=LI_CARD)).startswith("李四 本月")
    # 有户名、开户行的卡号：立即撤回，再警告（群里不复述号码）
    warned = await qq.group_says(
        "货款打这个卡：卡号 6222 0212 3456 7890 128，户名张三，开户行建设银行",
        user_id=ZHANG,
        card=ZHANG_CARD,
        message_id=880302,
    )
    assert warned == ("已警告 张三：泄露他人信息，-5 分，30 天内第 1 次（编号 #1）。")
    (recall,) = await qq.wait_for("delete_msg", after=mark)
    assert recall.params == {"message_id": 880302}
    assert [c for c in qq.calls[mark:] if c.action in ("delete_msg", "send_private_msg")] == [
        recall
    ]
    assert await running.bot.query("SELECT message_id, rule, excerpt, status FROM filter_hit") == [
        (880302, "隐私", "银行卡号 622************0128", "warned")
    ]
    assert await ledger(running) == [(ZHANG, -5, "warn.泄露他人信息", "system")]


async def test_a_phone_written_apart_is_recalled_like_any_other(running: Running) -> None:
    qq = running.qq
    qq.add_member(WORK_GROUP, qq.self_id, role="admin")
    mark = len(qq.calls)
    warned = await qq.group_says(
        "王总电话 +86 139-8765-4321，直接打", user_id=LI, card=LI_CARD, message_id=880101
    )
    assert warned == ("已警告 李四：泄露他人信息，-5 分，30 天内第 1 次（编号 #1）。")
    (recall,) = await qq.wait_for("delete_msg", after=mark)
    assert recall.params == {"message_id": 880101}
    # 自己名片上的号码拆开写不算：不撤回、不警告
    mark = len(qq.calls)
    await qq.send_event(
        group_message_payload("我的电话 138 0000 0000", user_id=LI, card=LI_CARD, message_id=880102)
    )
    mine = await qq.group_says("/积分", user_id=LI, card=LI_CARD)
    assert mine.startswith("李四 本月（2026-11）积分 -5 分")
    assert [c.action for c in qq.calls[mark:]] == ["send_group_msg"]


async def test_an_id_number_named_before_a_code_word_is_recalled(running: Running) -> None:
    qq = running.qq
    qq.add_member(WORK_GROUP, qq.self_id, role="admin")
    mark = len(qq.calls)
    # “快递”在号码后面，可号码前面写着“身份证”：不是快递单号
    warned = await qq.group_says(
        "张总的身份证411503199511083026 快递寄给你",
        user_id=LI,
        card=LI_CARD,
        message_id=880401,
    )
    assert warned == ("已警告 李四：泄露他人信息，-5 分，30 天内第 1 次（编号 #1）。")
    (recall,) = await qq.wait_for("delete_msg", after=mark)
    assert recall.params == {"message_id": 880401}
    assert await running.bot.query("SELECT message_id, rule, excerpt, status FROM filter_hit") == [
        (880401, "隐私", "身份证号 411***********3026", "warned")
    ]


async def test_a_port_before_the_at_of_an_allowed_site_still_goes_to_review(
    running: Running,
) -> None:
    qq = running.qq
    mark = len(qq.calls)
    # 浏览器打开的是 evil.top：“qq.com:443”只是用户名和密码
    await qq.send_event(
        group_message_payload(
            "账号异常，请登录 https://qq.com:443@evil.top/secure 验证",
            user_id=ZHANG,
            card=ZHANG_CARD,
            message_id=880501,
        )
    )
    (review,) = await qq.wait_for("send_private_msg", after=mark)
    assert review.params["user_id"] == ADMIN
    assert review.text.startswith(
        "【群规助手】请审核：鸡公山酒业员工群 张三（QQ 20001）的一条消息命中规则「链接」"
        "（确认后警告：不良信息 -5 分）"
    )
    assert await running.bot.query("SELECT message_id, rule, excerpt, status FROM filter_hit") == [
        (880501, "链接", "qq[.]com:443@evil[.]top", "pending")
    ]


async def test_an_admin_tries_a_text_on_the_filter_in_private_and_nothing_is_recorded(
    running: Running,
) -> None:
    # 把一条规则从 shadow 改成 review 之前，管理员先私聊试一句话：看它会命中什么，什么也不记
    qq = running.qq
    hit = await qq.private_says("/过滤测试 博 彩 http://evil.top/x", user_id=ADMIN)
    assert hit == (
        "会命中（只是测试，没有记录）：\n"
        "「赌博」交管理员审核：博彩\n"
        "「链接」交管理员审核：evil[.]top\n"
        "一条消息只按最重的一条处理，其余记为并入其他规则。"
    )
    clean = await qq.private_says(
        "/过滤测试 天猫订单号 6222021234567890128 明天发货", user_id=ADMIN
    )
    assert clean == "没有命中任何内容规则（只是测试，没有记录）。"
    assert await running.bot.query("SELECT COUNT(*) FROM filter_hit") == [(0,)]
    assert await ledger(running) == []
