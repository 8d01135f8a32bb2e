"""一个像样的月份：八个人的 11 月 1 日到 27 日，有人天天交、有人断断续续、一条经典分享、一个请假。
本月 的名次和分享天数、今日 的各行对得上；QUNGUI_SCREENSHOTS=1 时这两页的截图存进 docs/images/（README 里用）。"""

import re

from tests.e2e.harness import Running, settled, ts
from tests.fake import ADMIN, SHARE_GROUP, WORK_GROUP, at, group_message_payload, text

from .browsing import Tab

PEOPLE = {
    20011: ("陈晓雯", set()),
    20012: ("刘建国", {12, 19}),
    20013: ("杨帆", {6, 7, 13, 14, 20, 21}),
    20014: ("黄丽娟", {3, 9, 16, 23, 27}),
    20015: ("周志强", {5, 11, 18, 22, 25, 26, 27}),
    20016: ("吴敏", {1, 2, 4, 8, 10, 15, 17, 24, 26}),
    20017: ("徐海涛", {2, 5, 9, 12, 14, 16, 19, 21, 23, 25, 27}),
    20018: ("孙婷", {7, 15, 22}),
}
"""QQ → 姓名、11 月里没交分享的日子"""
TOPICS = (
    "今天拜访了两家老客户，他们说春节备货要比去年早半个月，我把订货单提前整理好了。",
    "门店陈列换成了新款礼盒，下午试了一下把品鉴酒放在收银台旁边，问的人明显多了。",
    "跟物流对了一遍上周的破损记录，发现多半出在转运环节，已经和仓库商量加一层泡沫。",
    "读了公司发的酿造工艺资料，给客户讲窖藏年份的时候心里更有底了。",
    "晚上回访了三位团购客户，有一位想在年会上用我们的酒，约了下周送样品。",
    "整理了本月的应收账款，把两笔逾期的单子交给了财务，明天一起去对账。",
)
FEATURED = 20011
"""27 日被评为经典分享的人"""
ON_LEAVE = 20015
"""27 日请假"""
LATE = 20018
"""孙婷：2 日、12 日……27 日的分享都是次日凌晨宽限时段里发的"""
ADMIN_CARD = "鸡公山酒业-王管-13700000000"
PHONE = re.compile(r"1[3-9]\d{9}")


def card(user: int) -> str:
    return f"鸡公山酒业-{PEOPLE[user][0]}-1380000{user % 10000:04d}"


async def share_a_month(running: Running) -> int:
    """11 月 1 日到 27 日的分享，按天发。返回 27 日陈晓雯那条的消息编号。"""
    featured_id = 0
    for day in range(1, 28):
        for index, (user, (name, skipped)) in enumerate(PEOPLE.items()):
            if day in skipped:
                continue
            hour, minute = 8 + (index * 2 + day) % 13, (user + day * 7) % 60
            sent = ts(2026, 11, day, hour, minute)
            if user == LATE and day % 5 == 2:
                sent = ts(2026, 11, day + 1, 1, 20)
            payload = group_message_payload(
                f"{name} 11月{day}日：{TOPICS[(day + index) % len(TOPICS)]}",
                user_id=user,
                card=card(user),
                group_id=SHARE_GROUP,
                time=sent,
                self_id=running.qq.self_id,
            )
            if user == FEATURED and day == 27:
                featured_id = payload["message_id"]
            await running.qq.send_event(payload)
            running.posted += 1
        await settled(running, running.posted)
    return featured_id


async def test_a_month_of_shares_on_the_month_and_today_pages(tab: Tab):
    running, page, qq = tab.running, tab.page, tab.running.qq
    featured_id = await share_a_month(running)
    featured = await qq.group_says(
        [{"type": "reply", "data": {"id": str(featured_id)}}, text("/精选")],
        user_id=ADMIN,
        card=ADMIN_CARD,
        group_id=SHARE_GROUP,
        time=ts(2026, 11, 27, 12),
    )
    assert "陈晓雯" in featured
    leave = await qq.group_says(
        [text("/请假 "), at(ON_LEAVE), text(" 11-27 去郑州参加经销商大会")],
        user_id=ADMIN,
        card=ADMIN_CARD,
        group_id=WORK_GROUP,
        time=ts(2026, 11, 27, 12, 5),
    )
    assert leave.startswith("已记下 周志强 请假")
    # 28 日凌晨 01:45 看：还在宽限时段里，今日 默认是 27 日
    await running.bot.set_clock("2026-11-28T01:45:00+08:00")

    await tab.log_in(ADMIN)
    assert await tab.h1() == "今日"
    grid = page.locator(f"table#today-{SHARE_GROUP}")
    classes = {
        user: await grid.locator(f'tr[data-user="{user}"]').get_attribute("class")
        for user in PEOPLE
    }
    assert classes == {
        user: "missing" if user in (20014, 20017) else "leave" if user == ON_LEAVE else "shared"
        for user in PEOPLE
    }
    assert "经典" in await grid.locator(f'tr[data-user="{FEATURED}"]').inner_text()
    late = await grid.locator(f'tr[data-user="{LATE}"]').inner_text()
    assert "01:20" in late and "宽限" in late
    assert not PHONE.search(await page.content())
    await tab.screenshot("web-today")

    await tab.open("/qungui/month?month=2026-11")
    assert await tab.h1() == "本月"
    days = {user: 27 - len(skipped) for user, (_, skipped) in PEOPLE.items()}
    points = {user: shared + (5 if user == FEATURED else 0) for user, shared in days.items()}
    order = sorted(PEOPLE, key=lambda user: -points[user])
    assert len(set(points.values())) == len(points)  # 没有并列：名次只有一种排法
    rows = page.locator("table#standings tr[data-user]")
    shown = [int(u) for u in await rows.evaluate_all("rows => rows.map(r => r.dataset.user)")]
    assert shown[: len(order)] == order
    for rank, user in enumerate(order, start=1):
        cells = await rows.nth(rank - 1).locator("td").all_inner_texts()
        assert [cell.strip() for cell in cells[:4]] == [
            str(rank),
            PEOPLE[user][0],
            str(points[user]),
            str(days[user]),
        ], cells
    assert await page.locator("svg#daily-chart").is_visible()
    assert not PHONE.search(await page.content())
    await tab.screenshot("web-month")
    assert tab.errors == []
