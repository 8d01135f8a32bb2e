"""制度文件：读取、校验，以及按群号找组织。

一个 TOML 文件是一个组织；`QUNGUI_POLICY_FILE` 指向文件夹时，其中每个 `.toml` 都加载。
校验失败抛出 `PolicyError`，每个问题一行，写明 TOML 键和期望的值，供启动时和 /重载群规 使用。
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .linear_regex import NotLinear, compile_linear
from .rules import BUILTIN_FILTER_RULES

GROUP_ROLES = ("work", "share", "announce")


class PolicyError(Exception):
    """制度文件有错：`problems` 每项一行。"""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _clock_time(value: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError("应为 00:00 到 23:59 之间的时间，写作 HH:MM")
    return value


ClockTime = Annotated[str, AfterValidator(_clock_time)]
MAX_REMINDERS = 4
"""每天最多几个分享提醒时间：定时任务按这个数登记"""
NonNegative = Annotated[int, Field(ge=0)]
QQ = Annotated[int, Field(gt=0)]


def parse_clock(value: str) -> time:
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _org_id(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9_-]{1,32}", value):
        raise ValueError("只能用小写英文字母、数字、- 和 _，1 到 32 个字符，例如 jgs")
    return value


class OrgSection(_Section):
    id: Annotated[str, AfterValidator(_org_id)]
    """写入数据库的组织标识"""
    name: Annotated[str, Field(min_length=1)]
    """组织名称"""
    timezone: str = "Asia/Shanghai"
    """IANA 时区名"""
    admins: list[QQ] = []
    """群主、群管理员之外的管理小组成员"""
    chairmen: list[QQ] = []
    """可执行大额处罚的主席、董事长"""
    bots: list[QQ] = []
    """本组织的机器人 QQ 号：不算成员（连在别的进程上也一样）；有两个以上同在一个群时，只由在线的、号码最小的那个回答"""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("应为时区名，例如 Asia/Shanghai") from None
        return value


class GroupsSection(_Section):
    work: list[QQ] = []
    """公司群"""
    share: list[QQ] = []
    """分享群"""
    announce: NonNegative = 0
    """提醒与排行发到的群；0 表示第一个分享群"""


class NicknameSection(_Section):
    pattern: str
    """群名片正则，必须含 name 分组"""
    example: str
    """群名片示例"""
    grace_days: NonNegative = 3
    """新成员的宽限天数"""
    daily_penalty: NonNegative = 10
    """宽限期后每天扣分"""
    check_time: ClockTime = "10:00"
    """每天检查群名片的时间"""
    enforce_from: date | None = None
    """从哪天起算宽限；缺省为机器人第一次检查该群的那天"""
    exempt: list[QQ] = []
    """不检查名片的人（机器人账号、外部顾问等）"""

    @field_validator("pattern")
    @classmethod
    def _has_name_group(cls, value: str) -> str:
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"不是有效的正则表达式（{exc}）") from None
        if "name" not in compiled.groupindex:
            raise ValueError("正则里必须有 (?P<name>...) 分组，用来取出姓名")
        if _backtracks_exponentially(value):
            raise ValueError(
                "重复里不能再套重复或多选一（如 (\\w+)+、(?:a|ab)*）：每条消息都要用它认发言人的名片，"
                "一张不合格式的名片就能让它回溯几十秒、机器人掉线。请改为单层重复，如 [\\u4e00-\\u9fa5]{2,12}"
            )
        return value

    @model_validator(mode="after")
    def _example_matches(self) -> NicknameSection:
        if not re.fullmatch(self.pattern, self.example):
            raise ValueError("example 与 pattern 不匹配：示例名片应当符合规范")
        return self


class ShareSection(_Section):
    points: NonNegative = 1
    """每天原创分享加分"""
    deadline: str = "24:00"
    """当天截止时间；本版本只能是 24:00"""
    grace_until: ClockTime = "02:00"
    """次日凌晨的宽限截止"""
    min_chars: Annotated[int, Field(ge=1)] = 20
    """分享的最少字数"""
    streak_days: Annotated[int, Field(ge=1, le=31)] = 27
    """每月连续分享奖励所需天数"""
    streak_bonus: NonNegative = 20
    """连续分享奖励"""
    streak_consecutive: bool = True
    """true：一个月内连续 streak_days 天；false：一个月内累计 streak_days 天"""
    featured_bonus: NonNegative = 5
    """经典分享加分"""
    reminder_times: Annotated[list[ClockTime], Field(max_length=MAX_REMINDERS)] = []
    """提醒时间（最多 4 个）"""
    ack_emoji: NonNegative = 0
    """记了分的分享上机器人点的表情（QQ 表情编号，如 124 = OK）；0 表示不点"""
    grace_emoji: NonNegative = 0
    """凌晨宽限时段里记到前一天的分享点的表情；0 表示与 ack_emoji 相同"""
    featured_emoji: NonNegative = 0
    """评为经典分享（/精选 或 QQ 精华）时再点的表情；0 表示不再点"""

    @field_validator("deadline")
    @classmethod
    def _midnight_only(cls, value: str) -> str:
        if value != "24:00":
            raise ValueError('本版本只支持 "24:00"')
        return value

    @field_validator("grace_until")
    @classmethod
    def _early_morning(cls, value: str) -> str:
        if parse_clock(value) > time(12, 0):
            raise ValueError("宽限只能延到次日中午 12:00 之前")
        return value


def _category_points(value: int | list[int]) -> int | list[int]:
    if isinstance(value, int):
        if value < 0:
            raise ValueError("扣分应为非负整数（写扣几分，不带负号）")
        return value
    if len(value) != 2 or not 0 < value[0] <= value[1]:
        raise ValueError("范围应写作 [下限, 上限]，0 < 下限 ≤ 上限")
    return value


class WarningsSection(_Section):
    window_days: Annotated[int, Field(ge=1)] = 30
    """统计警告次数的窗口"""
    escalate_at: Annotated[int, Field(ge=1)] = 3
    """窗口内达到几次时升级"""
    mute_minutes: NonNegative = 0
    """升级时禁言分钟数"""
    categories: dict[str, Annotated[int | list[int], AfterValidator(_category_points)]] = {}
    """类别 = 扣分，或 [下限, 上限]"""


FILTER_ACTIONS = ("review", "warn", "recall", "shadow")
FilterAction = Annotated[str, AfterValidator(lambda v: _one_of(v, FILTER_ACTIONS))]


def _one_of(value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"应为 {'、'.join(choices)} 之一")
    return value


def _backtracks_exponentially(pattern: str) -> bool:
    """名片正则里有没有“重复里套着重复或多选一”。名片用 Python 的 re 匹配（语义与 RE2 不同：
    `\\w`、`\\d` 认汉字和各种数字，运维的写法照旧有效），它会回溯：这种写法遇上一张不合格式的名片
    是指数级的。名片不长（QQ 限 60 字节），别的写法最多是多项式级，跑不久。"""
    from re import _constants as c
    from re import _parser

    def walk(items, repeated: bool) -> bool:
        for op, av in items:
            if op in (c.MAX_REPEAT, c.MIN_REPEAT):
                many = av[1] > 1
                if many and repeated:
                    return True
                inner, deeper = [av[2]], repeated or many
            elif op is c.BRANCH:
                if repeated:
                    return True
                inner, deeper = av[1], repeated
            elif op is c.SUBPATTERN:
                inner, deeper = [av[3]], repeated
            elif op in (c.ASSERT, c.ASSERT_NOT):
                inner, deeper = [av[1]], repeated
            else:
                continue
            if any(walk(sub, deeper) for sub in inner):
                return True
        return False

    return walk(_parser.parse(pattern), False)


def _valid_regex(value: str) -> str:
    """过滤规则的正则每条消息都要跑：必须是 RE2 能编译的（线性时间），与 content_filter 编译方式相同。"""
    try:
        compile_linear(value, ignore_case=True, capture=False)
    except NotLinear as exc:
        raise ValueError(
            f"不是有效的正则表达式（{exc}）。过滤规则的正则每条消息都要跑，只能用 RE2 语法："
            "不支持反向引用（\\1）和环视（(?=…)、(?!…)、(?<=…)、(?<!…)），重复次数最多 1000"
        ) from None
    return value


class _FilterRuleBase(_Section):
    category: str
    """命中后按哪个警告类别处理（warnings.categories 里的键）"""
    action: FilterAction = "review"
    """review 交管理员审核；warn 直接警告；recall 警告并撤回；shadow 只记录"""


Word = Annotated[str, Field(min_length=1)]


class KeywordRule(_FilterRuleBase):
    name: Annotated[str, Field(min_length=1, max_length=16)]
    """规则名，出现在审核通知和 /规则统计 里"""
    keywords: list[Word] = []
    """单独出现就算的词（比对前去掉空格、标点、表情，不分大小写、全角半角，形近字换成本字）"""
    patterns: list[Annotated[str, AfterValidator(_valid_regex)]] = []
    """正则表达式（同样对去掉空格、标点后的文字）"""
    topics: list[Word] = []
    """话题词：只有同一条消息里还有 calls 里的招揽词时才算（警方通知、公司禁令里也会提到赌博、色情）"""
    calls: list[Word] = []
    """招揽词：加V、私聊、扫码、进群、注册、充值……"""
    unless: list[Word] = []
    """出现这些词时话题词不算（警方、反诈、严禁……）；keywords、patterns 只在另外没有招揽词时不算"""

    @model_validator(mode="after")
    def _not_builtin(self) -> KeywordRule:
        if self.name in BUILTIN_FILTER_RULES:
            raise ValueError(f"规则名 {self.name} 留给内置规则，请换一个")
        return self


def _domain(value: str) -> str:
    if not re.fullmatch(r"(?:[a-z0-9-]+\.)+[a-z]{2,}", value.strip().lower()):
        raise ValueError("应为域名，例如 jd.com（不写 http://、路径和端口）")
    return value


class LinkRule(_FilterRuleBase):
    allow: list[Annotated[str, AfterValidator(_domain)]] = []
    """允许的域名（含其子域名），例如 qq.com；内网和本机地址总是允许"""
    bare_domains: bool = False
    """只写了域名（没有 http://、www. 和路径）的也当链接；缺省不当（“官网 jgsjy.com”是在说话）"""


