"""网页后台的门：/后台 的链接、登录、Cookie、每一种拒绝（没登录、令牌用过或过期、乱试太多次、
成员看管理页或别人的页、别的组织的编号、表单没带 CSRF 令牌），以及在页面上确认、驳回待审事项
（与私聊 /确认 /驳回 走同一条路：账本、群里的回复、重复点击）。"""

import re
from datetime import UTC, datetime, timedelta
from io import BytesIO
from unittest.mock import ANY
from urllib.parse import unquote

import nonebot
import pytest
from httpx import ASGITransport, AsyncClient, Response
from nonebot.adapters.onebot.v11 import Message
from nonebug import App
from openpyxl import load_workbook

from qungui import members, web_access
from qungui.models import FilterHit, LedgerEntry, Member, WebSession, WebToken
from qungui.policy import ClaimsSection, Policies
from qungui.state import STATE
from tests import fake
from tests.fake import ADMIN, SHARE_GROUP, SUPERUSER, WORK_GROUP, member_info

from .conftest import WEB_NOW, expect_group, expect_private, make_bot

ZHANG = 20001  # 普通成员
ZHANG_CARD = "鸡公山酒业-张三-13900000000"
LI = 20002
LI_CARD = "鸡公山酒业-李四-13800000000"
STRANGER = 20009  # 不在组织里
# 2026-11-27 10:05 北京时间：审核命中是 10:00 的那条消息
NOW = WEB_NOW
pytestmark = pytest.mark.usefixtures("web_clock")
NOV27_0900 = int(datetime(2026, 11, 27, 1, tzinfo=UTC).timestamp())
ADMIN_PAGES = ["/qungui/today", "/qungui/month", "/qungui/reviews", "/qungui/notices"]
ADMIN_PAGES += ["/qungui/export", "/qungui/export.xlsx?month=2026-10"]
EVERY_PAGE = [*ADMIN_PAGES, "/qungui/status", f"/qungui/member/{ZHANG}"]
REVIEW_ASKED = (
    f"【群规助手】请审核：鸡公山酒业员工群 李四（QQ {LI}）的一条消息命中规则「赌博」"
    "（确认后警告：不良信息 -5 分）\n"
    "命中：澳门大赌场\n"
    "原文：周末一起去澳门大赌场玩\n"
    "确认并警告：/确认 审1　驳回：/驳回 审1"
)
# 申报的审核请求（文字加截图）私聊给管理员：内容由申报的测试核对，这里只要它发给了管理员
ANY_ADMIN_NOTICE = {"user_id": ADMIN, "message": ANY}
WARNED = "已警告 李四：不良信息，-5 分，30 天内第 1 次（编号 #1）。"


class LoginLink:
    """期望的 /后台 回复：说明加一个登录链接；比较时记下链接里的令牌。"""

    PATTERN = re.compile(
        r"网页后台登录链接（10 分钟内有效，只能用一次，请勿转发）：\n"
        r"http://127\.0\.0\.1:8080/qungui/login\?token=([A-Za-z0-9_-]{43,})"
    )

    def __init__(self) -> None:
        self.token = ""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return False
        found = self.PATTERN.fullmatch(other.extract_plain_text())
        if found is None:
            return False
        self.token = found[1]
        return True

    def __repr__(self) -> str:
        return "<登录链接>"


def text_of(response: Response) -> str:
    """页面上人看得到的字（去掉标签）。"""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


def refused(response: Response, status: int, text: str) -> bool:
    return response.status_code == status and text in response.text


async def seen_in_group(user_id: int, card: str, role: str = "member") -> None:
    await members.remember(
        org="jgs",
        group_id=WORK_GROUP,
        user_id=user_id,
        card=card,
        nickname="",
        role=role,
        seen_at=NOW - timedelta(days=1),
    )


async def log_in(client: AsyncClient, user_id: int, org: str = "jgs") -> Response:
    token = await web_access.issue(org, user_id)
    return await client.get(f"/qungui/login?token={token}")


async def gambling_hit(app: App) -> None:
    """李四在工作群发了一条命中“赌博”的消息：审1，管理员私聊收到审核请求。"""
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(
            bot, fake.group_message("周末一起去澳门大赌场玩", user_id=LI, card=LI_CARD)
        )
        expect_private(ctx, REVIEW_ASKED, ADMIN)


