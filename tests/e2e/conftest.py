import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import TEST_POLICY

from .harness import BotProcess, FakeOneBot

LONG_DIGITS = re.compile(r"\d{7,}")


@dataclass
class Running:
    bot: BotProcess
    qq: FakeOneBot

    async def restart(self) -> None:
        await self.qq.close()
        assert await self.bot.stop() == 0, self.bot.log()
        await self.bot.start()
        old = self.qq
        self.qq = FakeOneBot(self.bot.ws_url)
        # 还是同一个 QQ：群名单和调用记录都接着用
        self.qq.calls, self.qq.rosters = old.calls, old.rosters
        await self.qq.connect()


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