# 缺省值与发布的 config/policy.toml 相同：老的制度文件不写这几项也一样
DEFAULT_CODE_WORDS = [
    "订单",
    "单号",
    "那单",
    "这单",
    "该单",
    "下单",
    "退单",
    "编号",
    "批号",
    "批次",
    "溯源",
    "防伪",
    "流水",
    "交易号",
    "快递",
    "运单",
    "工单",
    "合同",
    "发票",
    "保单",
    "序列号",
    "条码",
    "货号",
    "代码",
    "会员",
    "券码",
    "兑换码",
    "激活码",
    "取件码",
    "验证码",
    "备案号",
]
DEFAULT_COMPANY_WORDS = ["对公", "公户", "基本户", "有限公司", "开票", "税号", "纳税人"]
DEFAULT_CARD_CONTEXT = [
    "卡号",
    "银行卡",
    "储蓄卡",
    "信用卡",
    "银行",
    "账号",
    "账户",
    "转账",
    "户名",
    "开户行",
    "收款",
    "汇款",
    "打款",
    "工行",
    "建行",
    "农行",
    "中行",
    "招行",
    "交行",
    "邮储",
]


class PrivacyRule(_FilterRuleBase):
    id_card: bool = True
    """18 位身份证号（出生日期和校验位正确）"""
    bank_card: bool = True
    """银行卡号（16–19 位，通过 Luhn 校验）"""
    phone: bool = True
    """别人的手机号（不是发消息的人自己名片上的）"""
    phone_action: FilterAction | None = None
    """别人的手机号用的动作；不写则同 action"""
    card_context: list[Word] = DEFAULT_CARD_CONTEXT
    """消息里有这些词时，银行卡号才按 action 自动处理；没有时至多交管理员审核"""
    company_words: list[Word] = DEFAULT_COMPANY_WORDS
    """消息里有这些词时，其中的账号是公司的对公账户（开票信息、收款账户），不当个人银行卡号"""
    code_words: list[Word] = DEFAULT_CODE_WORDS
    """号码前面 10 个字以内（或紧跟在后面）有这些词时，它是订单号、批号一类的编号，
    不是卡号、身份证号或手机号；这个词和号码之间写了“电话”“手机”的除外"""


