"""基准共用：在本进程里启动 NoneBot（OneBot v11 适配器、测试用的制度、发送不间隔），
API 调用由 `answer` 立即应答，事件直接交给 `handle_event`。"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

Answer = Callable[..., Awaitable[Any]]


def init(db_url: str, *, plugins: bool, policy: Path | None = None) -> None:
    """初始化 NoneBot；`plugins` 为真时按 pyproject.toml 加载整个插件集；制度缺省用测试的。"""
    import nonebot
    from nonebot.adapters.onebot.v11 import Adapter

    from tests.conftest import TEST_POLICY

    nonebot.init(
        driver="~fastapi",
        log_level="WARNING",
        qungui_policy_file=str(policy or TEST_POLICY),
        qungui_db_url=db_url,
        qungui_send_interval=0,
        qungui_send_jitter=0,
        command_start={"/"},
    )
    nonebot.get_driver().register_adapter(Adapter)
    if plugins:
        nonebot.load_from_toml(str(REPO / "pyproject.toml"))


async def start(answer: Answer):
    """运行启动钩子（开库、定时任务），返回一个 API 由 `answer(bot, api, **data)` 应答的机器人。"""
    import nonebot
    from nonebot.adapters.onebot.v11 import Adapter, Bot

    adapter = nonebot.get_adapter(Adapter)
    adapter._call_api = answer
    await nonebot.get_driver()._lifespan.startup()
    return Bot(adapter, "10000")


async def stop() -> None:
    import nonebot

    await nonebot.get_driver()._lifespan.shutdown()


def child_output(module: str, *args: str) -> str:
    """在单独的进程里跑 `python -m <module> --child <临时文件夹> <args…>`，返回它输出的最后一行。

    NoneBot 一个进程只能初始化一次，所以每项测量各开一个进程，各用一个临时文件夹放库。"""
    with tempfile.TemporaryDirectory() as workdir:
        out = subprocess.run(
            [sys.executable, "-m", module, "--child", workdir, *args],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
    return out.stdout.strip().splitlines()[-1]
