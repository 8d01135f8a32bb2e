"""命令参数：每个命令登记时声明一次（`router.command(..., args=(...))`），解析和用法文字都从这份声明来。

解析只在找到命令之后、处理函数之前做（docs/design.md 不变量 9：普通聊天不为它付出任何代价）。
@ 不论写在哪儿都按先后交给要成员的参数（和 QQ 里 @ 的习惯一致）；其余按空白分词，依次交给各个参数。
写法不对抛 `UsageError`（回复用法）；写法对了、但不能这样做的（超过单次上限、月份还没到）在全部参数
解析完之后才检查，抛 `Refusal`：先说写法，再说能不能做。
"""

from __future__ import annotations

import inspect
import re
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from nonebot.adapters.onebot.v11 import Message

from qungui import leave, members
from qungui.dates import parse_month
from qungui.roles import cap_for, written_number
from qungui.warning_cases import split_amount

from . import replies
from .record_ids import CAMPAIGN, ENTRY, NOTICE, REVIEW, record_id
from .refusals import Refusal, UsageError

if TYPE_CHECKING:
    from .router import CommandContext

QQ_NUMBER = re.compile(r"[1-9]\d{4,11}")
"""直接写的 QQ 号（5 到 12 位）：@ 不方便时（私聊里）也能指名"""

DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
"""`YYYY-MM-DD`（NFKC 之后）"""

MISSING: Any = object()


class Tokens:
    """一条命令的参数：纯文字按空白切成的词（记着各自在原文里的位置），和 @ 的人。"""

    def __init__(self, args: Message) -> None:
        self.text = args.extract_plain_text()
        self.spans = [(m.group(), m.start()) for m in re.finditer(r"\S+", self.text)]
        self.next = 0
        self.mentions = [
            int(seg.data["qq"])
            for seg in args
            if seg.type == "at" and str(seg.data.get("qq", "")).isdigit()
        ]
        self.leading_mentions = 0
        """写在所有文字之前的 @ 有几个（`Person(leading=True)` 只认它们）"""
        for seg in args:
            if seg.type == "text" and seg.data["text"].strip():
                break
            if seg.type == "at" and str(seg.data.get("qq", "")).isdigit():
                self.leading_mentions += 1

    def peek(self) -> str | None:
        return self.spans[self.next][0] if self.next < len(self.spans) else None

    def pop(self) -> str:
        word = self.spans[self.next][0]
        self.next += 1
        return word

    def rest_words(self) -> list[str]:
        words = [word for word, _ in self.spans[self.next :]]
        self.next = len(self.spans)
        return words

    def rest_text(self) -> str:
        """余下的原文（保留换行和空格）。"""
        if self.next >= len(self.spans):
            return ""
        start = self.spans[self.next][1]
        self.next = len(self.spans)
        return self.text[start:].strip()


class Params(dict[str, Any]):
    """解析好的参数：`ctx.params.month`。省略了的可选参数是 None（或声明的缺省值）。"""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None


@dataclass(frozen=True)
class Part:
    """一个参数。`label` 是用法里的写法；可选的用法里加方括号。"""

    key: str
    label: str
    optional: bool = False
    mentions: bool = False
    """命令里多出来的 @ 算这个参数的一部分（自由文字里的 @），不算多 @ 了人"""

    def render(self) -> str:
        return f"[{self.label}]" if self.optional else self.label

    def take(self, tokens: Tokens, ctx: CommandContext, got: Params) -> Any:
        """取走自己的那部分并返回值；可选参数没写时返回 MISSING。写法不对抛 UsageError。"""
        raise NotImplementedError

    def check(self, value: Any, ctx: CommandContext) -> None:
        """全部参数都解析完之后：写法对了、但不能这样做时抛 Refusal。"""

    def default(self, ctx: CommandContext) -> Any:
        return None

    def _missing(self, reason: str = "") -> Any:
        if self.optional:
            return MISSING
        raise UsageError(reason)


