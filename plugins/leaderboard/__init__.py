"""月底：结算、冻结、排行快照、排行帖（文字加一张图）；每周值班加分；/月榜 与 /导出。"""

import asyncio
import base64
import re
from datetime import datetime, timedelta
from pathlib import Path

import nonebot_plugin_localstore as localstore
from nonebot import logger, require
from nonebot.adapters.onebot.v11 import (
    ActionFailed,
    ApiNotAvailable,
    Bot,
    Message,
    MessageSegment,
    NetworkError,
)
from nonebot.plugin import PluginMetadata

require("core")

from plugins.core import (  # noqa: E402
    API_FAILURES,
    CommandContext,
    Refusal,
    SendFailed,
    bot_ids,
    crash_point,
    failure_reason,
    notify_superusers,
    online_bot,
    router,
    runner,
    sender,
)
from plugins.core.args import Month  # noqa: E402
from plugins.core.lookup import fill_unknown  # noqa: E402
from plugins.core.sender import account_wide  # noqa: E402
from qungui import board_image, duty, export, month_end, months  # noqa: E402
from qungui.dates import month_label  # noqa: E402
from qungui.jobs import Job, JobContext, RetryLater  # noqa: E402
from qungui.policy import Policy  # noqa: E402
from qungui.roles import Role  # noqa: E402
from qungui.standings import month_standings  # noqa: E402

from . import replies  # noqa: E402


async def _image(
    policy: Policy, board: month_end.MonthBoard, preview: bool
) -> MessageSegment | None:
    font = board_image.find_font(policy)
    if font is None:
        return None
    try:
        # 画图要几十毫秒的 CPU：放到线程里，不挡住同时到来的消息
        png = await asyncio.to_thread(board_image.render, policy, board, font, preview=preview)
    except OSError:
        logger.exception(f"排行图片画不出来（字体 {font}），只发文字")
        return None
    return MessageSegment.image(f"base64://{base64.b64encode(png).decode()}")


async def post_board(
    bot: Bot,
    group_id: int,
    policy: Policy,
    board: month_end.MonthBoard,
    *,
    preview: bool = False,
    late_since: datetime | None = None,
    valid_until: datetime | None = None,
) -> None:
    text = replies.board_text(policy, board, preview=preview, late_since=late_since)
    await sender.send_group(bot, group_id, text, valid_until=valid_until)
    if board.rows and (image := await _image(policy, board, preview)) is not None:
        await sender.send_group(bot, group_id, Message(image), valid_until=valid_until)


POST_FRESH = timedelta(days=1)
"""月榜从第一次发起，一天之内没送达就不再自动发：晚一天发也比不发好，再晚就该人来处理"""


def _reason(exc: SendFailed) -> str:
    """给超级用户看的失败原因：NapCat 的中文原因，或是哪一类失败。"""
    cause = exc.__cause__
    if isinstance(cause, ActionFailed):
        return failure_reason(cause)
    if isinstance(cause, ApiNotAvailable):
        return "机器人的连接已断开"
    if isinstance(cause, NetworkError):
        return "等 NapCat 回执超时"
    return str(exc)


async def _close_month(ctx: JobContext) -> str:
    """结算 → 冻结 → 快照 → 发帖。前三步可以重做，帖子见 `_post`。"""
    policy, month = ctx.policy, ctx.period
    bot = online_bot()  # 没有机器人在线时整个任务稍后再来（结算也不先做，免得冻结了却没公布）
    awarded = await month_end.settle(policy, month, ctx.now)
    await months.freeze(policy.id, month, ctx.now)
    # 快照里的名字就是以后一直显示的名字：先把只被 @ 过、没发过言的人的名片问来
    ranked = await month_standings(policy, month, bot_ids())
    await fill_unknown(bot, policy, [s.user_id for s in ranked])
    board = await month_end.take_snapshot(policy, month, bot_ids(), ctx.now)
    crash_point("month.close.before_post")
    group = policy.announce_group
    if not group:
        posted = "没有公告群，未发帖"
    elif not board.rows:
        # 刚装上机器人时上个月谁也没见过：不在群里贴一张空榜
        posted = "没有人参与统计，未发帖"
    else:
        posted = await _post(ctx, bot, group, board)
    # 人事的表在帖子之后：帖子还要重试时（上面抛了 RetryLater）先不发，表里的就是公布的那一版
    sheet = await _send_sheet(ctx, bot)
    return f"{month}：连续分享奖励 {awarded} 人，{len(board.rows)} 人上榜，{posted}{sheet}"


def _sheet_targets(policy: Policy) -> list[tuple[str, str, dict[str, int]]]:
    """（步骤, 给人看的去处, upload 的参数）：每个人事一步、人事群一步，各自认领、各自重试。"""
    settings = policy.leaderboard
    targets = [(f"hr.{qq}", f"QQ {qq}", {"user_id": qq}) for qq in settings.hr]
    if settings.hr_group:
        gid = settings.hr_group
        targets.append((f"hr.group.{gid}", f"群 {gid} 的群文件", {"group_id": gid}))
    return targets


