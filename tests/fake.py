"""OneBot v11 事件工厂：形状取自 tests/onebot/events.json（NapCat 真实上报的样本）。

只接受关键字参数，写错字段名会直接报 TypeError，而不是悄悄造出一个不存在的事件。
"""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

ONEBOT_SAMPLES = Path(__file__).parent / "onebot"
EVENTS: dict[str, dict[str, Any]] = json.loads((ONEBOT_SAMPLES / "events.json").read_text("utf-8"))
RESPONSES: dict[str, dict[str, Any]] = json.loads(
    (ONEBOT_SAMPLES / "responses.json").read_text("utf-8")
)

SELF_ID = 10000
WORK_GROUP = 987654321
SHARE_GROUP = 987654322
OTHER_GROUP = 55555555
ADMIN = 30001
CHAIRMAN = 30002
SUPERUSER = 40001
# 2026-11-27 10:00 北京时间
NOV27_1000 = 1795744800

_message_ids = itertools.count(1846600000)
_NAPCAT = object()


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "data": {"text": value}}


def at(qq: int | str) -> dict[str, Any]:
    return {"type": "at", "data": {"qq": str(qq)}}


def _segments(message: str | list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [text(message)] if isinstance(message, str) else message


def _raw(segments: list[dict[str, Any]]) -> str:
    parts = []
    for seg in segments:
        if seg["type"] == "text":
            parts.append(seg["data"]["text"])
        else:
            args = ",".join(f"{k}={v}" for k, v in seg["data"].items())
            parts.append(f"[CQ:{seg['type']},{args}]")
    return "".join(parts)


GROUP_NAMES = {WORK_GROUP: "鸡公山酒业员工群", SHARE_GROUP: "90落地交流群"}
"""测试里两个群的群名（NapCat 在每条群消息里上报 group_name）"""


def group_message_payload(
    message: str | list[dict[str, Any]],
    *,
    user_id: int = 20001,
    group_id: int = WORK_GROUP,
    card: str = "鸡公山酒业-张三-13900000000",
    nickname: str = "Zhang",
    role: str = "member",
    time: int = NOV27_1000,
    message_id: int | None = None,
    self_id: int = SELF_ID,
    real_seq: Any = _NAPCAT,
) -> dict[str, Any]:
    """一条群消息的 JSON，与 NapCat 上报的形状一致。

    `real_seq` 是 NapCat 上报的消息在群里的真实序号（字符串，几个账号收到的同一条消息相同；
    `message_id`、`message_seq`、`real_id` 则是每个账号各自的编号）。默认取消息编号的字符串，
    给 None 表示不带这个字段（别的实现）。
    """
    payload = copy.deepcopy(EVENTS["group_msg_at_text"])
    segments = _segments(message)
    msg_id = message_id if message_id is not None else next(_message_ids)
    payload.update(
        time=time,
        self_id=self_id,
        message_id=msg_id,
        message_seq=msg_id,
        real_id=msg_id,
        group_id=group_id,
        user_id=user_id,
        message=segments,
        raw_message=_raw(segments),
    )
    payload["group_name"] = GROUP_NAMES.get(group_id, payload["group_name"])
    real_seq = str(msg_id) if real_seq is _NAPCAT else real_seq
    if real_seq is not None:
        payload["real_seq"] = real_seq
    payload["sender"] = {"user_id": user_id, "nickname": nickname, "card": card, "role": role}
    return payload


def private_message_payload(
    message: str | list[dict[str, Any]],
    *,
    user_id: int,
    time: int = NOV27_1000,
    message_id: int | None = None,
    self_id: int = SELF_ID,
) -> dict[str, Any]:
    """私聊消息：由群消息样本去掉群字段得到（events.json 没有私聊样本）。"""
    payload = group_message_payload(
        message, user_id=user_id, time=time, message_id=message_id, self_id=self_id
    )
    for key in ("group_id", "group_name", "anonymous"):
        payload.pop(key, None)
    payload.update(message_type="private", sub_type="friend")
    payload["sender"] = {"user_id": user_id, "nickname": "Zhang", "sex": "unknown", "age": 0}
    return payload


def group_message(message: str | list[dict[str, Any]], **fields: Any):
    """经适配器解析得到的 GroupMessageEvent。"""
    from nonebot.adapters.onebot.v11 import Adapter

    return Adapter.json_to_event(group_message_payload(message, **fields))


def private_message(message: str | list[dict[str, Any]], **fields: Any):
    from nonebot.adapters.onebot.v11 import Adapter

    return Adapter.json_to_event(private_message_payload(message, **fields))


def notice_payload(kind: str, **fields: Any) -> dict[str, Any]:
    """group_increase / group_decrease / group_card 通知，形状取自 events.json。"""
    payload = copy.deepcopy(EVENTS[kind])
    unknown = set(fields) - set(payload)
    if unknown:
        raise TypeError(f"{kind} 没有这些字段：{unknown}")
    payload.update(fields)
    return payload


def notice(kind: str, **fields: Any):
    from nonebot.adapters.onebot.v11 import Adapter

    return Adapter.json_to_event(notice_payload(kind, **fields))


def member_info(user_id: int, group_id: int = WORK_GROUP, **fields: Any) -> dict[str, Any]:
    """get_group_member_info / get_group_member_list 的一项，形状取自 NapCat 的样本。"""
    member = copy.deepcopy(RESPONSES["get_group_member_list_ok_napcat"]["data"][1])
    unknown = set(fields) - set(member)
    if unknown:
        raise TypeError(f"成员信息没有这些字段：{unknown}")
    member.update(group_id=group_id, user_id=user_id, **fields)
    return member


def lifecycle_connect(self_id: int = SELF_ID, time: int = NOV27_1000):
    """OneBot 实现连上时发的第一条元事件（OneBot v11 的 lifecycle；events.json 没有样本，形状照协议）。"""
    from nonebot.adapters.onebot.v11 import Adapter

    return Adapter.json_to_event(
        {
            "time": time,
            "self_id": self_id,
            "post_type": "meta_event",
            "meta_event_type": "lifecycle",
            "sub_type": "connect",
        }
    )
