"""申报与转发推广：/申报 /推广 /已转发，/确认 审N [分数]、/确认 推N、/驳回 审N，到期给管理员的审核消息，
以及每一种拒绝（没截图、别人的截图、不在群里、没有这个项目、名额用完、迟了、分数不对、自己的申报）。"""

from datetime import UTC, datetime
from unittest.mock import ANY
from zoneinfo import ZoneInfo

import pytest
from nonebot.adapters.onebot.v11 import Message, MessageSegment
from nonebug import App

from qungui import members
from qungui.models import Campaign, Claim, FilterHit, LedgerEntry
from qungui.policy import ClaimsSection, Policies
from tests import fake
from tests.fake import ADMIN, CHAIRMAN, WORK_GROUP, text

from .conftest import expect_group, expect_private, make_bot

CST = ZoneInfo("Asia/Shanghai")
ZHANG, LI, WANG = 20001, 20002, 20003
NAMES = {ZHANG: "张三", LI: "李四", WANG: "王五", ADMIN: "王管", CHAIRMAN: "赵主席"}
IMAGE_URL = "https://multimedia.nt.qq.com.cn/download?appid=1407&fileid=abc"
OWN_CASE = (
    "这件事与你本人有关（你是得分的人、被处理的人或举报人），不能自己决定，"
    "请另一位管理员或超级用户处理。"
)


def ts(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=CST).timestamp())


def image(url: str = IMAGE_URL) -> dict:
    return {
        "type": "image",
        "data": {"file": "abc.jpg", "url": url, "summary": "[图片]", "sub_type": 0},
    }


def enable(monkeypatch: pytest.MonkeyPatch, **values) -> None:
    """本测试的制度启用 [claims]：客户表扬 1 到 10 分，朋友圈转发 2 分，转发推广 2 分（两天内申报，再保持两天）。"""
    from plugins.core import policies

    policy = policies.get("jgs")
    section = ClaimsSection.model_validate(
        {
            "items": {"客户表扬": [1, 10], "朋友圈转发": 2},
            "repost": {"points": 2, "claim_days": 2, "keep_days": 2},
        }
        | values
    )
    patched = policy.model_copy(update={"claims": section})
    monkeypatch.setattr(
        policies,
        "current",
        Policies({"jgs": patched}, {g: patched for g in patched.all_groups}, policies.path),
    )


@pytest.fixture(autouse=True)
async def _claims(db, clock_at, monkeypatch: pytest.MonkeyPatch):
    clock_at(datetime(2026, 11, 27, 10, 0, tzinfo=CST))
    seen = datetime(2026, 11, 1, tzinfo=UTC)
    for user, name in NAMES.items():
        await members.upsert(
            "jgs", WORK_GROUP, user, seen, card=f"鸡公山酒业-{name}-13800000000", nickname=name
        )
    enable(monkeypatch)


def say(ctx, bot, message, user: int, at: int | None = None, **fields) -> None:
    ctx.receive_event(
        bot,
        fake.group_message(
            message,
            user_id=user,
            card=f"鸡公山酒业-{NAMES[user]}-13800000000",
            time=at or ts(2026, 11, 27, 10, 0),
            **fields,
        ),
    )


def tell(ctx, bot, message: str, user: int = ADMIN, at: int | None = None, **fields) -> None:
    ctx.receive_event(
        bot,
        fake.private_message(message, user_id=user, time=at or ts(2026, 11, 27, 10, 0), **fields),
    )


def review_message(review: int, name: str, qq: int, note: str, count: int = 1) -> Message:
    lines = [
        f"【群规助手】请审核：鸡公山酒业员工群 {name}（QQ {qq}）申报「客户表扬」（+1 至 +10 分）",
    ]
    if note:
        lines.append(f"说明：{note}")
    lines += [f"确认并定分：/确认 审{review} 分数（1–10）　驳回：/驳回 审{review} 理由"]
    lines.append(f"截图 {count} 张：")
    message = Message(MessageSegment.text("\n".join(lines)))
    message.extend(MessageSegment.image(IMAGE_URL) for _ in range(count))
    return message


def expect_private_message(ctx, message: Message, user_id: int) -> None:
    ctx.should_call_api(
        "send_private_msg", {"user_id": user_id, "message": message}, result={"message_id": 1}
    )


