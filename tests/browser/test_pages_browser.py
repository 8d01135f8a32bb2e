"""每一页都能给超级用户打开：200、标题对、导航里的链接都能点开，控制台没有错误。"""

from tests.e2e.harness import LI, ZHANG, post, share_text, ts
from tests.fake import ADMIN, SUPERUSER, WORK_GROUP, group_message_payload

from .browsing import Tab

PAGES = {
    "/qungui/today": "今日",
    "/qungui/today?day=2026-11-26": "今日",
    "/qungui/month": "本月",
    "/qungui/month?month=2026-10": "本月",
    f"/qungui/member/{ZHANG}": "成员",
    "/qungui/reviews": "待审",
    "/qungui/notices": "通知",
    "/qungui/export": "导出",
    "/qungui/status": "状态",
}


async def test_every_page_renders_without_errors(tab: Tab):
    running, page, qq = tab.running, tab.page, tab.running.qq
    await post(running, ZHANG, share_text(ZHANG, 27), ts(2026, 11, 27, 9))
    await post(running, LI, share_text(LI, 27), ts(2026, 11, 28, 1, 30))
    # 待审里一条，通知里一条
    await qq.send_event(
        group_message_payload(
            "周末澳门赌场走起",
            user_id=LI,
            card="鸡公山酒业-李四-13800000000",
            time=ts(2026, 11, 27, 10),
        )
    )
    await qq.wait_for("send_private_msg")
    notice = await qq.group_says(
        "/通知 明天上午九点全员开会",
        user_id=ADMIN,
        group_id=WORK_GROUP,
        card="鸡公山酒业-王管-13700000000",
        time=ts(2026, 11, 27, 11),
    )
    assert "明天上午九点全员开会" in notice

    await tab.log_in(SUPERUSER)
    for path, title in PAGES.items():
        response = await tab.open(path)
        assert response.status == 200, path
        assert await tab.h1() == title, path
        assert "13800000000" not in await page.content(), path
    await tab.open("/qungui/reviews")
    assert await page.locator('tr[data-review="1"]').count() == 1
    await tab.open("/qungui/notices")
    assert await page.locator("tr[data-notice]").count() == 1

    links = await page.locator("nav a").evaluate_all("links => links.map(a => a.href)")
    assert {link.removeprefix(tab.base).split("?")[0] for link in links} >= {
        "/qungui/today",
        "/qungui/month",
        "/qungui/reviews",
        "/qungui/notices",
        "/qungui/export",
        "/qungui/status",
    }
    for link in links:
        response = await page.goto(link)
        assert response is not None and response.status == 200, f"导航里的链接打不开：{link}"
    assert tab.errors == []
