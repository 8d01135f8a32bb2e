"""一条消息的身份：几个机器人账号都收到同一条消息时，据此认出它是同一条。

NapCat 的 `message_id` 是每个账号各自的短期缓存编号，同一条群消息经两个账号上报，编号不同；
NapCat 和 LLBot 上报的 `message_seq`、`real_id` 也都等于这个编号，回复段里的 `id` 同样是它。
所以身份只用两个账号看到的都一样的东西：群、发送者、QQ 上报的发送时间（秒）、消息内容，
以及 NapCat 的 `real_seq`（消息在群里的真实序号，各账号相同；别的实现没有这个字段）。
机器人账号（`self_id`）和 `message_id` 都不进身份。

只有命令、分享候选、过滤命中和举报才算身份（要算一次内容摘要）；普通聊天不算（docs/design.md 不变量 9）。
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from nonebot.adapters.onebot.v11 import MessageSegment


def message_key(
    org: str,
    group_id: int | None,
    user_id: int,
    time: int,
    message: Iterable[MessageSegment],
    real_seq: Any = None,
) -> str:
    """一条消息的去重键：组织、群（私聊为 private）、发送者、发送时间、real_seq、内容摘要。

    没有 `real_seq` 时（非 NapCat 的实现），同一个人同一秒在同一个群里发的两条内容完全相同的消息
    分不出来，当作同一条：只记一次分、回复一次。这是有意的取舍：分不出来时宁可少记一次，
    也不让一条消息因为被几个账号看到而记两次；同一秒重复发同样的命令，多半也是手滑。
    几个账号要接同一种实现：一个上报 `real_seq`、一个不上报时，两边的键不同。
    """
    digest = hashlib.blake2b(_content(message).encode("utf-8"), digest_size=12).hexdigest()
    place = "private" if group_id is None else group_id
    seq = "" if real_seq is None else str(real_seq)
    return f"{org}:{place}:{user_id}:{time}:{seq}:{digest}"


def event_key(org: str, event: Any) -> str:
    """收到的消息事件的身份。用原始消息段：适配器会从 `event.message` 去掉 @本机器人、
    本机器人的昵称和回复段，而每个账号去掉的不一样。"""
    return message_key(
        org,
        getattr(event, "group_id", None),
        int(event.user_id),
        int(event.time),
        event.original_message,
        _extra(event).get("real_seq"),
    )


def reply_key(org: str, group_id: int, reply: Any) -> str | None:
    """被回复的那条消息（适配器用 get_msg 取回的 `Reply`）的身份：与它自己作为事件到达时的相同。
    没取到原文、或原文里没有发送者时为 None。"""
    if reply is None or reply.sender.user_id is None:
        return None
    return message_key(
        org,
        group_id,
        int(reply.sender.user_id),
        int(reply.time),
        reply.message,
        _extra(reply).get("real_seq"),
    )


def _extra(model: Any) -> dict[str, Any]:
    # 适配器的事件和 Reply 模型都允许多余字段：NapCat 的扩展字段在 model_extra 里
    return getattr(model, "model_extra", None) or {}


def _content(message: Iterable[MessageSegment]) -> str:
    parts = []
    for segment in message:
        if segment.type == "text":
            parts.append(segment.data.get("text", ""))
        elif segment.type == "reply":
            continue  # 回复段里是被回复消息在本账号的编号
        elif segment.type in ("at", "face"):
            # \x1f 分隔：文字里打不出来，“@123”这样的文字不会和 @ 段混淆
            key = "qq" if segment.type == "at" else "id"
            parts.append(f"\x1f{segment.type}:{segment.data.get(key, '')}\x1f")
        else:
            # 图片、文件等的 url/file 可能因账号而异：只记类型
            parts.append(f"\x1f{segment.type}\x1f")
    return "".join(parts)
