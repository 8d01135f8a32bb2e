"""内容过滤：关键词与正则、链接白名单、隐私号码、刷屏。纯函数，不碰数据库和 NoneBot。

每条工作群、分享群的消息（命令也算）都要过一遍（DESIGN.md 不变量 9），所以规则在制度加载后编译一次，
扫描只做几次正则搜索；没有数字就不找号码，没有点号就不找链接。

任何输入上都必须是线性时间：一条两万多字的构造消息不能把事件循环卡住（心跳超时就掉线）。
关键词、运维的正则和链接用 RE2 编译（linear_regex.py）；号码的几个正则要用环视，留在 re 里，
它们的每个重复都有上限、没有嵌套的无界重复，每个起点最多试几十步，所以同样是线性的。
"""

from __future__ import annotations

import re
import unicodedata
from collections import deque
from dataclasses import dataclass
from datetime import date
from operator import mul

from .linear_regex import Pattern, compile_linear, escape
from .outgoing import SEPARATOR, ascii_digits
from .policy import Policy

LINK_RULE, PRIVACY_RULE, FLOOD_RULE, REPORT_RULE = "链接", "隐私", "刷屏", "举报"


@dataclass(frozen=True)
class Hit:
    rule: str
    category: str
    action: str
    excerpt: str
    """命中的那一段（隐私号码已打码）"""


# 显示不出来的字符（Unicode 的 Default_Ignorable_Code_Point：零宽空格、零宽连接符、软连字符、
# 字词连接符、变体选择符、韩文填充符……）：夹在“赌博”中间，群里看着照样是“赌博”
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


def visible(text: str) -> str:
    """去掉显示不出来的字符：过滤和分享查重看的是群里看得见的字。"""
    return _INVISIBLE.sub("", text)


def normalise(text: str) -> str:
    """去掉看不见的字符、全角转半角、统一大小写：关键词“ＶＸ”“Vx”“vx”“V\u200bX”都算命中。"""
    text = visible(text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.casefold()


# —— 链接 ——
_TLDS = "com|cn|net|org|top|xyz|cc|vip|me|io|info|shop|club|site|online|link|ly|tk"
# 用 re 写，“1.1.1.…”这样的长串会让 (?:[a-z0-9-]+\.)+ 在每个起点回溯到底，两万字要十几秒。
# RE2 的 \b 只认 ASCII 字母数字：紧贴在汉字后面的域名（“加我领红包evil.top”）也认得出
_LINK = compile_linear(
    rf"(?:https?://|www\.)[^\s\p{{Z}}<>\"'，。]+"
    rf"|\b(?:[a-z0-9-]+\.)+(?:{_TLDS})\b(?:/[^\s\p{{Z}}<>\"'，。]*)?",
    ignore_case=True,
)
_HOST = re.compile(r"^(?:https?://)?([^/:?#\s]+)", re.IGNORECASE)


def link_host(link: str) -> str:
    match = _HOST.match(link)
    return match.group(1).lower().rstrip(".") if match else ""


def allowed(host: str, allow: list[str]) -> bool:
    return any(host == domain or host.endswith(f".{domain}") for domain in allow)


def defang(text: str) -> str:
    """让链接点不开：http → hxxp，域名里的点 → [.]。"""

    def one(match) -> str:
        link = re.sub(r"^http", "hxxp", match.group(0), flags=re.IGNORECASE)
        host = link_host(link.replace("hxxp", "http", 1))
        return link.replace(host, host.replace(".", "[.]"), 1) if host else link

    return _LINK.sub(one, text)


# —— 隐私号码 ——
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){15,18}\d(?!\d)")
# 手机号：和群消息打码认同一种写法（数字之间可以夹 outgoing.SEPARATOR：空格、横线、点；文字已按
# NFKC 归一，\d 认得剩下的各种数字），前面可以带国家码 86 / +86 / 0086；前后紧挨着别的数字的
# （订单号里的一段）不算。先按“11 位数字”找、再看是不是 1[3-9] 开头：\d 起头的正则 re 扫得快，
# 长消息里每个位置不用先试一遍国家码
_ELEVEN = rf"(\d{SEPARATOR}\d(?:{SEPARATOR}\d){{9}})(?!\d)"
_PHONES = (
    re.compile(rf"(?<!\d){_ELEVEN}"),
    re.compile(rf"(?:\+|00|(?<!\d))86{SEPARATOR}{_ELEVEN}"),
)
_DIGIT = re.compile(r"\d")


