"""内容过滤：关键词与正则、链接白名单、隐私号码、刷屏。纯函数，不碰数据库和 NoneBot。

每条工作群、分享群的消息（命令也算）都要过一遍（docs/design.md 不变量 9），所以规则在制度加载后编译一次，
扫描只做几次正则搜索；没有数字就不找号码，没有点号就不找链接。

关键词规则看的是消息“挤紧”后的副本（squeeze）：垃圾广告爱在字中间插空格、表情、符号、零宽字符，
用全角、繁体或形近字（“賭 博”“睹😀愽”“Ｄ Ｕ Ｂ Ｏ”），挤紧后都一样。话题词（赌博、色情这类，警方通知、
公司禁令里也会出现）只在同一条消息里还有招揽的话（加V、私聊、扫码、充值……）时才算。

任何输入上都必须是线性时间：一条两万多字的构造消息不能把事件循环卡住（心跳超时就掉线）。
关键词、运维的正则、链接和挤紧用 RE2 编译（linear_regex.py）；找号码的正则里数字和分隔符互不相交，
每一步只有一种走法，在 re 里同样是线性的。
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from operator import mul

from .linear_regex import Pattern, compile_linear, escape
from .outgoing import DIGIT_VALUES, ascii_digits
from .policy import Policy, PrivacyRule

LINK_RULE, PRIVACY_RULE, FLOOD_RULE, REPORT_RULE = "链接", "隐私", "刷屏", "举报"
ACTION_WEIGHT = {"shadow": 0, "review": 1, "warn": 2, "recall": 3}


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


# 垃圾广告里常见的形近字、繁体字：换成本字再比对（表很小，只收正常文字里几乎不会挨着关键词出现的）
_HOMOGLYPHS = {
    ord(variant): plain
    for variant, plain in {
        "睹": "赌",
        "賭": "赌",
        "愽": "博",
        "簙": "博",
        "慱": "博",
        "場": "场",
        "網": "网",
        "門": "门",
        "澚": "澳",
        "註": "注",
        "冊": "册",
        "碼": "码",
        "錢": "钱",
        "薇": "微",
    }.items()
}
# 话题词只在一句之内找：逗号、句号、分号、冒号、问号、叹号（NFKC 后多是半角）是断句，不是拆字。
# “送货上门，全套酒具”“打赌，博士说”里没有“上门全套”“赌博”；顿号、间隔号、空格、表情照样去掉
_SENTENCE_BREAKS = frozenset(map(ord, ",。;:?!"))


class _Table(dict):
    """str.translate 的表：字母和数字留下（形近字换成本字），其余——空白、标点、符号、表情、
    零宽与格式字符、变体选择符——删掉；`keep` 里的也留下。

    每个字第一次出现时查一次 Unicode 类别，之后直接命中（C 里的字典查找）。用正则替换的话，
    两万字的“1.1.1.…”有上万处要删，RE2 的 Python 接口每处都要换算位置，要几十毫秒。
    表最多记 _REMEMBER 个字：故意用上百万个不同的字也撑不大内存。"""

    _REMEMBER = 50_000

    def __init__(self, keep: frozenset[int] = frozenset()):
        super().__init__()
        self.keep = keep

    def __missing__(self, code: int) -> str | int | None:
        if code in _HOMOGLYPHS:
            value: str | int | None = _HOMOGLYPHS[code]
        elif unicodedata.category(chr(code))[0] in "LN" or code in self.keep:
            value = code
        else:
            value = None
        if len(self) < self._REMEMBER:
            self[code] = value
        return value


_SQUEEZE = _Table()
_SENTENCES = _Table(_SENTENCE_BREAKS)


def squeeze(text: str) -> str:
    """关键词比对用的副本：NFKC、大小写统一、形近字换成本字，去掉空白、标点、符号、表情和零宽字符。
    “赌 博”“賭·博”“睹😀愽”“Ｄ Ｕ Ｂ Ｏ”挤紧后是“赌博”“dubo”。"""
    return normalise(text).translate(_SQUEEZE)


# —— 链接 ——
_TLDS = (
    "com|cn|net|org|top|xyz|cc|vip|me|io|info|shop|club|site|online|link|ly|tk|tv|hk|co|app"
    "|biz|live|fun|wang|icu|bet|win|asia|pro|ink|cyou|buzz|store"
)
# 用 re 写，“1.1.1.…”这样的长串会让 (?:[a-z0-9-]+\.)+ 在每个起点回溯到底，两万字要十几秒。
# RE2 的 \b 只认 ASCII 字母数字：紧贴在汉字后面的域名（“加我领红包evil.top”）也认得出
_LINK = compile_linear(
    rf"(?:https?://|www\.)[^\s\p{{Z}}<>\"'，。]+"
    rf"|\b(?:[a-z0-9-]+\.)+(?:{_TLDS})\b(?:[:/][^\s\p{{Z}}<>\"'，。]*)?",
    ignore_case=True,
)
# “evil。top”“evil . top”：句号或带空格的点后面紧跟常见域名后缀，当作点。
# 只收这几个后缀：“ok. me too”“see. info”这样的英文句子不该变成链接
_LOOSE_DOT = compile_linear(
    r"([a-z0-9])(?:\s*。\s*|\s+\.\s*|\.\s+)(com|cn|net|org|top|xyz|cc|vip|tk)\b",
    ignore_case=True,
)
# 内网和本机地址：公司的 ERP、OA 常用（http://192.168.1.20/erp），不是外面的病毒链接
_PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8")
)


def link_host(link: str) -> str:
    """链接里的域名（小写，不含协议、端口、路径）。几千个链接的消息里每个都要算：只用字符串操作。"""
    host = (
        link.partition("://")[2] if link[:8].lower().startswith(("http://", "https://")) else link
    )
    for end in "/?#":
        host = host.partition(end)[0]
    # 端口只在 @ 之后：qq.com:443@evil.top 打开的是 evil.top，“:443”是用户名里的密码。
    # @ 前面的部分留着：给管理员看的是冒充的全貌（不在白名单里）
    user, at, address = host.rpartition("@")
    return f"{user}{at}{address.partition(':')[0]}".lower().rstrip(".")


def allowed(host: str, allow: Collection[str]) -> bool:
    """域名或它的上级域名在白名单里（a.b.qq.com → b.qq.com、qq.com……）：每个都是一次集合查找，
    一条消息里几千个链接也不用逐个比对整张白名单。"""
    labels = host.split(".")
    return any(".".join(labels[i:]) in allow for i in range(len(labels) - 1))


def private_host(host: str) -> bool:
    """本机或内网地址（localhost、10/8、172.16/12、192.168/16、127/8）。"""
    if host == "localhost":
        return True
    if not host[-1:].isdigit():
        return False  # 不是 IP 地址：不必让 ipaddress 抛一次异常
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in net for net in _PRIVATE_NETWORKS)


_SECOND_LEVEL = {"com", "net", "org", "gov", "edu"}


def _brand(domain: str) -> str:
    """域名里网站自己的名字：alidocs.dingtalk.com → dingtalk，icbc.com.cn → icbc。"""
    labels = domain.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else ""


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
# 一段数字：数字之间可以隔一到三个空格、横线或点（“186 3761 2098”“158-9076-5432”“139.3761.8890”
# “139 - 8765 - 4321”），身份证号末位可以是 X。和群消息打码（outgoing._SEPARATOR）认同样的分隔符：
# 这里看的文字已经过 NFKC、去掉了看不见的字符，剩下的是这几种。数字与分隔符互不相交、分隔符最多
# 三个，每一步只有一种走法：线性
_SEPARATORS = " \t\u1680.\u00b7\u30fb\\-\u2010-\u2015\u2212"
_NUMBER = re.compile(rf"\d+(?:[{_SEPARATORS}]{{1,3}}\d+)*[xX]?")
_GROUP_SEPARATOR = re.compile(rf"[{_SEPARATORS}]+")
# 别的写法的数字（阿拉伯-印度数字……；带圈、上标的 NFKC 已经变成了 0–9）：按半角数字认
_ASCII_DIGITS = {
    ord(char): str(value) for char, value in DIGIT_VALUES.items() if not char.isascii()
}
_DIGIT = re.compile(r"\d")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_PHONE = re.compile(r"1[3-9]\d{9}")
# 拆开写时认的分组：手机 3-4-4 或一位一位，身份证 6-8-4 或 6-4-4-4，银行卡 4-4-4-4(-1..4)
_PHONE_SHAPES = {(11,), (3, 4, 4), (1,) * 11}
# 手机号前面的国家码：86、+86（加号不在数字里）、0086
_COUNTRY = ("86", "0086")
_ID_SHAPES = {(18,), (6, 8, 4), (6, 4, 4, 4)}
_BEFORE, _AFTER = 10, 4
"""code_words 里的词（订单、批号……）在号码前面几个字、后面几个字以内，才算是在说这个号码"""
# 号码前面一串并列的号码（“订单：3408…、6279…”“批号 1320… 和 1520…”）跳过去再找说明的词
_LISTED = "0123456789xX .-、，,;；/和及与或"
# 比说明编号的词离号码更近的“电话”“手机”“身份证”：“快递员电话 177…”是电话
_KIND_WORDS = re.compile(r"电话|手机|联系|tel|call|身份证|证件")
# 号码前面已经说了它是什么时，后面顺口带的“快递”“合同”“下单”不把它变成编号
_NAMED_BEFORE = re.compile(
    r"电话|手机|联系|tel|call|身份证|证件|卡号|银行卡|储蓄卡|信用卡|账号|账户"
)


def valid_id_number(number: str) -> bool:
    """18 位居民身份证号：出生日期合法（1900 年以后）且校验位正确。"""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    # 一条长消息里可以有上千个像号码的数字：每个只做几次 C 里的运算（map），不逐位跑 Python 循环
    total = sum(map(mul, map(int, number[:17]), _ID_WEIGHTS))
    if _ID_CHECK[total % 11] != number[17].upper():
        return False
    year = int(number[6:10])
    try:
        date(year, int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return 1900 <= year < 2100


_LUHN_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_ok(digits: str) -> bool:
    backwards = digits[::-1]
    total = sum(map(int, backwards[::2])) + sum(
        map(_LUHN_DOUBLED.__getitem__, map(int, backwards[1::2]))
    )
    return total % 10 == 0


# 16–19 位的卡号开头的卡组织号段：银联 62、Visa 4、万事达 51–55、JCB 35、发现卡 60/65（运通 34/37
# 只有 15 位）。只看首位的话，“收款 3200 5600 8000 9900”这样四个四位的金额十个里就有一个像卡号
_CARD_PREFIXES = ("62", "4", "51", "52", "53", "54", "55", "35", "60", "65")


def valid_bank_card(number: str) -> bool:
    """16–19 位、以卡组织号段开头（`_CARD_PREFIXES`）、通过 Luhn 校验。
    只靠 Luhn 的话，十个订单号里就有一个会被当成卡号。"""
    digits = _GROUP_SEPARATOR.sub("", number)
    return (
        16 <= len(digits) <= 19
        and digits.isdigit()
        and digits.startswith(_CARD_PREFIXES)
        and luhn_ok(digits)
    )


def _card_shape(lengths: tuple[int, ...]) -> bool:
    """一整段，或 4 位一组、最后一组 1–4 位。"""
    if len(lengths) == 1:
        return True
    return all(n == 4 for n in lengths[:-1]) and 1 <= lengths[-1] <= 4


def _masked(number: str) -> str:
    digits = _GROUP_SEPARATOR.sub("", number)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def redact(text: str) -> str:
    """给管理员看的原文里遮住 7 位以上的数字（证件号、卡号、手机号，含拆开写的）：审核不该再传播一遍。"""

    def one(match: re.Match[str]) -> str:
        number = match.group(0)
        if len(_GROUP_SEPARATOR.sub("", number)) < 7:
            return number
        return _masked(number)

    return _NUMBER.sub(one, text)


_KINDS = ("手机号", "银行卡号", "身份证号")


@dataclass(frozen=True)
class _Number:
    kind: str
    """_KINDS 之一"""
    digits: str


def _candidates(groups: list[str]) -> list[str]:
    """一段数字里要检查的号码：按认得的分组写法拆开的整段（可带 86 区号），否则每组单独看。
    号码不会从一长串数字的中间开始或结束：拆开写的 20 位账号不会截出一个 19 位“卡号”。"""
    whole = "".join(groups)
    if len(groups) == 1:
        for country in _COUNTRY:
            if len(whole) == len(country) + 11 and whole.startswith(country):
                return [whole, whole[len(country) :]]
        return [whole]
    lengths = tuple(map(len, groups))
    if groups[0] in _COUNTRY and tuple(map(len, groups[1:])) in _PHONE_SHAPES:
        return ["".join(groups[1:])]
    if (
        lengths in _PHONE_SHAPES
        or lengths in _ID_SHAPES
        or (16 <= len(whole) <= 19 and _card_shape(lengths))
    ):
        return [whole]
    # 分组对不上：几个整号码之间只隔了一个空格时逐个看；其余（一串统计数字 18 20 15 30 12 1、
    # 4 位一组的 20 位账号、前面还有一组数字的号码）都不是一个号码
    return groups if all(len(group) >= 11 for group in groups) else []


def _classify(number: str, rule: PrivacyRule) -> _Number | None:
    if rule.id_card and len(number) == 18 and valid_id_number(number):
        return _Number("身份证号", number)
    if rule.bank_card and valid_bank_card(number):
        return _Number("银行卡号", number)
    if rule.phone and len(number) == 11 and _PHONE.fullmatch(number):
        return _Number("手机号", number)
    return None


class _Privacy:
    """隐私规则编译好的部分：说明号码是订单号一类编号的词，和说明是银行卡的词。"""

    def __init__(self, rule: PrivacyRule):
        self.rule = rule
        # 编号词只在号码前后十几个字里找，每个号码找一次：用 re（字面的词，短窗口，不会回溯），
        # 比 RE2 的 Python 接口每次调用的开销小得多
        self.code_words = (
            re.compile("|".join(re.escape(normalise(word)) for word in rule.code_words))
            if rule.code_words
            else None
        )
        self.card_context = _word_regex(rule.card_context)
        self.company_words = _word_regex(rule.company_words)

    def find(self, folded: str, own_phones: frozenset[str]) -> tuple[str, str] | None:
        """最该处理的一个号码：（打码后的说明，动作）；没有时为 None。"""
        rule = self.rule
        best: tuple[tuple[int, int], str, str] | None = None
        card_context: bool | None = None
        """整条消息看一次：None 还没看；公司的对公账户、开票信息里的账号不算个人信息"""
        company = False
        heaviest = (max(map(ACTION_WEIGHT.get, (rule.action, rule.phone_action or rule.action))), 2)
        checked: set[str] = set()
        for match in _NUMBER.finditer(folded):
            if len(match.group(0)) < 11:
                continue  # 最短的号码（手机）也有 11 位
            start, end = match.span()
            if (start and _ASCII_LETTER.match(folded, start - 1)) or _ASCII_LETTER.match(
                folded, end
            ):
                continue  # 粘着字母的是型号、编码（SN2023…、DD1391…），不是号码
            written = match.group(0)
            if not written.isascii():
                written = written.translate(_ASCII_DIGITS)
            groups = _GROUP_SEPARATOR.split(written)
            if self._labelled(folded, start, end):
                continue  # 订单号、批号、溯源码……
            for candidate in _candidates(groups):
                if candidate in checked:
                    continue  # 同一个号码贴了几百遍：看一次就够
                checked.add(candidate)
                number = _classify(candidate, rule)
                if number is None or (number.kind == "手机号" and number.digits in own_phones):
                    continue
                if number.kind == "银行卡号" and card_context is None:
                    company = bool(self.company_words and self.company_words.search(folded))
                    card_context = bool(self.card_context and self.card_context.search(folded))
                if number.kind == "银行卡号" and company:
                    continue
                action = self._action(number.kind, bool(card_context))
                # 动作最重的；一样重时身份证号先于卡号、卡号先于手机号
                weight = (ACTION_WEIGHT[action], _KINDS.index(number.kind))
                if best is None or weight > best[0]:
                    best = (weight, f"{number.kind} {_masked(number.digits)}", action)
                    if weight == heaviest:
                        return best[1], best[2]  # 不会有更该处理的了
        return (best[1], best[2]) if best else None

    def _labelled(self, folded: str, start: int, end: int) -> bool:
        """号码紧挨着说明它是编号的词（订单、批号、溯源……），且这个词之后没有说它是电话。"""
        if self.code_words is None:
            return False
        before = folded[max(0, start - 60) : start].rstrip(_LISTED)[-_BEFORE:]
        words = [word.start() for word in self.code_words.finditer(before)]
        if words:
            named = [word.start() for word in _KIND_WORDS.finditer(before)]
            return not named or named[-1] < words[-1]
        return (
            self.code_words.search(folded, end, end + _AFTER) is not None
            and _NAMED_BEFORE.search(before) is None
        )

    def _action(self, kind: str, card_context: bool) -> str:
        rule = self.rule
        if kind == "手机号":
            return rule.phone_action or rule.action
        if kind == "银行卡号" and not card_context and ACTION_WEIGHT[rule.action] > 1:
            return "review"  # 没有卡号、银行、转账这类字眼：可能是碰巧通过校验的编号，交人看
        return rule.action


def _word_regex(words: list[str]) -> Pattern | None:
    if not words:
        return None
    return compile_linear("|".join(escape(normalise(word)) for word in words), capture=False)


@dataclass(frozen=True)
class _Compiled:
    name: str
    category: str
    action: str
    regex: Pattern | None
    """keywords 和 patterns：单独出现就算"""
    topics: Pattern | None
    """话题词：和 calls 里的招揽词同时出现才算"""
    calls: Pattern | None
    unless: Pattern | None
    """出现这些词（警方、严禁……）时话题词不算；keywords、patterns 只在没有招揽词时不算"""

    def match(self, squeezed: str, sentences: str, folded: str) -> str | None:
        """`squeezed` 全部挤紧；`sentences` 挤紧但留着断句的标点（话题词在这里找）；`folded` 原样。"""
        excused = self.unless is not None and self.unless.search(squeezed) is not None
        if self.regex is not None and (found := self.regex.search(squeezed)):
            # 警方通知、群里的提醒会引用广告里的说法（“首充送彩金”“上下分”）；可广告自己也爱写
            # “温馨提醒”“谨防假冒”“【公告】”：命中的词之外还有招揽的话（加V、注册、私聊……）时
            # unless 不再开脱（“上下分”里的“下分”不算）
            start, end = found.span()
            rest = squeezed[:start] + squeezed[end:]
            if not excused or (self.calls is not None and self.calls.search(rest)):
                return found.group(0)
        if excused or self.topics is None or self.calls is None:
            return None
        if not (topic := self.topics.search(sentences)):
            return None
        if call := self.calls.search(squeezed):
            return f"{topic.group(0)}+{call.group(0)}"
        # 没有招揽的话，但话题词是故意拆开、变形写的（“💰赌💰博”“网·赌”“睹愽”）：正常说话不这么写
        if topic.group(0) not in folded:
            return f"{topic.group(0)}（拆开写）"
        return None


def _squeezed_words(words: list[str]) -> Pattern | None:
    if not words:
        return None
    return compile_linear("|".join(escape(squeeze(word)) for word in words), capture=False)


def _rule_regex(rule) -> Pattern | None:
    """关键词和运维的正则拼成一个 RE2 正则（制度加载时已确认每条都编译得了）。"""
    parts = [escape(squeeze(word)) for word in rule.keywords]
    parts += [f"(?:{pattern})" for pattern in rule.patterns]
    return compile_linear("|".join(parts), ignore_case=True, capture=False) if parts else None


class Scanner:
    """一个组织的过滤规则，编译一次、每条消息用一次。"""

    def __init__(self, policy: Policy):
        self.policy = policy
        section = policy.filter
        self.rules = [
            _Compiled(
                rule.name,
                rule.category,
                rule.action,
                _rule_regex(rule),
                _squeezed_words(rule.topics),
                _squeezed_words(rule.calls),
                _squeezed_words(rule.unless),
            )
            for rule in section.rules
        ]
        self.topics = any(rule.topics is not None for rule in self.rules)
        self.links = section.links
        self.privacy = _Privacy(section.privacy) if section.privacy else None
        self.allow = frozenset(
            normalise(domain).strip(".")
            for domain in (section.links.allow if section.links else [])
        )
        self.brands = {brand for domain in self.allow if len(brand := _brand(domain)) >= 4}
        """白名单网站的名字（taobao、douyin、icbc……）；两三个字母的（qq、jd）太容易撞上别的词"""
        self.active = bool(self.rules or self.links or self.privacy)

    def scan(self, text: str, own_phones: frozenset[str] = frozenset()) -> list[Hit]:
        """这段文字命中的规则，每条规则最多一次，按规则在制度里的顺序。
        `own_phones`：不算别人号码的电话（发消息的人自己名片上的、改名片命令要写进名片的）。"""
        if not self.active or not text:
            return []
        folded = normalise(text)
        hits = []
        if self.rules:
            squeezed = folded.translate(_SQUEEZE)
            sentences = folded.translate(_SENTENCES) if self.topics else ""
            for rule in self.rules:
                if (excerpt := rule.match(squeezed, sentences, folded)) is not None:
                    hits.append(Hit(rule.name, rule.category, rule.action, excerpt))
        if (
            self.links
            and ("." in folded or "。" in folded)
            and (host := self._first_foreign_host(folded))
        ):
            excerpt = host.replace(".", "[.]")
            hits.append(Hit(LINK_RULE, self.links.category, self.links.action, excerpt))
        if self.privacy and _DIGIT.search(folded):
            # 名片上、命令里的电话怎么写（全角、带圈、拆开）都只比数字
            own_phones = frozenset(ascii_digits(phone) for phone in own_phones)
        if (
            self.privacy
            and _DIGIT.search(folded)
            and (found := self.privacy.find(folded, own_phones))
        ):
            excerpt, action = found
            hits.append(Hit(PRIVACY_RULE, self.privacy.rule.category, action, excerpt))
        return hits

    def _first_foreign_host(self, folded: str) -> str:
        """第一个不在白名单里的链接的域名；都在白名单里（或是内网地址）时为空。

        只有域名（没有 http://、www. 和路径）的不算链接，除非制度写了 bare_domains = true：
        “官网 jgsjy.com”“发到 163.com 邮箱”是在说话，不是让人点。冒充白名单的写法照样算：
        qq.com.mail-verify.cn、qq.com@evil.top。

        一条消息可以塞进几千个白名单链接：RE2 对 str 每个匹配都要换算一次字符位置，所以先编码成
        UTF-8 再找（省一半），同样的链接只判断一次。"""
        written = ""
        if "。" in folded or " ." in folded or ". " in folded:
            joined = _LOOSE_DOT.sub(r"\1.\2", folded)
            if joined != folded:
                written, folded = folded, joined
        data = folded.encode("utf-8")
        seen: set[bytes] = set()
        # 取位置再切片比 match.group(0) 少走几层 Python：每个链接都要省这一点
        previous, previous_end = b"", -2
        for match in _LINK.finditer(data):
            start, end = match.span()
            link = data[start:end]
            # 紧跟在上一个链接和 @ 后面：qq.com@evil.top
            glued = previous_end == start - 1 and data[start - 1 : start] == b"@"
            before, previous, previous_end = previous, link, end
            if link in seen and not glued:
                continue
            seen.add(link)
            host = link_host(link.decode("utf-8"))
            if not host or private_host(host):
                continue
            if glued:
                # 用户名冒充网站：qq.com@evil.top 打开的是 evil.top
                return f"{link_host(before.decode('utf-8'))}@{host}"
            if allowed(host, self.allow):
                continue
            bare = not link.startswith((b"http", b"www.")) and not re.search(rb"[/:]", link)
            if written and host not in written:
                bare = False  # 原文写的是“evil。top”“evil . top”：有意把点藏起来，不是随口一提
            if bare and not self.links.bare_domains and not self._lookalike(host):
                continue
            return host
        return ""

    def _lookalike(self, host: str) -> bool:
        """域名里夹着白名单域名（qq.com.mail-verify.cn、jd.com-login.top），或白名单网站的名字
        单独成段（douyin.hongbao-lq.site、icbc-jifen.top）：冒充。"""
        if any(f"{domain}." in host or f"{domain}-" in host for domain in self.allow):
            return True
        return not self.brands.isdisjoint(re.split(r"[.-]", host))


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