class FloodRule(_FilterRuleBase):
    category: str = "口头警告"
    seconds: Annotated[int, Field(ge=1, le=3600)] = 60
    """统计的时间窗口（秒）"""
    messages: NonNegative = 0
    """窗口内超过这么多条即算刷屏；0 表示不按条数算"""
    identical: NonNegative = 0
    """窗口内相同内容达到这么多条即算刷屏；0 表示不按重复算"""


class FilterSection(_Section):
    review_group: NonNegative = 0
    """审核通知发到的管理群；0 表示私聊管理小组（org.admins，没有时私聊主席）"""
    report_bonus: NonNegative = 0
    """举报属实时给举报人的加分（每条被举报的消息只给一次）"""
    report_category: str = ""
    """举报确认时默认的警告类别；留空则确认时必须写类别"""
    rules: list[KeywordRule] = []
    links: LinkRule | None = None
    privacy: PrivacyRule | None = None
    flood: FloodRule | None = None


class LimitsSection(_Section):
    admin_max: Annotated[int, Field(ge=1)] = 50
    """管理员单次加/扣分上限"""
    chairman_max: Annotated[int, Field(ge=1)] = 2000
    """主席单次加/扣分上限"""

    @model_validator(mode="after")
    def _ordered(self) -> LimitsSection:
        if self.chairman_max < self.admin_max:
            raise ValueError("chairman_max 不能小于 admin_max")
        return self


