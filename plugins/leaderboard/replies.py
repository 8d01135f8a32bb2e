"""月度排行与导出的回复文字。"""

BAD_MONTH = "月份写作 YYYY-MM，例如 2026-10。"
FUTURE = "{month} 还没到。"
PRIVATE_ONLY = "导出文件里有全员的记录，请私聊机器人发 /导出。"
EXPORTED = (
    "已导出 {month} 的积分表（排行、分享、账本三张表），文件已发给你；机器人这边也存了一份：{path}"
)
EXPORT_NOT_SENT = (
    "已导出 {month} 的积分表，但没能发给你（{reason}）；文件在机器人所在机器上：{path}"
)