async def test_a_claim_with_a_screenshot_is_confirmed_with_a_score(app: App) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, [text("/申报 客户表扬 王总来电表扬我的服务"), image()], ZHANG)
        expect_group(ctx, "已收到 张三 的申报「客户表扬」（审1），管理员确认后加分。")
        expect_private_message(ctx, review_message(1, "张三", ZHANG, "王总来电表扬我的服务"), ADMIN)
        tell(ctx, bot, "/确认 审1")
        expect_private(
            ctx,
            "「客户表扬」的分数由确认的人定，请写 1 到 10 之间的分数，例如 /确认 审1 1。",
            ADMIN,
        )
        tell(ctx, bot, "/确认 审1 11")
        expect_private(ctx, "「客户表扬」的分数应在 1 到 10 之间。", ADMIN)
        tell(ctx, bot, "/确认 审1 口头警告")
        expect_private(ctx, "审1 是申报，确认时不写类别；范围项目写分数。", ADMIN)
        tell(ctx, bot, "/确认 审1 8 客户指名表扬", message_id=9001)
        expect_private(
            ctx, "【群规助手】你的申报「客户表扬」（审1）已确认，+8 分（编号 #1）。", ZHANG
        )
        expect_private(ctx, "已确认 审1：张三「客户表扬」+8 分（编号 #1）。", ADMIN)
        tell(ctx, bot, "/确认 审1 8 客户指名表扬", message_id=9001)  # 重放：不再处理、不再回复
        tell(ctx, bot, "/确认 审1 5", user=CHAIRMAN)
        expect_private(ctx, "审1 已确认，无需再处理。", CHAIRMAN)
    assert await LedgerEntry.all().values_list("user_id", "delta", "rule", "actor_id") == [
        (ZHANG, 8, "claim.客户表扬", ADMIN)
    ]
    hit = await FilterHit.get(id=1)
    assert (hit.rule, hit.status, hit.decided_note) == ("申报", "confirmed", "客户指名表扬")
    claim = await Claim.get(review_id=1)
    assert (claim.points, claim.entry_id, claim.images) == (8, 1, IMAGE_URL)


async def test_a_fixed_item_takes_no_score_and_a_refusal_tells_the_member(app: App) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, [text("/申报 朋友圈转发"), image()], LI)
        expect_group(ctx, "已收到 李四 的申报「朋友圈转发」（审1），管理员确认后加分。")
        review = Message(
            MessageSegment.text(
                f"【群规助手】请审核：鸡公山酒业员工群 李四（QQ {LI}）申报「朋友圈转发」（+2 分）\n"
                "确认：/确认 审1　驳回：/驳回 审1 理由\n"
                "截图 1 张："
            )
        ) + MessageSegment.image(IMAGE_URL)
        expect_private_message(ctx, review, ADMIN)
        tell(ctx, bot, "/确认 审1 3")
        expect_private(ctx, "「朋友圈转发」固定 2 分，确认时不用写分数。", ADMIN)
        tell(ctx, bot, "/驳回 审1 截图里看不到转发时间")
        expect_private(
            ctx,
            "【群规助手】你的申报「朋友圈转发」（审1）没有通过：截图里看不到转发时间。"
            "改好后可以重新申报。",
            LI,
        )
        expect_private(ctx, "已驳回 审1（李四「朋友圈转发」），已私聊告诉本人。", ADMIN)
        # 驳回让出了名额：当天改好可以再报
        say(ctx, bot, [text("/申报 朋友圈转发"), image()], LI, at=ts(2026, 11, 27, 11))
        expect_group(ctx, "已收到 李四 的申报「朋友圈转发」（审2），管理员确认后加分。")
        expect_private_message(
            ctx,
            Message(
                MessageSegment.text(
                    f"【群规助手】请审核：鸡公山酒业员工群 李四（QQ {LI}）申报「朋友圈转发」（+2 分）\n"
                    "确认：/确认 审2　驳回：/驳回 审2 理由\n"
                    "截图 1 张："
                )
            )
            + MessageSegment.image(IMAGE_URL),
            ADMIN,
        )
        tell(ctx, bot, "/确认 审2")
        expect_private(
            ctx, "【群规助手】你的申报「朋友圈转发」（审2）已确认，+2 分（编号 #1）。", LI
        )
        expect_private(ctx, "已确认 审2：李四「朋友圈转发」+2 分（编号 #1）。", ADMIN)
    assert await LedgerEntry.all().values_list("user_id", "delta", "rule") == [
        (LI, 2, "claim.朋友圈转发")
    ]


