"""每个事件走的路：唯一的匹配器、它唯一的规则，和规则选中之后的处理（命令、通知、过滤、记下发言的人）。

规则只做决定：这个事件要不要处理、交给谁，放进 state；写库（成员表、机器人在线）都在处理函数里做。
"""

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from nonebot import logger, on
from nonebot.adapters import Event
from nonebot.adapters.onebot.v11 import (
    Bot,
    GroupMessageEvent,
    Message,
    MessageEvent,
    MessageSegment,
    MetaEvent,
    NoticeEvent,
    PrivateMessageEvent,
)
from nonebot.matcher import current_bot, current_event, current_matcher
from nonebot.typing import T_State

from qungui import clock, members
from qungui.policy import Policy
from qungui.roles import OwnCase, Role, resolve_role
from qungui.state import STATE

from . import replies, setup_checks
from .router import Command, CommandContext, DirectRule, Refusal, UsageError
from .sender import SendFailed
from .services import (
    bot_ids,
    driver,
    policies,
    presence,
    private_roles,
    rights,
    router,
    sender,
    superusers,
)


# 每条消息只经过这一个匹配器的这一个规则（docs/design.md 不变量 9）。实测（NoneBot 2.5，本机）：
# 每多一个匹配器，每条消息多花约 0.4–0.5 ms，哪怕规则是异步的、总是返回 False；
# 再加一个事件预处理又多约 0.3 ms。所以“记下发言的人”也由这个规则决定（在内存里比一下上次写的，
# 一样就不进处理函数），而不是另开一个预处理或匹配器。
# 参数只标注基类 Event：标注子类会让 NoneBot 每条消息做一次 pydantic 校验。
async def _route(event: Event, state: T_State) -> bool:
    if isinstance(event, NoticeEvent):
        return await _route_notice(event, state)
    if isinstance(event, MetaEvent):
        if getattr(event, "meta_event_type", "") == "lifecycle" and event.sub_type == "connect":
            state["qungui.connected"] = True
        if presence.due(int(event.self_id)):
            state["qungui.alive"] = int(event.self_id)
        return "qungui.connected" in state or "qungui.alive" in state
    policy = None
    seen = False
    if isinstance(event, GroupMessageEvent):
        policy = policies.org_of_group(event.group_id)
        if policy is None:
            ignored(event.group_id)
            return False
        if not await _answers_here(policy, event):
            return False
        # NapCat 的群消息带着群名（扩展字段）：记在内存里，通知管理员时说群名（一次字典赋值，不写库）
        if name := getattr(event, "group_name", None):
            STATE.group_names[event.group_id] = name
        seen = members.changed_since_written(
            policy.id,
            event.group_id,
            event.user_id,
            card=event.sender.card or "",
            nickname=event.sender.nickname or "",
            role=event.sender.role or "member",
        )
        if seen:
            state["qungui.seen"] = policy
    elif not isinstance(event, PrivateMessageEvent):
        return False
    found = router.match(event.get_message(), _starts)
    if found is not None:
        state["qungui.command"] = found
        # 命令后面的文字一样是发在群里的：内容过滤照看（只有命令消息多问这一次，普通聊天不变）
        if policy is not None and (handlers := router.watching(event, policy, found[0])):
            state["qungui.watch"] = (handlers, policy)
        return True
    if policy is not None and (handlers := router.watching(event, policy)):
        state["qungui.watch"] = (handlers, policy)
        return True
    return seen


def ignored(group_id: int) -> None:
    """不在制度里的群：每个群只记一次日志（运维常把群号填错，或机器人号被拉进了别的群）。"""
    if group_id not in STATE.ignored_groups:
        STATE.ignored_groups.add(group_id)
        logger.info(f"群 {group_id} 不在制度文件里，已忽略。{setup_checks.POLICY_HINT}")


async def _answers_here(policy: Policy, event: Event) -> bool:
    """几个机器人同在一个群时只有一个处理（presence.py）；只有一个机器人时什么也不查。"""
    if len(policy.org.bots) < 2:
        return True
    await presence.refresh_if_stale()
    leader = presence.leader(policy, bot_ids())
    return leader is None or leader == int(event.self_id)


