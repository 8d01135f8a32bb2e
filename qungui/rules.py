"""账本的规则代码和它们的中文名称：每条记录的 `rule` 都在这里定义一次。

写账本的模块从这里取代码；`/积分明细`、给人事的导出（以后的看板也一样）用 `label()` 显示中文名称。
代码存在账本里，改了就对不上旧记录：只能新增，不能改名。新增一条规则的做法见 docs/design.md 的“规则代码”。
内容过滤的内置规则名（链接、隐私、刷屏、举报）也在这里：它们是过滤命中记录里的规则名，不是账本代码。
"""

from __future__ import annotations

SHARE_DAILY = "share.daily"
"""每日分享 +1（`share.grace_until` 前记到前一天）"""
SHARE_FEATURED = "share.featured"
"""管理员评的经典分享"""
SHARE_STREAK = "share.streak"
"""月底结算的连续分享奖励"""
CARD_PENALTY = "card.penalty"
"""名片不规范，宽限期后每天扣分"""
ROSTER_ABSENT = "roster.absent"
"""人事名单上的人没进公司群"""
WARNING_PREFIX = "warn."
"""管理员或内容过滤的警告：`warn.<类别>`，类别取自 `[warnings.categories]`"""
FILTER_REPORT = "filter.report"
"""举报属实，给举报人的加分"""
NOTICE_SILENT = "notice.silent"
"""通知截止时仍没确认"""
DUTY_WEEKLY = "duty.weekly"
"""每周值班奖励"""
CLAIM_PREFIX = "claim."
"""成员申报、管理员确认的项目：`claim.<项目>`，项目取自 `[claims.items]`"""

REPOST = "repost"
"""转发推广（推N）及时转发并保持，管理员确认后加分。不在 `claim.` 下：申报项目叫什么名字都不会和它同一个代码"""

MANUAL = "manual"
"""管理员 /加分 /扣分"""
REVERSAL = "reversal"
"""撤销记录（指向被撤销的那条）"""

LABELS = {
    SHARE_DAILY: "每日分享",
    SHARE_FEATURED: "经典分享",
    SHARE_STREAK: "连续分享奖励",
    CARD_PENALTY: "名片不规范",
    ROSTER_ABSENT: "未进群",
    FILTER_REPORT: "举报属实",
    NOTICE_SILENT: "通知未确认",
    DUTY_WEEKLY: "值班奖励",
    REPOST: "转发推广",
    MANUAL: "手动调整",
    REVERSAL: "撤销",
}


def warning(category: str) -> str:
    """这个警告类别的规则代码。"""
    return f"{WARNING_PREFIX}{category}"


def is_warning(code: str) -> bool:
    return code.startswith(WARNING_PREFIX)


def claim(item: str) -> str:
    """这个申报项目的规则代码。"""
    return f"{CLAIM_PREFIX}{item}"


def label(code: str) -> str:
    """规则代码的中文名称；带参数的（`warn.<类别>`）写出参数，说成成员嘴里的话：“不良信息警告”
    “客户表扬（申报）”。不认识的代码原样显示（改版前的旧记录）。"""
    if is_warning(code):
        category = code.removeprefix(WARNING_PREFIX)
        return category if category.endswith("警告") else f"{category}警告"
    if code.startswith(CLAIM_PREFIX) and code not in LABELS:
        return f"{code.removeprefix(CLAIM_PREFIX)}（申报）"
    return LABELS.get(code, code)


BUILTIN_LINK = "链接"
BUILTIN_PRIVACY = "隐私"
BUILTIN_FLOOD = "刷屏"
BUILTIN_REPORT = "举报"
REVIEW_APPEAL = "申诉"
"""审核队列里成员的申诉（不是内容规则：/规则统计 的命中里不算它）"""
REVIEW_CLAIM = "申报"
"""审核队列里成员的申报（项目或转发推广）"""
REVIEW_LEAVE = "请假"
"""审核队列里成员为自己申请的请假"""
REVIEW_KINDS = (REVIEW_APPEAL, REVIEW_CLAIM, REVIEW_LEAVE)
"""审核队列里不是内容命中的几类：/确认 /驳回 交给各自的模块"""

BUILTIN_FILTER_RULES = (BUILTIN_LINK, BUILTIN_PRIVACY, BUILTIN_FLOOD, BUILTIN_REPORT, *REVIEW_KINDS)
"""机器人自己用的审核规则名：三条内置规则、成员举报、申诉、申报和请假；制度里的关键词规则不能用这些名字"""