async def test_the_link_comes_in_private_only_and_logs_an_admin_in(
    app: App, db, client: AsyncClient
) -> None:
    link = LoginLink()
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.group_message("/后台", user_id=ADMIN, card=""))
        expect_group(ctx, "登录链接只在私聊里发：请私聊我发 /后台。")
        ctx.receive_event(bot, fake.private_message("/后台", user_id=ADMIN))
        ctx.should_call_api(
            "send_private_msg", {"user_id": ADMIN, "message": link}, result={"message_id": 1}
        )
    assert await web_access.session("") is None
    response = await client.get(f"/qungui/login?token={link.token}")
    assert response.status_code == 303
    assert response.headers["location"] == "/qungui/today"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("qungui_session=")
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert flags == {"httponly", "max-age=28800", "path=/qungui", "samesite=strict"}
    session = await WebSession.get()
    assert (session.org, session.user_id) == ("jgs", ADMIN)

    again = await AsyncClient(
        transport=ASGITransport(app=nonebot.get_app()), base_url="http://127.0.0.1:8080"
    ).get(f"/qungui/login?token={link.token}")
    assert refused(again, 403, "登录链接无效或已过期：请私聊机器人重新发 /后台。")
    assert await WebSession.all().count() == 1


async def test_a_member_lands_on_his_own_page_and_sees_nothing_else(
    app: App, db, client: AsyncClient
) -> None:
    await seen_in_group(ZHANG, ZHANG_CARD)
    response = await log_in(client, ZHANG)
    assert (response.status_code, response.headers["location"]) == (303, f"/qungui/member/{ZHANG}")
    for path in ADMIN_PAGES:
        assert refused(await client.get(path), 403, "需要管理员权限"), path
    assert refused(await client.get("/qungui/status"), 403, "需要超级用户权限")
    assert refused(await client.get(f"/qungui/member/{LI}"), 403, "只能看自己的页面。")
    reviews = await client.post("/qungui/reviews/1/dismiss", data={"reason": "x"})
    assert refused(reviews, 403, "需要管理员权限")


async def test_nothing_is_served_without_a_session(db, client: AsyncClient) -> None:
    for path in EVERY_PAGE:
        response = await client.get(path)
        assert refused(response, 401, "请先登录：私聊机器人发 /后台 获取登录链接。"), path
    client.cookies.set("qungui_session", "made-up", path="/qungui")
    assert (await client.get("/qungui/today")).status_code == 401
    posted = await client.post("/qungui/reviews/1/confirm", data={"csrf": "x"})
    assert posted.status_code == 401


async def test_an_expired_or_unknown_token_is_refused(db, client: AsyncClient, clock_at) -> None:
    token = await web_access.issue("jgs", ADMIN)
    clock_at(NOW + timedelta(minutes=10))
    late = await client.get(f"/qungui/login?token={token}")
    assert refused(late, 403, "登录链接无效或已过期：请私聊机器人重新发 /后台。")
    assert "set-cookie" not in late.headers
    assert refused(
        await client.get("/qungui/login"), 403, "登录链接无效或已过期：请私聊机器人重新发 /后台。"
    )
    assert await WebSession.all().count() == 0


async def test_a_burst_of_bad_tokens_is_slowed_down(db, client: AsyncClient, clock_at) -> None:
    for attempt in range(10):
        response = await client.get(f"/qungui/login?token=guess{attempt}")
        assert response.status_code == 403
    blocked = await client.get("/qungui/login?token=guess10")
    assert refused(blocked, 429, "尝试太多次，请一分钟后再试。")
    clock_at(NOW + timedelta(seconds=61))
    assert refused(
        await client.get("/qungui/login?token=guess11"),
        403,
        "登录链接无效或已过期：请私聊机器人重新发 /后台。",
    )


async def test_a_session_ends_with_its_hours_and_with_logout(
    db, client: AsyncClient, clock_at
) -> None:
    await log_in(client, SUPERUSER)
    session = await WebSession.get()
    status = await client.get("/qungui/status")
    assert status.status_code == 200
    assert "<h1>状态</h1>" in status.text
    assert "【群规助手状态】" in status.text and "定时任务：" in status.text
    assert refused(await client.post("/qungui/logout", data={}), 403, "页面已过期，请刷新后再试。")
    logout = await client.post("/qungui/logout", data={"csrf": session.csrf})
    assert refused(logout, 200, "已退出。")
    assert await WebSession.all().count() == 0
    assert (await client.get("/qungui/status")).status_code == 401

    await log_in(client, SUPERUSER)
    clock_at(NOW + timedelta(hours=8))
    assert (await client.get("/qungui/status")).status_code == 401


