"""内容过滤、审核与举报（tests/policy.toml 的 [filter]：赌博→审核、代开发票→直接警告、
内部价→只记录、链接→审核、隐私→撤回、刷屏→同样内容 60 秒 5 条审核，举报加 2 分）。"""

from unittest.mock import ANY

from nonebot.adapters.onebot.v11 import ActionFailed
from nonebug import App

from qungui.models import FilterHit, LedgerEntry, WarningCase
from tests import fake
from tests.fake import ADMIN, CHAIRMAN, WORK_GROUP, member_info, text

from .conftest import expect_group, expect_private, make_bot

LI = 20002
LI_CARD = "鸡公山酒业-李四-13800000000"
ZHANG = 20001
ZHANG_CARD = "鸡公山酒业-张三-13900000000"
ADMIN_CARD = "鸡公山酒业-王管-13700000000"
OWN_CASE = (
    "这件事与你本人有关（你是得分的人、被处理的人或举报人），不能自己决定，"
    "请另一位管理员或超级用户处理。"
)


def say(ctx, bot, message, user: int = LI, card: str = LI_CARD, **fields) -> None:
    ctx.receive_event(bot, fake.group_message(message, user_id=user, card=card, **fields))


def admin_says(ctx, bot, message: str, **fields) -> None:
    ctx.receive_event(bot, fake.private_message(message, user_id=ADMIN, **fields))


def issued(name: str, category: str, points: str, entry: int, count: int) -> str:
    return f"已警告 {name}：{category}，{points}，30 天内第 {count} 次（编号 #{entry}）。"


async def test_review_hit_goes_to_admins_and_confirm_issues_the_warning(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "周末一起去澳门大赌场玩", message_id=7001)
        expect_private(
            ctx,
            f"【群规助手】请审核：鸡公山酒业员工群 李四（QQ {LI}）的一条消息命中规则「赌博」（确认后警告：不良信息 -5 分）\n"
            "命中：澳门大赌场\n"
            "原文：周末一起去澳门大赌场玩\n"
            "确认并警告：/确认 审1　驳回：/驳回 审1",
            ADMIN,
        )
        admin_says(ctx, bot, "/确认 1")
        expect_private(
            ctx,
            "审核编号写作“审17”这样（不是账本里的编号）。\n"
            "用法：/确认 审N [类别] [数额] [理由]\n例如：/确认 审17",
            ADMIN,
        )
        admin_says(ctx, bot, "/确认 审1")
        expect_group(ctx, issued("李四", "不良信息", "-5 分", 1, 1))
        expect_private(ctx, "已确认并警告 李四：不良信息，-5 分（编号 #1）。", ADMIN)
        admin_says(ctx, bot, "/确认 审1")
        expect_private(ctx, "审1 已确认，无需再处理。", ADMIN)
        admin_says(ctx, bot, "/驳回 审1")
        expect_private(ctx, "审1 已确认，无需再处理。", ADMIN)
        admin_says(ctx, bot, "/确认 审99")
        expect_private(ctx, "没有这个审核编号。", ADMIN)
    hit = await FilterHit.get(id=1)
    assert (hit.status, hit.decided_by, hit.entry_id, hit.message_id) == (
        "confirmed",
        ADMIN,
        1,
        7001,
    )
    case = await WarningCase.get(entry_id=1)
    assert (case.user_id, case.actor_id, case.evidence_text, case.evidence_message_id) == (
        LI,
        ADMIN,
        "周末一起去澳门大赌场玩",
        7001,
    )
    assert await LedgerEntry.all().values_list("user_id", "delta", "rule", "actor_role") == [
        (LI, -5, "warn.不良信息", "admin")
    ]