async def _route_notice(event: NoticeEvent, state: T_State) -> bool:
    handlers = router.notices.get(event.notice_type)
    group_id = getattr(event, "group_id", None)
    if not handlers or group_id is None:
        return False
    policy = policies.org_of_group(group_id)
    if policy is None or not await _answers_here(policy, event):
        return False
    state["qungui.notice"] = (handlers, policy)
    return True


_starts = sorted(driver.config.command_start, key=len, reverse=True)
routed = on(priority=10, block=True)
# `on()` 会把传进去的规则重新包成普通的 Rule，所以建好之后再换上 DirectRule
routed.rule = DirectRule(_route)


@routed.handle()
async def _dispatch() -> None:
    # 不用参数注入：NoneBot 给处理函数的每个参数各开两个任务（类型检查、取值），三个参数每条命令
    # 约多 0.2 ms。规则已经把要做的事放进了 state，这里从 NoneBot 公开的上下文变量里取
    bot, event = current_bot.get(), current_event.get()
    state = current_matcher.get().state
    if "qungui.connected" in state:
        await _quietly(setup_checks.check_connected(bot, policies.all, rights), event)
    if "qungui.alive" in state:
        await presence.alive(state["qungui.alive"])
    if isinstance(event, MetaEvent):
        return
    if "qungui.notice" in state:
        handlers, policy = state["qungui.notice"]
        for handler in handlers:
            await _quietly(handler(bot, event, policy), event)
        return
    if "qungui.seen" in state:
        # 先记下发言的人，命令和过滤才认得出他（显示名、谁在组织里）
        await _remember_speaker(state["qungui.seen"], event)
    if "qungui.command" in state:
        command, args = state["qungui.command"]
        if isinstance(event, GroupMessageEvent):
            await _in_group(bot, event, command, args)
        else:
            await _in_private(bot, event, command, args)
    # 命令消息上的过滤在命令回复之后处理：回复不等审核通知、撤回
    if "qungui.watch" in state:
        watching, policy = state["qungui.watch"]
        for handler, found in watching:
            await _quietly(handler(bot, event, policy, found), event)


async def _remember_speaker(policy: Policy, event: GroupMessageEvent) -> None:
    await members.remember(
        org=policy.id,
        group_id=event.group_id,
        user_id=event.user_id,
        card=event.sender.card or "",
        nickname=event.sender.nickname or "",
        role=event.sender.role or "member",
        seen_at=datetime.fromtimestamp(event.time, UTC),
    )


async def _quietly(call: Awaitable[None], event: Event) -> None:
    # 通知和普通消息没有人在等回复：出错只进日志，不在群里说
    try:
        await call
    except Exception:
        logger.exception(f"处理 {event.get_event_name()} 失败")


async def _in_group(bot: Bot, event: GroupMessageEvent, command: Command, args) -> None:
    policy = policies.org_of_group(event.group_id)
    assert policy is not None  # 规则已确认这个群属于某个组织
    role = resolve_role(policy, event.user_id, superusers, [event.sender.role or "member"])

    async def reply(message):
        return await sender.send_group(bot, event.group_id, message)

    await _run(CommandContext(bot, event, policy, role, command, args, reply))


async def _in_private(bot: Bot, event: MessageEvent, command: Command, args) -> None:
    async def reply(message):
        return await sender.send_private(bot, event.user_id, message)

    orgs = await _private_orgs(event.user_id)
    if not orgs:
        await reply(replies.NO_ORG)
        return
    if not command.private:
        # 申报要附截图、分享要让同事看到……这些只在群里有意义；私聊发了也要说一声，不能没有下文
        await reply(replies.GROUP_ONLY.format(command=command.name))
        return
    candidates = orgs
    if command.role >= Role.SUPERUSER:
        # 运维命令（/状态、/重载群规）管的是整个机器人：不分组织，不署名
        orgs = orgs[:1]
    elif (named := _named_org(args)) is not None:
        chosen, args = named
        if chosen not in orgs:
            listed = "、".join(f"{p.org.name}（{p.id}）" for p in orgs)
            await reply(
                replies.NOT_YOUR_ORG.format(
                    org=chosen.id, orgs=listed, command=command.name, first=orgs[0].id
                )
            )
            return
        candidates = [chosen]
    policy, role = await private_roles.choose(bot, candidates, event.user_id, command)
    if len(orgs) > 1:
        # 属于几个组织的人：每条回复都说是哪个组织的
        reply = _signed(reply, policy)
    if isinstance(role, Refusal):
        await reply(role.message)
        return
    await _run(CommandContext(bot, event, policy, role, command, args, reply))


