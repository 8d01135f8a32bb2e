"""进程的一生：启动（日志接到 NoneBot、锁 SQLite 文件、开库、补跑错过的任务）、每分钟的时钟走动、
关闭，以及测试环境里的拨钟地址和模拟崩溃。"""

import asyncio
import fcntl
import gc
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import datetime

import nonebot
from nonebot import logger
from nonebot.log import LoguruHandler
from nonebot_plugin_apscheduler import scheduler

from qungui import clock
from qungui.db import close_database, open_database, sqlite_path
from qungui.state import STATE

from . import setup_checks
from .services import bot_ids, config, db_url, driver, policies, presence, runner, superusers


def route_stdlib_logging() -> None:
    """`qungui/` 不认识 NoneBot，用标准库 logging 写日志；没有这一步，它的 INFO 行无处可去，
    WARNING 以上只落到标准库的兜底输出。接到 NoneBot 的日志（loguru）上，由 LOG_LEVEL 统一决定显示哪些，
    做法同 nonebot-plugin-apscheduler。只接一次：重复加处理器会让每行日志出现几遍。"""
    log = logging.getLogger("qungui")
    log.setLevel(logging.DEBUG)
    log.handlers = [LoguruHandler()]
    log.propagate = False


route_stdlib_logging()

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
    # 进程里记住的东西属于上一个库：开库之前清空
    STATE.reset()
    await open_database(db_url)
    path = sqlite_path(db_url)
    where = f"SQLite 文件 {path.resolve()}" if path else db_url.split("@")[-1]
    orgs = "、".join(f"{p.org.name}（{p.id}）" for p in policies.all)
    logger.success(
        f"群规助手已就绪：等待 OneBot v11 反向 WebSocket 连接 "
        f"ws://{driver.config.host}:{driver.config.port}/onebot/v11/ws；"
        f"数据库：{where}；制度：{config.qungui_policy_file}（{orgs}）"
    )
    token = getattr(driver.config, "onebot_access_token", None) or ""
    setup_checks.check_at_startup(policies.all, superusers, token)
    await runner.run_due(policies.all, clock.now(), startup=True)
    scheduler.add_job(_tick, "cron", second=5, id="qungui.tick", replace_existing=True)
    settle_heap()


_heap_settled = False


def settle_heap() -> None:
    """启动时加载的东西（插件、制度、过滤规则、模板）一直活到进程结束：把它们挪出垃圾回收反复扫的那几代。
    之后每次完整回收只扫新建的对象；网页本月页（两千行）的 p95 因此少了三分之一左右，
    聊天命令也一样受益。每个进程只做一次：测试里反复启动时不把测试的对象也冻住。"""
    global _heap_settled
    if _heap_settled:
        return
    _heap_settled = True
    gc.collect()
    gc.freeze()


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


if driver.env == "test":
    from .clock_endpoint import install_clock_endpoint

    install_clock_endpoint(nonebot.get_app(), advance)
