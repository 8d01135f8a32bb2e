"""两个机器人进程共用一个 PostgreSQL 库（SQLite 只允许一个进程，见 test_startup_e2e）。

1. 同一个 QQ 号连到两个进程（NapCat 配了两个反向 WebSocket）：两边都收到同样的分享和命令，顺序不同，
   同时到点结算月底：每人每天一分、每条命令一条记录一个回复、排行帖一次、奖励一次。
2. 两个 QQ 号同在一个群、制度里列了两个机器人：只有号码小的那个回答；它掉线后另一个接手。
"""

import asyncio
from pathlib import Path

import pytest

from tests import databases
from tests.conftest import TEST_POLICY
from tests.fake import ADMIN, SHARE_GROUP, at, group_message_payload, text

from .harness import LONG_DIGITS, BotProcess, FakeOneBot, ts

pytestmark = pytest.mark.skipif(
    not databases.ON_POSTGRES, reason="多个进程共用一个库需要 PostgreSQL（QUNGUI_TEST_DB_URL）"
)

MEMBERS = [20001, 20002, 20003, 20004, 20005]
DAYS = range(1, 26)  # 11 月 1–25 日


def policy_file(tmp_path: Path, bots: str = "") -> Path:
    policy = tmp_path / "policy.toml"
    text_ = TEST_POLICY.read_text("utf-8").replace("streak_days = 27", "streak_days = 20")
    if bots:
        text_ = text_.replace("chairmen = [30002]", f"chairmen = [30002]\nbots = {bots}")
    policy.write_text(text_, "utf-8")
    return policy


async def two_processes(tmp_path: Path, policy: Path) -> tuple[BotProcess, BotProcess]:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = BotProcess(workdir=tmp_path / "a", policy=policy)
    await first.start()
    second = BotProcess(workdir=tmp_path / "b", policy=policy, db_url=first.db_url)
    await second.start()
    return first, second


def events(self_id: int) -> list[dict]:
    """500 条：5 人 × 25 天的分享（每天一条，外加一条同日第二条），以及 250 条 /加分。"""
    found = []
    message_id = 700000
    for day in DAYS:
        for user in MEMBERS:
            for n in range(2):
                message_id += 1
                found.append(
                    group_message_payload(
                        f"{user}号第{day}天第{n}条：今天跟客户复盘了订单，备货节奏要提前两天。",
                        user_id=user,
                        card=f"鸡公山酒业-成员{'甲乙丙丁戊'[user - 20001]}-13800000000",
                        group_id=SHARE_GROUP,
                        time=ts(2026, 11, day, 9 + n, user % 60),
                        message_id=message_id,
                        self_id=self_id,
                    )
                )
    for i in range(250):
        message_id += 1
        found.append(
            group_message_payload(
                [text("/加分 "), at(MEMBERS[i % 5]), text(" 1 协助盘点")],
                user_id=ADMIN,
                card="鸡公山酒业-王管-13700000000",
                group_id=SHARE_GROUP,
                time=ts(2026, 11, 26, 10, i // 60, i % 60),
                message_id=message_id,
                self_id=self_id,
            )
        )
    return found


async def deliver(qq: FakeOneBot, payloads: list[dict]) -> None:
    for payload in payloads:
        await qq.send_event(payload)
        await asyncio.sleep(0.005)


async def wait_quiet(bot: BotProcess, sql: str, expected: int) -> None:
    await bot.wait_count(sql, expected)
    await asyncio.sleep(1)  # 多出来的也要有机会出现


async def test_same_account_on_two_processes_writes_everything_once(tmp_path: Path) -> None:
    first, second = await two_processes(tmp_path, policy_file(tmp_path))
    one, two = FakeOneBot(first.ws_url), FakeOneBot(second.ws_url)
    await one.connect()
    await two.connect()
    try:
        payloads = events(one.self_id)
        await asyncio.gather(deliver(one, payloads), deliver(two, payloads[::-1]))
        await wait_quiet(first, "SELECT COUNT(*) FROM ledger_entry", 5 * len(DAYS) + 250)
        rows = await first.query(
            "SELECT rule, COUNT(*), SUM(delta) FROM ledger_entry GROUP BY rule ORDER BY rule"
        )
        assert rows == [("manual", 250, 250), ("share.daily", 125, 125)]
        replies = [
            c
            for qq in (one, two)
            for c in qq.calls
            if c.action == "send_group_msg" and c.text.startswith("已记录")
        ]
        assert len(replies) == 250

        # 两个进程同时到 12 月 1 日 09:00
        await asyncio.gather(
            first.set_clock("2026-12-01T09:00:30+08:00"),
            second.set_clock("2026-12-01T09:00:30+08:00"),
        )
        await asyncio.sleep(1)
        posts = [
            c
            for qq in (one, two)
            for c in qq.calls
            if c.action == "send_group_msg" and "积分排行】" in c.text
        ]
        assert len(posts) == 1
        assert not LONG_DIGITS.search(posts[0].text)
        streaks = await first.query(
            "SELECT user_id FROM ledger_entry WHERE rule = 'share.streak' ORDER BY user_id"
        )
        assert streaks == [(user,) for user in MEMBERS]
        totals = await first.query(
            "SELECT user_id, SUM(delta) FROM ledger_entry GROUP BY user_id ORDER BY user_id"
        )
        assert totals == [(user, 25 + 50 + 20) for user in MEMBERS]
        derived = await first.query(
            "SELECT user_id, points, share_days FROM month_total WHERE month = '2026-11'"
            " ORDER BY user_id"
        )
        assert derived == [(user, 95, 25) for user in MEMBERS]
    finally:
        for qq in (one, two):
            await qq.close()
        assert await first.stop() == 0
        assert await second.stop() == 0
    for bot in (first, second):
        assert "Traceback" not in bot.log(), bot.log()


async def test_two_accounts_in_one_group_only_the_lowest_online_answers(tmp_path: Path) -> None:
    first, second = await two_processes(tmp_path, policy_file(tmp_path, "[10000, 10001]"))
    low, high = FakeOneBot(first.ws_url, self_id=10000), FakeOneBot(second.ws_url, self_id=10001)
    await low.connect()
    # 等第一个进程记下 10000 在线，再连第二个（它连上时读一次谁在线）；
    # 在这之前的几秒里两个机器人可能都会回答，README 写明了
    await wait_quiet(first, "SELECT COUNT(*) FROM bot_presence WHERE self_id = 10000", 1)
    await high.connect()
    try:
        ask = {"user_id": 20001, "group_id": SHARE_GROUP, "message_id": 880001}
        await high.send_event(group_message_payload("/积分", self_id=10001, **ask))
        assert await low.group_says("/积分", **ask) == (
            "张三 本月（2026-11）积分 0 分，第 1 名 / 共 1 人；累计 0 分；本月记录 0 条。"
        )
        await asyncio.sleep(1)
        assert [c for c in high.calls if c.action == "send_group_msg"] == []

        # 号码小的掉线：另一个进程在下一次走动时知道，随后由它回答
        await low.close()
        await first.set_clock("2026-11-27T08:01:00+08:00")
        await asyncio.sleep(5.5)  # 另一个进程最多每 5 秒重读一次谁在线
        later = {"user_id": 20001, "group_id": SHARE_GROUP, "message_id": 880002}
        assert await high.group_says("/积分", **later) == (
            "张三 本月（2026-11）积分 0 分，第 1 名 / 共 1 人；累计 0 分；本月记录 0 条。"
        )
    finally:
        await high.close()
        assert await first.stop() == 0
        assert await second.stop() == 0
