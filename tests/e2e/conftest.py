import re
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests import databases, fake
from tests.conftest import TEST_POLICY
from tests.fake import SHARE_GROUP

from .harness import CREATED_DATABASES, BotProcess, FakeOneBot

LONG_DIGITS = re.compile(r"\d{7,}")
# 用空格、横线、点拆开写的手机号（在全角转半角之后找）
SPLIT_PHONE = re.compile(r"1[\s\-.]{0,3}[3-9](?:[\s\-.]{0,3}\d){9}")
CST = ZoneInfo("Asia/Shanghai")
ZHANG, LI, WANG = 20001, 20002, 20003
NAMES = {ZHANG: "张三", LI: "李四", WANG: "王五"}


@dataclass
class Running:
    bot: BotProcess
    qq: FakeOneBot

    posted: int = 0
    """已经发出、等着进库的分享条数（见 post）"""

    async def restart(self) -> None:
        await self.qq.close()
        assert await self.bot.stop() == 0, self.bot.log()
        await self.bot.start()
        old = self.qq
        self.qq = FakeOneBot(self.bot.ws_url)
        # 还是同一个 QQ：群名单和调用记录都接着用
        self.qq.calls, self.qq.rosters = old.calls, old.rosters
        await self.qq.connect()


@pytest.fixture(autouse=True)
async def _drop_databases() -> AsyncIterator[None]:
    """在 PostgreSQL 上跑时：删掉本测试的机器人进程建的库。"""
    yield
    while CREATED_DATABASES:
        await databases.drop_postgres(CREATED_DATABASES.pop())


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    """一个真实的机器人进程，和一个已连上它的假 NapCat。"""
    bot = BotProcess(workdir=tmp_path, policy=TEST_POLICY)
    await bot.start()
    qq = FakeOneBot(bot.ws_url)
    try:
        await qq.connect()
        state = Running(bot, qq)
        yield state
    finally:
        await state.qq.close() if "state" in locals() else await qq.close()
        code = await bot.stop()
    assert code == 0, bot.log()
    assert "Traceback" not in bot.log(), bot.log()
    # 隐私：发到群里的消息里不能出现 7 位以上的连续数字（电话）
    for call in state.qq.calls:
        if call.action == "send_group_msg":
            assert not LONG_DIGITS.search(call.text), call.text
            assert not SPLIT_PHONE.search(unicodedata.normalize("NFKC", call.text)), call.text


def ts(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=CST).timestamp())


def share_text(user: int, day: int) -> str:
    return f"{NAMES[user]}第{day}天的心得：今天跟客户复盘了上周的订单，发现备货节奏要提前两天。"


async def settled(running: Running, shares: int) -> None:
    """等机器人把前面的分享都记进库里：NoneBot 并发处理事件，真实的群里消息之间隔着几秒，测试里没有。"""
    await running.bot.wait_count("SELECT COUNT(*) FROM share", shares, within=10)


async def post(
    running: Running,
    user: int,
    message,
    at: int,
    message_id: int | None = None,
    replay: bool = False,
) -> None:
    """发一条分享并等它进库；`replay` 为真时是重放，不会多出一行，所以不等。"""
    payload = fake.group_message_payload(
        message,
        user_id=user,
        card=f"鸡公山酒业-{NAMES[user]}-13800000000",
        group_id=SHARE_GROUP,
        time=at,
        message_id=message_id,
        self_id=running.qq.self_id,
    )
    await running.qq.send_event(payload)
    if replay:
        return
    running.posted += 1
    await settled(running, running.posted)
