"""导出：管理员在网页上下载这个月的 Excel，打开看排行表里的一行。"""

from pathlib import Path

from openpyxl import load_workbook

from tests.e2e.harness import LI, ZHANG, post, share_text, ts
from tests.fake import ADMIN

from .browsing import Tab


async def test_the_month_downloads_as_a_workbook(tab: Tab, tmp_path: Path):
    running, page = tab.running, tab.page
    for day in (25, 26, 27):
        await post(running, ZHANG, share_text(ZHANG, day), ts(2026, 11, day, 9))
    await post(running, LI, share_text(LI, 27), ts(2026, 11, 27, 10))

    await tab.log_in(ADMIN)
    await tab.open("/qungui/export?month=2026-11")
    assert await tab.h1() == "导出"
    async with page.expect_download() as started:
        await page.locator('a[href="/qungui/export.xlsx?month=2026-11"]').click()
    download = await started.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    book = load_workbook(saved)
    rows = [row[:5] for row in book["排行"].iter_rows(values_only=True)]
    assert rows == [
        ("名次", "姓名", "QQ", "积分", "分享天数"),
        (1, "张三", ZHANG, 3, 3),
        (2, "李四", LI, 1, 1),
    ]
    assert tab.errors == []