async def test_a_form_without_the_session_csrf_token_writes_nothing(
    app: App, db, client: AsyncClient
) -> None:
    await gambling_hit(app)
    await log_in(client, ADMIN)
    for data in ({}, {"csrf": "stale"}):
        response = await client.post("/qungui/reviews/1/confirm", data=data)
        assert refused(response, 403, "页面已过期，请刷新后再试。")
    assert (await FilterHit.get(id=1)).status == "pending"
    assert await LedgerEntry.all().count() == 0


async def test_another_orgs_review_is_not_found(app: App, db, client: AsyncClient) -> None:
    await gambling_hit(app)
    await FilterHit.filter(id=1).update(org="xscy")
    await log_in(client, ADMIN)
    csrf = (await WebSession.get()).csrf
    for action in ("confirm", "dismiss"):
        response = await client.post(f"/qungui/reviews/1/{action}", data={"csrf": csrf})
        assert refused(response, 404, "找不到"), action
    for number in ("2147483648", "abc", "１"):
        response = await client.post(f"/qungui/reviews/{number}/confirm", data={"csrf": csrf})
        assert refused(response, 404, "找不到"), number
    assert (await FilterHit.get(id=1)).status == "pending"
    assert refused(await client.get("/qungui/member/abc"), 404, "找不到")
    assert refused(await client.get("/qungui/month?month=2026-13"), 404, "找不到")
    assert refused(await client.get("/qungui/today?day=2026-11-31"), 404, "找不到")


async def test_confirming_on_the_page_is_the_chat_confirm(
    app: App, db, client: AsyncClient
) -> None:
    await gambling_hit(app)
    await log_in(client, ADMIN)
    csrf = (await WebSession.get()).csrf
    async with app.test_api() as ctx:
        make_bot(ctx)
        expect_group(ctx, WARNED)
        response = await client.post(
            "/qungui/reviews/1/confirm", data={"csrf": csrf, "reason": "第二次了"}
        )
        assert (response.status_code, response.headers["location"]) == (303, "/qungui/reviews")
        page = await client.get("/qungui/reviews")
        assert '<p class="flash">已确认并警告 李四：不良信息，-5 分（编号 #1）。</p>' in page.text
        # 再点一次（另一个标签页里的旧页面）：和私聊再发一次 /确认 一样，只说已经处理过
        await client.post("/qungui/reviews/1/confirm", data={"csrf": csrf})
        await client.post("/qungui/reviews/1/dismiss", data={"csrf": csrf})
        page = await client.get("/qungui/reviews")
    assert page.text.count('<p class="flash">审1 已确认，无需再处理。</p>') == 2
    assert "已确认并警告" not in page.text  # 显示过一次就不再显示
    hit = await FilterHit.get(id=1)
    assert (hit.status, hit.decided_by, hit.decided_note) == ("confirmed", ADMIN, "第二次了")
    assert await LedgerEntry.all().values_list("user_id", "delta", "rule", "actor_id") == [
        (LI, -5, "warn.不良信息", ADMIN)
    ]


async def test_dismissing_on_the_page_writes_nothing_to_the_ledger(
    app: App, db, client: AsyncClient
) -> None:
    await gambling_hit(app)
    await log_in(client, ADMIN)
    csrf = (await WebSession.get()).csrf
    async with app.test_api() as ctx:
        make_bot(ctx)
        await client.post("/qungui/reviews/1/dismiss", data={"csrf": csrf, "reason": "玩笑话"})
        page = await client.get("/qungui/reviews")
    assert '<p class="flash">已驳回 审1。</p>' in page.text
    hit = await FilterHit.get(id=1)
    assert (hit.status, hit.decided_by, hit.decided_note) == ("dismissed", ADMIN, "玩笑话")
    assert await LedgerEntry.all().count() == 0


async def test_without_a_bot_online_the_page_decides_nothing(
    app: App, db, client: AsyncClient
) -> None:
    await gambling_hit(app)
    await log_in(client, ADMIN)
    csrf = (await WebSession.get()).csrf
    await client.post("/qungui/reviews/1/confirm", data={"csrf": csrf})
    page = await client.get("/qungui/reviews")
    assert '<p class="flash">机器人没有连上 QQ，暂时不能处理。</p>' in page.text
    assert (await FilterHit.get(id=1)).status == "pending"
    assert await LedgerEntry.all().count() == 0