async def test_claim_refusals(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/申报 客户表扬 没带图", ZHANG)
        expect_group(
            ctx,
            "申报要附截图：把截图和命令发在同一条消息里，或回复你自己发的截图再发命令。",
        )
        say(ctx, bot, [text("/申报 加班 周末加班"), image()], ZHANG)
        expect_group(ctx, "没有「加班」这个申报项目。可以申报的：客户表扬、朋友圈转发。")
        say(ctx, bot, [text("/申报"), image()], ZHANG)
        expect_group(
            ctx,
            "用法：/申报 项目 [说明]（附截图）\n例如：/申报 客户表扬 王总来电表扬我的服务（附截图）",
        )
        # 群里的命令私聊发来：说一声去群里发，什么也不记
        tell(ctx, bot, "/申报 客户表扬 私聊发的", user=ZHANG)
        expect_private(ctx, "「/申报」要在群里发，私聊里不能用。", ZHANG)
        say(ctx, bot, [text("/申报 朋友圈转发"), image()], WANG)
        expect_group(ctx, "已收到 王五 的申报「朋友圈转发」（审1），管理员确认后加分。")
        ctx.should_call_api(
            "send_private_msg", {"user_id": ADMIN, "message": ANY}, result={"message_id": 1}
        )
        say(ctx, bot, [text("/申报 朋友圈转发"), image()], WANG, at=ts(2026, 11, 27, 23, 59))
        expect_group(ctx, "「朋友圈转发」每人每天只能申报 1 次，今天的已经报过了。")
    assert await Claim.all().count() == 1


async def test_a_reply_to_ones_own_screenshot_counts_and_anothers_does_not(app: App) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        reply = [{"type": "reply", "data": {"id": "7001"}}, text("/申报 客户表扬")]
        say(ctx, bot, reply, ZHANG)
        ctx.should_call_api(
            "get_msg",
            {"message_id": 7001},
            result={"message_id": 7001, "sender": {"user_id": LI}, "message": [image()]},
        )
        expect_group(ctx, "只能用你自己发的截图申报。")
        say(ctx, bot, [{"type": "reply", "data": {"id": "7002"}}, text("/申报 客户表扬")], ZHANG)
        ctx.should_call_api(
            "get_msg",
            {"message_id": 7002},
            result={"message_id": 7002, "sender": {"user_id": ZHANG}, "message": [image()]},
        )
        expect_group(ctx, "已收到 张三 的申报「客户表扬」（审1），管理员确认后加分。")
        expect_private_message(ctx, review_message(1, "张三", ZHANG, ""), ADMIN)


async def test_without_items_or_repost_the_commands_say_so(app: App, monkeypatch) -> None:
    enable(monkeypatch, items={}, repost=None)
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, [text("/申报 客户表扬"), image()], ZHANG)
        expect_group(ctx, "制度里没有可以申报的项目（[claims.items]）。")
        say(ctx, bot, "/推广 新品发布", ADMIN)
        expect_group(ctx, "制度里没有启用转发推广（[claims.repost]）。")
        say(ctx, bot, [text("/已转发 推1"), image()], ZHANG)
        expect_group(ctx, "制度里没有启用转发推广（[claims.repost]）。")


OPENED = (
    "【推1】鸡公山酒业新品发布\n"
    "请转发到朋友圈并保持 2 天以上，11月28日 24:00 前把截图和“/已转发 推1”发在群里申报；"
    "12月1日 起管理员统一审核，每人加 2 分。"
)


def claimed(name: str, review: int) -> str:
    return f"已收到 {name} 的转发申报（推1，审{review}），12月1日 起管理员统一审核。"