@dataclass(frozen=True)
class Person(Part):
    """一位成员：@ 他，或直接写在本组织的群里的人的 QQ 号（写错一位的号码、手机号不会被当成一个人）。
    `or_reply`：命令回复了一条消息时可以不写（说的是那条消息的人）。"""

    key: str = "member"
    label: str = "@某人"
    bad: str = replies.ONE_MEMBER
    """没写或多写了人时的说明"""
    or_reply: bool = False
    leading: bool = False
    """只认写在最前面的 @：后面跟着自由文字时，文字里 @ 到的人（“工作交给 @李四”）不是这个参数"""

    async def take(self, tokens: Tokens, ctx: CommandContext, got: Params) -> Any:
        if self.leading:
            if tokens.next == 0 and tokens.leading_mentions:
                if tokens.leading_mentions > 1:
                    raise UsageError(self.bad)
                tokens.leading_mentions = 0
                return tokens.mentions.pop(0)
        elif tokens.mentions:
            return tokens.mentions.pop(0)
        word = tokens.peek()
        if (
            word is not None
            and QQ_NUMBER.fullmatch(word)
            and ctx.policy.id in await members.orgs_seen(int(word))
        ):
            return int(tokens.pop())
        if self.or_reply and getattr(ctx.event, "reply", None) is not None:
            return MISSING
        return self._missing(self.bad)


@dataclass(frozen=True)
class Mentions(Part):
    """@ 的所有人（可以没有）。"""

    key: str = "mentions"
    label: str = "@某人…"
    optional: bool = True

    def take(self, tokens: Tokens, ctx: CommandContext, got: Params) -> Any:
        found = list(tokens.mentions)
        tokens.mentions.clear()
        return found

    def default(self, ctx: CommandContext) -> Any:
        return []


@dataclass(frozen=True)
class Points(Part):
    """正整数的分数，不超过操作人这个角色的单次上限（`qungui.roles.cap_for`）。"""

    key: str = "amount"
    label: str = "分数"
    over_cap: str = ""
    """超过上限时的回复，可用 {role} {cap}"""

    def take(self, tokens: Tokens, ctx: CommandContext, got: Params) -> Any:
        word = tokens.peek()
        amount = written_number(word) if word is not None else None
        if not amount:
            raise UsageError(replies.BAD_POINTS)
        tokens.pop()
        return amount

    def check(self, value: Any, ctx: CommandContext) -> None:
        cap = cap_for(ctx.policy, ctx.role)
        if self.over_cap and value is not None and value > cap:
            raise Refusal(self.over_cap.format(role=ctx.role.label, cap=cap))


@dataclass(frozen=True)
class Count(Part):
    """一个在范围内的整数（如天数）。"""

    low: int = 1
    high: int = 365
    fallback: int | None = None
    out_of_range: str = ""

    def take(self, tokens: Tokens, ctx: CommandContext, got: Params) -> Any:
        word = tokens.peek()
        if word is None:
            return self._missing()
        value = written_number(tokens.pop())
        if value is None:
            raise UsageError()
        if not self.low <= value <= self.high:
            raise UsageError(self.out_of_range)
        return value

    def default(self, ctx: CommandContext) -> Any:
        return self.fallback


@dataclass(frozen=True)
class Month(Part):
    """`YYYY-MM` 月份，不晚于本月（事件所在的营业日的月份）：还没到的月份什么也查不到，
    与其回一句“没有记录”让人以为数据丢了，不如直说还没到。省略时是 `fallback(ctx)`，缺省本月。"""

    key: str = "month"
    label: str = "YYYY-MM"
    optional: bool = True
    fallback: Callable[[CommandContext], str] | None = None

    def take(self, tokens: Tokens, ctx: CommandContext, got: Params) -> Any:
        word = tokens.peek()
        if word is None:
            return self._missing(replies.BAD_MONTH)
        month = parse_month(tokens.pop())
        if month is None:
            raise UsageError(replies.BAD_MONTH)
        return month

    def check(self, value: Any, ctx: CommandContext) -> None:
        if value > ctx.month:
            raise Refusal(replies.FUTURE_MONTH.format(month=value))

    def default(self, ctx: CommandContext) -> Any:
        return self.fallback(ctx) if self.fallback else ctx.month


@dataclass(frozen=True)
class Day(Part):
    """`YYYY-MM-DD` 日期。哪些日子可以用是命令自己的规则，不在这里。"""

    key: str = "day"
    label: str = "YYYY-MM-DD"
    bad: str = replies.BAD_DAY

    def take(self, tokens: Tokens, ctx: CommandContext, got: Params) -> Any:
        word = tokens.peek()
        if word is None:
            return self._missing()
        # 全角数字、全角横线（中文输入法）和月份一样认；fromisoformat 还认 20261105、2026-W45-4，用法不是那样写的
        written = unicodedata.normalize("NFKC", word)
        if not DAY.fullmatch(written):
            raise UsageError(self.bad)
        try:
            value = date.fromisoformat(written)
        except ValueError:
            raise UsageError(self.bad) from None
        tokens.pop()
        return value


