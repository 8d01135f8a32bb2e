"""端到端测试台：真的 `python bot.py` 子进程 + 一个像 NapCat 一样说话的假 OneBot v11 实现。

假实现通过真实的反向 WebSocket 连上机器人（带 X-Self-ID 与 access token），按选定的 `time`
发送事件，照 `tests/onebot/responses.json` 的样子回答 API 调用，并记录机器人的每一次调用。
机器人的时钟通过测试专用的 `POST /_test/clock` 拨动（同时执行到那一刻该执行的任务）。
以后的功能都用它写端到端用例，演示脚本 `scripts/demo.py` 也用它。
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import itertools
import json
import os
import re
import signal
import socket
import sys
import time
import unicodedata
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import websockets

from tests import databases, fake
from tests.fake import SHARE_GROUP

REPO = Path(__file__).resolve().parents[2]
TOKEN = "e2e-secret-token"
LONG_DIGITS = re.compile(r"\d{7,}")
# 用空格、横线、点拆开写的手机号（在全角转半角之后找）
SPLIT_PHONE = re.compile(r"1[\s\-.]{0,3}[3-9](?:[\s\-.]{0,3}\d){9}")
CST = ZoneInfo("Asia/Shanghai")
ZHANG, LI, WANG = 20001, 20002, 20003
NAMES = {ZHANG: "张三", LI: "李四", WANG: "王五"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ApiCall:
    action: str
    params: dict[str, Any]

    @property
    def text(self) -> str:
        """消息里所有文字段连起来（@ 写作 @QQ 号），便于断言机器人说了什么。"""
        parts = []
        for seg in self.params.get("message", []):
            if seg["type"] == "text":
                parts.append(seg["data"]["text"])
            elif seg["type"] == "at":
                parts.append(f"@{seg['data']['qq']}")
        return "".join(parts)


class ApiFailure(Exception):
    """让假实现以失败回答一次调用；`response` 取自 responses.json 的失败样本。"""

    def __init__(self, response: dict[str, Any]):
        super().__init__(response.get("message", ""))
        self.response = response


Responder = Callable[[dict[str, Any]], Any]

CREATED_DATABASES: list[str] = []
"""本测试新建的 PostgreSQL 库：每个测试后用 drop_created_databases 删掉"""


async def drop_created_databases() -> None:
    while CREATED_DATABASES:
        await databases.drop_postgres(CREATED_DATABASES.pop())


class FakeOneBot:
    """像 NapCat 一样的 OneBot v11 实现（只是它没有 QQ）：连接、上报事件、回答 API。"""

    def __init__(self, url: str, self_id: int = fake.SELF_ID, token: str | None = TOKEN):
        self.url = url
        self.self_id = self_id
        self.token = token
        self.calls: list[ApiCall] = []
        self.responders: dict[str, Responder] = {
            "get_group_member_list": self._member_list,
            "get_group_member_info": self._member_info,
            "set_group_card": self._set_card,
            "get_msg": self._get_msg,
            "set_group_ban": self._ban,
            "delete_msg": self._delete,
            "upload_private_file": self._upload,
            "upload_group_file": self._upload,
            "set_msg_emoji_like": self._react,
            "set_essence_msg": self._set_essence,
        }
        self.messages: dict[int, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        """收到的文件：文件名 → 内容（base64:// 发来的解码后的，或按路径读到的）"""
        self.essence: set[int] = set()
        """设为精华的消息编号"""
        self.admin_in: set[int] = set()
        """机器人是管理员的群：只有这些群里 set_essence_msg 成功"""
        self.drop_on: Callable[[ApiCall], bool] | None = None
        """第一次遇到符合条件的调用时，不回答、直接断开连接"""
        self.risk_control_until = 0.0
        """在这个时刻（time.monotonic）之前，发消息一律像 NapCat 被风控时那样失败（1200）"""
        self.rosters: dict[int, dict[int, dict[str, Any]]] = {}
        self._message_ids = itertools.count(90000001)
        self._changed = asyncio.Condition()
        self._socket: Any = None
        self._reader: asyncio.Task | None = None
        self.pushed: list[asyncio.Task] = []
        """自己推送的通知（回答 API 之后才发）"""

    async def connect(self) -> None:
        headers = {"X-Self-ID": str(self.self_id), "X-Client-Role": "Universal"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        self._socket = await websockets.connect(self.url, additional_headers=headers, max_size=None)
        self._reader = asyncio.create_task(self._read())
        await self.send_event(
            {
                "time": 1795744800,
                "self_id": self.self_id,
                "post_type": "meta_event",
                "meta_event_type": "lifecycle",
                "sub_type": "connect",
            }
        )

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader

    async def send_event(self, payload: dict[str, Any]) -> None:
        if payload.get("post_type") == "message":
            self.messages[int(payload["message_id"])] = payload
        await self._socket.send(json.dumps(payload, ensure_ascii=False))

    async def _read(self) -> None:
        async for raw in self._socket:
            request = json.loads(raw)
            call = ApiCall(request["action"], request.get("params", {}))
            response = self._answer(call)
            response["echo"] = request.get("echo")
            async with self._changed:
                self.calls.append(call)
                self._changed.notify_all()
            if self.drop_on is not None and self.drop_on(call):
                self.drop_on = None
                await self._socket.close()  # 连接在回答之前断了
                return
            await self._socket.send(json.dumps(response, ensure_ascii=False))

    def _answer(self, call: ApiCall) -> dict[str, Any]:
        try:
            if call.action in self.responders:
                data = self.responders[call.action](call.params)
            elif call.action in ("send_group_msg", "send_private_msg", "send_msg"):
                if time.monotonic() < self.risk_control_until:
                    return dict(fake.RESPONSES["send_fail_napcat_risk_control"])
                data = {"message_id": next(self._message_ids)}
            else:
                return {"status": "failed", "retcode": 1404, "data": None, "message": "不支持的Api"}
        except ApiFailure as failure:
            return dict(failure.response)
        return {"status": "ok", "retcode": 0, "data": data, "message": "", "wording": ""}

    def add_member(self, group_id: int, user_id: int, **fields: Any) -> dict[str, Any]:
        """把一个人放进群名单（形状取自 NapCat 的 get_group_member_list 样本）。"""
        member = copy.deepcopy(fake.RESPONSES["get_group_member_list_ok_napcat"]["data"][0])
        member.update(group_id=group_id, user_id=user_id, **fields)
        self.rosters.setdefault(group_id, {})[user_id] = member
        return member

    def _member_list(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return list(self.rosters.get(int(params["group_id"]), {}).values())

    def _member_info(self, params: dict[str, Any]) -> dict[str, Any]:
        group_id, user_id = int(params["group_id"]), int(params["user_id"])
        member = self.rosters.get(group_id, {}).get(user_id)
        if member is None:
            failure = dict(fake.RESPONSES["set_group_card_fail_napcat_no_member"])
            failure["message"] = failure["wording"] = f"群({group_id})成员{user_id}不存在"
            raise ApiFailure(failure)
        return member

    def _get_msg(self, params: dict[str, Any]) -> dict[str, Any]:
        # NapCat 的 get_msg：按消息编号取回原消息（它的编号是短期缓存，取不到时报 1200）
        payload = self.messages.get(int(params["message_id"]))
        if payload is None:
            raise ApiFailure(
                {"status": "failed", "retcode": 1200, "data": None, "message": "消息不存在"}
            )
        return {
            key: payload[key]
            for key in (
                "time",
                "message_type",
                "message_id",
                "real_id",
                "sender",
                "message",
                "group_id",
                "real_seq",
            )
            if key in payload
        } | {"real_id": payload.get("real_id", payload["message_id"])}

    def _upload(self, params: dict[str, Any]) -> None:
        # NapCat 的 file 可以是它读得到的路径，也可以是 base64:// 数据
        file = str(params["file"])
        if file.startswith("base64://"):
            self.files[params["name"]] = base64.b64decode(file.removeprefix("base64://"))
            return
        if not Path(file).is_file():
            raise ApiFailure(
                {"status": "failed", "retcode": 1200, "data": None, "message": "文件不存在"}
            )
        self.files[params["name"]] = Path(file).read_bytes()

    def _react(self, params: dict[str, Any]) -> None:
        if int(params["message_id"]) not in self.messages:
            raise ApiFailure(
                {"status": "failed", "retcode": 1200, "data": None, "message": "消息不存在"}
            )

    def _set_essence(self, params: dict[str, Any]) -> None:
        # 像 NapCat：机器人不是群管理员时失败；成功后 QQ 还会推一条 essence 通知，操作人是机器人自己
        message_id = int(params["message_id"])
        payload = self.messages.get(message_id)
        if payload is None or payload["group_id"] not in self.admin_in:
            raise ApiFailure(
                {"status": "failed", "retcode": 1200, "data": None, "message": "权限不足"}
            )
        self.essence.add(message_id)
        notice = fake.notice_payload(
            "essence_add",
            self_id=self.self_id,
            group_id=payload["group_id"],
            message_id=message_id,
            sender_id=0,
            operator_id=self.self_id,
            time=int(payload["time"]) + 1,
        )
        self.pushed.append(asyncio.get_running_loop().create_task(self.send_event(notice)))

    def _delete(self, params: dict[str, Any]) -> None:
        # NapCat：撤回成功返回 null；编号过期或已撤回时报 1200
        if self.messages.pop(int(params["message_id"]), None) is None:
            raise ApiFailure(
                {"status": "failed", "retcode": 1200, "data": None, "message": "消息不存在"}
            )

    def _ban(self, params: dict[str, Any]) -> None:
        group_id, user_id = int(params["group_id"]), int(params["user_id"])
        member = self.rosters.get(group_id, {}).get(user_id) or self.add_member(group_id, user_id)
        member["shut_up_timestamp"] = int(params["duration"])

    def _set_card(self, params: dict[str, Any]) -> None:
        # 像 NapCat 一样：先确认成员存在，改完自己读回核对
        member = self._member_info(params)
        member["card"] = params["card"]

    async def wait_for(
        self,
        action: str,
        *,
        after: int = 0,
        where: Callable[[ApiCall], bool] = lambda _: True,
        count: int = 1,
        within: float = 15.0,
    ) -> list[ApiCall]:
        """等到第 `after` 次调用之后出现 `count` 次符合条件的 `action`。"""

        def found() -> list[ApiCall]:
            return [c for c in self.calls[after:] if c.action == action and where(c)]

        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: len(found()) >= count)
        return found()[:count]

    async def group_says(self, message: str | list[dict[str, Any]], **fields: Any) -> str:
        """在群里发一条消息，返回机器人回到同一个群的下一条消息的文字。"""
        group_id = fields.setdefault("group_id", fake.WORK_GROUP)
        mark = len(self.calls)
        await self.send_event(fake.group_message_payload(message, self_id=self.self_id, **fields))
        (reply,) = await self.wait_for(
            "send_group_msg", after=mark, where=lambda c: c.params["group_id"] == group_id
        )
        return reply.text

    async def private_says(self, message: str, *, user_id: int, **fields: Any) -> str:
        mark = len(self.calls)
        await self.send_event(
            fake.private_message_payload(message, user_id=user_id, self_id=self.self_id, **fields)
        )
        (reply,) = await self.wait_for(
            "send_private_msg", after=mark, where=lambda c: c.params["user_id"] == user_id
        )
        return reply.text


@dataclass
class BotProcess:
    """`python bot.py` 子进程：随机空闲端口、临时数据库、给定的制度文件，发送间隔为 0。"""

    workdir: Path
    policy: Path
    clock_start: str = "2026-11-27T08:00:00+08:00"
    superusers: list[int] = field(default_factory=lambda: [fake.SUPERUSER])
    port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    db_url: str = ""
    """留空：第一次启动时定下来（SQLite 文件，或 QUNGUI_TEST_DB_URL 时新建的 PostgreSQL 库）"""
    process: asyncio.subprocess.Process | None = None

    @property
    def db_path(self) -> Path:
        return self.workdir / "qungui.sqlite3"

    @property
    def db_shown(self) -> str:
        """/状态 里显示的数据库位置。"""
        if self.db_url.startswith("sqlite://"):
            return str(self.db_path)
        return self.db_url.split("@")[-1]

    async def query(self, sql: str, *args: Any) -> list[tuple]:
        return await databases.query(self.db_url, sql, *args)

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/onebot/v11/ws"

    @property
    def log_path(self) -> Path:
        return self.workdir / "bot.log"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("QUNGUI_", "LOCALSTORE_"))}
        env.update(
            ENVIRONMENT="test",
            DRIVER="~fastapi",
            HOST="127.0.0.1",
            PORT=str(self.port),
            ONEBOT_ACCESS_TOKEN=TOKEN,
            SUPERUSERS=json.dumps([str(u) for u in self.superusers]),
            COMMAND_START='["/"]',
            LOG_LEVEL="INFO",
            QUNGUI_POLICY_FILE=str(self.policy),
            QUNGUI_DB_URL=self.db_url,
            QUNGUI_SEND_INTERVAL="0",
            QUNGUI_SEND_JITTER="0",
            QUNGUI_CLOCK_START=self.clock_start,
            LOCALSTORE_DATA_DIR=str(self.workdir / "data"),
            LOCALSTORE_CACHE_DIR=str(self.workdir / "cache"),
            LOCALSTORE_CONFIG_DIR=str(self.workdir / "config"),
        )
        env.update(self.extra_env)
        return env

    async def start(self, within: float = 30.0) -> None:
        if not self.db_url:
            if databases.ON_POSTGRES:
                self.db_url = await databases.create_postgres()
                CREATED_DATABASES.append(self.db_url)
            else:
                self.db_url = f"sqlite://{self.db_path}"
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "bot.py",
                cwd=REPO,
                env=self.environment(),
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        async with asyncio.timeout(within):
            while not await self._accepting():
                if self.process.returncode is not None:
                    raise RuntimeError(
                        f"机器人进程退出了（{self.process.returncode}）：\n{self.log()}"
                    )
                await asyncio.sleep(0.1)

    async def _accepting(self) -> bool:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", self.port)
        except OSError:
            return False
        writer.close()
        await writer.wait_closed()
        return True

    async def stop(self) -> int:
        if self.process is None:
            return 0
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
        return await self.process.wait()

    async def count(self, sql: str) -> int:
        return (await self.query(sql))[0][0]

    async def wait_count(self, sql: str, at_least: int, within: float = 60.0) -> None:
        """等 `sql`（一条 SELECT COUNT(*)）数到 `at_least`：NoneBot 并发处理事件，要等它们进库。"""
        async with asyncio.timeout(within):
            while await self.count(sql) < at_least:  # noqa: ASYNC110  另一个进程在写，没有事件可等
                await asyncio.sleep(0.05)

    async def idle(self, quiet: float = 1.5, within: float = 120.0) -> None:
        """等机器人把收到的事件都处理完：每个事件都会写日志，日志 `quiet` 秒不再变长就算处理完了。"""
        async with asyncio.timeout(within):
            size, still = -1, 0.0
            while still < quiet:
                await asyncio.sleep(0.25)
                now = self.log_path.stat().st_size
                still = still + 0.25 if now == size else 0.0
                size = now

    async def exited(self, within: float = 30.0) -> int:
        """等进程自己退出（例如制度文件有错时），返回退出码。"""
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), within)

    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace") if self.log_path.exists() else ""

    async def set_clock(self, moment: str) -> list[str]:
        """把机器人的时钟拨到 `moment`（ISO 时间，带时区），返回这次执行的任务。"""
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"http://127.0.0.1:{self.port}/_test/clock", json={"now": moment}, timeout=30
            )
        response.raise_for_status()
        return response.json()["ran"]


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


@contextlib.asynccontextmanager
async def running_bot(bot: BotProcess) -> AsyncIterator[Running]:
    """启动 `bot`，连上一个假 NapCat；结束时进程要正常退出、日志里没有异常、群消息里没有电话。"""
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
