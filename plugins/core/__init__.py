"""qungui 核心（库插件）：制度、数据库、命令路由、唯一出口、定时任务。

每个功能插件先 `require("core")`，再从这里取 `router`、`sender`、`policies`、`runner`。
"""

import asyncio
import fcntl
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time

import nonebot
from nonebot import get_driver, get_plugin_config, logger, on, require
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
from nonebot.plugin import PluginMetadata
from nonebot.typing import T_State

require("nonebot_plugin_apscheduler")
require("nonebot_plugin_localstore")

import nonebot_plugin_localstore as localstore  # noqa: E402
from nonebot_plugin_apscheduler import scheduler  # noqa: E402

from qungui import clock, members  # noqa: E402
from qungui.checks import check_totals  # noqa: E402
from qungui.db import close_database, open_database, sqlite_path, sqlite_url  # noqa: E402
from qungui.jobs import Job, JobRunner, NotNow, Schedule  # noqa: E402
from qungui.policy import Policy, PolicyError  # noqa: E402
from qungui.roles import OwnCase, Role, resolve_role  # noqa: E402

from . import replies  # noqa: E402
from .batch import GroupBatcher  # noqa: E402
from .config import Config  # noqa: E402
from .events import GroupCardNoticeEvent  # noqa: E402
from .policy_store import PolicyStore  # noqa: E402
from .presence import Presence  # noqa: E402
from .private_roles import PrivateRoles  # noqa: E402
from .rights import API_FAILURES, BotRights, failure_reason  # noqa: E402
from .router import (  # noqa: E402
    Command,
    CommandContext,
    CommandRouter,
    DirectRule,
    Refusal,
    UsageError,
    replied_message_id,
)
from .sender import Sender, SendFailed  # noqa: E402

__plugin_meta__ = PluginMetadata(
    name="群规助手核心",
    description="制度文件、积分账本、定时任务与统一发送",
    usage="供其他 qungui 插件使用，本身没有命令",
    type="library",
    config=Config,
    supported_adapters={"~onebot.v11"},
)

__all__ = [
    "API_FAILURES",
    "Command",
    "CommandContext",
    "GroupBatcher",
    "GroupCardNoticeEvent",
    "Refusal",
    "SendFailed",
    "UsageError",
    "advance",
    "bot_ids",
    "config",
    "crash_point",
    "db_url",
    "failure_reason",
    "member_target",
    "notify_superusers",
    "online_bot",
    "policies",
    "replied_message_id",
    "rights",
    "router",
    "runner",
    "sender",
    "ticks",
]

config = get_plugin_config(Config)
driver = get_driver()
superusers: set[str] = driver.config.superusers

try:
    policies = PolicyStore(config.qungui_policy_file)
except PolicyError as exc:
    # 制度文件有错就不启动：逐条列出问题，退出码非零
    for problem in exc.problems:
        logger.error(problem)
    logger.error("制度文件有误，群规助手未启动。请按上面的提示修改后重试。")
    sys.exit(2)

db_url = config.qungui_db_url or sqlite_url(localstore.get_plugin_data_file("qungui.sqlite3"))


async def notify_superusers(bot: Bot, text: str) -> None:
    """告诉运维（私聊超级用户）；这条通知本身失败只记日志。"""
    for user in superusers:
        try:
            await sender.send_private(bot, int(user), f"【群规助手】{text}")
        except (SendFailed, ValueError) as exc:
            logger.error(f"无法通知超级用户 {user}：{exc}")


async def _report_to_operator(text: str) -> None:
    try:
        bot = online_bot()
    except NotNow:
        logger.error(f"没有在线的机器人，无法通知超级用户：{text}")
        return
    await notify_superusers(bot, text)


_background: set[asyncio.Task] = set()


async def _notify_in_background(bot: Bot, text: str) -> None:
    # 发送失败后的通知要排在退避之后才发得出去：不让出错的那条命令陪着等
    task = asyncio.create_task(notify_superusers(bot, text))
    _background.add(task)
    task.add_done_callback(_background.discard)


sender = Sender(
    config.qungui_send_interval,
    config.qungui_send_jitter,
    on_backoff=_notify_in_background,
    backoff_start=config.qungui_send_backoff,
)
router = CommandRouter()
rights = BotRights()
private_roles = PrivateRoles(rights, superusers)
router.notice("group_admin")(private_roles.admin_changed)
presence = Presence()
runner = JobRunner(report=_report_to_operator)
runner.register(Job("totals.check", "daily", lambda _: Schedule(time(4, 30)), check_totals))


# 每次时钟走动（每分钟一次，测试里每次拨钟）在定时任务之后调用，用于攒批的消息等
ticks: list[Callable[[datetime], Awaitable[None]]] = []


async def advance(now: datetime) -> list[str]:
    try:
        await presence.heartbeat(bot_ids())
    except Exception:
        logger.exception("写机器人心跳失败")
    ran = await runner.run_due(policies.all, now)
    for hook in ticks:
        try:
            await hook(now)
        except Exception:
            logger.exception("时钟钩子出错")
    return ran


_raised_at: set[str] = set()


def crash_point(step: str) -> None:
    """故障测试用：测试环境里设置了 QUNGUI_TEST_CRASH_AT=step 时，在这里像被 kill -9 一样退出
    （不跑关闭钩子、不提交未完成的事务）；设置了 QUNGUI_TEST_RAISE_AT=step 时，第一次走到这里
    抛出异常（像数据库或 NapCat 一时出错），之后照常。正式环境什么也不做。"""
    if driver.env != "test":
        return
    if config.qungui_test_crash_at == step:
        logger.warning(f"测试：在 {step} 处模拟崩溃")
        os._exit(137)
    if config.qungui_test_raise_at == step and step not in _raised_at:
        _raised_at.add(step)
        raise RuntimeError(f"测试：在 {step} 处模拟出错")


