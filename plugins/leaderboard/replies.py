"""月度排行与导出的回复文字，以及排行帖。"""

from datetime import datetime

from qungui.month_end import MonthBoard, Row
from qungui.policy import Policy

PRIVATE_ONLY = "导出文件里有全员的记录，请私聊机器人发 /导出。"
EXPORTED = (
    "已导出 {month} 的积分表（排行、分享、账本三张表），文件已发给你；机器人这边也存了一份：{path}"
)
EXPORT_NOT_SENT = (
    "已导出 {month} 的积分表，但没能发给你（{reason}）；文件在机器人所在机器上：{path}"
)


BOARD_TITLE = "【{org} {month} 积分排行】"
BOARD_PREVIEW = "（本月预览，尚未结算）"
BOARD_EMPTY = "这个月没有人参与统计。"
BOARD_TOP = "前 {n} 名："
BOARD_BOTTOM = "末尾 {n} 名："
BOARD_ROW = "{rank}. {name} {points} 分（分享 {days} 天）"
BOARD_TOTALS = (
    "共 {people} 人，平均 {average:.1f} 分；{streaks} 人连续分享满 {days} 天，各得 {bonus} 分。"
)
BOARD_LATE = "（机器人停机，本帖晚于计划的 {since:%m-%d %H:%M} 发出）"


def _row_text(row: Row) -> str:
    return BOARD_ROW.format(rank=row.rank, name=row.name, points=row.points, days=row.share_days)


def board_text(
    policy: Policy, board: MonthBoard, *, late_since: datetime | None = None, preview: bool = False
) -> str:
    """排行帖：前 top 名、末尾 bottom 名、合计。只有名字，没有电话和 QQ 号。"""
    settings = policy.leaderboard
    title = BOARD_TITLE.format(org=board.org_name, month=board.month)
    if preview:
        title += BOARD_PREVIEW
    lines = [title]
    if not board.rows:
        lines.append(BOARD_EMPTY)
        return "\n".join(lines)
    top = board.top(settings.top)
    lines.append(BOARD_TOP.format(n=len(top)))
    lines += [_row_text(row) for row in top]
    bottom = board.bottom(settings.top, settings.bottom)
    if bottom:
        lines.append(BOARD_BOTTOM.format(n=len(bottom)))
        lines += [_row_text(row) for row in bottom]
    lines.append(
        BOARD_TOTALS.format(
            people=len(board.rows),
            average=board.average,
            streaks=board.streaks,
            days=policy.share.streak_days,
            bonus=policy.share.streak_bonus,
        )
    )
    if late_since is not None:
        lines.append(BOARD_LATE.format(since=late_since))
    return "\n".join(lines)