class DutySection(_Section):
    members: list[QQ] = []
    """群管理员、统计员"""
    weekly_bonus: NonNegative = 5
    """每人每周加分"""
    weekday: Annotated[int, Field(ge=1, le=7)] = 1
    """每周几发上一周的值班加分（1 = 周一）"""
    time: ClockTime = "09:00"
    """发值班加分的时间"""


class LeaderboardSection(_Section):
    top: Annotated[int, Field(ge=1, le=100)] = 10
    """排行显示前几名"""
    post_day: Annotated[int, Field(ge=1, le=28)] = 1
    """次月几号公布"""
    post_time: ClockTime = "09:00"
    """公布时间"""
    bottom: Annotated[int, Field(ge=0, le=50)] = 5
    """排行帖里列出末尾几名（制度有奖也有罚）"""
    font: str = ""
    """排行图片用的中文字体文件；留空则用 fc-list :lang=zh 找到的第一个"""
    hr: list[QQ] = []
    """人事：月榜公布后，机器人把那个月的导出表私聊发给这些人（每月一次）"""
    hr_group: Annotated[int, Field(ge=0)] = 0
    """不为 0 时，导出表同时传到这个群的群文件"""
    bottom_title: Annotated[str, Field(min_length=1, max_length=30)] = "下月加油："
    """排行帖里末尾几名上面的那一行（全员都看得到：措辞请客气些）"""
    exclude: list[QQ] = []
    """不排名、不提醒分享的人（如不参加评比的领导）：照常记账，只是不上榜、不进末尾、不被 @"""
    exclude_chairmen: bool = False
    """true：org.chairmen 里的人也不排名、不提醒分享"""

    def excluded(self, chairmen: list[int]) -> frozenset[int]:
        """不排名、不提醒分享的人（`exclude`，`exclude_chairmen` 时加上主席）"""
        return frozenset(self.exclude) | frozenset(chairmen if self.exclude_chairmen else ())

    @property
    def post_at(self) -> time:
        """`post_time` 的钟点：比较钟点用它，不按文字比（不缓存：`model_copy` 会连缓存一起复制）"""
        return parse_clock(self.post_time)


class RosterSection(_Section):
    file: str = ""
    """人事名单 CSV（姓名,手机,部门，可选 QQ、状态）；留空表示不用名单"""
    absent_days: Annotated[int, Field(ge=1)] = 3
    """名单上的人多少天仍未进群就扣“未进群”的分；再过这么多天通知主席"""


def _ack_word(value: str) -> str:
    if not unicodedata.normalize("NFKC", value).strip():
        raise ValueError("确认用语不能是空的")
    return value


class NoticesSection(_Section):
    ack_minutes: Annotated[int, Field(ge=1, le=1440)] = 30
    """通知发出后多少分钟内要确认（制度第 11 条：30 分钟）"""
    ack_words: Annotated[list[Annotated[str, AfterValidator(_ack_word)]], Field(min_length=1)] = [
        "收到",
        "执行",
        "马上执行",
        "好的",
        "明白",
    ]
    """算作确认的回复（整条消息，或消息开头）"""
    penalty: NonNegative = 0
    """截止时仍未确认的，每人每条通知扣几分；0 表示不扣（制度的罚款以元计，由人事定）"""
    remind_max: Annotated[int, Field(ge=1, le=500)] = 30
    """截止时在群里最多 @ 几个人；更多的只报人数，完整名单私聊给通知人"""
    post_as_group_notice: bool = False
    """同时发一条 QQ 群公告（要求确认）；机器人须是群管理员。谁确认以群里那条消息为准"""


