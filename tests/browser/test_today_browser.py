"""今日：分享群里经真实 WebSocket 发来的分享，按时的、02:00 前宽限的、没交的，各在表格的哪一行。"""

from tests.e2e.harness import LI, WANG, ZHANG, post, share_text, ts
from tests.fake import ADMIN, SHARE_GROUP

from .browsing import Tab


async def test_the_grid_shows_who_shared_on_time_in_grace_and_not_at_all(tab: Tab):
    running, page = tab.running, tab.page
    # 王五 26 日交过，27 日没交
    await post(running, WANG, share_text(WANG, 26), ts(2026, 11, 26, 10))
    await post(running, ZHANG, share_text(ZHANG, 27), ts(2026, 11, 27, 9, 5))
    # 李四 28 日凌晨 01:30 发的算 27 日的（宽限到 02:00）
    await post(running, LI, share_text(LI, 27), ts(2026, 11, 28, 1, 30))

    await tab.log_in(ADMIN)
    # 机器人的时钟在 11 月 27 日 08:00：今日 默认就是这一天
    assert await tab.h1() == "今日"
    grid = page.locator(f"table#today-{SHARE_GROUP}")
    zhang, li, wang = (grid.locator(f'tr[data-user="{user}"]') for user in (ZHANG, LI, WANG))
    assert await zhang.get_attribute("class") == "shared"
    assert "张三" in await zhang.inner_text() and "09:05" in await zhang.inner_text()
    assert "宽限" not in await zhang.inner_text()
    assert await li.get_attribute("class") == "shared"
    assert "01:30" in await li.inner_text() and "宽限" in await li.inner_text()
    assert await wang.get_attribute("class") == "missing"
    assert "王五" in await wang.inner_text()
    assert "13800000000" not in await page.content()

    # 过去的一天：26 日只有王五交了
    await tab.open("/qungui/today?day=2026-11-26")
    classes = {
        user: await grid.locator(f'tr[data-user="{user}"]').get_attribute("class")
        for user in (ZHANG, LI, WANG)
    }
    assert classes == {ZHANG: "missing", LI: "missing", WANG: "shared"}
    assert tab.errors == []