@dataclass(frozen=True)
class LeaveDay(Part):
    """请假的日期：`YYYY-MM-DD` 或 `MM-DD`。`after` 是前面哪个参数写了第一天：这一个是最后一天，
    `MM-DD` 取那天当天或以后最早的（跨年）；否则是第一天，`MM-DD` 取离今天最近的一年（qungui.leave）。
    可选的只在写的正是日期时取走那个词（不然是事由的开头）。"""

    key: str = "first"
    label: str = "开始"
    after: str = ""
    bad: str = replies.BAD_LEAVE_DAY

    def take(self, tokens: Tokens, ctx: CommandContext, got: Params) -> Any:
        word = tokens.peek()
        if word is None:
            return self._missing(self.bad)
        if self.after:
            value = leave.parse_last_day(word, got[self.after])
        else:
            value = leave.parse_first_day(word, ctx.today)
        if value is None:
            return self._missing(self.bad)
        tokens.pop()
        return value


@dataclass(frozen=True)
class RecordId(Part):
    """记录编号：账本的 `#12`（# 可省）、审核的 `审17`、请假的 `假5`、通知的 `3`（record_ids.py）。
    `others`：除了 `form` 还认的几种编号（`/撤销` 也认 `假5`），值是 `OtherId`。"""

    form: re.Pattern[str] = ENTRY
    bad: str = ""
    others: tuple[re.Pattern[str], ...] = ()

    def take(self, tokens: Tokens, ctx: CommandContext, got: Params) -> Any:
        if tokens.peek() is None:
            return self._missing()
        word = tokens.pop()
        for other in self.others:
            if other.fullmatch(unicodedata.normalize("NFKC", word)):
                return OtherId(other, record_id(word, other, self.bad))
        return record_id(word, self.form, self.bad)


@dataclass(frozen=True)
class OtherId:
    """`RecordId.others` 里的一种编号：哪种写法（record_ids.py 的常量）和编号。"""

    form: re.Pattern[str]
    number: int


def entry_id(optional: bool = False, others: tuple[re.Pattern[str], ...] = ()) -> RecordId:
    return RecordId(
        "entry_id", "编号", optional, form=ENTRY, bad=replies.BAD_ENTRY_ID, others=others
    )


def review_id() -> RecordId:
    return RecordId("review_id", "审N", form=REVIEW, bad=replies.REVIEW_ID)


def notice_id(optional: bool = False) -> RecordId:
    return RecordId("notice_id", "编号", optional, form=NOTICE)


def campaign_id() -> RecordId:
    return RecordId("campaign_id", "推N", form=CAMPAIGN, bad=replies.CAMPAIGN_ID)


class CampaignNumber(int):
    """`/确认 推3` 里的推广编号：和审核编号共用 /确认 的第一个参数，用类型分开。"""


@dataclass(frozen=True)
class ReviewOrCampaign(RecordId):
    """`审17`，或 `推3`（一次确认这次推广全部待审的申报，值是 `CampaignNumber`）。用法里只写 审N：
    推N 由推广到期时给管理员的消息说明，写进 /确认 的用法反而让确认违规的人多想一层。"""

    def take(self, tokens: Tokens, ctx: CommandContext, got: Params) -> Any:
        word = tokens.peek()
        if word is not None and CAMPAIGN.fullmatch(unicodedata.normalize("NFKC", word)):
            return CampaignNumber(record_id(tokens.pop(), CAMPAIGN, replies.CAMPAIGN_ID))
        return super().take(tokens, ctx, got)


def review_or_campaign_id() -> ReviewOrCampaign:
    return ReviewOrCampaign("review_id", "审N", form=REVIEW, bad=replies.REVIEW_ID)


@dataclass(frozen=True)
class Category(Part):
    """制度 `[warnings.categories]` 里的一个类别。可选的类别只在写的正是某个类别时取走那个词。"""

    key: str = "category"
    label: str = "类别"
    unknown: str = replies.UNKNOWN_CATEGORY
    """不是类别时的回复（可用 {choices}）：直接列出可用的类别，比用法有用"""

    def take(self, tokens: Tokens, ctx: CommandContext, got: Params) -> Any:
        word = tokens.peek()
        if word is not None and (word in ctx.policy.warnings.categories or not self.optional):
            return tokens.pop()
        return self._missing()

    def check(self, value: Any, ctx: CommandContext) -> None:
        categories = ctx.policy.warnings.categories
        if value not in categories:
            raise Refusal(self.unknown.format(choices="、".join(categories)))


