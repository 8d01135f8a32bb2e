"""攒批的群消息：同一个群每个窗口（默认 10 分钟）最多一条，把这段时间攒下的条目一起发。

用于“感谢改好名片”“以下分享不算原创”这类不必逐条回复的消息：逐条回复会刷屏，也容易触发风控。
"""

from collections.abc import Callable
from datetime import datetime, timedelta

import nonebot
from nonebot import logger
from nonebot.adapters.onebot.v11 import Bot

from qungui.state import STATE

from .sender import Sender, SendFailed


class GroupBatcher:
    def __init__(
        self,
        name: str,
        sender: Sender,
        render: Callable[[list[str]], str],
        window: timedelta = timedelta(minutes=10),
    ):
        self.name = name
        self.sender = sender
        self.render = render
        self.window = window

    # 攒着的条目是进程状态：放在 STATE 里，和别的缓存一起由 STATE.reset() 清空
    @property
    def pending(self) -> dict[int, list[str]]:
        return STATE.batch(self.name).pending

    @property
    def last_sent(self) -> dict[int, datetime]:
        return STATE.batch(self.name).last_sent

    @property
    def bots(self) -> dict[int, Bot]:
        return STATE.batch(self.name).bots

    async def add(self, bot: Bot, group_id: int, item: str, now: datetime) -> None:
        items = self.pending.setdefault(group_id, [])
        if item not in items:
            items.append(item)
        self.bots[group_id] = bot
        await self._send_if_due(group_id, now)

    async def flush(self, now: datetime) -> None:
        """时钟每走一步调用：窗口已过的群，把攒下的条目发出去。"""
        for group_id in list(self.pending):
            await self._send_if_due(group_id, now)

    async def _send_if_due(self, group_id: int, now: datetime) -> None:
        last = self.last_sent.get(group_id)
        if last is not None and now - last < self.window:
            return
        items = self.pending.pop(group_id, [])
        if not items:
            return
        self.last_sent[group_id] = now
        # 攒着的时候机器人可能重连过：用同一账号现在在线的那个连接
        stored = self.bots[group_id]
        bot = nonebot.get_bots().get(stored.self_id, stored)
        try:
            await self.sender.send_group(bot, group_id, self.render(items))
        except SendFailed:
            logger.warning(f"群 {group_id} 的汇总消息没有发出去：{'、'.join(items)}")