def valid_id_number(number: str) -> bool:
    """18 位居民身份证号：出生日期合法且校验位正确。"""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    # 一条长消息里可以有上千个像号码的数字：每个只做几次 C 里的运算（map），不逐位跑 Python 循环
    total = sum(map(mul, map(int, number[:17]), _ID_WEIGHTS))
    if _ID_CHECK[total % 11] != number[17].upper():
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return True


_LUHN_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_ok(digits: str) -> bool:
    backwards = digits[::-1]
    total = sum(map(int, backwards[::2])) + sum(
        map(_LUHN_DOUBLED.__getitem__, map(int, backwards[1::2]))
    )
    return total % 10 == 0


def valid_bank_card(number: str) -> bool:
    """16–19 位、以常见卡组织号段开头（银联 62、Visa 4、万事达 5、运通/JCB 3）、通过 Luhn 校验。
    只靠 Luhn 的话，十个订单号里就有一个会被当成卡号。"""
    digits = number.replace(" ", "").replace("-", "")
    return 16 <= len(digits) <= 19 and digits[0] in "3456" and luhn_ok(digits)


def _masked(number: str) -> str:
    digits = re.sub(r"[ -]", "", number)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def redact(text: str) -> str:
    """给管理员看的原文里遮住证件号、卡号（含带空格的写法）和手机号：审核不该再传播一遍。"""
    text = _ID.sub(lambda m: _masked(m.group(0)), text)
    text = _CARD.sub(lambda m: _masked(m.group(0)), text)
    return re.sub(r"\d{7,}", lambda m: _masked(m.group(0)), text)


def _privacy_hit(text: str, own_phones: frozenset[str], rule) -> str | None:
    if rule.id_card:
        for match in _ID.finditer(text):
            if valid_id_number(match.group(0)):
                return f"身份证号 {_masked(match.group(0))}"
    if rule.bank_card:
        for match in _CARD.finditer(text):
            if valid_bank_card(match.group(0)):
                return f"银行卡号 {_masked(match.group(0))}"
    if rule.phone:
        for pattern in _PHONES:
            for match in pattern.finditer(text):
                number = match.group(1)
                if not (number.isascii() and number.isdigit()):
                    number = ascii_digits(number)  # 拆开写的、别的数字写法
                if number[0] == "1" and number[1] in "3456789" and number not in own_phones:
                    return f"手机号 {_masked(number)}"
    return None


@dataclass(frozen=True)
class _Compiled:
    name: str
    category: str
    action: str
    regex: Pattern


class Scanner:
    """一个组织的过滤规则，编译一次、每条消息用一次。"""

    def __init__(self, policy: Policy):
        self.policy = policy
        section = policy.filter
        self.rules = [
            _Compiled(rule.name, rule.category, rule.action, _rule_regex(rule))
            for rule in section.rules
        ]
        self.links = section.links
        self.privacy = section.privacy
        self.allow = [
            normalise(domain).strip(".")
            for domain in (section.links.allow if section.links else [])
        ]
        self.active = bool(self.rules or self.links or self.privacy)

    def scan(self, text: str, own_phones: frozenset[str] = frozenset()) -> list[Hit]:
        """这段文字命中的规则，每条规则最多一次，按规则在制度里的顺序。
        `own_phones`：不算别人号码的电话（发消息的人自己名片上的、改名片命令要写进名片的）。"""
        if not self.active or not text:
            return []
        folded = normalise(text)
        hits = []
        for rule in self.rules:
            if match := rule.regex.search(folded):
                hits.append(Hit(rule.name, rule.category, rule.action, match.group(0)))
        if self.links and "." in folded and (host := self._first_foreign_host(folded)):
            hits.append(Hit(LINK_RULE, self.links.category, self.links.action, defang(host)))
        if (
            self.privacy
            and _DIGIT.search(folded)
            and (found := _privacy_hit(folded, own_phones, self.privacy))
        ):
            hits.append(Hit(PRIVACY_RULE, self.privacy.category, self.privacy.action, found))
        return hits

    def _first_foreign_host(self, folded: str) -> str:
        """第一个不在白名单里的链接的域名；都在白名单里时为空。

        一条消息可以塞进几千个白名单链接：RE2 对 str 每个匹配都要换算一次字符位置，所以先编码成
        UTF-8 再找（省一半），同样的链接只判断一次。"""
        seen: set[bytes] = set()
        for match in _LINK.finditer(folded.encode("utf-8")):
            link = match.group(0)
            if link in seen:
                continue
            seen.add(link)
            host = link_host(link.decode("utf-8"))
            if host and not allowed(host, self.allow):
                return host
        return ""