@dataclass(frozen=True)
class WebAction:
    """网页上的一次点击，当作此人此刻私聊发来的那条命令：命令只读这几样（发送者、时刻、原始消息）。"""

    user_id: int
    time: int
    original_message: Message


async def run_for_web(
    bot: Bot, policy: Policy, user_id: int, name: str, args: str, reason: str = ""
) -> list[str]:
    """网页后台的按钮：像此人在 `policy` 的组织里私聊发了命令 `name` 加参数 `args`（如“确认”“审3 8”）
    一样执行：身份的算法、命令自己的权限检查、去重键、群里的回复都和聊天里一样；私聊的回复不发出，
    收集起来返回，由网页显示。`reason` 是表单里单独的理由栏：不和 `args` 连成一句再解析
    （否则理由开头的类别名、数字会被当成类别、分数），原样当作命令的理由。"""
    command = router.commands[name]
    typed = MessageSegment.text(args)
    collected: list[str] = []

    async def reply(message):
        collected.append(
            message.extract_plain_text() if isinstance(message, Message) else str(message)
        )
        return []

    # 事件的身份（identity.event_key）由内容和秒数算出：同一秒点两次同一个按钮也不能算成同一条消息，
    # 所以内容里加一个每次点击各不相同的随机数（命令的参数不含它）
    click = MessageSegment.text(f"\x1fweb:{name}:{secrets.token_hex(8)}")
    event = WebAction(user_id, int(clock.now().timestamp()), Message([typed, click]))
    policy, role = await private_roles.choose(bot, [policy], user_id, command)
    if isinstance(role, Refusal):
        return [role.message]
    parsed = Message(typed) if args.strip() else Message()
    given = {"reason": " ".join(reason.split())} if reason.strip() else {}
    await _run(CommandContext(bot, event, policy, role, command, parsed, reply, given=given))
    return collected


async def _private_orgs(user_id: int) -> list[Policy]:
    """私聊时此人属于哪些组织（按制度顺序）：制度名单、在群里见过；超级用户属于每个组织。"""
    every = policies.all
    if str(user_id) in superusers:
        return every
    ids = {p.id for p in policies.current.orgs_of_user(user_id)}
    if len(every) > 1 or not ids:  # 只有一个组织、又在名单上：不用查库
        ids.update(await members.orgs_seen(user_id))
    return [p for p in every if p.id in ids]


def _named_org(args: Message) -> tuple[Policy, Message] | None:
    """私聊命令的第一个词是某个组织的编号（`/导出 xyz 2026-11`）：那个组织，和去掉它之后的参数。"""
    if not args or args[0].type != "text":
        return None
    words = args[0].data["text"].split(maxsplit=1)
    policy = policies.get(words[0]) if words else None
    if policy is None:
        return None
    rest = Message(MessageSegment.text(words[1])) if len(words) > 1 else Message()
    rest.extend(args[1:])
    return policy, rest


def _signed(reply: Callable[..., Awaitable[list[int]]], policy: Policy):
    head = f"「{policy.org.name}」"

    async def signed(message):
        if isinstance(message, Message):
            return await reply(MessageSegment.text(head) + message)
        return await reply(head + message)

    return signed


async def _run(ctx: CommandContext) -> None:
    if ctx.role < ctx.command.role:
        await ctx.reply(
            replies.NEEDS_ROLE.format(
                command=ctx.command.name, needed=ctx.command.role.label, role=ctx.role.label
            )
        )
        return
    try:
        await ctx.command.handler(ctx)
    except UsageError as exc:
        await ctx.reply(ctx.command.usage_text(exc.reason))
    except Refusal as exc:
        await ctx.reply(exc.message)
    except OwnCase:
        # 谁也不裁决与自己有关的事：各命令的服务抛同一个异常，这里回同一句话
        await ctx.reply(replies.OWN_CASE)
    except SendFailed:
        logger.warning(f"/{ctx.command.name} 的回复没有发出去")
    except Exception:
        # 聊天里不出现堆栈：细节只进日志
        logger.exception(f"/{ctx.command.name} 处理失败")
        await ctx.reply(replies.FAILED)