async def test_an_admin_taken_off_the_policy_list_loses_access_at_once(
    db, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plugins.core import policies

    await log_in(client, ADMIN)
    assert (await client.get("/qungui/export")).status_code == 200
    policy = policies.get("jgs")
    demoted = policy.model_copy(update={"org": policy.org.model_copy(update={"admins": ()})})
    monkeypatch.setattr(
        policies,
        "current",
        Policies({"jgs": demoted}, {g: demoted for g in demoted.all_groups}, policies.path),
    )
    assert refused(await client.get("/qungui/export"), 403, "需要管理员权限")


def qq_says(ctx, user_id: int, card: str, role: str) -> None:
    ctx.should_call_api(
        "get_group_member_info",
        {"group_id": WORK_GROUP, "user_id": user_id, "no_cache": True},
        result=member_info(user_id, role=role, card=card),
    )


async def test_a_group_admin_is_checked_with_qq_on_every_request(
    app: App, db, client: AsyncClient
) -> None:
    await seen_in_group(ZHANG, ZHANG_CARD, role="admin")
    async with app.test_api() as ctx:
        make_bot(ctx)
        qq_says(ctx, ZHANG, ZHANG_CARD, "admin")
        response = await log_in(client, ZHANG)
        assert response.headers["location"] == "/qungui/today"
        assert (await client.get("/qungui/export")).status_code == 200
    # 他被撤掉了管理员，机器人没收到通知；QQ 的回答只缓存一分钟，过后下一个请求再问
    STATE.group_roles.clear()
    async with app.test_api() as ctx:
        make_bot(ctx)
        qq_says(ctx, ZHANG, ZHANG_CARD, "member")
        assert refused(await client.get("/qungui/export"), 403, "需要管理员权限")
        page = await client.get(f"/qungui/member/{ZHANG}")
        assert page.status_code == 200
        assert '<a href="/qungui/today"' not in page.text
    assert (await Member.get(group_id=WORK_GROUP, user_id=ZHANG)).role == "member"


async def test_a_group_admin_notice_ends_the_admin_pages(app: App, db, client: AsyncClient) -> None:
    await seen_in_group(ZHANG, ZHANG_CARD, role="admin")
    async with app.test_api() as ctx:
        make_bot(ctx)
        qq_says(ctx, ZHANG, ZHANG_CARD, "admin")
        await log_in(client, ZHANG)
        assert (await client.get("/qungui/export")).status_code == 200
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.notice("group_admin_unset", user_id=ZHANG))
    async with app.test_api() as ctx:
        make_bot(ctx)
        assert refused(await client.get("/qungui/export"), 403, "需要管理员权限")


async def test_without_a_bot_a_stored_group_admin_is_not_let_in(db, client: AsyncClient) -> None:
    await seen_in_group(LI, LI_CARD, role="admin")
    await log_in(client, LI)
    assert refused(
        await client.get("/qungui/export"), 403, "现在查不到你在群里的身份，请稍后再试。"
    )
    assert (await client.get(f"/qungui/member/{LI}")).status_code == 200


async def test_the_export_is_the_chat_export(db, client: AsyncClient) -> None:
    await log_in(client, ADMIN)
    page = await client.get("/qungui/export")
    assert "<h1>导出</h1>" in page.text
    assert 'href="/qungui/export.xlsx?month=2026-10"' in page.text
    response = await client.get("/qungui/export.xlsx?month=2026-10")
    assert response.status_code == 200
    # 与 /导出 同名：组织名和月份（文件名按 RFC 5987 编码在 filename* 里）
    assert unquote(response.headers["content-disposition"]).endswith(
        "鸡公山酒业-2026年10月积分.xlsx"
    )
    book = load_workbook(BytesIO(response.content))
    assert "排行" in book.sheetnames
    assert refused(await client.get("/qungui/export.xlsx?month=2027-01"), 404, "找不到")


async def test_an_export_swapped_in_while_the_download_starts_is_sent_whole(
    db, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """两位管理员同时导出同一个月：另一个请求的新表正好在这次下载量过文件大小、还没打开文件时换上。
    浏览器拿到的要是一张完整的表，声明的长度就是收到的长度（否则 uvicorn 中途断开，下载只得半个文件）。"""
    from openpyxl import Workbook
    from starlette.responses import FileResponse

    from qungui import export

    await log_in(client, ADMIN)
    measured = FileResponse.set_stat_headers

    def other_export_lands(response, stat_result) -> None:
        measured(response, stat_result)
        bigger = Workbook()
        for n in range(2000):
            bigger.active.append([n, f"另一个请求写的第 {n} 行"])
        export._save(bigger, response.path)

    monkeypatch.setattr(FileResponse, "set_stat_headers", other_export_lands)
    response = await client.get("/qungui/export.xlsx?month=2026-10")

    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content)
    load_workbook(BytesIO(response.content))


