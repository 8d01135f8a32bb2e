"""运维的第一个小时：/群列表、NapCat 连上时的检查、启动时的提醒、未配置的群只记一次日志。"""

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from nonebot.adapters.onebot.v11 import ActionFailed
from nonebug import App

from tests import fake
from tests.fake import SHARE_GROUP, SUPERUSER, WORK_GROUP

from .conftest import expect_group, expect_private, make_bot

GROUPS = fake.RESPONSES["get_group_list_ok_napcat"]["data"]
FAMILY = 555000111


@pytest.fixture
def log() -> Iterator[list[tuple[str, str]]]:
    from nonebot.log import logger

    seen: list[tuple[str, str]] = []
    sink = logger.add(lambda m: seen.append((m.record["level"].name, m.record["message"])))
    yield seen
    logger.remove(sink)


async def test_group_list_marks_each_group_for_the_operator(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.private_message("/群列表", user_id=SUPERUSER))
        ctx.should_call_api("get_group_list", {}, result=GROUPS)
        expect_private(
            ctx,
            "QQ 10000 所在的群（群号 群名：在制度里是什么）：\n"
            "987654321 鸡公山酒业工作群：公司群（鸡公山酒业）\n"
            "555000111 家属群：未配置\n"
            "要管理标着「未配置」的群，把群号填进制度文件（config/policy.toml）的 [groups]："
            "work = [公司群号]，share = [分享群号]，然后私聊机器人发 /重载群规（或重启）。",
            SUPERUSER,
        )


async def test_group_list_when_qq_will_not_say(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.private_message("/群列表", user_id=SUPERUSER))
        ctx.should_call_api(
            "get_group_list", {}, exception=ActionFailed(retcode=1200, wording="获取失败")
        )
        expect_private(ctx, "取不到 QQ 10000 所在的群：获取失败。请稍后再试。", SUPERUSER)


async def test_group_list_is_for_superusers_in_private_chat(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.private_message("/群列表", user_id=fake.ADMIN))
        expect_private(ctx, "「/群列表」需要超级用户及以上权限，你现在是管理员。", fake.ADMIN)
        ctx.receive_event(bot, fake.group_message("/群列表", user_id=SUPERUSER))
        expect_group(ctx, "/群列表 含群号，请私聊机器人查看。")


async def test_connecting_lists_groups_and_says_what_is_wrong(app: App, db, log) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.lifecycle_connect())
        ctx.should_call_api("get_group_list", {}, result=GROUPS)
        ctx.should_call_api(
            "get_group_member_info",
            {"group_id": WORK_GROUP, "user_id": fake.SELF_ID, "no_cache": True},
            result={"user_id": fake.SELF_ID, "group_id": WORK_GROUP, "role": "member"},
        )
    messages = [text for _, text in log]
    assert (
        "QQ 10000 已连上，所在的群：\n"
        "  987654321 鸡公山酒业工作群：公司群（鸡公山酒业）\n"
        "  555000111 家属群：未配置"
    ) in messages
    assert any(m.startswith("要管理标着「未配置」的群") for m in messages)
    # 制度里的分享群，这个号不在里面
    assert (
        "WARNING",
        f"制度里的群 {SHARE_GROUP}（分享群（鸡公山酒业））不在 QQ 10000 的群列表里："
        "机器人收不到那个群的消息。请把这个号拉进群，或检查群号有没有写错。",
    ) in log
    assert (
        "WARNING",
        f"QQ 10000 在公司群 {WORK_GROUP} 不是管理员：在那里设置群名片、禁言、撤回都做不了"
        "（机器人会如实告诉管理员）。请群主把它设为管理员。",
    ) in log


async def test_an_admin_bot_in_every_group_hears_no_warning(app: App, db, log) -> None:
    groups = [*GROUPS[:1], {**GROUPS[0], "group_id": SHARE_GROUP, "group_name": "分享群"}]
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.lifecycle_connect())
        ctx.should_call_api("get_group_list", {}, result=groups)
        ctx.should_call_api(
            "get_group_member_info",
            {"group_id": WORK_GROUP, "user_id": fake.SELF_ID, "no_cache": True},
            result={"user_id": fake.SELF_ID, "group_id": WORK_GROUP, "role": "admin"},
        )
    assert [text for level, text in log if level == "WARNING"] == []


async def test_a_group_outside_the_policy_is_logged_once(app: App, db, log) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        for _ in range(3):
            ctx.receive_event(bot, fake.group_message("大家好", group_id=FAMILY, user_id=20001))
    ignored = [text for _, text in log if text.startswith(f"群 {FAMILY} 不在制度文件里，已忽略")]
    assert len(ignored) == 1