async def test_links_are_defanged_for_review_and_dismiss_writes_nothing(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "官网 https://www.jgsjy.com/about 和 https://mp.weixin.qq.com/s/x")
        say(ctx, bot, "点这里领红包 http://evil.top/hb?id=3")
        expect_private(
            ctx,
            f"【群规助手】请审核：鸡公山酒业员工群 李四（QQ {LI}）的一条消息命中规则「链接」（确认后警告：不良信息 -5 分）\n"
            "命中：evil[.]top\n"
            "原文：点这里领红包 hxxp://evil[.]top/hb?id=3\n"
            "（原文里的链接已改写成 hxxp、[.]，点不开，防止误点中毒）\n"
            "确认并警告：/确认 审1　驳回：/驳回 审1",
            ADMIN,
        )
        say(ctx, bot, "/驳回 审1 是供应商的活动页", user=ADMIN, card="")
        expect_group(ctx, "已驳回 审1。")
        say(ctx, bot, "/确认 审1", user=ADMIN, card="")
        expect_group(ctx, "审1 已驳回，无需再处理。")
        say(ctx, bot, "/驳回 审1", user=ZHANG, card=ZHANG_CARD)
        expect_group(ctx, "「/驳回」需要管理员及以上权限，你现在是成员。")
    hit = await FilterHit.get(id=1)
    assert (hit.status, hit.decided_note) == ("dismissed", "是供应商的活动页")
    assert await LedgerEntry.all().count() == 0


