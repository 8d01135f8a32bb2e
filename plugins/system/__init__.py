"""制度与运维：/群规 /帮助 /状态 /重载群规。"""

import nonebot
from nonebot import require
from nonebot.plugin import PluginMetadata

require("core")

from plugins.core import (  # noqa: E402
    CommandContext,
    db_url,
    policies,
    private_roles,
    router,
    runner,
    sender,
)
from plugins.core.args import Choice  # noqa: E402
from qungui import cards, claims, clock  # noqa: E402
from qungui.db import sqlite_path  # noqa: E402
from qungui.policy import Policy, PolicyError  # noqa: E402
from qungui.roles import Role  # noqa: E402
from qungui.warning_cases import points_text  # noqa: E402

from . import groups  # noqa: E402, F401  /群列表：登记在 usage 生成之前

HELP_HEAD = "群规助手命令（[ ] 内可省略）："
HELP_ALL = "全部"
HELP_MORE = "另有 {count} 条命令需要更高的权限，发 /帮助 全部 可以看到。"
HELP_ADMINS = "管理员的命令：私聊机器人发 /帮助，或发 /帮助 全部 列出所有命令。"


NUMERALS = "一二三四五六七八九十"


def policy_text(policy: Policy, *, for_admins: bool = False) -> str:
    """把制度文件讲成大白话：每条规则和它的分数。条目按实际列出的顺序编号（没配置的不占号）；
    各角色单次加扣分的上限只有管理员用得上，只讲给管理员。"""
    share, nick, warn = policy.share, policy.nickname, policy.warnings
    items: list[list[str]] = [
        [
            f"群名片须为：{cards.card_format(policy)}（新成员 {nick.grace_days} 天内改好；"
            f"之后仍不规范，每天扣 {nick.daily_penalty} 分）"
        ],
        [
            f"每天在分享群发一条原创分享（至少 {share.min_chars} 字），加 {share.points} 分；"
            f"转载、合并转发不加分。当天 24:00 前发都算，特殊情况可到次日 {share.grace_until}"
        ],
        [
            f"一个月内连续分享 {share.streak_days} 天以上，奖励 {share.streak_bonus} 分；"
            f"被评为经典分享，每条再加 {share.featured_bonus} 分"
        ],
    ]
    warning_item = []
    if warn.categories:
        listed = "；".join(
            f"{name} {points_text(value)}" for name, value in warn.categories.items()
        )
        warning_item += [
            f"违规警告：{listed}（范围处罚由主席决定）",
            f"    {warn.window_days} 天内被警告 {warn.escalate_at} 次，通知主席与管理员处理",
        ]
    watched = _watched_content(policy)
    if watched:
        lead = "    " if warning_item else ""
        warning_item.append(
            f"{lead}机器人会留意：{'、'.join(watched)}；看到违规可回复那条消息发 /举报"
        )
    if warning_item:
        items.append(warning_item)
    if policy.duty.members:
        items.append([f"群管理员、统计员每周加 {policy.duty.weekly_bonus} 分"])
    items.append(
        [
            f"每月 {policy.leaderboard.post_day} 日 {policy.leaderboard.post_time} 公布上月积分排行"
            f"（前 {policy.leaderboard.top} 名与末尾）"
        ]
    )
    if (notices := policy.notices) is not None:
        fine = f"，截止时仍没有确认的每条扣 {notices.penalty} 分" if notices.penalty else ""
        items.append(
            [
                f"管理员发的【通知】要在 {notices.ack_minutes} 分钟内确认："
                f"回复“{'”“'.join(notices.ack_words)}”、引用那条通知或点个表情都算{fine}"
            ]
        )
    if claimed := _claims_text(policy):
        items.append(claimed)
    lines = [f"【{policy.org.name} 群规】"]
    for index, (head, *rest) in enumerate(items):
        lines += [f"{NUMERALS[index]}、{head}", *rest]
    lines.append(
        f"对自己的某条积分记录有异议，记录写下后 {policy.appeals.appeal_days} 天内可发 "
        "/申诉 编号 理由（如 /申诉 #12 那天我发过原创分享），由另一位管理员复核，主席写的记录由主席复核；"
        "成立的撤销那条记录，结果私聊告诉你"
    )
    if for_admins:
        lines.append(
            f"管理员单次加/扣分上限 {policy.limits.admin_max} 分，"
            f"主席 {policy.limits.chairman_max} 分。"
        )
    return "\n".join(lines)


def _claims_text(policy: Policy) -> list[str]:
    """申报的项目和转发推广：机器人看不到，要本人截图申报、管理员确认。"""
    section, lines = policy.claims, []
    if section.items:
        items = "；".join(
            f"{name} {claims.points_label(item.points)}" for name, item in section.items.items()
        )
        lines.append(
            f"可以申报的加分项（截图和 /申报 项目 说明 发在群里，管理员确认后加分）：{items}"
        )
    if (repost := section.repost) is not None:
        lead = "    " if lines else ""
        lines.append(
            f"{lead}公司推文转发推广：管理员发【推N】后，{repost.claim_days} 天内转发到朋友圈、"
            f"截图发 /已转发 推N，保持 {repost.keep_days} 天以上，每次加 {repost.points} 分"
        )
    return lines


