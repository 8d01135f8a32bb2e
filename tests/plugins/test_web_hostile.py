"""网页后台的对抗检查：不怀好意的成员、想自己裁决的管理员、运气不好的运维会怎样用它。
每个测试是一次找到过的问题：页面上露出电话、URL 里的日期让服务器出错、理由栏里的字被当成命令的参数。"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from httpx import AsyncClient
from nonebug import App

from qungui import members
from qungui.models import FilterHit, LedgerEntry, MonthStanding, WebSession
from qungui.policy import load_policies
from tests.conftest import B_WORK_GROUP, two_orgs
from tests.fake import ADMIN, SELF_ID, SHARE_GROUP, SUPERUSER, WORK_GROUP

from .conftest import expect_group, make_bot
from .test_web import (
    LI,
    NOW,
    WARNED,
    ZHANG,
    ZHANG_CARD,
    gambling_hit,
    log_in,
    range_claim,
    refused,
)

PHONE = "13912345678"
OTHER_ORG_MEMBER = 20077
pytestmark = pytest.mark.usefixtures("web_clock")


async def test_a_phone_in_a_qq_nickname_is_masked_on_every_page(
    app: App, db, client: AsyncClient
) -> None:
    # 名片不规范时页面用 QQ 昵称当名字：昵称里的电话和群消息里一样打码
    for group_id in (WORK_GROUP, SHARE_GROUP):
        await members.remember(
            org="jgs",
            group_id=group_id,
            user_id=ZHANG,
            card="",
            nickname=f"张三{PHONE}",
            role="member",
            seen_at=NOW - timedelta(days=1),
        )
    await log_in(client, ADMIN)
    for path in ("/qungui/today", "/qungui/month", f"/qungui/member/{ZHANG}"):
        page = await client.get(path)
        assert page.status_code == 200, path
        assert "张三139****5678" in page.text, path
        assert PHONE not in page.text, path


async def test_a_day_at_the_end_of_the_calendar_is_not_found(db, client: AsyncClient) -> None:
    await log_in(client, ADMIN)
    for day in ("9999-12-31", "0001-01-01", "1999-12-31", "3000-01-01"):
        assert refused(await client.get(f"/qungui/today?day={day}"), 404, "找不到"), day
    assert (await client.get("/qungui/today?day=2026-11-01")).status_code == 200


async def test_the_reason_field_is_only_the_reason(app: App, db, client: AsyncClient) -> None:
    # 理由栏开头恰好是个类别名或数字：在页面上它只是理由，不会把 -5 的「不良信息」改成 0 分的「口头警告」
    await gambling_hit(app)
    await log_in(client, ADMIN)
    csrf = (await WebSession.get()).csrf
    async with app.test_api() as ctx:
        make_bot(ctx)
        expect_group(ctx, WARNED)
        await client.post(
            "/qungui/reviews/1/confirm", data={"csrf": csrf, "reason": "口头警告  过一次 了"}
        )
        page = await client.get("/qungui/reviews")
    assert '<p class="flash">已确认并警告 李四：不良信息，-5 分（编号 #1）。</p>' in page.text
    hit = await FilterHit.get(id=1)
    assert (hit.status, hit.decided_note) == ("confirmed", "口头警告 过一次 了")
    assert await LedgerEntry.all().values_list("user_id", "delta", "rule") == [
        (LI, -5, "warn.不良信息")
    ]


async def test_a_number_in_the_reason_is_not_a_claims_score(
    app: App, db, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await range_claim(app, monkeypatch)
    await log_in(client, ADMIN)
    csrf = (await WebSession.get()).csrf
    async with app.test_api() as ctx:
        make_bot(ctx)
        await client.post(
            "/qungui/reviews/1/confirm", data={"csrf": csrf, "reason": "3 位客户都表扬"}
        )
        page = await client.get("/qungui/reviews")
    assert (
        '<p class="flash">「客户表扬」的分数由确认的人定，请写 1 到 10 之间的分数，例如 /确认 审1 1。</p>'
        in page.text
    )
    assert (await FilterHit.get(id=1)).status == "pending"
    assert await LedgerEntry.all().count() == 0


async def test_a_phone_in_a_name_kept_in_an_old_board_snapshot_is_masked(
    db, client: AsyncClient
) -> None:
    # 以前的快照里的名字取自当时的昵称（那时昵称里的电话还没遮）：群里的帖子发送时打了码，页面上也要打
    await MonthStanding.create(
        org="jgs",
        month="2026-10",
        user_id=ZHANG,
        rank=1,
        name=f"张三{PHONE}",
        points=12,
        share_days=20,
        streak=False,
        created_at=NOW - timedelta(days=26),
    )
    await log_in(client, ADMIN)
    page = await client.get("/qungui/month?month=2026-10")
    assert page.status_code == 200
    assert "张三139****5678" in page.text
    assert PHONE not in page.text


async def test_an_admin_cannot_decide_his_own_case_or_score_outside_the_range_on_the_page(
    app: App, db, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 与私聊一样：自己被举报、命中的事不能自己驳回；申报的分数超出范围不记
    await range_claim(app, monkeypatch)
    await FilterHit.filter(id=1).update(user_id=ADMIN)
    await log_in(client, ADMIN)
    csrf = (await WebSession.get()).csrf
    async with app.test_api() as ctx:
        make_bot(ctx)
        await client.post("/qungui/reviews/1/dismiss", data={"csrf": csrf, "reason": "不算"})
        await FilterHit.filter(id=1).update(user_id=ZHANG)
        await client.post("/qungui/reviews/1/confirm", data={"csrf": csrf, "amount": "99"})
        page = await client.get("/qungui/reviews")
    assert flashes(page) == [
        "这件事与你本人有关（你是得分的人、被处理的人或举报人），不能自己决定，"
        "请另一位管理员或超级用户处理。",
        "「客户表扬」的分数应在 1 到 10 之间。",
    ]
    assert (await FilterHit.get(id=1)).status == "pending"
    assert await LedgerEntry.all().count() == 0


def flashes(page) -> list[str]:
    return re.findall(r'<p class="flash">(.*?)</p>', page.text)


async def test_a_member_of_the_other_organisation_is_not_found(db, client: AsyncClient) -> None:
    # 西山茶业（xscy）的人：鸡公山酒业的管理员在自己的后台里查不到他，他的记录也不出现
    await members.remember(
        org="xscy",
        group_id=B_WORK_GROUP,
        user_id=OTHER_ORG_MEMBER,
        card="西山茶业-王五-13700000000",
        nickname="",
        role="member",
        seen_at=NOW - timedelta(days=1),
    )
    await log_in(client, ADMIN)
    page = await client.get(f"/qungui/member/{OTHER_ORG_MEMBER}")
    assert refused(page, 404, "找不到")
    for path in ("/qungui/today", "/qungui/month"):
        assert str(OTHER_ORG_MEMBER) not in (await client.get(path)).text, path


async def test_the_bot_itself_is_not_listed_on_today_or_month(
    app: App, db, client: AsyncClient
) -> None:
    # NapCat 的成员列表里有机器人自己：/今日分享、提醒、/排行 都不算它，页面也不列它
    for group_id in (WORK_GROUP, SHARE_GROUP):
        await members.remember(
            org="jgs",
            group_id=group_id,
            user_id=SELF_ID,
            card="",
            nickname="群规助手",
            role="admin",
            seen_at=NOW - timedelta(days=1),
        )
    await members.remember(
        org="jgs",
        group_id=SHARE_GROUP,
        user_id=ZHANG,
        card=ZHANG_CARD,
        nickname="",
        role="member",
        seen_at=NOW - timedelta(days=1),
    )
    await log_in(client, ADMIN)
    async with app.test_api() as ctx:
        make_bot(ctx)
        today = await client.get("/qungui/today")
        month = await client.get("/qungui/month")
    assert f'<tr data-user="{ZHANG}" class="missing">' in today.text
    assert f'<tr data-user="{ZHANG}">' in month.text
    for page in (today, month):
        assert f'data-user="{SELF_ID}"' not in page.text


async def test_the_score_field_takes_only_a_number(app: App, db, client: AsyncClient) -> None:
    # 分数栏里写了类别名：不会把 -5 的「不良信息」改成 0 分的「口头警告」，什么也不写
    await gambling_hit(app)
    await log_in(client, ADMIN)
    csrf = (await WebSession.get()).csrf
    async with app.test_api() as ctx:
        make_bot(ctx)
        for amount in ("口头警告", "5 口头警告"):
            await client.post("/qungui/reviews/1/confirm", data={"csrf": csrf, "amount": amount})
        page = await client.get("/qungui/reviews")
    assert flashes(page) == ["分数只写一个整数，例如 8。"] * 2
    assert (await FilterHit.get(id=1)).status == "pending"
    assert await LedgerEntry.all().count() == 0


async def test_markup_in_a_nickname_is_shown_as_text(db, client: AsyncClient) -> None:
    await members.remember(
        org="jgs",
        group_id=SHARE_GROUP,
        user_id=ZHANG,
        card="",
        nickname='<script>alert("x")</script>',
        role="member",
        seen_at=NOW - timedelta(days=1),
    )
    await log_in(client, ADMIN)
    for path in ("/qungui/today", "/qungui/month", f"/qungui/member/{ZHANG}"):
        page = await client.get(path)
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text, path
        assert "<script>" not in page.text, path


async def test_no_page_is_kept_in_the_browser_cache(db, client: AsyncClient) -> None:
    # 办公室里共用的电脑：退出以后按“后退”，浏览器不能从缓存里再显示管理页、导出表
    await log_in(client, SUPERUSER)
    paths = ["/qungui/today", "/qungui/month", "/qungui/reviews", "/qungui/notices"]
    paths += ["/qungui/export", "/qungui/export.xlsx?month=2026-10", "/qungui/status"]
    for path in paths:
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path
    refused_page = await client.get(f"/qungui/member/{ZHANG}")
    assert refused_page.headers["cache-control"] == "no-store"


async def test_guessing_from_the_office_network_does_not_lock_the_admins_out(
    db, client: AsyncClient
) -> None:
    # 公司里的人共用一个出口地址：一个成员一分钟乱试十几次，乱试的被挡住，管理员真的链接照样能登录
    for attempt in range(12):
        await client.get(f"/qungui/login?token=guess{attempt}")
    guessed = await client.get("/qungui/login?token=guess-again")
    assert refused(guessed, 429, "尝试太多次，请一分钟后再试。")
    admin = await log_in(client, ADMIN)
    assert (admin.status_code, admin.headers["location"]) == (303, "/qungui/today")


async def test_an_admin_of_two_organisations_sees_which_one_the_page_is(
    db, client: AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 30001 是两个组织的管理员：/后台 xscy 拿到的是西山茶业的后台，页面上要看得出来，免得在错的组织里确认
    from plugins.core import policies

    monkeypatch.setattr(policies, "current", load_policies(two_orgs(tmp_path / "policies")))
    await log_in(client, ADMIN, org="xscy")
    page = await client.get("/qungui/reviews")
    assert '<span class="org">西山茶业</span>' in page.text
    assert "<title>待审 · 西山茶业 · 群规助手</title>" in page.text
