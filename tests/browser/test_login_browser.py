"""登录：管理员私聊 /后台 拿到链接，点开落在 今日；链接只能用一次；退出后什么也看不到。
成员点开自己的链接落在自己的页面，别的页面一律 403。"""

from playwright.async_api import Browser

from tests.e2e.harness import LI, ZHANG, ts
from tests.fake import ADMIN, SHARE_GROUP, group_message_payload

from .browsing import Tab, link_in

LOGIN_FIRST = "请先登录：私聊机器人发 /后台 获取登录链接。"
BAD_TOKEN = "登录链接无效或已过期：请私聊机器人重新发 /后台。"
NEEDS_ADMIN = "需要管理员权限"
LOGGED_OUT = "已退出。要再登录，请私聊机器人发 /后台。"
ADMIN_PAGES = (
    "/qungui/today",
    "/qungui/month",
    "/qungui/reviews",
    "/qungui/notices",
    "/qungui/export",
    "/qungui/export.xlsx?month=2026-11",
)


async def test_an_admin_logs_in_once_with_the_link_and_out_again(tab: Tab, browser: Browser):
    page = tab.page
    refused = await tab.open("/qungui/today")
    assert refused.status == 401
    assert LOGIN_FIRST in await page.content()

    reply = await tab.running.qq.private_says("/后台", user_id=ADMIN)
    assert "10 分钟" in reply and "一次" in reply
    link = link_in(reply, tab.running)
    landed = await page.goto(link)
    assert landed is not None and landed.status == 200
    assert page.url == f"{tab.base}/qungui/today"
    assert await tab.h1() == "今日"
    (cookie,) = [c for c in await page.context.cookies() if c["name"] == "qungui_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/qungui" and not cookie["secure"]

    # 同一个链接在另一个浏览器里再点一次：已经用过了
    other = await browser.new_context()
    again = await (await other.new_page()).goto(link)
    assert again is not None and again.status == 403
    assert BAD_TOKEN in await again.text()
    await other.close()

    async with page.expect_navigation():
        await page.get_by_role("button", name="退出").click()
    assert LOGGED_OUT in await page.locator("body").inner_text()
    assert [c for c in await page.context.cookies() if c["name"] == "qungui_session"] == []
    after = await tab.open("/qungui/today")
    assert after.status == 401


async def test_a_member_sees_only_their_own_page(tab: Tab):
    page, qq = tab.page, tab.running.qq
    for user, name in ((ZHANG, "张三"), (LI, "李四")):
        await qq.send_event(
            group_message_payload(
                "收到",
                user_id=user,
                card=f"鸡公山酒业-{name}-13800000000",
                group_id=SHARE_GROUP,
                time=ts(2026, 11, 27, 9),
            )
        )
    await tab.running.bot.wait_count("SELECT COUNT(*) FROM member", 2)

    landed = await tab.log_in(LI)
    assert landed.status == 200
    assert page.url.startswith(f"{tab.base}/qungui/member/{LI}")
    assert await tab.h1() == "成员"
    assert "李四" in await page.locator("body").inner_text()
    # 导航里只有自己的页面
    for path in ADMIN_PAGES:
        assert await page.locator(f'a[href^="{path.split("?")[0]}"]').count() == 0, path

    for path in ADMIN_PAGES:
        refused = await tab.open(path)
        assert refused.status == 403, path
        assert NEEDS_ADMIN in await refused.text(), path
    other = await tab.open(f"/qungui/member/{ZHANG}")
    assert other.status == 403
    assert "张三" not in await other.text()
    assert (await tab.open(f"/qungui/member/{LI}")).status == 200