class AppealsSection(_Section):
    appeal_days: Annotated[int, Field(ge=1, le=62)] = 7
    """记录写下后几天内可以 /申诉（且那个月还没冻结）"""


def _claim_points(value: int | list[int]) -> int | list[int]:
    if isinstance(value, int):
        if value < 1:
            raise ValueError("申报项目的分数应为正整数")
        return value
    if len(value) != 2 or not 0 < value[0] <= value[1]:
        raise ValueError("范围应写作 [下限, 上限]，0 < 下限 ≤ 上限")
    return value


class ClaimItem(_Section):
    points: Annotated[int | list[int], AfterValidator(_claim_points)]
    """确认时加的分；[下限, 上限] 时由确认的管理员在范围内定"""
    per_day: Annotated[int, Field(ge=1, le=20)] = 1
    """每人每天最多申报几次"""

    @property
    def fixed(self) -> int | None:
        return self.points if isinstance(self.points, int) else None


def _claim_item(value: Any) -> Any:
    """`"客户表扬" = 5` 和 `"客户表扬" = [1, 10]` 是 `{ points = … }` 的简写。"""
    if isinstance(value, (int, list)):
        return {"points": value}
    return value


class RepostSection(_Section):
    points: Annotated[int, Field(ge=1, le=100)] = 2
    """每次及时转发并保持的奖励（制度：2 分/次）"""
    claim_days: Annotated[int, Field(ge=1, le=30)] = 2
    """推广开出后几天内可以申报已转发（制度：发布之日起两日内）"""
    keep_days: Annotated[int, Field(ge=0, le=30)] = 2
    """申报截止后再过几天交管理员审核（制度：保持两天以上）"""


def _item_name(name: str) -> str:
    # /申报 后面只取一个词当项目名：名字里有空格的项目谁也报不了
    if any(char.isspace() for char in name):
        raise ValueError(f"申报项目「{name}」的名字里不能有空格（/申报 后面只取一个词）")
    return name


class ClaimsSection(_Section):
    items: dict[
        Annotated[str, Field(min_length=1, max_length=24), AfterValidator(_item_name)],
        Annotated[ClaimItem, BeforeValidator(_claim_item)],
    ] = {}
    """可以 /申报 的项目：名称 = 分数、[下限, 上限]，或 { points = …, per_day = … }"""
    repost: RepostSection | None = None
    """转发推广（/推广、/已转发）；没有这一节就不启用"""


class LeaveSection(_Section):
    max_days: Annotated[int, Field(ge=1, le=366)] = 30
    """一次请假最多几天（含首尾两天）"""
    self_request: bool = True
    """成员可以 /请假 为自己申请，交管理员 /确认 或 /驳回"""
    leave_counts_for_streak: bool = False
    """false：请假、节假日既不打断也不计入连续分享天数；true：算作分享了的日子"""


def _holiday_day(value: Any) -> date:
    # TOML 里不加引号的 2026-10-01 已经是 date；带钟点的（datetime 也是 date）不算
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip(), re.ASCII):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f'{value!r} 不是日期，应写作 "2026-10-01"')


def _holidays(value: Any) -> Any:
    """`"2026-10-01"` 是一天，`["2026-10-01", "2026-10-07"]` 是首尾两天都算的一段。"""
    if not isinstance(value, list):
        raise ValueError('应为列表，如 ["2026-10-01", ["2026-10-01", "2026-10-07"]]')
    spans = []
    for number, item in enumerate(value, start=1):
        try:
            if isinstance(item, list):
                if len(item) != 2:
                    raise ValueError("一段假期写作 [开始, 结束]")
                start, end = _holiday_day(item[0]), _holiday_day(item[1])
                if end < start:
                    raise ValueError("结束日期早于开始日期")
                if (end - start).days > 366:
                    raise ValueError("一段假期不能超过一年")
            else:
                start = end = _holiday_day(item)
        except ValueError as exc:
            raise ValueError(f"第 {number} 项：{exc}") from None
        spans.append((start, end))
    return tuple(spans)


class CalendarSection(_Section):
    holidays: Annotated[tuple[tuple[date, date], ...], BeforeValidator(_holidays)] = ()
    """全组织的节假日：一天写 "2026-10-01"，一段写 ["2026-10-01", "2026-10-07"]；这些天算全员请假"""


