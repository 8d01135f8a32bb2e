"""命令路由：所有命令共用一个 `on_message` 匹配器。

每个 `on_command` 匹配器都会让每条群消息多花 0.5～0.8 ms（docs/design.md 不变量 9），所以这里只有
一个异步规则：先看消息是否以命令前缀开头（普通聊天到此为止），再查一次字典。
各功能插件用 `router.command(...)` 登记处理函数，处理函数拿到 `CommandContext`。
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from nonebot import logger
from nonebot.adapters import Event
from nonebot.adapters.onebot.v11 import (
    Bot,
    GroupMessageEvent,
    Message,
    MessageSegment,
    NoticeEvent,
)
from nonebot.rule import Rule
from nonebot.typing import T_State

from qungui.dates import business_date, local_time, month_key
from qungui.policy import Policy
from qungui.roles import Role

from .args import Params, Part, Signature
from .identity import event_key
from .refusals import Refusal, UsageError

__all__ = ["Command", "CommandContext", "CommandRouter", "DirectRule", "Refusal", "UsageError"]


class DirectRule(Rule):
    """只有一个检查函数、直接调用它的规则。

    NoneBot 的 `Rule` 每条消息都开一个任务组来跑检查函数，检查函数的每个参数（event、state）
    还要各开一个任务做类型检查、再各开一个任务取值：一条普通聊天要多建 5 个任务，本机约 0.2 ms，
    是插件自己对一条普通聊天的全部工作（约 20 µs）的十倍。这个规则只在“总开关”匹配器上用，检查函数只收 event 和 state，
    不需要依赖注入，所以直接调用。NoneBot 的版本锁在 2.5.x（pyproject.toml），`Rule.__call__`
    的签名变了测试会发现。
    """

    def __init__(self, check: Callable[[Event, T_State], Awaitable[bool]]):
        super().__init__(check)
        self.check = check

    async def __call__(self, bot, event, state, stack=None, dependency_cache=None) -> bool:
        return await self.check(event, state)


Handler = Callable[["CommandContext"], Awaitable[None]]
NoticeHandler = Callable[[Bot, NoticeEvent, Policy], Awaitable[None]]
WatchHandler = Callable[[Bot, GroupMessageEvent, Policy, Any], Awaitable[None]]
Interest = Callable[..., Any]
"""(event, policy) → 真值；登记时 commands=True 的，命令消息上还多收一个参数：那条命令（Command）"""


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    summary: str
    example: str
    role: Role = Role.MEMBER
    private: bool = False
    """私聊里也可以用"""
    card_phone: bool = False
    """参数里的手机号是要写进群名片的（名片按规定带电话）：内容过滤不把它当作别人的号码"""
    signature: Signature | None = None
    """声明的参数；None：不收参数，后面写什么都不看"""
    before: str = ""
    """用法前面的说明，如“回复一条分享：”"""
    after: str = ""
    """用法后面的说明，如“（私聊）”"""
    audience: Role | None = None
    """`/帮助` 把它列给谁；None：能用它的人（`role`）。成员级、却只有发通知的人（管理员）用得上的写 ADMIN"""

    @property
    def listed_for(self) -> Role:
        return self.audience if self.audience is not None else self.role

    def belongs_to(self, plugin: str) -> bool:
        """是不是这个插件登记的（`plugins.warnings.content` 属于 `plugins.warnings`）。"""
        module = self.handler.__module__
        return module == plugin or module.startswith(plugin + ".")

    @property
    def usage(self) -> str:
        parts = self.signature or Signature()
        return f"{self.before}{parts.usage(self.name)}{self.after}"

    def usage_text(self, reason: str = "") -> str:
        head = f"{reason}\n" if reason else ""
        return f"{head}用法：{self.usage}\n例如：{self.example}"


@dataclass
class CommandContext:
    """一次命令调用：谁、在哪个组织、什么身份、带了什么参数。"""

    bot: Bot
    event: GroupMessageEvent | object
    policy: Policy
    role: Role
    command: Command
    args: Message
    reply: Callable[[str | Message], Awaitable[list[int]]]
    params: Params = field(default_factory=Params)
    """按命令声明解析好的参数（args.py），处理函数开始之前填好"""
    given: dict[str, Any] = field(default_factory=dict)
    """已经分开给出、不从文字里解析的参数（网页表单的理由栏）：解析完原样放进 `params`"""

    @property
    def user_id(self) -> int:
        return int(self.event.user_id)

    @property
    def group_id(self) -> int | None:
        return getattr(self.event, "group_id", None)

    @property
    def time(self) -> datetime:
        """事件发生的时刻（组织时区）：业务日期以它为准，而不是机器的当前时间。"""
        return local_time(self.event.time, self.policy.tz)

    @property
    def today(self) -> date:
        return business_date(self.event.time, self.policy.tz)

    @property
    def month(self) -> str:
        return month_key(self.today)

    @property
    def event_key(self) -> str:
        """此事件的去重键：不论经哪个机器人账号收到，同一条消息都相同（identity.py）。"""
        return event_key(self.policy.id, self.event)


class CommandRouter:
    """命令和群通知（入群、退群、改名片……）都从这里分发。"""

    def __init__(self) -> None:
        self.commands: dict[str, Command] = {}
        self.notices: dict[str, list[NoticeHandler]] = {}
        self.watchers: list[tuple[Interest, WatchHandler]] = []
        self.command_watchers: list[tuple[Interest, WatchHandler]] = []
        """也要看命令消息的（内容过滤）：命令前面加个词不能让文字绕过过滤"""
        self._by_length: list[str] = []

    def watch(
        self, interest: Interest, *, commands: bool = False
    ) -> Callable[[WatchHandler], WatchHandler]:
        """登记对非命令群消息的处理（如每日分享、内容过滤）。`interest` 每条消息都会调用：
        必须是同步的、只看内存（群号、字数、编译好的正则）的便宜判断，docs/design.md 不变量 9。
        它返回真值时，处理函数被调用，第四个参数就是这个返回值（免得处理时再算一遍）。
        `commands=True`：命令消息也问它（第三个参数是那条命令），处理函数在命令回复之后调用，
        命令照常执行。"""

        def register(handler: WatchHandler) -> WatchHandler:
            self.watchers.append((interest, handler))
            if commands:
                self.command_watchers.append((interest, handler))
            return handler

        return register

    def watching(
        self, event: GroupMessageEvent, policy: Policy, command: Command | None = None
    ) -> list[tuple[WatchHandler, Any]]:
        found = []
        watchers = self.watchers if command is None else self.command_watchers
        args = (event, policy) if command is None else (event, policy, command)
        for interest, handler in watchers:
            try:
                result = interest(*args)
            except Exception:
                # 一个功能的判断出错，不能让整条消息（和其他功能）跟着失败
                logger.exception(f"{handler.__module__}.{handler.__name__} 的判断出错")
                continue
            if result:
                found.append((handler, result))
        return found

    def notice(self, notice_type: str) -> Callable[[NoticeHandler], NoticeHandler]:
        """登记某种群通知的处理函数；只有组织里的群发来的通知才会送到。"""

        def register(handler: NoticeHandler) -> NoticeHandler:
            self.notices.setdefault(notice_type, []).append(handler)
            return handler

        return register

    def command(
        self,
        name: str,
        *,
        summary: str,
        example: str,
        args: tuple[Part, ...] | None = None,
        role: Role = Role.MEMBER,
        private: bool = False,
        card_phone: bool = False,
        before: str = "",
        after: str = "",
        audience: Role | None = None,
    ) -> Callable[[Handler], Handler]:
        """登记一个命令。`args` 声明它的参数（args.py）：处理函数运行之前解析好放在 `ctx.params`，
        写错时回复从声明生成的用法；`/帮助` 和插件的 usage 也从这里来。"""

        def register(handler: Handler) -> Handler:
            if name in self.commands:
                raise ValueError(f"命令 {name} 重复登记")
            signature = Signature(args) if args is not None else None

            @functools.wraps(handler)
            async def parsed(ctx: CommandContext) -> None:
                if signature is not None:
                    ctx.params = await signature.parse(ctx.args, ctx)
                    ctx.params.update(ctx.given)
                await handler(ctx)

            self.commands[name] = Command(
                name,
                parsed,
                summary,
                example,
                role,
                private,
                card_phone,
                signature,
                before,
                after,
                audience,
            )
            self._by_length = sorted(self.commands, key=len, reverse=True)
            return handler

        return register

    def usage(self, plugin: str) -> str:
        """插件登记的所有命令的用法，一行一个：`PluginMetadata.usage` 由它生成，不会漏写。"""
        return "\n".join(c.usage for c in self.commands.values() if c.belongs_to(plugin))

    def match(self, message: Message, starts: list[str]) -> tuple[Command, Message] | None:
        """消息是不是命令；是则返回命令和其后的参数。"""
        message = _without_reply(message)
        if not message or message[0].type != "text":
            return None
        text = message[0].data["text"].lstrip()
        start = next((s for s in starts if text.startswith(s)), None)
        if start is None:
            return None
        body = text[len(start) :]
        name = next((n for n in self._by_length if body.startswith(n)), None)
        if name is None:
            return None
        rest = body[len(name) :]
        args = Message(MessageSegment.text(rest)) if rest.strip() else Message()
        args.extend(message[1:])
        return self.commands[name], args


def _without_reply(message: Message) -> Message:
    """去掉打头的回复段（以及紧跟的 @被回复人）。适配器取回复原文失败时会把它留在消息里，
    这时“回复一条分享发 /精选”仍然要认得出是命令。"""
    if not message or message[0].type != "reply":
        return message
    rest = Message(message[1:])
    if rest and rest[0].type == "at":
        rest = Message(rest[1:])
    return rest


def replied_message_id(event) -> int | None:
    """这条消息回复的是哪条消息：适配器取到了原文就用它，否则看原始消息里的回复段。"""
    reply = getattr(event, "reply", None)
    if reply is not None:
        return int(reply.message_id)
    for segment in getattr(event, "original_message", []):
        if segment.type == "reply":
            return int(segment.data["id"])
    return None