async def test_warn_rule_warns_at_once_and_a_replay_does_nothing(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        for _ in range(2):  # 同一条消息上报两次（重连后重放）
            say(ctx, bot, "低价代开发票，私聊", message_id=7002)
        expect_group(ctx, issued("李四", "不良信息", "-5 分", 1, 1))
    assert await LedgerEntry.all().values_list("user_id", "delta", "rule", "actor_role") == [
        (LI, -5, "warn.不良信息", "system")
    ]
    case = await WarningCase.get(entry_id=1)
    assert (case.actor_id, case.reason) == (None, "内容规则「发票广告」：代开发票")
    assert await FilterHit.all().values_list("rule", "status") == [("发票广告", "warned")]


async def test_privacy_rule_recalls_then_warns_without_repeating_the_number(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "我的电话 13800000000，有事找我")  # 自己名片上的号码：不算
        say(ctx, bot, "客户王总的电话 13912345678 身份证 11010519491231002X", message_id=7003)
        ctx.should_call_api(
            "get_group_member_info",
            {"group_id": WORK_GROUP, "user_id": fake.SELF_ID, "no_cache": True},
            result=member_info(fake.SELF_ID, role="admin"),
        )
        ctx.should_call_api("delete_msg", {"message_id": 7003}, result=None)
        expect_group(ctx, issued("李四", "泄露他人信息", "-5 分", 1, 1))
    hit = await FilterHit.get(id=1)
    assert (hit.rule, hit.excerpt, hit.recalled, hit.status) == (
        "隐私",
        "身份证号 110***********002x",
        True,
        "warned",
    )


async def test_the_own_number_on_a_full_width_card_is_not_someone_elses(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        wide = "鸡公山酒业－李四－１３８００００００００"
        say(ctx, bot, "我的电话 13800000000，有事找我", card=wide)
        say(ctx, bot, "我的电话 １３８００００００００", card=wide)
    assert await FilterHit.all().count() == 0
    assert await LedgerEntry.all().count() == 0


async def test_recall_without_admin_rights_asks_the_admins(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "卡号 6222 0212 3456 7890 128 帮我转一下", message_id=7004)
        ctx.should_call_api(
            "get_group_member_info",
            {"group_id": WORK_GROUP, "user_id": fake.SELF_ID, "no_cache": True},
            result=member_info(fake.SELF_ID, role="member"),
        )
        expect_private(
            ctx,
            f"【群规助手】鸡公山酒业员工群 李四（QQ {LI}）11月27日 10:00 发的一条消息应当撤回"
            "（隐私：银行卡号 622************0128），但机器人不是这个群的管理员，撤回不了。警告已照常记下。"
            "请群主或管理员在群里手动撤回这条消息；把机器人设为群管理员后，以后会自动撤回。",
            ADMIN,
        )
        expect_group(ctx, issued("李四", "泄露他人信息", "-5 分", 1, 1))
    assert (await FilterHit.get(id=1)).recalled is False


async def test_a_failed_recall_tells_the_admins_which_message_to_recall(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "卡号 6222 0212 3456 7890 128 帮我转一下", message_id=7004)
        ctx.should_call_api(
            "get_group_member_info",
            {"group_id": WORK_GROUP, "user_id": fake.SELF_ID, "no_cache": True},
            result=member_info(fake.SELF_ID, role="admin"),
        )
        ctx.should_call_api(
            "delete_msg",
            {"message_id": 7004},
            exception=ActionFailed(status="failed", retcode=1200, message="消息不存在", wording=""),
        )
        expect_private(
            ctx,
            f"【群规助手】鸡公山酒业员工群 李四（QQ {LI}）11月27日 10:00 发的一条消息应当撤回"
            "（隐私：银行卡号 622************0128），但撤回没有成功（消息不存在）。警告已照常记下。"
            "请在群里手动撤回这条消息。",
            ADMIN,
        )
        expect_group(ctx, issued("李四", "泄露他人信息", "-5 分", 1, 1))
    assert (await FilterHit.get(id=1)).recalled is False


async def test_shadow_rule_only_counts_and_stats_show_what_it_would_do(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "内部价 99 元一箱")
        say(ctx, bot, "内部价还有吗", user=ZHANG, card=ZHANG_CARD)
        say(ctx, bot, "周末去澳门赌场")
        expect_private(
            ctx,
            f"【群规助手】请审核：鸡公山酒业员工群 李四（QQ {LI}）的一条消息命中规则「赌博」（确认后警告：不良信息 -5 分）\n"
            "命中：澳门赌场\n原文：周末去澳门赌场\n"
            "确认并警告：/确认 审3　驳回：/驳回 审3",
            ADMIN,
        )
        say(ctx, bot, "/规则统计", user=LI)
        expect_group(ctx, "「/规则统计」需要管理员及以上权限，你现在是成员。")
        admin_says(ctx, bot, "/规则统计 7")
        expect_private(
            ctx,
            "近 7 天内容规则命中：\n"
            "「赌博」（交管理员审核，不良信息 -5 分）：命中 1 次，1 人；待审 1\n"
            "「发票广告」（直接警告，不良信息 -5 分）：没有命中\n"
            "「试运行」（只记录，口头警告 不扣分）：命中 2 次，2 人；若生效将警告 2 次，共扣 0 分\n"
            "「链接」（交管理员审核，不良信息 -5 分）：没有命中\n"
            "「隐私」（撤回并警告，泄露他人信息 -5 分）：没有命中\n"
            "「刷屏」（交管理员审核，口头警告 不扣分）：没有命中\n"
            "「举报」（交管理员审核，不良信息 -5 分）：没有命中",
            ADMIN,
        )
        admin_says(ctx, bot, "/规则统计 很多")
        expect_private(ctx, "用法：/规则统计 [天数]\n例如：/规则统计 7", ADMIN)
    assert await LedgerEntry.all().count() == 0


async def test_five_identical_messages_within_a_minute_are_flooding(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        for second in range(4):
            say(ctx, bot, "收到收到", time=fake.NOV27_1000 + second)
        say(ctx, bot, "收到收到", time=fake.NOV27_1000 + 120)  # 窗口外：从头数
        for second in range(4):
            say(ctx, bot, "收到收到", time=fake.NOV27_1000 + 121 + second)
        expect_private(
            ctx,
            f"【群规助手】请审核：鸡公山酒业员工群 李四（QQ {LI}）的一条消息命中规则「刷屏」（确认后警告：口头警告 不扣分）\n"
            "命中：60 秒内 5 条相同消息\n原文：收到收到\n"
            "确认并警告：/确认 审1　驳回：/驳回 审1",
            ADMIN,
        )
        say(ctx, bot, "收到收到", time=fake.NOV27_1000 + 126)  # 刚触发过：重新数
    assert await FilterHit.all().count() == 1


def reply_to(message_id: int, command: str) -> list[dict]:
    return [{"type": "reply", "data": {"id": str(message_id)}}, text(command)]


def got_message(message_id: int, user_id: int, words: str) -> dict:
    return {
        "message_id": message_id,
        "sender": {"user_id": user_id, "nickname": "Zhang", "card": ""},
        "message": [{"type": "text", "data": {"text": words}}],
    }


async def test_report_is_reviewed_and_pays_the_reporter_once(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "今天的菜不错", user=ZHANG, card=ZHANG_CARD)
        say(ctx, bot, reply_to(7010, "/举报 在群里骂同事"))
        ctx.should_call_api(
            "get_msg", {"message_id": 7010}, result=got_message(7010, ZHANG, "某某就是个废物")
        )
        expect_group(ctx, "已收到举报（审1），管理员会处理。")
        expect_private(
            ctx,
            f"【群规助手】请审核：鸡公山酒业员工群 张三（QQ {ZHANG}）的一条消息被人举报（确认后警告：不良信息 -5 分）\n"
            f"举报人：李四（QQ {LI}），理由：在群里骂同事\n"
            "原文：某某就是个废物\n"
            "确认并警告：/确认 审1　驳回：/驳回 审1",
            ADMIN,
        )
        say(ctx, bot, reply_to(7010, "/举报"), user=CHAIRMAN, card="")
        ctx.should_call_api(
            "get_msg", {"message_id": 7010}, result=got_message(7010, ZHANG, "某某就是个废物")
        )
        expect_group(ctx, "这条消息已经有人举报，管理员会处理。")
        say(ctx, bot, reply_to(7011, "/举报"), user=ZHANG, card=ZHANG_CARD)
        ctx.should_call_api(
            "get_msg", {"message_id": 7011}, result=got_message(7011, ZHANG, "我自己说的")
        )
        expect_group(ctx, "不能举报自己的消息。")
        say(ctx, bot, "/举报 有人发广告")
        expect_group(
            ctx,
            "请回复要举报的那条消息再发 /举报。\n"
            "用法：回复那条消息：/举报 [理由]\n例如：（回复一条消息）/举报 发赌博链接",
        )
        admin_says(ctx, bot, "/确认 审1 诋毁同事")
        expect_group(ctx, issued("张三", "不良信息", "-5 分", 1, 1))
        expect_private(ctx, "已确认并警告 张三：不良信息，-5 分（编号 #1）。举报人加 2 分。", ADMIN)
    rows = await LedgerEntry.all().order_by("id").values_list("user_id", "delta", "rule", "reason")
    assert rows == [
        (ZHANG, -5, "warn.不良信息", "诋毁同事"),
        (LI, 2, "filter.report", "举报属实（审1）"),
    ]


async def test_confirm_keeps_a_number_in_the_note_for_a_fixed_category(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "周末一起去澳门大赌场玩")
        expect_private(
            ctx,
            f"【群规助手】请审核：鸡公山酒业员工群 李四（QQ {LI}）的一条消息命中规则「赌博」（确认后警告：不良信息 -5 分）\n"
            "命中：澳门大赌场\n原文：周末一起去澳门大赌场玩\n"
            "确认并警告：/确认 审1　驳回：/驳回 审1",
            ADMIN,
        )
        # 类别省略时用命中规则的类别（不良信息，固定 -5 分）：后面的数字是理由
        admin_says(ctx, bot, "/确认 审1 3 次发赌博链接")
        expect_group(ctx, issued("李四", "不良信息", "-5 分", 1, 1))
        expect_private(ctx, "已确认并警告 李四：不良信息，-5 分（编号 #1）。", ADMIN)
    assert await LedgerEntry.all().values_list("delta", "reason") == [(-5, "3 次发赌博链接")]


async def test_review_ids_beyond_the_database_range_answer_the_usage(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        for command, usage in (
            ("确认", "用法：/确认 审N [类别] [数额] [理由]\n例如：/确认 审17"),
            ("驳回", "用法：/驳回 审N [理由]\n例如：/驳回 审17 正常的业务链接"),
        ):
            admin_says(ctx, bot, f"/{command} 审99999999999999999999")
            expect_private(ctx, f"编号太大了，没有这样的记录。\n{usage}", ADMIN)
    assert await FilterHit.all().count() == 0


async def test_confirm_can_choose_another_category_and_range_needs_the_chairman(
    app: App, db
) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "博彩网站推荐给大家")
        expect_private(
            ctx,
            f"【群规助手】请审核：鸡公山酒业员工群 李四（QQ {LI}）的一条消息命中规则「赌博」（确认后警告：不良信息 -5 分）\n"
            "命中：博彩\n原文：博彩网站推荐给大家\n"
            "确认并警告：/确认 审1　驳回：/驳回 审1",
            ADMIN,
        )
        admin_says(ctx, bot, "/确认 审1 严重违规 500")
        expect_private(ctx, "这个类别的扣分由主席在范围内决定，需要主席及以上权限。", ADMIN)
        ctx.receive_event(
            bot, fake.private_message("/确认 审1 严重违规 500 屡教不改", user_id=CHAIRMAN)
        )
        expect_group(ctx, issued("李四", "严重违规", "-500 分", 1, 1))
        expect_private(ctx, "已确认并警告 李四：严重违规，-500 分（编号 #1）。", CHAIRMAN)
    assert await LedgerEntry.all().values_list("delta", "actor_role") == [(-500, "chairman")]


async def test_an_admin_decides_neither_a_hit_on_his_message_nor_his_own_report(
    app: App, db
) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "早")
        say(ctx, bot, "周末一起去澳门大赌场玩", user=ADMIN, card=ADMIN_CARD, message_id=7101)
        expect_private(
            ctx,
            f"【群规助手】请审核：鸡公山酒业员工群 王管（QQ {ADMIN}）的一条消息命中规则「赌博」（确认后警告：不良信息 -5 分）\n"
            "命中：澳门大赌场\n"
            "原文：周末一起去澳门大赌场玩\n"
            "确认并警告：/确认 审1　驳回：/驳回 审1",
            ADMIN,
        )
        admin_says(ctx, bot, "/驳回 审1 开玩笑的")
        expect_private(ctx, OWN_CASE, ADMIN)
        admin_says(ctx, bot, "/确认 审1")
        expect_private(ctx, OWN_CASE, ADMIN)
        # 他举报李四的一条消息，再自己确认：举报人不裁决自己的举报（举报奖励归他）
        say(ctx, bot, reply_to(7110, "/举报 骂同事"), user=ADMIN, card=ADMIN_CARD)
        ctx.should_call_api(
            "get_msg", {"message_id": 7110}, result=got_message(7110, LI, "某某就是个废物")
        )
        expect_group(ctx, "已收到举报（审2），管理员会处理。")
        expect_private(
            ctx,
            f"【群规助手】请审核：鸡公山酒业员工群 李四（QQ {LI}）的一条消息被人举报（确认后警告：不良信息 -5 分）\n"
            f"举报人：王管（QQ {ADMIN}），理由：骂同事\n"
            "原文：某某就是个废物\n"
            "确认并警告：/确认 审2　驳回：/驳回 审2",
            ADMIN,
        )
        admin_says(ctx, bot, "/确认 审2")
        expect_private(ctx, OWN_CASE, ADMIN)
        admin_says(ctx, bot, "/驳回 审2")
        expect_private(ctx, OWN_CASE, ADMIN)
        # 另一位（主席）可以处理
        ctx.receive_event(bot, fake.private_message("/确认 审2", user_id=CHAIRMAN))
        expect_group(ctx, issued("李四", "不良信息", "-5 分", 1, 1))
        expect_private(
            ctx, "已确认并警告 李四：不良信息，-5 分（编号 #1）。举报人加 2 分。", CHAIRMAN
        )
    assert await FilterHit.all().order_by("id").values_list("status", "decided_by") == [
        ("pending", None),
        ("confirmed", CHAIRMAN),
    ]
    rows = await LedgerEntry.all().order_by("id").values_list("user_id", "delta", "actor_id")
    assert rows == [(LI, -5, CHAIRMAN), (ADMIN, 2, CHAIRMAN)]


async def test_a_command_word_in_front_does_not_carry_text_past_the_filter(app: App, db) -> None:
    from plugins.core import policies
    from plugins.system import policy_text
    from qungui.outgoing import mask_digits

    rules = mask_digits(policy_text(policies.get("jgs")))
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/群规 加我 澳门赌场 详谈", message_id=7101)
        # 命令照常回答，过滤的审核通知排在回复之后
        expect_group(ctx, rules)
        expect_private(
            ctx,
            f"【群规助手】请审核：鸡公山酒业员工群 李四（QQ {LI}）的一条消息命中规则「赌博」（确认后警告：不良信息 -5 分）\n"
            "命中：澳门赌场\n"
            "原文：/群规 加我 澳门赌场 详谈\n"
            "确认并警告：/确认 审1　驳回：/驳回 审1",
            ADMIN,
        )
        # 直接警告的规则：命令的回复照发，警告紧跟其后
        say(ctx, bot, "/群规 低价代开发票", message_id=7102)
        expect_group(ctx, rules)
        expect_group(ctx, issued("李四", "不良信息", "-5 分", 1, 1))
    assert await FilterHit.all().order_by("id").values_list("rule", "message_id", "status") == [
        ("赌博", 7101, "pending"),
        ("发票广告", 7102, "warned"),
    ]


async def test_a_report_reason_is_filtered_too(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "今天的菜不错", user=ZHANG, card=ZHANG_CARD)
        say(
            ctx,
            bot,
            reply_to(7201, "/举报 他在群里发 http://evil.top/hb 这种链接"),
            message_id=7202,
        )
        ctx.should_call_api(
            "get_msg", {"message_id": 7201}, result=got_message(7201, ZHANG, "某某就是个废物")
        )
        expect_group(ctx, "已收到举报（审1），管理员会处理。")
        expect_private(
            ctx,
            f"【群规助手】请审核：鸡公山酒业员工群 张三（QQ {ZHANG}）的一条消息被人举报（确认后警告：不良信息 -5 分）\n"
            f"举报人：李四（QQ {LI}），理由：他在群里发 http://evil.top/hb 这种链接\n"
            "原文：某某就是个废物\n"
            "确认并警告：/确认 审1　驳回：/驳回 审1",
            ADMIN,
        )
        # 举报的理由也是发在群里的文字：同样过一遍过滤（举报本身照常受理）
        expect_private(
            ctx,
            f"【群规助手】请审核：鸡公山酒业员工群 李四（QQ {LI}）的一条消息命中规则「链接」（确认后警告：不良信息 -5 分）\n"
            "命中：evil[.]top\n"
            "原文：/举报 他在群里发 hxxp://evil[.]top/hb 这种链接\n"
            "（原文里的链接已改写成 hxxp、[.]，点不开，防止误点中毒）\n"
            "确认并警告：/确认 审2　驳回：/驳回 审2",
            ADMIN,
        )
    assert await FilterHit.all().order_by("id").values_list("rule", "user_id", "message_id") == [
        ("举报", ZHANG, 7201),
        ("链接", LI, 7202),
    ]


async def test_a_replayed_decision_is_neither_decided_nor_answered_twice(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "周末一起去澳门大赌场玩", message_id=7101)
        say(ctx, bot, "澳门赌场上线了", message_id=7102, time=fake.NOV27_1000 + 60)
        ctx.should_call_api("send_private_msg", {"user_id": ADMIN, "message": ANY}, {})
        ctx.should_call_api("send_private_msg", {"user_id": ADMIN, "message": ANY}, {})
        # 同一条 /确认 被上报两次（重连、两个账号）：只立一次案、只回一次
        for _ in range(2):
            admin_says(ctx, bot, "/确认 审1", time=fake.NOV27_1000 + 120, message_id=7201)
        expect_group(ctx, issued("李四", "不良信息", "-5 分", 1, 1))
        expect_private(ctx, "已确认并警告 李四：不良信息，-5 分（编号 #1）。", ADMIN)
        for _ in range(2):
            admin_says(ctx, bot, "/驳回 审2 玩笑", time=fake.NOV27_1000 + 180, message_id=7202)
        expect_private(ctx, "已驳回 审2。", ADMIN)
        # 同一个人过一会儿再发一次，是新的一条命令：照常告诉他已经处理过
        admin_says(ctx, bot, "/确认 审1", time=fake.NOV27_1000 + 240)
        expect_private(ctx, "审1 已确认，无需再处理。", ADMIN)
    assert await LedgerEntry.filter(rule__startswith="warn.").count() == 1


async def test_filter_test_shows_what_a_text_would_hit_and_records_nothing(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        admin_says(ctx, bot, "/过滤测试 博 彩 http://evil.top/x 王总 139 1234 5678")
        expect_private(
            ctx,
            "会命中（只是测试，没有记录）：\n"
            "「隐私」撤回并警告：手机号 139****5678\n"
            "「赌博」交管理员审核：博彩\n"
            "「链接」交管理员审核：evil[.]top\n"
            "一条消息只按最重的一条处理，其余记为并入其他规则。",
            ADMIN,
        )
        admin_says(ctx, bot, "/过滤测试 内部价 加我 13912345678")
        expect_private(
            ctx,
            "会命中（只是测试，没有记录）：\n"
            "「隐私」撤回并警告：手机号 139****5678\n"
            "「试运行」只记录：内部价",
            ADMIN,
        )
        admin_says(ctx, bot, "/过滤测试 天猫订单号 6222021234567890128 明天发货")
        expect_private(ctx, "没有命中任何内容规则（只是测试，没有记录）。", ADMIN)
        admin_says(ctx, bot, "/过滤测试")
        expect_private(ctx, "用法：/过滤测试 一段文字（私聊）\n例如：/过滤测试 加V看百家乐", ADMIN)
        # 群里不答：那段文字本身就会被过滤，回答会把命中的内容在群里再说一遍
        say(ctx, bot, "/过滤测试 你好", user=ADMIN, card=ADMIN_CARD)
        expect_group(ctx, "过滤测试的文字在群里也会被过滤，请私聊机器人使用 /过滤测试。")
        say(ctx, bot, "/过滤测试 你好")
        expect_group(ctx, "「/过滤测试」需要管理员及以上权限，你现在是成员。")
    assert await FilterHit.all().count() == 0
    assert await LedgerEntry.all().count() == 0


async def test_a_card_command_exempts_only_the_number_it_writes(app: App, db) -> None:
    # /改名片 的电话是写进名片的；同一条消息里再带一个别人的号码，照样撤回、警告
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/改名片 李四 13800000000 客户王总 13912345678", message_id=7011)
        expect_group(
            ctx,
            "用法：/改名片 [@某人] 姓名 手机号\n例如：/改名片 张三 你的11位手机号",
        )
        ctx.should_call_api(
            "get_group_member_info",
            {"group_id": WORK_GROUP, "user_id": fake.SELF_ID, "no_cache": True},
            result=member_info(fake.SELF_ID, role="admin"),
        )
        ctx.should_call_api("delete_msg", {"message_id": 7011}, result=None)
        expect_group(ctx, issued("李四", "泄露他人信息", "-5 分", 1, 1))
    hit = await FilterHit.get(id=1)
    assert (hit.rule, hit.excerpt) == ("隐私", "手机号 139****5678")


async def test_a_member_may_not_post_a_phone_as_someone_elses_new_card(app: App, db) -> None:
    # 成员不能给别人改名片：命令被拒，电话没有写进任何名片，留在群里的就是别人的号码——照样撤回、警告
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(
            ctx,
            bot,
            [text("/改名片 "), fake.at(ZHANG), text(" 王五 13912345678")],
            message_id=7012,
        )
        expect_group(ctx, "给别人改名片需要管理员及以上权限，你现在是成员。")
        ctx.should_call_api(
            "get_group_member_info",
            {"group_id": WORK_GROUP, "user_id": fake.SELF_ID, "no_cache": True},
            result=member_info(fake.SELF_ID, role="admin"),
        )
        ctx.should_call_api("delete_msg", {"message_id": 7012}, result=None)
        expect_group(ctx, issued("李四", "泄露他人信息", "-5 分", 1, 1))
    hit = await FilterHit.get(id=1)
    assert (hit.rule, hit.excerpt) == ("隐私", "手机号 139****5678")
