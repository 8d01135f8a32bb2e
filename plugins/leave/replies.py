"""请假的回复文字。"""

REASON_LABEL = "事由"
NO_REASON = "请写明事由。"
RECORDED = (
    "已记下 {name} 请假 {span}（{days} 天，编号 假{id}），事由：{reason}。"
    "这几天不提醒分享，也不打断连续分享；撤销：/撤销 假{id}"
)
REQUESTED = "已提交请假申请 {span}（{days} 天，审{review}），管理员确认后生效。"
REVIEW = (
    "【群规助手】请审核：{group} {name}（QQ {qq}）的请假申请\n"
    "日期：{span}（{days} 天）\n"
    "事由：{reason}\n"
    "批准：/确认 审{review}　驳回：/驳回 审{review} [理由]"
)
APPROVED = "{name} 的请假申请（审{review}）已批准：{span} 请假（编号 假{id}）。"
APPROVED_ELSEWHERE = "已批准 审{review}：{name} {span} 请假（编号 假{id}），已在群里告诉他。"
REFUSED = "{name} 的请假申请（审{review}，{span}）没有批准{note}。这几天照常分享。"
REFUSED_ELSEWHERE = "已驳回 审{review}（{name} {span} 的请假申请），已在群里告诉他。"
APPROVED_NOT_TOLD = (
    "已批准 审{review}：{name} {span} 请假（编号 假{id}），但没能在群里告诉他（{reason}），请转告。"
)
REFUSED_NOT_TOLD = (
    "已驳回 审{review}（{name} {span} 的请假申请），但没能在群里告诉他（{reason}），请转告。"
)
REFUSED_NOTE = "：{note}"
ALREADY = "审{review} {status}，无需再处理。"
STATUS_CONFIRMED = "已批准"
STATUS_DISMISSED = "已驳回"
REVOKED_ALL = "已撤销 假{id}：{name} {span} 不再算请假。"
REVOKED_REST = (
    "已撤销 假{id}：{name} 从 {cut} 起不再算请假；已经过去的 {kept} 天（{kept_span}）照旧算请假。"
)
FOR_OTHERS_NEEDS_ADMIN = (
    "给别人记请假需要管理员及以上权限，你现在是{role}。为自己申请：/请假 开始 [结束] 事由"
)
TOO_MANY_PENDING = (
    "你已有 {count} 条待审的请假申请（{reviews}），等管理员处理后再申请；急事请直接找管理员记。"
)
SELF_REQUEST_OFF = "本组织不接受自己申请请假，请找管理员记。"
BACKWARDS = "结束日期早于开始日期。"
TOO_LONG = "一次最多请假 {limit} 天（这次是 {days} 天），请分几次记。"
FROZEN = "{month} 的排行已公布，该月已冻结，不能再记请假。"
OVERLAPS = "{name} 在这几天已有请假（假{id}，{span}），不能重复记。"
OVERLAPS_PENDING = "{name} 在这几天已有待审的请假申请（审{review}，{span}）。"
NOT_FOUND = "没有 假{id} 这条请假。"
STILL_PENDING = "假{id} 还在等审核，不用撤销：驳回它用 /驳回 审{review}。"
NOT_IN_FORCE_REFUSED = "假{id} 的申请没有批准，没有可撤销的。"
NOT_IN_FORCE_REVOKED = "假{id} 已经撤销过了。"
ALL_PASSED = "假{id}（{span}）的日子都已过去，撤销不了：过去的日子照旧算请假。"