CategoryOf = Callable[["CommandContext", Params], Awaitable[Any]]

SCORE: Any = object()
"""`Amount` 的 `fallback` 返回它：说的不是警告，而是申报（plugins/claims），数字就是确认时定的分数"""


@dataclass(frozen=True)
class Amount(Part):
    """类别后面的数额。哪些类别收数额是制度的规则（`warning_cases.split_amount`：范围类别收，
    固定分值的类别后面的数字是理由的一部分）。`of` 是前面哪个参数写了类别；没写类别时
    `fallback` 说是哪个类别（`/确认 审N` 用命中的那条规则的类别，要查库，所以只在真有数字时才查）；
    它返回 `SCORE` 时数字就是数额（申报确认时的分数，对不对由申报的规则判断）。"""

    key: str = "amount"
    label: str = "数额"
    optional: bool = True
    of: str = "category"
    fallback: CategoryOf | None = None

    async def take(self, tokens: Tokens, ctx: CommandContext, got: Params) -> Any:
        word = tokens.peek()
        if word is None or written_number(word) is None:
            return MISSING
        category = got.get(self.of)
        if category is None and self.fallback is not None:
            category = await self.fallback(ctx, got)
        if category is SCORE:
            tokens.pop()
            return written_number(word)
        amount, _ = split_amount(ctx.policy, category, [word])
        if amount is None:
            return MISSING
        tokens.pop()
        return amount


@dataclass(frozen=True)
class Word(Part):
    """一个词（名片的姓名、电话）：对不对由命令自己的规则判断。"""

    def take(self, tokens: Tokens, ctx: CommandContext, got: Params) -> Any:
        if tokens.peek() is None:
            return self._missing()
        return tokens.pop()


@dataclass(frozen=True)
class Choice(Part):
    """几个固定的词之一（`/名单 重载`、`/今日分享 提醒`）。"""

    choices: tuple[str, ...] = ()

    def render(self) -> str:
        return f"[{'|'.join(self.choices)}]" if self.optional else "|".join(self.choices)

    def take(self, tokens: Tokens, ctx: CommandContext, got: Params) -> Any:
        word = tokens.peek()
        if word in self.choices:
            return tokens.pop()
        return self._missing()


@dataclass(frozen=True)
class Reason(Part):
    """余下的文字：词与词之间一个空格（理由写进账本，不留多余的空白）。"""

    key: str = "reason"
    label: str = "理由"

    def take(self, tokens: Tokens, ctx: CommandContext, got: Params) -> Any:
        words = tokens.rest_words()
        if not words:
            return self._missing(replies.NO_REASON)
        return " ".join(words)

    def default(self, ctx: CommandContext) -> Any:
        return ""


@dataclass(frozen=True)
class Text(Part):
    """余下的原文，保留换行（通知的正文、要试的一段文字）。"""

    key: str = "text"
    label: str = "内容"
    empty: str = ""
    mentions: bool = True

    def take(self, tokens: Tokens, ctx: CommandContext, got: Params) -> Any:
        text = tokens.rest_text()
        if not text:
            return self._missing(self.empty)
        return text


@dataclass(frozen=True)
class Signature:
    """一个命令的全部参数。"""

    parts: Sequence[Part] = field(default_factory=tuple)

    def usage(self, name: str) -> str:
        """`/名单 重载|未进群` 这样的必选词拆成几种写法：`/名单 重载 或 /名单 未进群`。"""
        choice = next((p for p in self.parts if isinstance(p, Choice) and not p.optional), None)
        if choice is None:
            return _line(name, [p.render() for p in self.parts])
        return " 或 ".join(
            _line(name, [c if p is choice else p.render() for p in self.parts])
            for c in choice.choices
        )

    async def parse(self, args: Message, ctx: CommandContext) -> Params:
        tokens = Tokens(args)
        got = Params()
        for part in self.parts:
            value = part.take(tokens, ctx, got)
            if inspect.isawaitable(value):
                value = await value
            got[part.key] = part.default(ctx) if value is MISSING else value
        if tokens.peek() is not None:
            raise UsageError()
        if tokens.mentions and not any(p.mentions for p in self.parts):
            member = next((p for p in self.parts if isinstance(p, Person)), None)
            raise UsageError(member.bad if member else "")
        for part in self.parts:
            if got[part.key] is not None:
                part.check(got[part.key], ctx)
        return got


def _line(name: str, rendered: list[str]) -> str:
    return " ".join([f"/{name}", *rendered])
