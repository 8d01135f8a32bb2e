"""网页后台的对抗检查：不怀好意的成员、想自己裁决的管理员、运气不好的运维会怎样用它。
每个测试是一次找到过的问题：页面上露出电话、URL 里的日期让服务器出错、理由栏里的字被当成命令的参数。"""

from datetime import timedelta

import nonebot
import pytest
from httpx import ASGITransport, AsyncClient
from nonebug import App

from qungui import members
from tests.fake import ADMIN, SHARE_GROUP, WORK_GROUP

from .test_web import NOW, ZHANG, log_in, refused

PHONE = "13912345678"


@pytest.fixture(autouse=True)
def _now(clock_at) -> None:
    clock_at(NOW)


@pytest.fixture
async def client():
    transport = ASGITransport(app=nonebot.get_app())
    async with AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as client:
        yield client


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