async def test_a_campaign_from_opening_to_one_confirmation(app: App) -> None:
    from plugins.claims import _due

    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/推广 鸡公山酒业新品发布", ZHANG)
        expect_group(ctx, "「/推广」需要管理员及以上权限，你现在是成员。")
        say(ctx, bot, "/推广 鸡公山酒业新品发布", ADMIN, message_id=8000)
        expect_group(ctx, OPENED)
        say(ctx, bot, "/推广 鸡公山酒业新品发布", ADMIN, message_id=8000)  # 重放：不再开一次
        say(ctx, bot, "/已转发 推1", ZHANG)
        expect_group(
            ctx,
            "申报要附截图：把截图和命令发在同一条消息里，或回复你自己发的截图再发命令。",
        )
        say(ctx, bot, [text("/已转发 1"), image()], ZHANG)
        expect_group(
            ctx,
            "推广编号写作“推3”这样。\n用法：/已转发 推N（附截图）\n例如：/已转发 推3（附朋友圈截图）",
        )
        say(ctx, bot, [text("/已转发 推9"), image()], ZHANG)
        expect_group(ctx, "没有 推9 这次推广。")
        for review, user in enumerate((ZHANG, LI, WANG), start=1):
            say(ctx, bot, [text("/已转发 推1"), image()], user, at=ts(2026, 11, 28, 23, 59))
            expect_group(ctx, claimed(NAMES[user], review))
        say(ctx, bot, [text("/已转发 推1"), image()], LI, at=ts(2026, 11, 28, 23, 59))
        expect_group(ctx, "你已经申报过 推1（审2），不用再报。")
        say(ctx, bot, [text("/已转发 推1"), image()], CHAIRMAN, at=ts(2026, 11, 29, 0, 0))
        expect_group(ctx, "推1 的申报已于 11月28日 24:00 截止，不能再申报。")
        tell(ctx, bot, "/确认 推1", at=ts(2026, 11, 30, 23, 59))
        expect_private(ctx, "推1 要保持到 12月1日 才审核（制度：转发后保持 2 天以上）。", ADMIN)

    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        await _due(datetime(2026, 11, 30, 23, 59, tzinfo=CST))  # 还没到：什么也不发
        ctx.should_call_api(
            "send_private_msg",
            {
                "user_id": ADMIN,
                "message": Message(
                    MessageSegment.text(
                        "【群规助手】推1「鸡公山酒业新品发布」已过保持期，3 人申报已转发：\n"
                        f"审1 张三（QQ {ZHANG}）\n审2 李四（QQ {LI}）\n审3 王五（QQ {WANG}）\n"
                        "全部确认（每人 +2 分）：/确认 推1　个别不通过的先驳回：/驳回 审M 理由"
                    )
                ),
            },
            result={"message_id": 1},
        )
        await _due(datetime(2026, 12, 1, 0, 0, tzinfo=CST))
        await _due(datetime(2026, 12, 1, 0, 1, tzinfo=CST))  # 已经发过：不再发

    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        due = ts(2026, 12, 1, 9, 0)
        tell(ctx, bot, "/驳回 审3 朋友圈截图是别的文章", at=due)
        expect_private(
            ctx,
            "【群规助手】你的申报「推1」（审3）没有通过：朋友圈截图是别的文章。改好后可以重新申报。",
            WANG,
        )
        expect_private(ctx, "已驳回 审3（王五「推1」），已私聊告诉本人。", ADMIN)
        tell(ctx, bot, "/确认 推1 5", at=due)
        expect_private(ctx, "「推1」固定 2 分，确认时不用写分数。", ADMIN)
        tell(ctx, bot, "/确认 推1", at=due, message_id=9100)
        for review, user in ((1, ZHANG), (2, LI)):
            expect_private(
                ctx,
                f"【群规助手】你的申报「推1」（审{review}）已确认，+2 分（编号 #{review}）。",
                user,
            )
        expect_private(ctx, "已确认 推1：2 人各 +2 分（张三、李四）。", ADMIN)
        tell(ctx, bot, "/确认 推1", at=due, message_id=9100)  # 重放
        tell(ctx, bot, "/确认 推1", at=due, user=CHAIRMAN)
        expect_private(ctx, "推1 没有待确认的申报。", CHAIRMAN)
    assert await LedgerEntry.all().order_by("id").values_list("user_id", "delta", "rule") == [
        (ZHANG, 2, "repost"),
        (LI, 2, "repost"),
    ]
    campaign = await Campaign.get(id=1)
    assert campaign.review_sent_at is not None and campaign.decided_by == ADMIN


