"""只被 @ 过、只在账本里出现过的人：画排行之前向 NapCat 问一次他在群里的名片，记进成员表，
排行上就显示名片里的姓名，而不是“成员+QQ 号后 4 位”。不是每条消息都问：只在要画排行时。"""

from collections.abc import Iterable

from nonebot import logger
from nonebot.adapters.onebot.v11 import ActionFailed, Bot

from qungui import clock, members
from qungui.policy import Policy

from .rights import API_FAILURES


async def fill_unknown(bot: Bot, policy: Policy, user_ids: Iterable[int]) -> bool:
    """成员表里没有的人，依次在组织的各群查 `get_group_member_info`，第一个认识他的群为准。

    返回是否记下了新的人（名字要重新取）。查询失败不影响排行：不在这个群（ActionFailed）就问下一个群；
    超时、断线这类整个账号的问题就这次不问了，下次画排行再问。"""
    filled = False
    for user in await members.unknown(policy, user_ids):
        for group in policy.all_groups:
            try:
                info = await bot.call_api("get_group_member_info", group_id=group, user_id=user)
            except ActionFailed:
                continue
            except API_FAILURES as exc:
                logger.warning(f"查询成员 {user} 的名片失败（{exc}），排行先显示为“成员”")
                return filled
            await members.upsert(
                policy.id,
                group,
                user,
                clock.now(),
                card=str(info.get("card") or ""),
                nickname=str(info.get("nickname") or ""),
                role=str(info.get("role") or "member"),
            )
            filled = True
            break
        else:
            members.not_found(policy.id, user)
    return filled