def test_startup_says_what_an_operator_must_fill_in() -> None:
    from plugins.core import policies
    from plugins.core.setup_checks import startup_problems

    empty = policies.get("jgs").model_copy(
        update={"groups": policies.get("jgs").groups.model_copy(update={"work": [], "share": []})}
    )
    shanghai = datetime(2026, 12, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    lines = startup_problems([empty], [], shanghai, token="")
    assert lines[0] == (
        ".env 的 ONEBOT_ACCESS_TOKEN 是空的：任何能连上机器人端口的程序都能冒充 NapCat，"
        "以超级用户的身份发命令、拿到网页后台的登录链接。运行 make napcat 填上一串随机字符"
        "（NapCat 的 token 填同一串），重启生效。"
    )
    assert lines[1].startswith(
        "组织「鸡公山酒业」的制度文件里还没有群号：机器人会连上 NapCat，但不理会任何群。"
    )
    assert lines[2].startswith(".env 的 SUPERUSERS 是空的")
    assert len(lines) == 3  # 服务器与组织同在 UTC+8：不提时区

    utc = datetime(2026, 12, 1, 1, tzinfo=ZoneInfo("UTC"))
    (zone,) = startup_problems([policies.get("jgs")], ["40001"], utc, token="x" * 43)
    assert zone == (
        "服务器的时区（UTC+00:00）和组织「鸡公山酒业」的时区（Asia/Shanghai）不同："
        "没关系，日期、截止时间和定时任务都按制度文件里的时区算。"
    )


def test_startup_says_at_once_when_the_board_has_no_chinese_font(monkeypatch, log) -> None:
    # 没有中文字体时排行只发文字：启动时就说，不等月底第一次画图才发现
    from plugins.core import policies
    from plugins.core.setup_checks import check_at_startup
    from qungui import board_image

    monkeypatch.setattr(board_image, "system_cjk_font", lambda: None)
    board_image.forget_fonts()
    try:
        check_at_startup(policies.all, ["40001"], "a-random-token")
    finally:
        board_image.forget_fonts()
    assert any(
        level == "WARNING" and text.startswith("找不到中文字体") and "fonts-wqy-microhei" in text
        for level, text in log
    ), log


def test_the_login_link_address_is_one_a_browser_can_open() -> None:
    from plugins.web.config import link_base, link_problem

    assert link_base("https://qungui.example.com/", "0.0.0.0", 8080) == "https://qungui.example.com"
    assert link_base("", "127.0.0.1", 8080) == "http://127.0.0.1:8080"
    assert link_base("", "::1", 8080) == "http://[::1]:8080"
    assert link_problem("https://qungui.example.com/", "0.0.0.0", 8080) is None
    assert link_problem("", "127.0.0.1", 8080) is None
    # NapCat 在 Docker 里时 README 让运维把 HOST 改成 0.0.0.0：登录链接不能是 http://0.0.0.0:8080
    assert link_problem("", "0.0.0.0", 8080) == (
        ".env 的 HOST 是 0.0.0.0、QUNGUI_WEB_URL 没填：/后台 发出的登录链接会是 http://0.0.0.0:8080，"
        "别的电脑、手机都打不开。请在 .env 填上 QUNGUI_WEB_URL=http://服务器的IP:8080"
        "（或反向代理的 https 地址），重启生效。"
    )
    assert link_problem("qungui.example.com", "127.0.0.1", 8080) == (
        ".env 的 QUNGUI_WEB_URL（qungui.example.com）不是 http:// 或 https:// 开头的地址："
        "/后台 发出的登录链接点不开。请写成 https://qungui.example.com 这样，重启生效。"
    )


def test_a_login_length_of_zero_hours_is_named_at_start_and_the_default_used() -> None:
    """QUNGUI_WEB_SESSION_HOURS=0 时登录后立刻过期，网页后台怎么也进不去：启动时说清楚，按 8 小时算。"""
    from plugins.web.config import session_hours

    assert session_hours(8) == (8, None)
    assert session_hours(1) == (1, None)
    for wrong in (0, -3):
        assert session_hours(wrong) == (
            8,
            f".env 的 QUNGUI_WEB_SESSION_HOURS 是 {wrong}：登录后马上就会过期，网页后台进不去。"
            "先按 8 小时算；请改成正整数（如 8），重启生效。",
        )


def test_what_start_up_loaded_is_set_aside_from_garbage_collection_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """启动时加载的东西挪出垃圾回收反复扫的几代（本月页 p95 见 bench/dashboard.py）；只在进程第一次启动时。"""
    import gc

    from plugins.core import lifecycle

    monkeypatch.setattr(lifecycle, "_heap_settled", False)
    gc.unfreeze()
    try:
        lifecycle.settle_heap()
        frozen = gc.get_freeze_count()
        assert frozen > 0
        kept = [[n] for n in range(1000)]  # 之后新建的对象
        lifecycle.settle_heap()
        assert gc.get_freeze_count() == frozen and kept
    finally:
        gc.unfreeze()