def _rule_regex(rule) -> Pattern:
    """关键词和运维的正则拼成一个 RE2 正则（制度加载时已确认每条都编译得了）。"""
    parts = [escape(normalise(word)) for word in rule.keywords]
    parts += [f"(?:{pattern})" for pattern in rule.patterns]
    return compile_linear("|".join(parts), ignore_case=True, capture=False)


class FloodTracker:
    """每人最近 `seconds` 秒里的消息（时间和内容摘要），只在内存里：重启后从零数起。

    一次刷屏只算一次：触发后从头数，要再刷满一轮才会再触发。
    几个机器人账号在同一个群里时，同一条消息每个账号各报一次：`account` 是报来的账号，
    另一个账号已报过的同一时刻、同一内容的消息认作同一条，不再数。同一个账号报两次就是发了两条。
    """

    def __init__(self) -> None:
        # 每条：[时间, 内容摘要, 报来的账号, 也报过它的其他账号, 是否还计数]
        self._recent: dict[tuple[int, int], deque[list]] = {}

    def add(
        self, policy: Policy, group_id: int, user_id: int, at: int, text: str, account: int = 0
    ) -> Hit | None:
        rule = policy.filter.flood
        if rule is None or not (rule.messages or rule.identical):
            return None
        key = (group_id, user_id)
        recent = self._recent.get(key)
        if recent is None:
            recent = self._recent[key] = deque()
        # 只在本进程内存里比较“是不是同一段内容”：内置 hash 足够，也比规范化再摘要快得多
        digest = hash(text.strip())
        for seen in recent:
            if (
                seen[0] == at
                and seen[1] == digest
                and account != seen[2]
                and account not in seen[3]
            ):
                seen[3].add(account)
                return None
        recent.append([at, digest, account, set(), True])
        while recent and recent[0][0] <= at - rule.seconds:
            recent.popleft()
        counted = [seen for seen in recent if seen[4]]
        same = sum(1 for seen in counted if seen[1] == digest) if rule.identical else 0
        if rule.messages and len(counted) > rule.messages:
            excerpt = f"{rule.seconds} 秒内 {len(counted)} 条消息"
        elif rule.identical and same >= rule.identical:
            excerpt = f"{rule.seconds} 秒内 {same} 条相同消息"
        else:
            if len(self._recent) > 50_000:
                self._forget(at - rule.seconds)
            return None
        # 触发后重新数：只留下这一秒里的最后几条（不再计数），另一个账号随后报来的同一条消息还认得出；
        # 更早的不留，刷得再快，每人记着的也只有这么多（每条消息都要把它们看一遍）
        kept = [seen for seen in recent if seen[0] == at][-(rule.messages + rule.identical + 1) :]
        for seen in kept:
            seen[4] = False
        self._recent[key] = deque(kept)
        return Hit(FLOOD_RULE, rule.category, rule.action, excerpt)

    def clear(self) -> None:
        self._recent.clear()

    def _forget(self, before: int) -> None:
        # 内存不能随发言人数无限长：丢掉窗口外已经没有消息的人
        for key in [k for k, q in self._recent.items() if not q or q[-1][0] <= before]:
            del self._recent[key]