async def test_an_admin_does_not_confirm_his_own_claim(app: App) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/推广 新品发布", ADMIN)
        expect_group(ctx, OPENED.replace("鸡公山酒业新品发布", "新品发布"))
        for review, user in ((1, ADMIN), (2, ZHANG)):
            say(ctx, bot, [text("/已转发 推1"), image()], user)
            expect_group(ctx, claimed(NAMES[user], review))
        due = ts(2026, 12, 1, 9, 0)
        tell(ctx, bot, "/确认 审1", at=due)
        expect_private(ctx, OWN_CASE, ADMIN)
        tell(ctx, bot, "/驳回 审1", at=due)
        expect_private(ctx, OWN_CASE, ADMIN)
        tell(ctx, bot, "/确认 推1", at=due)
        expect_private(ctx, "【群规助手】你的申报「推1」（审2）已确认，+2 分（编号 #1）。", ZHANG)
        expect_private(
            ctx,
            "已确认 推1：1 人各 +2 分（张三）。\n你自己的申报（审1）要由另一位管理员确认：/确认 推1。",
            ADMIN,
        )
        tell(ctx, bot, "/确认 推1", at=due, user=CHAIRMAN)
        expect_private(ctx, "【群规助手】你的申报「推1」（审1）已确认，+2 分（编号 #2）。", ADMIN)
        expect_private(ctx, "已确认 推1：1 人各 +2 分（王管）。", CHAIRMAN)


async def test_replying_to_the_company_post_takes_its_words_as_the_title(app: App) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, [{"type": "reply", "data": {"id": "7300"}}, text("/推广")], ADMIN)
        ctx.should_call_api(
            "get_msg",
            {"message_id": 7300},
            result={
                "message_id": 7300,
                "sender": {"user_id": CHAIRMAN},
                "message": [text("鸡公山酒业新品发布 欢迎品鉴")],
            },
        )
        expect_group(ctx, OPENED.replace("鸡公山酒业新品发布", "鸡公山酒业新品发布 欢迎品鉴"))
        say(ctx, bot, "/推广", ADMIN)
        expect_group(
            ctx,
            "请写推广的标题，或回复公司的那条推文再发 /推广。\n"
            "用法：/推广 [标题]（或回复公司的推文：/推广）\n例如：/推广 鸡公山酒业新品发布",
        )
    campaign = await Campaign.get(id=1)
    assert (campaign.message_id, campaign.opened_by) == (7300, ADMIN)


async def test_the_rules_text_explains_claims_and_the_repost_rule(app: App) -> None:
    from plugins.core import policies
    from plugins.system import policy_text
    from qungui.outgoing import mask_digits

    rules = policy_text(policies.get("jgs"))
    assert (
        "六、可以申报的加分项（截图和 /申报 项目 说明 发在群里，管理员确认后加分）："
        "客户表扬 +1 至 +10 分；朋友圈转发 +2 分\n"
        "    公司推文转发推广：管理员发【推N】后，2 天内转发到朋友圈、截图发 /已转发 推N，"
        "保持 2 天以上，每次加 2 分\n"
    ) in rules
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/群规", ZHANG)
        expect_group(ctx, mask_digits(rules))


async def test_without_items_the_repost_rule_is_the_next_item(app: App, monkeypatch) -> None:
    from plugins.core import policies
    from plugins.system import policy_text

    enable(monkeypatch, items={})
    rules = policy_text(policies.get("jgs"))
    assert "\n六、公司推文转发推广：管理员发【推N】后，2 天内" in rules
    enable(monkeypatch, items={}, repost=None)
    assert "六、" not in policy_text(policies.get("jgs"))


