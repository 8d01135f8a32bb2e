"""核心路由的回复文字。"""

NO_ORG = "没有找到你所在的组织：请先在公司群里发言一次，或联系管理员。"
NEEDS_ROLE = "「/{command}」需要{needed}及以上权限，你现在是{role}。"
FAILED = "处理这条命令时出错了，已记录日志，请联系管理员。"
ID_TOO_LARGE = "编号太大了，没有这样的记录。"
ROLE_UNCONFIRMED = "「/{command}」需要{needed}及以上权限：现在查不到你在群里的身份，请稍后再试。"
