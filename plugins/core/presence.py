"""多个机器人进程共用一个库时，群里由谁回答。

制度的 `org.bots` 列了两个以上的机器人 QQ 号时，同一个群的消息和通知只由其中在线的、号码最小的那个处理；
它掉线后，其他进程在两分钟内接手。“在线”看 `bot_presence` 表：OneBot 实现连上时的 lifecycle 事件、
它每 30 秒的 heartbeat 事件（NapCat 默认开着）和每分钟的时钟走动都会更新它；本进程的机器人断开后，
下一次走动删掉它的行。这里量的是机器人连没连着，用真实时间而不是业务时钟（测试会把业务时钟拨来拨去）。
（没有用 NoneBot 的 on_bot_connect 钩子：nonebug 创建测试机器人时也会触发它，而那时没有数据库。）
没列或只列一个时，谁收到谁处理，重复由去重键和任务认领挡住。
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from qungui.models import BotPresence
from qungui.policy import Policy

PROCESS = f"{socket.gethostname()}:{os.getpid()}"[:64]
STALE = timedelta(minutes=2)
"""两分钟没有心跳就当它掉线了（进程被杀、没来得及说再见）"""
REFRESH_SECONDS = 5.0
WRITE_SECONDS = 20.0
"""同一个机器人的心跳最多每 20 秒写一次库"""


class Presence:
    def __init__(self) -> None:
        self.seen: dict[int, datetime] = {}
        self._expires = 0.0
        self._written: dict[int, float] = {}

    def due(self, self_id: int) -> bool:
        """这个机器人的心跳该写库了吗（同一个机器人最多每 WRITE_SECONDS 秒写一次）。
        匹配器的规则用它决定元事件要不要进处理函数，所以只看内存。"""
        return time.monotonic() - self._written.get(self_id, -WRITE_SECONDS) >= WRITE_SECONDS

    async def alive(self, self_id: int) -> None:
        """OneBot 的 lifecycle / heartbeat 元事件：这个机器人连在本进程上。"""
        if not self.due(self_id):
            return
        await self._touch([self_id])
        await self.refresh()

    async def heartbeat(self, local: Iterable[int]) -> None:
        """每次时钟走动：给本进程连着的机器人续命，删掉本进程已经断开的机器人的行。"""
        local = set(local)
        await self._touch(sorted(local))
        await BotPresence.filter(process=PROCESS).exclude(self_id__in=list(local) or [0]).delete()
        for gone in set(self._written) - local:
            del self._written[gone]
        await self.refresh()

    async def _touch(self, self_ids: list[int]) -> None:
        now = datetime.now(UTC)
        for self_id in self_ids:
            self._written[self_id] = time.monotonic()
            row = BotPresence.filter(self_id=self_id)
            if await row.update(seen_at=now, process=PROCESS):
                continue
            try:
                async with in_transaction():
                    await BotPresence.create(self_id=self_id, seen_at=now, process=PROCESS)
            except IntegrityError:
                await row.update(seen_at=now, process=PROCESS)

    async def refresh(self) -> None:
        rows = await BotPresence.all().values_list("self_id", "seen_at")
        self.seen = {int(self_id): seen_at for self_id, seen_at in rows}
        self._expires = time.monotonic() + REFRESH_SECONDS

    async def refresh_if_stale(self) -> None:
        """消息路径上调用：最多每 5 秒读一次库。"""
        if time.monotonic() >= self._expires:
            await self.refresh()

    def leader(self, policy: Policy, local: set[int]) -> int | None:
        """该组织的群里由哪个机器人回答；None 表示不限（没列出两个以上的机器人，或都不在线）。"""
        listed = policy.org.bots
        if len(listed) < 2:
            return None
        now = datetime.now(UTC)
        for bot in sorted(listed):
            seen = self.seen.get(bot)
            if bot in local or (seen is not None and now - seen < STALE):
                return bot
        return None