async def test_web_off_answers_the_command_and_says_so(
    app: App, db, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plugins.web import config

    monkeypatch.setattr(config, "qungui_web", False)
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(bot, fake.private_message("/后台", user_id=ADMIN))
        expect_private(ctx, "网页后台没有开启。", ADMIN)
        ctx.receive_event(bot, fake.group_message("/后台", user_id=ADMIN, card=""))
        expect_group(ctx, "网页后台没有开启。")
    assert await WebToken.all().count() == 0


async def test_the_pages_show_the_shares_standings_queue_and_ledger(
    app: App, db, client: AsyncClient
) -> None:
    share = "今天拜访了三家经销商，发现大家最关心的是春节前的备货节奏和物流时效。"
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(
            bot,
            fake.group_message(
                share, user_id=ZHANG, card=ZHANG_CARD, group_id=SHARE_GROUP, time=NOV27_0900
            ),
        )
        ctx.receive_event(
            bot, fake.group_message("收到", user_id=LI, card=LI_CARD, group_id=SHARE_GROUP)
        )
    await gambling_hit(app)
    await log_in(client, ADMIN)

    today = await client.get("/qungui/today")
    assert "<h1>今日</h1>" in today.text
    assert f'<table id="today-{SHARE_GROUP}">' in today.text
    assert f'<tr data-user="{ZHANG}" class="shared">' in today.text
    assert f'<tr data-user="{LI}" class="missing">' in today.text
    assert re.search(rf'data-user="{ZHANG}" class="shared">.*?09:00', today.text, re.S)

    month = await client.get("/qungui/month")
    assert '<svg id="daily-chart"' in month.text
    assert 'data-day="2026-11-27" data-count="1"' in month.text
    assert re.search(rf'<tr data-user="{ZHANG}"><td>1</td>.*?张三.*?<td>1</td>', month.text)

    queue = await client.get("/qungui/reviews")
    row = re.search(r'<tr data-review="1">.*?</tr>', queue.text, re.S)
    assert row is not None
    assert 'action="/qungui/reviews/1/confirm"' in row[0]
    assert 'formaction="/qungui/reviews/1/dismiss"' in row[0]
    csrf = (await WebSession.get()).csrf
    assert f'name="csrf" value="{csrf}"' in row[0]
    assert "澳门大赌场" in row[0]

    mine = await client.get(f"/qungui/member/{ZHANG}")
    assert "<h1>成员</h1>" in mine.text
    assert re.search(r'<tr data-entry="\d+"', mine.text)
    assert "13900000000" not in mine.text and "13800000000" not in today.text + month.text
    assert refused(await client.get(f"/qungui/member/{STRANGER}"), 404, "找不到")
    assert (await client.get("/qungui/notices")).status_code == 200


async def range_claim(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    """张三申报「客户表扬」（1–10 分，确认的人定分）：审1。"""
    from plugins.core import policies

    policy = policies.get("jgs")
    claims = ClaimsSection.model_validate({"items": {"客户表扬": [1, 10]}})
    patched = policy.model_copy(update={"claims": claims})
    monkeypatch.setattr(
        policies,
        "current",
        Policies({"jgs": patched}, {g: patched for g in patched.all_groups}, policies.path),
    )
    image = {
        "type": "image",
        "data": {"file": "a.jpg", "url": "https://example.com/a.jpg", "summary": "", "sub_type": 0},
    }
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        ctx.receive_event(
            bot,
            fake.group_message(
                [fake.text("/申报 客户表扬 王总来电表扬"), image], user_id=ZHANG, card=ZHANG_CARD
            ),
        )
        expect_group(ctx, "已收到 张三 的申报「客户表扬」（审1），管理员确认后加分。")
        ctx.should_call_api("send_private_msg", ANY_ADMIN_NOTICE, result={"message_id": 1})


async def test_a_claim_is_scored_on_the_page_like_in_chat(
    app: App, db, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await range_claim(app, monkeypatch)
    await log_in(client, ADMIN)
    csrf = (await WebSession.get()).csrf
    queue = await client.get("/qungui/reviews")
    assert re.search(r'<tr data-review="1">.*?<input name="amount"', queue.text, re.S)
    async with app.test_api() as ctx:
        make_bot(ctx)
        expect_private(
            ctx, "【群规助手】你的申报「客户表扬」（审1）已确认，+8 分（编号 #1）。", ZHANG
        )
        await client.post(
            "/qungui/reviews/1/confirm", data={"csrf": csrf, "amount": "8", "reason": "指名表扬"}
        )
        page = await client.get("/qungui/reviews")
    assert '<p class="flash">已确认 审1：张三「客户表扬」+8 分（编号 #1）。</p>' in page.text
    assert await LedgerEntry.all().values_list("user_id", "delta", "actor_id") == [
        (ZHANG, 8, ADMIN)
    ]
