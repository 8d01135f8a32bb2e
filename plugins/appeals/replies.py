"""申诉的回复文字。群里不复述申诉理由，只说编号和结果。"""

FILED = "已收到申诉（审{id}）：#{entry} {delta}（{label}）。管理员复核后会私聊告诉你结果。"
TOO_LONG = "申诉理由最多 {limit} 个字。"
NOT_FOUND = "找不到编号 #{id} 的记录。"
NOT_YOURS = "#{id} 不是你的记录：只能申诉与自己有关的记录。"
IS_REVERSAL = "#{id} 是撤回另一条记录时写的，不能申诉。"
ALREADY_REVERSED = "#{id} 已经撤回了，不用申诉。"
TOO_LATE = "#{id} 已过申诉期限：记录写下后 {days} 天内可以申诉，最后一天是 {last}。"
FROZEN = "#{id} 属于 {month}，该月排行已公布并冻结，不能再申诉。"
ALREADY_APPEALED = "#{id} 已经申诉过（审{review}），每条记录只能申诉一次。"

REVIEW_HEAD = "【群规助手】请审核：对记录 #{entry} 的申诉"
REVIEW_WHO = "申诉人：{name}（QQ {qq}）"
REVIEW_ENTRY = "记录：#{entry} {day} {delta}，{label}，理由：{reason}"
REVIEW_WRITER = "写入：{writer}"
REVIEW_TEXT = "申诉理由：{text}"
REVIEW_NEEDS = "这条记录由{writer}写入，申诉要{needed}决定。"
REVIEW_ACTIONS = "/确认 审{id}：申诉成立，撤销这条记录；/驳回 审{id} 理由：维持"
SYSTEM_WRITER = "机器人（按群规自动记的）"

UPHELD = (
    "申诉成立：审{id}，已撤销 #{entry}（{name} {delta}，{label}），撤销记录 #{reversal}。{told}"
)
# 举报人只告诉管理员：私聊、管理群里说出名字；别的群里（被举报的人可能就在群里）不说是谁
UPHELD_BONUS = "举报人 {name} 的举报属实奖励 #{entry}（{delta}）一并撤回，{told}。"
UPHELD_BONUS_UNNAMED = "举报人的举报属实奖励 #{entry}（{delta}）一并撤回，{told}。"
REPORTER_TOLD = "已私聊告诉举报人"
REPORTER_NOT_TOLD = "私聊没有发到举报人，请另行告诉他"
DISMISSED = "已驳回申诉 审{id}：#{entry} 维持。{told}"
CLOSED_UNDONE = "已结案申诉 审{id}：#{entry} 已经撤销（撤销记录 #{reversal}）。{told}"
TOLD = "已私聊告诉 {name}。"
NOT_TOLD = "私聊没有发到 {name}，请另行告诉他。"
MEMBER_UPHELD = "【群规助手】你的申诉 审{id} 成立：#{entry}（{day} {delta}，{label}）已撤回。"
REPORTER_WITHDRAWN = (
    "【群规助手】你举报的消息经申诉认定不算违规（审{id}），举报属实奖励 #{entry}（{delta}）已撤回。"
)
MEMBER_DISMISSED = (
    "【群规助手】你的申诉 审{id} 被驳回：#{entry}（{day} {delta}，{label}）维持。理由：{note}"
)
MEMBER_CLOSED_UNDONE = (
    "【群规助手】你的申诉 审{id} 已结案：#{entry}（{day} {delta}，{label}）已经撤回。说明：{note}"
)
OWN_APPEAL = "审{id} 是你自己的申诉，不能自己决定，请另一位管理员处理。"
OWN_ENTRY = "审{id} 申诉的 #{entry} 是你写的记录，不能自己决定，请另一位管理员处理。"
OWN_REPORT = "审{id} 申诉的 #{entry} 是因你的举报记下的，不能自己决定，请另一位管理员处理。"
NEEDS_ROLE = "审{id} 申诉的 #{entry} 由{writer}写入，要{needed}及以上权限才能决定，你现在是{role}。"
DECIDE_FROZEN = (
    "审{id} 申诉的 #{entry} 属于 {month}，该月排行已公布并冻结，申诉不能成立；"
    "请用 /驳回 审{id} 理由 结案。"
)
DECIDE_REVERSED = (
    "审{id} 申诉的 #{entry} 已经撤销了（撤销记录 #{reversal}），不用再成立；"
    "请用 /驳回 审{id} 理由 结案。"
)
ALREADY_DECIDED = "审{id} 已经决定（{status}），无需再处理。"
NOTE_NEEDED = "驳回申诉请写明理由（会转告申诉人）：/驳回 审{id} 理由"

MARKS = {"pending": "申诉中", "confirmed": "申诉成立", "dismissed": "申诉驳回"}
HISTORY_HEAD = "{name} 的申诉（最近 {count} 条）："
HISTORY_NONE = "{name} 没有申诉过。"
HISTORY_LINE = "审{id} #{entry} {day} {delta} {label}：{mark}"
HISTORY_TEXT = "　申诉理由：{text}"
HISTORY_NOTE = "　驳回理由：{note}"
OTHERS_HISTORY = "查看别人的申诉记录需要管理员及以上权限，你现在是{role}。"
