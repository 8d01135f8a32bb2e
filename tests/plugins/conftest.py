"""nonebug 测试的小工具：收到一条消息、期望机器人发一条群消息或私聊。"""

import base64
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nonebot
import pytest
from httpx import ASGITransport, AsyncClient
from nonebot.adapters.onebot.v11 import Bot, Message, MessageSegment

from qungui.policy import Policies
from qungui.state import STATE
from tests import fake

_ids = iter(range(5000, 10**9))


def make_bot(ctx: Any) -> Bot:
    return ctx.create_bot(base=Bot, self_id=str(fake.SELF_ID))


def expect_group(ctx: Any, text: str, group_id: int = fake.WORK_GROUP) -> None:
    ctx.should_call_api(
        "send_group_msg",
        {"group_id": group_id, "message": Message(MessageSegment.text(text))},
        result={"message_id": next(_ids)},
    )


def expect_private(ctx: Any, text: str, user_id: int) -> None:
    ctx.should_call_api(
        "send_private_msg",
        {"user_id": user_id, "message": Message(MessageSegment.text(text))},
        result={"message_id": next(_ids)},
    )


@pytest.fixture(autouse=True)
def _fresh_flood_counts() -> None:
    """刷屏计数在内存里：每个测试从零数起。"""
    from plugins.warnings import content

    content.flood.clear()


def patch_policy(monkeypatch: pytest.MonkeyPatch, section: str, **values: Any) -> None:
    """本测试里把制度的某一节改几个值（如 warnings.mute_minutes），测试结束自动还原。"""
    from plugins.core import policies

    policy = policies.get("jgs")
    changed = getattr(policy, section).model_copy(update=values)
    patched = policy.model_copy(update={section: changed})
    monkeypatch.setattr(
        policies,
        "current",
        Policies({"jgs": patched}, {g: patched for g in patched.all_groups}, policies.path),
    )


@pytest.fixture(autouse=True)
def _fresh_process_state() -> None:
    """进程记在内存里的（问过 QQ 的群身份、说过一次的提醒、缓存）属于上一个测试：每个测试从零开始。"""
    STATE.reset()


@pytest.fixture(autouse=True)
def _fresh_job_runner() -> None:
    """定时任务执行器记在内存里的（装上的时刻、看到哪儿了、重试）属于上一个测试的库：每个测试从零开始。"""
    from plugins.core import runner

    runner.forget()


class FileAsBase64:
    """期望的 upload_*_file 的 `file` 参数：`path` 这个文件的内容，以 base64:// 发给 NapCat。
    比较时才读文件（文件在命令里才写出来，导出表的内容又带着生成时刻，没法事先算好）。"""

    def __init__(self, path: Path):
        self.path = path

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, str) or not other.startswith("base64://"):
            return False
        return base64.b64decode(other.removeprefix("base64://")) == self.path.read_bytes()

    def __repr__(self) -> str:
        return f"base64://<{self.path.name} 的内容>"


# 网页后台的测试（test_web*.py）共用：页面上“今天”是哪一刻，和一个直接对机器人的 FastAPI 应用
# 发请求的客户端（不开端口）
WEB_NOW = datetime(2026, 11, 27, 2, 5, tzinfo=UTC)


@pytest.fixture
def web_clock(clock_at) -> None:
    clock_at(WEB_NOW)


@pytest.fixture
async def client():
    transport = ASGITransport(app=nonebot.get_app())
    async with AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as client:
        yield client