def online_bot() -> Bot:
    """任一在线的 OneBot v11 机器人；没有时让定时任务稍后再试。"""
    for bot in nonebot.get_bots().values():
        if isinstance(bot, Bot):
            return bot
    raise NotNow("没有在线的机器人")


def bot_ids() -> set[int]:
    """在线机器人自己的 QQ 号：它们不参与排行。"""
    return {int(self_id) for self_id in nonebot.get_bots() if self_id.isdigit()}


def member_target(policy: Policy, user_id: int) -> int:
    """命令要给他记分的人。机器人（本进程连着的，或制度 `org.bots` 列的）不是成员：给它记的分
    不会出现在任何排行里，只是一笔说不清的账，所以拒绝。"""
    if user_id in members.not_counted(policy, bot_ids()):
        raise Refusal(replies.BOT_TARGET)
    return user_id


_sqlite_lock = None


def _lock_sqlite_file() -> None:
    """SQLite 只支持一个进程：第二个进程用同一个文件时拒绝启动，而不是两边各自记分、互相覆盖。"""
    global _sqlite_lock
    path = sqlite_path(db_url)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    _sqlite_lock = open(path.with_name(path.name + ".lock"), "w")  # noqa: SIM115  进程退出时才释放
    try:
        fcntl.flock(_sqlite_lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        logger.error(
            f"另一个群规助手进程正在使用 SQLite 文件 {path.resolve()}。SQLite 只支持一个进程；"
            "要让多个进程（多个 QQ 号）共用数据，请改用 PostgreSQL（README 的“扩展”一节）。"
        )
        logger.error("群规助手未启动。")
        os._exit(
            2
        )  # 启动钩子里抛 SystemExit 会被 uvicorn 当成崩溃打印堆栈：直接退出，退出码同制度文件有错


@driver.on_startup
async def _start() -> None:
    global _closing
    _closing = False
    if driver.env == "test" and config.qungui_clock_start is not None:
        clock.set_now(config.qungui_clock_start)
    _lock_sqlite_file()
    await open_database(db_url)
    path = sqlite_path(db_url)
    where = f"SQLite 文件 {path.resolve()}" if path else db_url.split("@")[-1]
    orgs = "、".join(f"{p.org.name}（{p.id}）" for p in policies.all)
    logger.success(
        f"群规助手已就绪：等待 OneBot v11 反向 WebSocket 连接 "
        f"ws://{driver.config.host}:{driver.config.port}/onebot/v11/ws；"
        f"数据库：{where}；制度：{config.qungui_policy_file}（{orgs}）"
    )
    await runner.run_due(policies.all, clock.now(), startup=True)
    scheduler.add_job(_tick, "cron", second=5, id="qungui.tick", replace_existing=True)


_ticking = asyncio.Lock()
_closing = False


async def _tick() -> None:
    async with _ticking:
        if not _closing:
            await advance(clock.now())


@driver.on_shutdown
async def _stop() -> None:
    # apscheduler 关闭时不等正在跑的协程任务：等这一下时钟走完再关库，免得它在关掉的库上出错；
    # 等不到（比如正卡在风控暂停里）就不等了
    global _closing
    _closing = True
    try:
        async with asyncio.timeout(10):
            await _ticking.acquire()
    except TimeoutError:
        logger.warning("关闭时定时任务还没跑完，不再等它")
    else:
        _ticking.release()  # 之后再到点的 _tick 看到 _closing，什么也不做
    await close_database()


# 每条消息只经过这一个匹配器的这一个规则（docs/design.md 不变量 9）。实测（NoneBot 2.5，本机）：
# 每多一个匹配器，每条消息多花约 0.4–0.5 ms，哪怕规则是异步的、总是返回 False；
# 再加一个事件预处理又多约 0.3 ms。所以“记下发言的人”也放在这里做（有缓存，一人一天最多写一次库），
# 而不是另开一个预处理或匹配器。参数只标注基类 Event：标注子类会让 NoneBot 每条消息做一次 pydantic 校验。
async def _route(event: Event, state: T_State) -> bool:
    if isinstance(event, NoticeEvent):
        return await _route_notice(event, state)
    if isinstance(event, MetaEvent):
        await presence.alive(int(event.self_id))
        return False
    policy = None
    if isinstance(event, GroupMessageEvent):
        policy = policies.org_of_group(event.group_id)
        if policy is None or not await _answers_here(policy, event):
            return False
        await members.remember(
            org=policy.id,
            group_id=event.group_id,
            user_id=event.user_id,
            card=event.sender.card or "",
            nickname=event.sender.nickname or "",
            role=event.sender.role or "member",
            seen_at=datetime.fromtimestamp(event.time, UTC),
        )
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
    return False


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
    if "qungui.notice" in state:
        handlers, policy = state["qungui.notice"]
        for handler in handlers:
            await _quietly(handler(bot, event, policy), event)
        return
    if "qungui.command" in state:
        command, args = state["qungui.command"]
        if isinstance(event, GroupMessageEvent):
            await _in_group(bot, event, command, args)
        elif command.private:
            await _in_private(bot, event, command, args)
    # 命令消息上的过滤在命令回复之后处理：回复不等审核通知、撤回
    if "qungui.watch" in state:
        watching, policy = state["qungui.watch"]
        for handler, found in watching:
            await _quietly(handler(bot, event, policy, found), event)


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


if driver.env == "test":
    from .test_clock import install_test_clock

    install_test_clock(nonebot.get_app(), advance)