class Policy(_Section):
    org: OrgSection
    groups: GroupsSection = GroupsSection()
    nickname: NicknameSection
    share: ShareSection = ShareSection()
    warnings: WarningsSection = WarningsSection()
    limits: LimitsSection = LimitsSection()
    duty: DutySection = DutySection()
    leaderboard: LeaderboardSection = LeaderboardSection()
    roster: RosterSection = RosterSection()
    filter: FilterSection = FilterSection()
    notices: NoticesSection | None = None
    """要大家确认的通知（/通知）；没有这一节就不启用"""
    appeals: AppealsSection = AppealsSection()
    claims: ClaimsSection = ClaimsSection()
    leave: LeaveSection = LeaveSection()
    calendar: CalendarSection = CalendarSection()

    @property
    def id(self) -> str:
        return self.org.id

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.org.timezone)

    @property
    def announce_group(self) -> int | None:
        if self.groups.announce:
            return self.groups.announce
        return self.groups.share[0] if self.groups.share else None

    @property
    def all_groups(self) -> list[int]:
        seen = dict.fromkeys([*self.groups.work, *self.groups.share])
        if self.announce_group:
            seen.setdefault(self.announce_group)
        return list(seen)


_MESSAGES = {
    "missing": "缺少此项",
    "extra_forbidden": "未知的键（拼写错误？）",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数（不能带小数）",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "string_type": "应为字符串（用引号括起来）",
    "list_type": "应为列表（[…]）",
    "dict_type": "应为表（[段落]）",
    "model_type": "应为表（[段落]）",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than_equal": "应不大于 {le}",
    "string_pattern_mismatch": "格式不对",
    "string_too_short": "不能为空",
    "string_too_long": "最多 {max_length} 个字",
    "too_long": "最多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
    "bool_type": "应为 true 或 false（不加引号）",
    "bool_parsing": "应为 true 或 false（不加引号）",
    "date_type": "应为日期，写作 2026-10-01",
    "date_parsing": "应为日期，写作 2026-10-01",
    "date_from_datetime_parsing": "应为日期，写作 2026-10-01",
    "date_from_datetime_inexact": "应为日期，写作 2026-10-01（不带钟点）",
    "time_type": "应为时刻，写作 09:00",
    "time_parsing": "应为时刻，写作 09:00",
}
OTHER_PROBLEM = "值不合要求"
"""pydantic 的英文说明不给运维看：没有翻译的错误类型只说值不对，后面照样写出现在的值"""


def _where(loc: tuple[Any, ...]) -> str:
    """TOML 键的位置：`org.admins 第 1 个`。列表的位置从 1 数起（pydantic 从 0）。"""
    key = ""
    for part in loc:
        if _is_union_branch(part):
            continue
        if isinstance(part, int):
            key += f" 第 {part + 1} 个"
        else:
            key += f".{part}" if key else str(part)
    return key or "（整个文件）"


def _describe(error: dict[str, Any]) -> tuple[str, str, str]:
    """（键，问题，现在的值）"""
    loc = [part for part in error["loc"] if not _is_union_branch(part)]
    key = _where(error["loc"])
    kind = error["type"]
    value = error.get("input")
    shown = "" if kind == "missing" or isinstance(value, dict) else f"（现在是 {value!r}）"
    if kind == "extra_forbidden" and loc[:1] == ["groups"]:
        return key, f"未知的群用途，应为 {'、'.join(GROUP_ROLES)} 之一", ""
    if kind == "value_error":
        text = str(error["ctx"]["error"])
    else:
        text = _MESSAGES.get(kind, OTHER_PROBLEM).format(**error.get("ctx", {}))
    return key, text, shown


def _problems(errors: list[dict[str, Any]]) -> list[str]:
    """每个键一行：联合类型（如 `5` 或 `[1, 10]`）的几个分支各报一次错，合成“…，或…”。"""
    found: dict[str, tuple[list[str], str]] = {}
    for error in errors:
        key, text, shown = _describe(error)
        texts, _ = found.setdefault(key, ([], shown))
        if text not in texts:
            texts.append(text)
    return [f"{key}：{'，或'.join(texts)}{shown}" for key, (texts, shown) in found.items()]


def _is_union_branch(part: Any) -> bool:
    # pydantic 在联合类型的错误位置里插入分支名（如 "int"、"list[int]"），对运维没有意义
    return isinstance(part, str) and (part in ("int", "list[int]") or "function-after" in part)


