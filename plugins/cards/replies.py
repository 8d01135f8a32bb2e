"""群名片功能的回复文字。"""

from qungui.cards import card_format
from qungui.policy import Policy

WELCOME_OK = " 加入{org}！"
HOW_TO_SET = "把群名片改为「{card_format}」（或发 /改名片 姓名 手机号，由机器人代改）"
"""名片格式用文字讲：群里的号码会被打码，给一个示例号码，大家就把星号抄进名片"""
WELCOME = " 加入{org}！请在 {deadline} 前{how_to}；逾期每天扣 {penalty} 分。"
THANKS = "感谢 {names} 改好了群名片。"
FIRST_SWEEP = (
    "群规助手开始检查本群的群名片：请{how_to}。{bites} 起仍不规范的，每天扣 {penalty} 分。"
)
OVERDUE = "以下成员的群名片仍不规范，今天各扣 {penalty} 分，请{how_to}："
SWEEP_FAILED = "名片检查没有完成：读取群成员列表失败（{reason}），今天不扣分。"
SWEEP_SUMMARY = "名片检查：规范 {ok} 人，还在改名片期限内 {grace} 人，逾期 {overdue} 人。"
UNVERIFIED = "另有 {count} 人的名片没能复查，今天没有处理。"
WORK_GROUP_ONLY = "名片检查只在公司群里进行。"
BAD_NAME_OR_PHONE = "姓名或手机号不符合名片规则：群名片应为「{card_format}」。"
OTHERS_CARD = "给别人改名片需要管理员及以上权限，你现在是{role}。"
BOT_NOT_ADMIN = (
    "机器人不是本群的管理员，没法改名片：请群主把机器人设为管理员，或自己在群里修改名片。"
)
SET_FAILED = "修改名片失败（{reason}），请自己在群里修改。"
NOT_EFFECTIVE = "已提交修改，但复查时群名片仍是原样，没有改成功。请在群里自行修改群名片。"
CARD_SET = "已把{who}的群名片改为「{card}」。"
SWEEP_ABSENT = "未进群 {absent} 人。"
DUPLICATES = "以下成员的名片用了同一个电话，请管理员核实：{names}。"
ABSENT_NEW = (
    "以下名单上的同事还没有进公司群（或群名片没对上名单）：{names}。"
    "管理员可私聊机器人 /名单 未进群 查看联系方式。"
)
ABSENT_FINED = "以下同事名单登记 {days} 天后仍未进公司群，各扣 {points} 分：{names}。"
ABSENT_CHAIRMEN = "名单上的同事登记 {days} 天后仍未进公司群，请处理：\n{lines}"
LEAVERS = "名单上已离职、仍在群里的：{names}。请管理员移出。"
NO_ROSTER = "制度里没有配置人事名单（[roster] file）。"
ROSTER_RELOADED = (
    "名单已重新读取：有效 {rows} 行，拒绝 {rejected} 行；{matched} 位成员的名片对上了名单。"
)
ROSTER_LINE = "第 {line} 行：{why}"
ABSENT_PRIVATE_ONLY = "未进群名单含电话，请私聊机器人发送 /名单 未进群。"
ABSENT_NONE = "名单上的同事都已进公司群。"
ABSENT_HEAD = "未进公司群 {count} 人："
ABSENT_LINE = "{name} {phone} {department}（{days} 天）"


def how_to_set(policy: Policy) -> str:
    return HOW_TO_SET.format(card_format=card_format(policy))
