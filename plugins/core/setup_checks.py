"""运维第一个小时会撞上的事：启动时、NapCat 连上时就在日志里用中文说清楚，而不是等到月底才发现。

- 启动时：没有 NapCat 的 token（谁都能冒充它）、制度里还没有群号（机器人连上了也不理任何群）、没有超级用户（没人能私聊管它、出错无人可告诉）、
  服务器时区和组织的不同（没关系，但要说明日期按谁算）、没有中文字体（排行只发文字）。
- NapCat 连上时：列出这个 QQ 号所在的群，标出每个群在制度里是什么；制度里的群它不在；
  它在公司群里不是管理员（设名片、禁言、撤回都做不了）。
- 未配置的群发来消息：每个群只记一次日志。

这些都只写日志、不发消息：运维第一次启动时看的是控制台，而群里的人不该看到配置问题。
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from nonebot import logger
from nonebot.adapters.onebot.v11 import Bot

from qungui import board_image
from qungui.policy import Policy

from .rights import API_FAILURES, BotRights, failure_reason

GROUP_ADMIN = ("owner", "admin")
UNCONFIGURED = "未配置"
POLICY_HINT = (
    "把群号填进制度文件（config/policy.toml）的 [groups]：work = [公司群号]，share = [分享群号]，"
    "然后私聊机器人发 /重载群规（或重启）。"
)


def group_kinds(policies: Iterable[Policy], group_id: int) -> str:
    """这个群在制度里是什么：「公司群、分享群（鸡公山酒业）」，不在任何组织里时「未配置」。"""
    found = []
    for policy in policies:
        kinds = []
        if group_id in policy.groups.work:
            kinds.append("公司群")
        if group_id in policy.groups.share:
            kinds.append("分享群")
        if group_id == policy.announce_group and group_id not in policy.groups.share:
            kinds.append("公告群")
        if kinds:
            found.append(f"{'、'.join(kinds)}（{policy.org.name}）")
    return "；".join(found) or UNCONFIGURED


def startup_problems(
    policies: Sequence[Policy], superusers: Iterable[str], now: datetime, token: str
) -> list[str]:
    """启动时就该告诉运维的事，一条一句。`now` 带服务器的本地时区（`datetime.now().astimezone()`），
    `token` 是 .env 的 ONEBOT_ACCESS_TOKEN。"""
    lines = []
    if not token:
        lines.append(
            ".env 的 ONEBOT_ACCESS_TOKEN 是空的：任何能连上机器人端口的程序都能冒充 NapCat，"
            "以超级用户的身份发命令、拿到网页后台的登录链接。运行 make napcat 填上一串随机字符"
            "（NapCat 的 token 填同一串），重启生效。"
        )
    for policy in policies:
        if not policy.groups.work and not policy.groups.share:
            lines.append(
                f"组织「{policy.org.name}」的制度文件里还没有群号：机器人会连上 NapCat，但不理会任何群。"
                f"NapCat 连上后，日志会列出这个 QQ 号所在的群（超级用户也可以私聊发 /群列表）。{POLICY_HINT}"
            )
    if not list(superusers):
        lines.append(
            ".env 的 SUPERUSERS 是空的：没有人能私聊使用 /状态、/群列表、/重载群规，"
            '机器人出了问题也无人可告诉。填上运维的 QQ 号，例如 SUPERUSERS=["12345678"]，重启生效。'
        )
    server = now.utcoffset()
    for policy in policies:
        zone = policy.tz
        if now.astimezone(zone).utcoffset() != server:
            lines.append(
                f"服务器的时区（{_offset(now)}）和组织「{policy.org.name}」的时区（{policy.org.timezone}）"
                "不同：没关系，日期、截止时间和定时任务都按制度文件里的时区算。"
            )
    return lines


def _offset(moment: datetime) -> str:
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def check_at_startup(policies: Sequence[Policy], superusers: Iterable[str], token: str) -> None:
    for line in startup_problems(policies, superusers, datetime.now().astimezone(), token):
        logger.warning(line)
    for policy in policies:
        # 找字体时没找到会自己记一条警告：启动时就找一次，不等月底第一次画排行才说
        board_image.find_font(policy)


async def group_list(bot: Bot) -> list[tuple[int, str]]:
    """这个 QQ 号所在的群（群号、群名）。接口失败时抛出 API_FAILURES 里的异常。"""
    groups = await bot.call_api("get_group_list")
    return [(int(g["group_id"]), str(g.get("group_name") or "")) for g in groups or []]


def listing(policies: Sequence[Policy], groups: list[tuple[int, str]]) -> list[str]:
    """每个群一行：群号、群名、在制度里是什么。"""
    return [
        f"{group_id} {name or '（无群名）'}：{group_kinds(policies, group_id)}"
        for group_id, name in groups
    ]


async def check_connected(bot: Bot, policies: Sequence[Policy], rights: BotRights) -> None:
    """NapCat 连上时：它在哪些群、制度里的群它在不在、公司群里它是不是管理员。只写日志。"""
    try:
        groups = await group_list(bot)
    except API_FAILURES as exc:
        logger.warning(f"QQ {bot.self_id} 已连上，但取不到它所在的群（{failure_reason(exc)}）")
        return
    lines = listing(policies, groups)
    logger.info(
        f"QQ {bot.self_id} 已连上，所在的群：\n  " + ("\n  ".join(lines) or "（一个群也没有）")
    )
    if any(line.endswith(UNCONFIGURED) for line in lines):
        logger.info(f"要管理标着「{UNCONFIGURED}」的群，{POLICY_HINT}")
    present = {group_id for group_id, _ in groups}
    for policy in policies:
        if policy.org.bots and int(bot.self_id) not in policy.org.bots:
            continue  # 这个组织由别的机器人号负责
        for group_id in policy.all_groups:
            if group_id not in present:
                logger.warning(
                    f"制度里的群 {group_id}（{group_kinds([policy], group_id)}）不在 QQ {bot.self_id} "
                    "的群列表里：机器人收不到那个群的消息。请把这个号拉进群，或检查群号有没有写错。"
                )
        for group_id in policy.groups.work:
            if group_id in present and await rights.role(bot, group_id) not in GROUP_ADMIN:
                logger.warning(
                    f"QQ {bot.self_id} 在公司群 {group_id} 不是管理员：在那里设置群名片、禁言、"
                    "撤回都做不了（机器人会如实告诉管理员）。请群主把它设为管理员。"
                )
