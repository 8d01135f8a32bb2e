"""唯一的出口：机器人发出的每条群消息都经过这里。

每个机器人账号一把锁，消息按到达顺序一条条发，间隔 `interval`～`interval + jitter` 秒；
每条最多 10 个 @、约 1500 字，超出就拆；群消息文字里 7 位以上的数字一律打码。

发送失败分两种（`account_wide`）：
- 整个账号发不出去：风控、超时、连接断了，以及认不出来的失败。这时退避（1 分钟起，每次翻倍，
  最多 30 分钟），并告诉超级用户。NapCat 明确答复没发出（如风控 1200）的那条，暂停结束后重发一次，
  后面排队的消息跟在它后面；到那时已经过时的（提醒过了截止时间、回复过了 REPLY_FRESH）不再发。
- 只是这一个收件人收不到：QQ 号不存在、不是好友、机器人已不在那个群、参数不对。NapCat 对这些
  当场答复：参数错是 retcode 1400；找不到 QQ 号是“无法获取用户信息”（别的实现说“……不存在”）；
  QQ 拒收这一条时，NapCat 的报错里带着 QQ 给的非零 `"result"`（如 110“你已被移出该群”）
  或“请添加对方为好友”。而风控是 QQ 收下了消息却迟迟不发：NapCat 等到超时，`"result"` 是 0。
  这种失败不暂停别的消息、不重发，记在账号状态里（/状态 可见）、写日志，调用方收到 SendFailed。
表情回应（`react`，给记了分的分享点个表情）走同一个账号，但另排一队、间隔更短：它立刻返回，
不让记分等着 NapCat；失败只记日志、不重试，账号暂停发送时直接放弃，排队太多时不再收。
`send_*` 等到自己的消息发出才返回，所以命令的回复仍在 nonebug 的上下文里，测试可以断言
`send_group_msg`。
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from nonebot.adapters.onebot.v11 import ActionFailed, Bot, Message, MessageSegment
from nonebot.log import logger

from qungui import clock
from qungui.outgoing import MAX_CHARS, MAX_MENTIONS, mask_digits, split_text

from .rights import API_FAILURES, DISCONNECTED, failure_reason

REACTIONS_WAITING_MAX = 50
"""一个账号最多排着这么多个表情：再多说明 NapCat 已经跟不上，新来的直接放弃"""
BACKOFF_START = 60.0
BACKOFF_MAX = 1800.0
REPLY_FRESH = timedelta(minutes=10)
"""没有另给期限的消息（命令回复、通知）在这么久之内还值得重发"""


class SendFailed(Exception):
    """消息没有发出去（风控、超时、没有权限……）。

    `unsent` 为真时确知它不在群里：NapCat 答复没发出（ActionFailed）、连接在发之前就已断开，或
    等到过时没有发；为假（超时、发到一半断线）时它可能已经到了群里，重发可能重复。
    """

    def __init__(self, reason: str, *, unsent: bool):
        super().__init__(reason)
        self.unsent = unsent


@dataclass
class AccountState:
    """一个机器人账号的发送状态。"""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_sent: float = 0.0
    backoff_until: float = 0.0
    backoff: float = 0.0
    last_error: str = ""
    sent: int = 0
    failed: int = 0
    refused: int = 0
    """只是某个收件人收不到的失败（不退避）"""
    last_refusal: str = ""
    react_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_reacted: float = 0.0
    reactions_waiting: int = 0
    reacted: int = 0
    react_failed: int = 0
    reactions_unsupported: bool = False
    """NapCat 答复没有这个接口（1404，别的实现）：这个账号以后不再点"""


_ONE_RECIPIENT = re.compile(r'"result":\s*-?[1-9]|无法获取用户信息|请添加对方为好友|不存在')


def account_wide(exc: Exception) -> bool:
    """这次失败是不是整个账号的（要退避），而不只是这一个收件人收不到。规则见模块说明。"""
    if not isinstance(exc, ActionFailed):
        return True  # 超时、断线
    info = exc.info or {}
    if info.get("retcode") == 1400:
        return False
    reason = f"{info.get('message') or ''} {info.get('wording') or ''}"
    return _ONE_RECIPIENT.search(reason) is None


def to_parts(message: str | Message, mask: bool = True) -> list[Message]:
    """（群消息）打码并拆成若干条：每条 ≤ 10 个 @、≤ MAX_CHARS 字。纯文字不解析 CQ 码。"""
    segments = [MessageSegment.text(message)] if isinstance(message, str) else list(message)
    parts: list[Message] = []
    current, chars, mentions = Message(), 0, 0

    def flush() -> None:
        nonlocal current, chars, mentions
        if current:
            parts.append(current)
        current, chars, mentions = Message(), 0, 0

    for segment in segments:
        if segment.type == "at":
            if mentions == MAX_MENTIONS:
                flush()
            current.append(segment)
            mentions += 1
            continue
        if segment.type != "text":
            current.append(segment)
            continue
        text = mask_digits(segment.data["text"]) if mask else segment.data["text"]
        for piece in split_text(text, MAX_CHARS):
            if chars and chars + len(piece) > MAX_CHARS:
                flush()
            current.append(MessageSegment.text(piece))
            chars += len(piece)
    flush()
    return parts


class Sender:
    def __init__(
        self,
        interval: float,
        jitter: float,
        on_backoff: Callable[[Bot, str], Awaitable[None]] | None = None,
        backoff_start: float = BACKOFF_START,
        react_interval: float = 0.5,
    ):
        self.interval = interval
        self.react_interval = react_interval
        self._reacting: set[asyncio.Task] = set()
        self.jitter = jitter
        self.backoff_start = backoff_start
        self.on_backoff = on_backoff
        self.accounts: dict[str, AccountState] = {}

    def account(self, self_id: str) -> AccountState:
        return self.accounts.setdefault(self_id, AccountState())

    async def send_group(
        self,
        bot: Bot,
        group_id: int,
        message: str | Message,
        *,
        valid_until: datetime | None = None,
    ) -> list[int]:
        """发到群里，返回各条消息的 message_id。`valid_until`（业务时间）之后就不再发（提醒用）。"""
        until = valid_until or clock.now() + REPLY_FRESH
        return [
            await self._deliver(bot, "send_group_msg", until, group_id=group_id, message=part)
            for part in to_parts(message)
        ]

    async def send_private(self, bot: Bot, user_id: int, message: str | Message) -> list[int]:
        """私聊不打码：/名单 未进群 这样的命令就是要把电话给有权限的人看。"""
        until = clock.now() + REPLY_FRESH
        return [
            await self._deliver(bot, "send_private_msg", until, user_id=user_id, message=part)
            for part in to_parts(message, mask=False)
        ]

    async def send_private_each(self, bot: Bot, user_ids: Iterable[int], message: str) -> list[int]:
        """同一条通知私聊给几个人：某个人收不到（已记下、写了日志），照样发给其余的人。
        返回没收到的人。"""
        missed = []
        for user_id in user_ids:
            try:
                await self.send_private(bot, user_id, message)
            except SendFailed as exc:
                logger.warning(f"通知没有发到 {user_id}：{exc}")
                missed.append(user_id)
        return missed

    async def _deliver(self, bot: Bot, api: str, valid_until: datetime, **data) -> int:
        state = self.account(bot.self_id)
        async with state.lock:  # 重发也在锁里：后面排队的消息不会抢到它前面
            for _try in range(2):  # 第一次，和暂停后的一次重发
                # 间隔用单调时钟量：它只管两条消息之间的距离，与业务时间无关
                gap = self.interval + random.uniform(0, self.jitter)
                wait = max(state.last_sent + gap, state.backoff_until) - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if clock.now() > valid_until:
                    logger.warning(
                        f"账号 {bot.self_id} 的一条消息等到 {valid_until} 之后，已过时，不发了"
                    )
                    raise SendFailed("已过时，不再发送", unsent=True)
                try:
                    result = await bot.call_api(api, **data)
                # 含 DISCONNECTED：这个机器人的连接已经断了或正在断开（等退避时断线很常见），同样算发送失败
                except (*API_FAILURES, TimeoutError) as exc:
                    failure = exc
                    if not account_wide(exc):
                        self._refused(bot, state, data, exc)
                        break
                    self._back_off(bot, state, exc)
                else:
                    state.sent += 1
                    state.backoff = 0.0
                    return int((result or {}).get("message_id", 0))
                finally:
                    state.last_sent = time.monotonic()
                # 只在一轮退避刚开始时通知（通知在后台排队，不在这里等）
                if state.backoff == self.backoff_start and self.on_backoff is not None:
                    await self.on_backoff(bot, f"发送失败，暂停 {state.backoff:.0f} 秒：{failure}")
                # 只有 NapCat 明确答复没发出（ActionFailed）才重发：超时或断线时消息可能已经到了群里，
                # 重发会重复；断了的连接上重发也不会成功
                if not isinstance(failure, ActionFailed):
                    break
        raise SendFailed(
            str(failure), unsent=isinstance(failure, (ActionFailed, *DISCONNECTED))
        ) from failure

    def _refused(self, bot: Bot, state: AccountState, data: dict, exc: Exception) -> None:
        state.refused += 1
        to = f"群 {data['group_id']}" if "group_id" in data else f"QQ {data.get('user_id')}"
        state.last_refusal = f"{to}：{failure_reason(exc)}"
        logger.warning(f"账号 {bot.self_id} 的一条消息 {to} 收不到（不影响其他消息）：{exc}")

    def _back_off(self, bot: Bot, state: AccountState, exc: Exception) -> None:
        state.failed += 1
        state.backoff = min(BACKOFF_MAX, state.backoff * 2 or self.backoff_start)
        state.backoff_until = time.monotonic() + state.backoff
        state.last_error = str(exc)
        logger.error(f"账号 {bot.self_id} 发送失败，{state.backoff:.0f} 秒内暂停发送：{exc}")

    def react(self, bot: Bot, message_id: int, emoji_id: int) -> bool:
        """给一条消息点表情（NapCat `set_msg_emoji_like`），在后台排队，立刻返回：调用方（记分）
        不等 NapCat。返回是否排上了队。"""
        state = self.account(bot.self_id)
        if state.reactions_unsupported:
            return False
        if state.reactions_waiting >= REACTIONS_WAITING_MAX:
            logger.warning(f"账号 {bot.self_id} 排队的表情太多，消息 {message_id} 不点了")
            return False
        state.reactions_waiting += 1
        task = asyncio.create_task(self._react(bot, state, message_id, emoji_id))
        self._reacting.add(task)
        task.add_done_callback(self._reacting.discard)
        return True

    async def _react(self, bot: Bot, state: AccountState, message_id: int, emoji_id: int) -> None:
        try:
            async with state.react_lock:
                wait = state.last_reacted + self.react_interval - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if time.monotonic() < state.backoff_until:
                    # 账号正被风控暂停：表情只是锦上添花，暂停结束后也不补，免得一下子点一串
                    logger.info(f"账号 {bot.self_id} 暂停发送中，消息 {message_id} 的表情不点了")
                    return
                try:
                    await bot.call_api(
                        "set_msg_emoji_like", message_id=message_id, emoji_id=str(emoji_id)
                    )
                except (*API_FAILURES, TimeoutError) as exc:
                    state.react_failed += 1
                    info = getattr(exc, "info", None) or {}
                    if isinstance(exc, ActionFailed) and info.get("retcode") == 1404:
                        state.reactions_unsupported = True
                    logger.warning(
                        f"账号 {bot.self_id} 给消息 {message_id} 点表情失败（不重试）：{exc}"
                    )
                else:
                    state.reacted += 1
                finally:
                    state.last_reacted = time.monotonic()
        finally:
            state.reactions_waiting -= 1

    async def reactions_done(self) -> None:
        """等排着的表情都点完（测试、关闭时用）。"""
        while self._reacting:
            await asyncio.gather(*list(self._reacting), return_exceptions=True)

    def backoff_left(self, self_id: str) -> float:
        return max(0.0, self.account(self_id).backoff_until - time.monotonic())
