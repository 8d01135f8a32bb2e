"""改好名片的致谢：每个群每 10 分钟最多一条，只写名字，不 @ 人。"""

from datetime import datetime, timedelta

from nonebot.adapters.onebot.v11 import Bot

from plugins.core.sender import Sender

from . import replies

WINDOW = timedelta(minutes=10)


class Thanks:
    def __init__(self, sender: Sender):
        self.sender = sender
        self.pending: dict[int, list[str]] = {}
        self.last_sent: dict[int, datetime] = {}
        self.bots: dict[int, Bot] = {}

    async def add(self, bot: Bot, group_id: int, name: str, now: datetime) -> None:
        names = self.pending.setdefault(group_id, [])
        if name not in names:
            names.append(name)
        self.bots[group_id] = bot
        await self._send_if_due(group_id, now)

    async def flush(self, now: datetime) -> None:
        """时钟每走一步调用：窗口已过的群，把攒下的名字发出去。"""
        for group_id in list(self.pending):
            await self._send_if_due(group_id, now)

    async def _send_if_due(self, group_id: int, now: datetime) -> None:
        last = self.last_sent.get(group_id)
        if last is not None and now - last < WINDOW:
            return
        names = self.pending.pop(group_id, [])
        if not names:
            return
        self.last_sent[group_id] = now
        await self.sender.send_group(
            self.bots[group_id], group_id, replies.THANKS.format(names="、".join(names))
        )