def _filter_problems(policy: Policy) -> list[str]:
    """过滤规则引用的警告类别必须存在；自动警告不能用要主席定数额的范围类别。"""
    categories = policy.warnings.categories
    problems = []
    named: list[tuple[str, _FilterRuleBase]] = [
        (_where(("filter", "rules", i)), rule) for i, rule in enumerate(policy.filter.rules)
    ]
    named += [
        (f"filter.{key}", rule)
        for key in ("links", "privacy", "flood")
        if (rule := getattr(policy.filter, key)) is not None
    ]
    for key, rule in named:
        value = categories.get(rule.category)
        actions = [("action", rule.action)]
        if isinstance(rule, PrivacyRule) and rule.phone_action:
            actions.append(("phone_action", rule.phone_action))
        if value is None:
            problems.append(f"{key}.category：类别 {rule.category!r} 不在 warnings.categories 里")
            continue
        for field, action in actions:
            if isinstance(value, list) and action in ("warn", "recall"):
                problems.append(
                    f"{key}.{field}：类别 {rule.category!r} 的分值是范围，须由主席定数额，"
                    "只能用 review 或 shadow"
                )
    for i, rule in enumerate(policy.filter.rules):
        where = _where(("filter", "rules", i))
        problems += [f"{where}.{problem}" for problem in _keyword_rule_problems(rule)]
    report = policy.filter.report_category
    if report and report not in categories:
        problems.append(f"filter.report_category：类别 {report!r} 不在 warnings.categories 里")
    names = [rule.name for rule in policy.filter.rules]
    if len(set(names)) != len(names):
        problems.append("filter.rules：规则名 name 不能重复")
    return problems


EMPTY_PROBES = ("", "x", "今天开会", "ab12")
"""挤紧后的几种文字：空的、ASCII、汉字、字母数字混排（\b 这类只在字母旁边匹配空串的也试得出来）"""


def _keyword_rule_problems(rule: KeywordRule) -> list[str]:
    """关键词规则的各个键彼此要配套。比对前文字会去掉空格、标点和表情，关键词也一样：只剩标点的词永远不会命中。"""
    from .content_filter import squeeze  # 比对与校验用同一个“挤紧”

    problems = []
    if not (rule.keywords or rule.patterns or rule.topics):
        problems.append("keywords：keywords、patterns、topics 至少写一个")
    if rule.topics and not rule.calls:
        problems.append("calls：写了 topics（话题词）就要写 calls（招揽词，如 加v、私聊）")
    if rule.calls and not rule.topics:
        problems.append("topics：写了 calls（招揽词）就要写 topics（和它一起出现才算的话题词）")
    topics = {squeeze(word) for word in rule.topics}
    for j, word in enumerate(rule.calls):
        if squeeze(word) in topics:
            problems.append(
                f"{_where(('calls', j))}：{word!r} 也在 topics 里，单独出现就会命中；要单独算就写进 keywords"
            )
    for j, pattern in enumerate(rule.patterns):
        # 比对用 search：在第一个位置就匹配上空字符串的正则，每条消息都算命中（整个群进审核）
        regex = compile_linear(pattern, ignore_case=True, capture=False)
        if any(found.group(0) == "" for found in map(regex.search, EMPTY_PROBES) if found):
            problems.append(
                f"{_where(('patterns', j))}：{pattern!r} 能匹配空字符串，每条消息都会命中"
            )
    for key in ("keywords", "topics", "calls", "unless"):
        for j, word in enumerate(getattr(rule, key)):
            if not squeeze(word):
                problems.append(
                    f"{_where((key, j))}：{word!r} 去掉空格、标点和符号后什么也不剩，永远不会命中"
                )
    return problems


def _month_close_problems(policy: Policy) -> list[str]:
    """月底结算（同时冻结上月）不能早于上月最后一天的分享还能到来的时刻，否则那段时间里的分享
    哪个月都不算。"""
    board, grace = policy.leaderboard, policy.share.grace_until
    if board.post_day != 1 or board.post_at >= parse_clock(grace):
        return []
    return [
        f"leaderboard.post_time：1 日 {board.post_time} 公布就会结算上月，早于分享宽限截止 "
        f"share.grace_until（{grace}）：上月最后一天的分享还没到齐。"
        f"请把 post_time 设为 {grace} 或更晚，或把 post_day 改为 2 及以后"
    ]