async def test_a_due_review_refused_by_napcat_is_sent_on_a_later_tick(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """到期的审核消息被 NapCat 拒收（风控）：确知没有发出，不能就此丢掉——管理员不知道该 /确认 推N，
    申报的人就一直拿不到分。之后的时钟走动再发，发到了就不再发。"""
    import asyncio

    from nonebot.adapters.onebot.v11 import ActionFailed

    from plugins.claims import _due
    from plugins.core import sender

    monkeypatch.setattr(sender, "backoff_start", 0.01)
    monkeypatch.setattr(sender, "on_backoff", None)
    monkeypatch.setattr(sender, "accounts", {})
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/推广 鸡公山酒业新品发布", ADMIN)
        expect_group(ctx, OPENED)
        say(ctx, bot, [text("/已转发 推1"), image()], ZHANG)
        expect_group(ctx, claimed("张三", 1))
    due_text = {
        "user_id": ADMIN,
        "message": Message(
            MessageSegment.text(
                "【群规助手】推1「鸡公山酒业新品发布」已过保持期，1 人申报已转发：\n"
                f"审1 张三（QQ {ZHANG}）\n"
                "全部确认（每人 +2 分）：/确认 推1　个别不通过的先驳回：/驳回 审M 理由"
            )
        ),
    }
    refused = ActionFailed(**fake.RESPONSES["send_fail_napcat_risk_control"])
    async with app.test_api() as ctx:
        make_bot(ctx)
        # 第一次和暂停后的一次重发都被拒
        ctx.should_call_api("send_private_msg", due_text, exception=refused)
        ctx.should_call_api("send_private_msg", due_text, exception=refused)
        await _due(datetime(2026, 12, 1, 0, 0, tzinfo=CST))
        await asyncio.sleep(0.1)  # 暂停结束
        ctx.should_call_api("send_private_msg", due_text, result={"message_id": 1})
        await _due(datetime(2026, 12, 1, 0, 1, tzinfo=CST))
        await _due(datetime(2026, 12, 1, 0, 2, tzinfo=CST))  # 已经发到：不再发
    assert (await Campaign.get(id=1)).review_sent_at is not None


async def test_the_same_company_post_is_not_opened_twice(app: App) -> None:
    """两位管理员都回复同一条公司推文发 /推广：只开一次——否则同一次转发可以报 推1 又报 推2，拿两份分。"""
    post = {
        "message_id": 7300,
        "sender": {"user_id": CHAIRMAN},
        "message": [text("鸡公山酒业新品发布 欢迎品鉴")],
    }
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, [{"type": "reply", "data": {"id": "7300"}}, text("/推广")], ADMIN)
        ctx.should_call_api("get_msg", {"message_id": 7300}, result=post)
        expect_group(ctx, OPENED.replace("鸡公山酒业新品发布", "鸡公山酒业新品发布 欢迎品鉴"))
        say(
            ctx,
            bot,
            [{"type": "reply", "data": {"id": "7300"}}, text("/推广 新品转发")],
            CHAIRMAN,
            at=ts(2026, 11, 27, 11, 0),
        )
        expect_group(
            ctx,
            "这条推文已经开过推广：推1「鸡公山酒业新品发布 欢迎品鉴」，11月28日 24:00 前用“/已转发 推1”申报。",
        )
    assert await Campaign.all().count() == 1


async def test_a_replayed_batch_after_another_admins_batch_says_nothing(app: App) -> None:
    """王管的 /确认 推1 留下了他自己的申报，主席随后确认了它；王管那条命令再被上报一次（重连）：
    那是重放，不该回“推1 没有待确认的申报”。"""
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        say(ctx, bot, "/推广 新品发布", ADMIN)
        expect_group(ctx, OPENED.replace("鸡公山酒业新品发布", "新品发布"))
        for review, user in ((1, ADMIN), (2, ZHANG)):
            say(ctx, bot, [text("/已转发 推1"), image()], user)
            expect_group(ctx, claimed(NAMES[user], review))
        due = ts(2026, 12, 1, 9, 0)
        tell(ctx, bot, "/确认 推1", at=due, message_id=9100)
        expect_private(ctx, "【群规助手】你的申报「推1」（审2）已确认，+2 分（编号 #1）。", ZHANG)
        expect_private(
            ctx,
            "已确认 推1：1 人各 +2 分（张三）。\n你自己的申报（审1）要由另一位管理员确认：/确认 推1。",
            ADMIN,
        )
        tell(ctx, bot, "/确认 推1", at=due + 60, user=CHAIRMAN)
        expect_private(ctx, "【群规助手】你的申报「推1」（审1）已确认，+2 分（编号 #2）。", ADMIN)
        expect_private(ctx, "已确认 推1：1 人各 +2 分（王管）。", CHAIRMAN)
        tell(ctx, bot, "/确认 推1", at=due, message_id=9100)  # 重放：什么也不说
    assert await LedgerEntry.all().count() == 2
