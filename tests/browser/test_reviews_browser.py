"""待审：管理员在网页上确认一条内容过滤命中，和私聊 /确认 一样：群里说一次、账本多一条警告，成员页上看得到。"""

from tests.e2e.harness import ZHANG, post, share_text, ts
from tests.fake import ADMIN, WORK_GROUP, group_message_payload

from .browsing import Tab

ZHANG_CARD = "鸡公山酒业-张三-13800000000"


async def test_confirming_a_filter_hit_in_the_page_warns_in_the_group(tab: Tab):
    running, page, qq = tab.running, tab.page, tab.running.qq
    await post(running, ZHANG, share_text(ZHANG, 27), ts(2026, 11, 27, 9))
    mark = len(qq.calls)
    await qq.send_event(
        group_message_payload(
            "周末澳门赌场走起",
            user_id=ZHANG,
            card=ZHANG_CARD,
            group_id=WORK_GROUP,
            time=ts(2026, 11, 27, 10),
        )
    )
    (review,) = await qq.wait_for("send_private_msg", after=mark)
    assert "命中规则「赌博」" in review.text and review.text.startswith("【群规助手】请审核：")

    await tab.log_in(ADMIN)
    await tab.open(f"/qungui/member/{ZHANG}?month=2026-11")
    ledger = page.locator("table#ledger tr[data-entry]")
    assert await ledger.count() == 1

    await tab.open("/qungui/reviews")
    assert await tab.h1() == "待审"
    row = page.locator('tr[data-review="1"]')
    assert "张三" in await row.inner_text() and "澳门赌场" in await row.inner_text()
    mark = len(qq.calls)
    await row.get_by_role("button", name="确认", exact=True).click()
    await page.wait_for_url(f"{tab.base}/qungui/reviews")
    assert (
        "已确认并警告 张三：不良信息，-5 分（编号 #2）。"
        in await page.locator("p.flash").inner_text()
    )
    assert await page.locator('tr[data-review="1"]').count() == 0

    (told,) = await qq.wait_for(
        "send_group_msg", after=mark, where=lambda c: c.params["group_id"] == WORK_GROUP
    )
    assert told.text == "已警告 张三：不良信息，-5 分，30 天内第 1 次（编号 #2）。"
    assert await running.bot.query(
        "SELECT user_id, delta, rule, actor_id FROM ledger_entry WHERE id = 2"
    ) == [(ZHANG, -5, "warn.不良信息", ADMIN)]

    await tab.open(f"/qungui/member/{ZHANG}?month=2026-11")
    assert await ledger.count() == 2
    warning = await page.locator('table#ledger tr[data-entry="2"]').inner_text()
    assert "-5" in warning and "不良信息警告" in warning
    assert tab.errors == []
