"""申报与转发推广的回复文字。"""

GROUP_ONLY = "请在公司群里发这个命令（截图发在群里，管理员才看得到）。"
NO_ITEMS = "制度里没有可以申报的项目（[claims.items]）。"
UNKNOWN_ITEM = "没有「{item}」这个申报项目。可以申报的：{choices}。"
NO_IMAGE = "申报要附截图：把截图和命令发在同一条消息里，或回复你自己发的截图再发命令。"
NOT_OWN_IMAGE = "只能用你自己发的截图申报。"
IMAGE_LOST = "取不到你回复的那条消息，请把截图和命令发在同一条消息里。"
SLOTS_USED = "「{item}」每人每天只能申报 {per_day} 次，今天的已经报过了。"
FROZEN = "{month} 已经月底结算冻结，不能再申报或确认申报。"
FILED = "已收到 {name} 的申报「{item}」（审{id}），管理员确认后加分。"
REVIEW_ITEM = "【群规助手】请审核：{group} {name}（QQ {qq}）申报「{item}」（{points}）"
REVIEW_TEXT = "说明：{text}"
REVIEW_IMAGES = "截图 {count} 张："
REVIEW_FIXED = "确认：/确认 审{id}　驳回：/驳回 审{id} 理由"
REVIEW_RANGE = "确认并定分：/确认 审{id} 分数（{low}–{high}）　驳回：/驳回 审{id} 理由"

REPOST_OFF = "制度里没有启用转发推广（[claims.repost]）。"
NEED_TITLE = "请写推广的标题，或回复公司的那条推文再发 /推广。"
OPENED = (
    "【推{id}】{title}\n"
    "请转发到朋友圈并保持 {keep} 天以上，{last_day} 24:00 前把截图和“/已转发 推{id}”发在群里申报；"
    "{due_day} 起管理员统一审核，每人加 {points} 分。"
)
NO_CAMPAIGN = "没有 推{id} 这次推广。"
ALREADY_OPEN = (
    "这条推文已经开过推广：推{id}「{title}」，{last_day} 24:00 前用“/已转发 推{id}”申报。"
)
LATE = "推{id} 的申报已于 {last_day} 24:00 截止，不能再申报。"
ALREADY_CLAIMED = "你已经申报过 推{id}（审{review}），不用再报。"
CLAIMED = "已收到 {name} 的转发申报（推{id}，审{review}），{due_day} 起管理员统一审核。"

DUE_HEAD = "【群规助手】推{id}「{title}」已过保持期，{count} 人申报已转发："
DUE_LINE = "审{review} {name}（QQ {qq}）"
DUE_ACTIONS = "全部确认（每人 +{points} 分）：/确认 推{id}　个别不通过的先驳回：/驳回 审M 理由"
DUE_NOBODY = "【群规助手】推{id}「{title}」已过保持期，没有人申报已转发。"

CATEGORY_NOT_FOR_CLAIMS = "审{id} 是申报，确认时不写类别；范围项目写分数。"
SCORE_NEEDED = (
    "「{item}」的分数由确认的人定，请写 {low} 到 {high} 之间的分数，例如 /确认 审{id} {low}。"
)
SCORE_RANGE = "「{item}」的分数应在 {low} 到 {high} 之间。"
SCORE_FIXED = "「{item}」固定 {points} 分，确认时不用写分数。"
ITEM_GONE = "制度里已经没有「{item}」这个申报项目，不知道该加几分，只能驳回。"
NOT_DUE = "推{id} 要保持到 {due_day} 才审核（制度：转发后保持 {keep} 天以上）。"
ALREADY = "审{id} {status}，无需再处理。"
NOTHING_PENDING = "推{id} 没有待确认的申报。"

CONFIRMED = "已确认 审{id}：{name}「{item}」+{points} 分（编号 #{entry}）。"
DISMISSED = "已驳回 审{id}（{name}「{item}」），已私聊告诉本人。"
BATCH = "已确认 推{id}：{count} 人各 +{points} 分（{names}）。"
BATCH_OWN = "你自己的申报（{reviews}）要由另一位管理员确认：/确认 推{id}。"

TOLD_CONFIRMED = "【群规助手】你的申报「{item}」（审{id}）已确认，+{points} 分（编号 #{entry}）。"
TOLD_DISMISSED = "【群规助手】你的申报「{item}」（审{id}）没有通过：{note}。改好后可以重新申报。"
NO_NOTE = "管理员没有写理由"
