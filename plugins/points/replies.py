"""积分命令的回复文字。测试断言的文字都在这里。"""

NOT_FOUND = "找不到编号 #{id} 的记录。"
ALREADY_REVERSED = "编号 #{id} 已经撤销过了（撤销记录 #{reversal}），不能重复撤销。"
IS_REVERSAL = "编号 #{id} 本身是撤销记录，不能再撤销。"
ROLE_TOO_LOW = "编号 #{id} 由{writer}写入，撤销需要{needed}及以上权限，你现在是{role}。"
OTHERS_DETAIL = "查看别人的积分明细需要管理员及以上权限，你现在是{role}。"
OVER_CAP = "分数超过{role}的单次上限 {cap} 分。"

ADJUSTED = "已记录 #{id}：{name} {delta:+d} 分（{reason}）。{name} 本月合计 {total} 分。"
REVERSED = (
    "已撤销 #{original}（{name} {delta:+d} 分，{label}），撤销记录 #{id}。"
    "{name} {month} 合计 {total} 分。"
)
SUMMARY = (
    "{name} 本月（{month}）积分 {points} 分，第 {rank} 名 / 共 {count} 人；"
    "累计 {all_time} 分；本月记录 {entries} 条。"
)
SUMMARY_UNRANKED = (
    "{name} 本月（{month}）积分 {points} 分，不参加排名（共 {count} 人参加）；"
    "累计 {all_time} 分；本月记录 {entries} 条。"
)
DETAIL_HEAD = "{name} {month} 积分明细：共 {count} 条，合计 {total}"
DETAIL_EMPTY = "{name} {month} 没有积分记录。"
DETAIL_MORE = "……更早的 {hidden} 条未显示"
DETAIL_REVERSES = "撤回 #{id}"
DETAIL_REVERSED = "（已撤回）"
DETAIL_REASONS_PRIVATE = "群里只列警告的类别；警告的理由请私聊机器人发 /积分明细 查看。"
BOARD_HEAD = "{org} {month} 积分排行（共 {count} 人）"
BOARD_EMPTY = "{org} {month} 还没有人参与统计。"
BOARD_SELF = "你：第 {rank} 名，{points} 分"
FROZEN = "#{id} 属于 {month}，该月排行已公布并冻结：只有主席写明理由才能撤销（/撤销 {id} 理由）。"
APPEAL_MARKS = {"pending": "申诉中", "confirmed": "申诉成立", "dismissed": "申诉驳回"}