def _watched_content(policy: Policy) -> list[str]:
    section = policy.filter
    names = [rule.name for rule in section.rules if rule.action != "shadow"]
    for name, rule in (
        ("陌生链接", section.links),
        ("他人隐私号码", section.privacy),
        ("刷屏", section.flood),
    ):
        if rule is not None and rule.action != "shadow":
            names.append(name)
    return names


@router.command("群规", summary="本组织的群规和分值", example="/群规")
async def show_policy(ctx: CommandContext) -> None:
    await ctx.reply(policy_text(ctx.policy, for_admins=ctx.role >= Role.ADMIN))


@router.command(
    "帮助",
    args=(Choice("all", HELP_ALL, optional=True, choices=(HELP_ALL,)),),
    summary="你能用的命令和例子；加“全部”列出所有命令",
    example="/帮助",
    private=True,
)
async def show_help(ctx: CommandContext) -> None:
    """群里的回复全群都看得到：不论谁问，只列成员能用的，再用一行告诉管理员去哪里看他们的命令；
    私聊只有本人看得到，按他的身份列全（群管理员的身份先向 QQ 确认）。"""
    # 先列人人能用的，再列要管理员、主席、超级用户的；插件的加载顺序每次可能不同，
    # 所以同一角色里按插件名排，同一插件里按登记的先后
    listed = sorted(router.commands.values(), key=lambda c: (c.listed_for, c.handler.__module__))
    if ctx.params.all is not None:
        shown, footer = listed, None
    elif ctx.group_id is not None:
        shown = [c for c in listed if c.listed_for == Role.MEMBER]
        footer = HELP_ADMINS
    else:
        role = await private_roles.role_for_admin_part(ctx)
        shown = [c for c in listed if c.listed_for <= role]
        hidden = len(listed) - len(shown)
        footer = HELP_MORE.format(count=hidden) if hidden else None
    lines = [HELP_HEAD]
    lines += [f"{c.usage} —— {c.summary}；例：{c.example}" for c in shown]
    if footer:
        lines.append(footer)
    await ctx.reply("\n".join(lines))


@router.command(
    "状态",
    summary="连接、发送、定时任务与数据库状态（超级用户私聊）",
    example="/状态",
    role=Role.SUPERUSER,
    private=True,
)
async def show_status(ctx: CommandContext) -> None:
    if ctx.group_id is not None:
        await ctx.reply("/状态 含运维信息，请私聊机器人查看。")
        return
    await ctx.reply(await status_text())


async def status_text() -> str:
    """/状态 和网页后台的状态页说的同一件事：连接、发送队列、定时任务、数据库。"""
    now = clock.now()
    lines = ["【群规助手状态】", "机器人连接："]
    bots = nonebot.get_bots()
    lines += [f"  {self_id} 在线" for self_id in bots] or ["  无"]
    lines.append("发送队列：")
    if not sender.accounts:
        lines.append("  尚未发送过消息")
    for self_id, state in sender.accounts.items():
        left = sender.backoff_left(self_id)
        lines.append(
            f"  {self_id} 已发 {state.sent} 条，失败 {state.failed} 条"
            + (f"，退避中还剩 {left:.0f} 秒（{state.last_error}）" if left else "，正常")
            + (
                f"；另有 {state.refused} 条对方收不到（最近一条 {state.last_refusal}）"
                if state.refused
                else ""
            )
        )
    lines.append("定时任务：")
    for job in await runner.status(policies.all, now):
        last = (
            f"{job.last_period}（{job.last_finished:%m-%d %H:%M}）" if job.last_finished else "无"
        )
        upcoming = f"{job.next_at:%m-%d %H:%M}" if job.next_at else "无"
        missed = f"，错过 {'、'.join(job.missed)}" if job.missed else ""
        lines.append(f"  {job.job}@{job.org} 上次 {last}，下次 {upcoming}{missed}")
        if job.last_note:
            lines.append(f"    结果：{job.last_note}")
        for period, retry in job.failing:
            when = f"{retry.at:%m-%d %H:%M} 再试" if retry.at else "已过时效，不再重试"
            lines.append(
                f"    周期 {period} {'出错' if retry.error else '没做完'}：{retry.reason}"
                f"（已失败 {retry.failures} 次，{when}）"
            )
    path = sqlite_path(db_url)
    if path is not None:
        size = path.stat().st_size / 1024 if path.exists() else 0
        lines.append(f"数据库：{path.resolve()}（{size:.0f} KB）")
    else:
        lines.append(f"数据库：{db_url.split('@')[-1]}")
    return "\n".join(lines)


@router.command(
    "重载群规",
    summary="重新读取制度文件（超级用户）",
    example="/重载群规",
    role=Role.SUPERUSER,
    private=True,
)
async def reload_policy(ctx: CommandContext) -> None:
    try:
        loaded = policies.reload()
    except PolicyError as exc:
        await ctx.reply("制度文件有误，仍使用原来的制度：\n" + "\n".join(exc.problems))
        return
    orgs = "、".join(f"{p.org.name}（{p.id}）" for p in loaded.orgs.values())
    await ctx.reply(f"已重新加载制度：{orgs}。")


__plugin_meta__ = PluginMetadata(
    name="制度与运维",
    description="查看群规与命令，运维查看状态、重载制度文件",
    usage=router.usage(__name__),
    type="application",
    supported_adapters={"~onebot.v11"},
)
