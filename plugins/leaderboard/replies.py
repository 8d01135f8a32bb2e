"""月度排行与导出的回复文字，以及排行帖。"""

from datetime import datetime

from qungui.dates import month_label
from qungui.month_end import MonthBoard, Row
from qungui.policy import Policy

PRIVATE_ONLY = "导出文件里有全员的记录，请私聊机器人发 /导出。"
EXPORTED = "已导出积分表「{name}」（排行、分享、账本三张表），文件已发给你。"
EXPORT_NOT_SENT = (
    "已导出积分表「{name}」，但没能发给你（{reason}）。请稍后再发一次 /导出，或请运维转交。"
)
EXPORT_NOT_SENT_PATH = (
    "已导出积分表「{name}」，但没能发给你（{reason}）；文件在机器人所在机器上：{path}"
)
"""给超级用户（运维）：他能到机器人所在的机器上取文件，管理员不能"""


BOARD_TITLE = "【{org} {month} 积分排行】"
"""{month} 是给人读的月份：2026年11月"""
BOARD_PREVIEW = "（本月预览，尚未结算）"
BOARD_EMPTY = "这个月没有人参与统计。"
BOARD_TOP = "前 {n} 名："
BOARD_ROW = "{rank}. {name} {points} 分（分享 {days} 天）"
BOARD_TOTALS = "共 {people} 人，平均 {average:.1f} 分；{streaks}"
BOARD_STREAKS = "{n} 人{how}分享满 {days} 天，各得 {bonus} 分。"
BOARD_NO_STREAKS = "这个月没有人{how}分享满 {days} 天。"
BOARD_LATE = "（本帖晚于原定的 {month}月{day}日 {since:%H:%M} 发出）"
LATE_TO_OPERATOR = (
    "{month} 月榜晚于原定的 {since:%m-%d %H:%M} 发出：到点时月底任务没能执行（机器人没有运行、没连上 QQ，"
    "或出错后在重试），{now:%m-%d %H:%M} 才发帖。群里只说了晚发，没说原因。"
)
"""私聊超级用户：群里不宣布停机"""


def _row_text(row: Row) -> str:
    return BOARD_ROW.format(rank=row.rank, name=row.name, points=row.points, days=row.share_days)


def board_text(
    policy: Policy, board: MonthBoard, *, late_since: datetime | None = None, preview: bool = False
) -> str:
    """排行帖：前 top 名、末尾 bottom 名（标题由制度 `bottom_title` 定）、合计。只有名字，没有电话和 QQ 号。"""
    settings, share = policy.leaderboard, policy.share
    title = BOARD_TITLE.format(org=board.org_name, month=month_label(board.month))
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
        lines.append(settings.bottom_title)
        lines += [_row_text(row) for row in bottom]
    how = "连续" if share.streak_consecutive else "累计"
    streaks = (
        BOARD_STREAKS.format(
            n=board.streaks, how=how, days=share.streak_days, bonus=share.streak_bonus
        )
        if board.streaks
        else BOARD_NO_STREAKS.format(how=how, days=share.streak_days)
    )
    lines.append(
        BOARD_TOTALS.format(people=len(board.rows), average=board.average, streaks=streaks)
    )
    if late_since is not None:
        lines.append(
            BOARD_LATE.format(month=late_since.month, day=late_since.day, since=late_since)
        )
    return "\n".join(lines)