async def _send_sheet(ctx: JobContext, bot: Bot) -> str:
    """月榜公布后把那个月的导出表发给人事（`leaderboard.hr`、`hr_group`），每处每月一次。

    和帖子一样先认领、送达后记下：NapCat 拒收或连接已断的，抛 RetryLater，之后每次时钟走动
    （重启后也一样）再发，第一次发起一天后放弃；等回执超时的不知道到没到，不再发（不发两份）。"""
    policy, month = ctx.policy, ctx.period
    path: Path | None = None
    sent, unsent, gave_up = [], [], []
    for step, where, params in _sheet_targets(policy):
        if await ctx.post_delivered(step):
            continue
        # 先写出表再认领：写不出来（磁盘满）时一份也没发，认领着不放就会被当成“不知道到没到”
        path = path or await write_export(policy, month)
        first = await ctx.claim_post(step)
        if first is None:
            gave_up.append(f"{where}（上次发到一半进程就停了，不知道到没到）")
            continue
        if ctx.now > first + POST_FRESH:
            await ctx.post_done(step, "过期未发")
            gave_up.append(f"{where}（一天内没能发出）")
            continue
        try:
            await upload(bot, path, **params)
        except API_FAILURES as exc:
            reason = failure_reason(exc) if isinstance(exc, ActionFailed) else type(exc).__name__
            if isinstance(exc, NetworkError):
                # 等回执超时：文件可能已经到了，重发会给人事两份
                await ctx.post_done(step, f"可能没有送达：{reason}")
                gave_up.append(f"{where}（{reason}，不知道到没到）")
                continue
            if not account_wide(exc):
                # 只是这个收件人收不到（不是好友、QQ 号不对、机器人不在那个群）：每分钟重发也一样
                await ctx.post_done(step, f"收不到：{reason}")
                gave_up.append(f"{where}（{reason}）")
                continue
            await ctx.post_unsent(step, reason)
            unsent.append(f"{where}（{reason}）")
            continue
        crash_point("month.close.after_sheet")
        await ctx.post_done(step)
        sent.append(where)
    where_file = f"；文件在机器人所在机器上：{path.resolve()}" if path is not None else ""
    if unsent:
        raise RetryLater(
            f"{month} 积分表没有发到 {'、'.join(unsent)}，之后每分钟再试，一天内发不出就放弃"
            f"{where_file}"
        )
    parts = []
    if sent:
        parts.append(f"积分表已发给 {'、'.join(sent)}")
    if gave_up:
        parts.append(
            f"积分表没有自动发到 {'、'.join(gave_up)}，可用 /导出 {month} 手动取{where_file}"
        )
    return "".join(f"；{part}" for part in parts)


async def _post(ctx: JobContext, bot: Bot, group: int, board: month_end.MonthBoard) -> str:
    """月榜的文字和图片各是一步：先认领，送达后记下，群里每样最多一份。

    - NapCat 明确拒收（如风控 1200，发送器已在暂停后重发过一次）或连接已断：记为未送达，抛出
      RetryLater，任务不算完成；之后每次时钟走动（重启后也一样）再发，账号暂停发送时等暂停结束，
      直到送达，或第一次发起一天后过期（告诉超级用户，可用 /月榜 手动发）。
    - 等回执超时，或发出后、记下“已送达”之前进程停了：不知道群里有没有，不再发（帖子最多一次），
      告诉超级用户请核对。只有这个窗口里月榜可能丢。
    - 文字没送达时不发图片：不会只有一张图。
    """
    policy, month = ctx.policy, ctx.period
    for step in ("post", "post.image"):
        if await ctx.post_delivered(step):
            continue
        first = await ctx.claim_post(step)
        if first is None:
            return (
                f"{month} 月榜上次发到一半进程就停了，不知道群 {group} 里有没有，不再自动发；"
                f"请核对，没有的话用 /月榜 {month} 手动发"
            )
        until = first + POST_FRESH
        if ctx.now > until:
            await ctx.post_done(step, "过期未发")
            return f"{month} 月榜一天内没能发到群 {group}，不再自动发；可用 /月榜 {month} 手动发"
        retry = f"之后每分钟再试，最晚到 {until.astimezone(policy.tz):%m-%d %H:%M}"
        if sender.backoff_left(bot.self_id) > 0:
            # 暂停中发也是白发，还要在这里等：放开认领，暂停结束后的走动再发
            await ctx.post_unsent(step, "账号暂停发送中")
            raise RetryLater(f"{month} 月榜还没发出：账号暂停发送中，{retry}")
        if step == "post":
            # “晚发”只在第一次发时说得对：重发的是被拒收的那一份，不是任务晚了
            late = ctx.scheduled_at.astimezone(policy.tz) if ctx.late and first == ctx.now else None
            message = replies.board_text(policy, board, late_since=late)
            if late is not None:
                # 群里只说晚发了；为什么晚（停机、断线）告诉运维
                await notify_superusers(
                    bot,
                    replies.LATE_TO_OPERATOR.format(
                        month=month, since=late, now=ctx.now.astimezone(policy.tz)
                    ),
                )
        elif board.rows and (image := await _image(policy, board, False)) is not None:
            message = Message(image)
        else:
            await ctx.post_done(step, "没有图片")
            continue
        try:
            await sender.send_group(bot, group, message, valid_until=until)
        except SendFailed as exc:
            reason = _reason(exc)
            if not exc.unsent:
                return (
                    f"{month} 月榜可能没有发出（{reason}），不知道群 {group} 里有没有，"
                    f"不再自动发；请核对，没有的话用 /月榜 {month} 手动发"
                )
            await ctx.post_unsent(step, reason)
            raise RetryLater(f"{month} 月榜没有发到群 {group}（{reason}），{retry}") from exc
        crash_point("month.close.after_post")
        await ctx.post_done(step)
    return f"已发到群 {group}"


