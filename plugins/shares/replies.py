"""每日分享的回复文字。"""

NOT_ORIGINAL = "以下消息不算原创分享，没有加分：{items}。原创分享要写自己的工作和生活心得。"
NOT_ORIGINAL_ITEM = "{name}（{reason}）"
MINE_DONE = "{name} {day} 的分享已记录。本月已分享 {days} 天，当前连续 {run} 天。"
MINE_MISSING = (
    "{name} {day} 还没有原创分享（{deadline}前有效）。本月已分享 {days} 天，当前连续 {run} 天。"
)
DEADLINE_TODAY = "今晚 24:00，特殊情况可延至次日 {grace}"
DEADLINE_GRACE = "今天 {grace} "
ADMIN_COUNTS = "{day} 已分享 {done} 人，还没分享 {missing} 人"
ADMIN_NAMES = "：{names}。"
REMIND = "{day} 还没有分享的同事（{deadline}前有效）："
ALL_DONE = "{day} 大家都已分享。"
REMIND_WORD = "提醒"