def _hr_group_problems(policy: Policy) -> list[str]:
    """积分表里有全员的 QQ 号和每条记录（所以 /导出 只私聊发）：不能传到全员都在的群的群文件。"""
    group = policy.leaderboard.hr_group
    if not group or group not in policy.all_groups:
        return []
    return [
        f"leaderboard.hr_group：群 {group} 是本组织的公司群或分享群，人人都看得到群文件；"
        "积分表里有全员的记录，只能传到人事自己的群"
    ]


def parse_policy(data: dict[str, Any], source: str) -> Policy:
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        problems = [f"{source}: {problem}" for problem in _problems(exc.errors())]
        raise PolicyError(sorted(problems)) from None
    if problems := (
        _filter_problems(policy) + _month_close_problems(policy) + _hr_group_problems(policy)
    ):
        raise PolicyError([f"{source}: {problem}" for problem in problems])
    return policy


def _read_file(path: Path) -> Policy:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyError([f"{path}: 无法读取（{exc.strerror}）"]) from None
    try:
        # Windows 记事本存“UTF-8”时会在开头加 BOM：照样接受
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PolicyError([f"{path}: {_encoding_problem(raw, exc)}"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError([f"{path}: 不是有效的 TOML（{exc}）"]) from None
    return parse_policy(data, str(path))


def _encoding_problem(raw: bytes, exc: UnicodeDecodeError) -> str:
    """运维多半用记事本或 WPS 编辑：告诉他哪一行起不是 UTF-8、像是什么编码、怎么改。"""
    line = raw[: exc.start].count(b"\n") + 1
    guess = ""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        guess = "，可能是 UTF-16（记事本的“Unicode”）"
    else:
        try:
            raw.decode("gbk")
            guess = "，可能是 GBK"
        except UnicodeDecodeError:
            pass
    return f"不是 UTF-8 编码（第 {line} 行起{guess}）：请用 UTF-8 保存"


@dataclass(frozen=True)
class Policies:
    """所有已加载的组织，按组织标识和群号查找。"""

    orgs: dict[str, Policy]
    by_group: dict[int, Policy]
    source: Path

    def org_of_group(self, group_id: int) -> Policy | None:
        return self.by_group.get(group_id)

    def orgs_of_user(self, user_id: int) -> list[Policy]:
        return [
            p
            for p in self.orgs.values()
            if user_id in p.org.admins or user_id in p.org.chairmen or user_id in p.duty.members
        ]


def load_policies(path: Path) -> Policies:
    """读取文件或文件夹；有任何问题时抛出 PolicyError，列出全部问题。"""
    if path.is_dir():
        files = sorted(path.glob("*.toml"))
        if not files:
            raise PolicyError([f"{path}: 文件夹里没有 .toml 制度文件"])
    elif path.exists():
        files = [path]
    else:
        raise PolicyError([f"{path}: 制度文件不存在（QUNGUI_POLICY_FILE）"])

    problems: list[str] = []
    orgs: dict[str, Policy] = {}
    by_group: dict[int, Policy] = {}
    source_of: dict[str, Path] = {}
    for file in files:
        try:
            policy = _read_file(file)
        except PolicyError as exc:
            problems.extend(exc.problems)
            continue
        if policy.roster.file and not Path(policy.roster.file).is_file():
            problems.append(f"{file}: roster.file：名单文件 {policy.roster.file} 不存在")
        if policy.id in orgs:
            problems.append(f"{file}: org.id：组织标识 {policy.id!r} 已在另一个文件里使用")
            continue
        orgs[policy.id] = policy
        source_of[policy.id] = file
        for group_id in policy.all_groups:
            owner = by_group.setdefault(group_id, policy)
            if owner is not policy:
                problems.append(
                    f"{file}: groups：群 {group_id} 已属于组织 {owner.id!r}，一个群只能属于一个组织"
                )
    for policy in orgs.values():
        owner = by_group.get(policy.leaderboard.hr_group)
        if owner is not None and owner is not policy:
            problems.append(
                f"{source_of[policy.id]}: leaderboard.hr_group：群 {policy.leaderboard.hr_group} "
                f"属于组织 {owner.id!r}，积分表里有本组织全员的记录，只能传到人事自己的群"
            )
    if problems:
        raise PolicyError(problems)
    return Policies(orgs=orgs, by_group=by_group, source=path)
