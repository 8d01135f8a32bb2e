"""审核队列（审N）里不是内容命中的几类：申诉、申报、请假申请。

它们和过滤命中共用一张表、一套编号和 `/确认 审N`、`/驳回 审N` 两个命令，所以管理员只记一套做法；
命令找到那一行后，按它的规则名交给登记了这一类的插件处理（`register`），自己只处理内容命中。
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from qungui.models import FilterHit
from qungui.rules import REVIEW_KINDS

from .router import CommandContext

Decide = Callable[[CommandContext, FilterHit], Awaitable[None]]
DecideCampaign = Callable[[CommandContext, int], Awaitable[None]]


@dataclass(frozen=True)
class ReviewKind:
    confirm: Decide
    """`/确认 审N`：参数已按 /确认 的声明解析在 `ctx.params` 里"""
    dismiss: Decide
    """`/驳回 审N [理由]`"""


_kinds: dict[str, ReviewKind] = {}
_campaigns: list[DecideCampaign] = []


def register(
    rule: str, *, confirm: Decide, dismiss: Decide, confirm_campaign: DecideCampaign | None = None
) -> None:
    """`confirm_campaign`：`/确认 推N` 一次确认一次转发推广的全部申报（申报插件登记）。"""
    if rule not in REVIEW_KINDS:
        raise ValueError(f"{rule} 不是审核队列里的一类（qungui.rules.REVIEW_KINDS）")
    _kinds[rule] = ReviewKind(confirm, dismiss)
    if confirm_campaign is not None:
        _campaigns[:] = [confirm_campaign]


def campaign_handler() -> DecideCampaign | None:
    """谁决定 `/确认 推N`；没有插件登记（申报插件没装）时为 None。"""
    return _campaigns[0] if _campaigns else None


def handler(hit: FilterHit) -> ReviewKind | None:
    """这一行归哪个插件决定；内容命中和举报返回 None（由 /确认 /驳回 自己处理）。"""
    return _kinds.get(hit.rule)
