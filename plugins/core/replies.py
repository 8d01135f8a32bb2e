"""核心路由的回复文字。"""

NO_ORG = "没有找到你所在的组织：请先在公司群里发言一次，或联系管理员。"
GROUP_ONLY = "「/{command}」要在群里发，私聊里不能用。"
NOT_YOUR_ORG = (
    "你不在组织「{org}」里，没有执行。你所在的组织：{orgs}；"
    "要指定组织，在命令后先写它的编号，例如 /{command} {first} ……"
)
NEEDS_ROLE = "「/{command}」需要{needed}及以上权限，你现在是{role}。"
FAILED = "处理这条命令时出错了，已记录日志，请联系管理员。"
OWN_CASE = (
    "这件事与你本人有关（你是得分的人、被处理的人或举报人），不能自己决定，"
    "请另一位管理员或超级用户处理。"
)
ID_TOO_LARGE = "编号太大了，没有这样的记录。"
ROLE_UNCONFIRMED = "「/{command}」需要{needed}及以上权限：现在查不到你在群里的身份，请稍后再试。"
BOT_TARGET = "机器人不是成员，不能给它记分。"

# 命令参数（args.py）的写法说明：跟在“用法：”前面
ONE_MEMBER = "请 @ 一位成员。"
BAD_POINTS = "分数应为正整数。"
NO_REASON = "请写明理由。"
BAD_MONTH = "月份应写作 YYYY-MM，例如 2026-10。"
FUTURE_MONTH = "{month} 还没到。"
BAD_DAY = "日期应写作 YYYY-MM-DD，例如 2026-11-20。"
BAD_LEAVE_DAY = "日期应写作 YYYY-MM-DD 或 MM-DD，例如 2026-12-08 或 12-08。"
BAD_ENTRY_ID = "编号应为数字，例如 #12 或 12。"
REVIEW_ID = "审核编号写作“审17”这样（不是账本里的编号）。"
CAMPAIGN_ID = "推广编号写作“推3”这样。"
UNKNOWN_CATEGORY = "没有这个类别。可用的类别：{choices}。"
