from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import TEST_POLICY

from .harness import BotProcess, Running, drop_created_databases, running_bot


@pytest.fixture(autouse=True)
async def _drop_databases() -> AsyncIterator[None]:
    """在 PostgreSQL 上跑时：删掉本测试的机器人进程建的库。"""
    yield
    await drop_created_databases()


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    """一个真实的机器人进程，和一个已连上它的假 NapCat。"""
    async with running_bot(BotProcess(workdir=tmp_path, policy=TEST_POLICY)) as state:
        yield state