runner.register(
    Job(
        month_end.MONTH_CLOSE_JOB,
        "settlement",
        months.close_schedule,
        _close_month,
        period=month_end.previous_month,
    )
)


async def _pay_duty(ctx: JobContext) -> str:
    paid = await duty.pay_duty(
        ctx.policy, ctx.period, ctx.scheduled_at.astimezone(ctx.policy.tz).date(), ctx.now
    )
    return f"{ctx.period} 值班加分 {len(paid)} 人"


runner.register(
    Job("duty.weekly", "settlement", duty.schedule, _pay_duty, period=duty.previous_week)
)


@router.command(
    "月榜",
    args=(Month(),),
    summary="重发某月公布过的排行帖；本月的只预览，不结算",
    example="/月榜 2026-10",
    role=Role.ADMIN,
)
async def repost(ctx: CommandContext) -> None:
    month = ctx.params.month
    board = await month_end.board(ctx.policy, month, bot_ids())
    if not board.posted and await fill_unknown(
        ctx.bot, ctx.policy, [row.user_id for row in board.rows]
    ):
        board = await month_end.board(ctx.policy, month, bot_ids())
    await post_board(ctx.bot, ctx.group_id, ctx.policy, board, preview=not board.posted)


def export_folder() -> Path:
    """导出的文件留在数据文件夹里（与数据库一起备份）。"""
    return localstore.get_plugin_data_dir() / "exports"


def export_name(policy: Policy, month: str) -> str:
    """人事收到的文件名：鸡公山酒业-2026年11月积分.xlsx（组织名里不能进文件名的字符换成 _）。"""
    org = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", policy.org.name).strip(" .") or policy.id
    return f"{org}-{month_label(month)}积分.xlsx"


async def write_export(policy: Policy, month: str) -> Path:
    # 每个组织一个文件夹：两个组织同名也不会互相覆盖
    path = export_folder() / policy.id / export_name(policy, month)
    return await export.write(policy, month, bot_ids(), path)


async def upload(bot: Bot, path: Path, *, user_id: int = 0, group_id: int = 0) -> None:
    """把文件私聊发给 `user_id`，或传到 `group_id` 的群文件。文件内容以 base64:// 随请求发过去：
    NapCat 不必和机器人共用一个文件夹（两者常不在同一台机器、同一个容器里）。失败时抛 API_FAILURES。"""
    data = base64.b64encode(await asyncio.to_thread(path.read_bytes)).decode()
    file = f"base64://{data}"
    if group_id:
        await bot.call_api("upload_group_file", group_id=group_id, file=file, name=path.name)
    else:
        await bot.call_api("upload_private_file", user_id=user_id, file=file, name=path.name)


@router.command(
    "导出",
    args=(Month(fallback=lambda ctx: month_end.previous_month(ctx.time)),),
    after="（私聊；不写月份导出上个月）",
    summary="把某月的排行、分享记录和账本导出成 Excel 发给你（管理员，私聊）",
    example="/导出 2026-11",
    role=Role.ADMIN,
    private=True,
)
async def export_month(ctx: CommandContext) -> None:
    if ctx.group_id is not None:
        raise Refusal(replies.PRIVATE_ONLY)
    month = ctx.params.month
    path = await write_export(ctx.policy, month)
    try:
        await upload(ctx.bot, path, user_id=ctx.user_id)
    except API_FAILURES as exc:
        # 服务器上的路径只对运维有用：管理员拿不到那台机器上的文件
        text = (
            replies.EXPORT_NOT_SENT_PATH if ctx.role >= Role.SUPERUSER else replies.EXPORT_NOT_SENT
        )
        await ctx.reply(
            text.format(name=path.name, path=path.resolve(), reason=failure_reason(exc))
        )
        return
    await ctx.reply(replies.EXPORTED.format(name=path.name))


__plugin_meta__ = PluginMetadata(
    name="月度排行",
    description="月底结算、冻结、公布排行（文字和图片）、每周值班加分、导出给人事",
    usage=router.usage(__name__),
    type="application",
    supported_adapters={"~onebot.v11"},
)
