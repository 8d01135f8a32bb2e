"""发往群里的文字：电话等长数字打码、按长度分段。纯函数。"""

import re
import unicodedata

MAX_CHARS = 1500
MAX_MENTIONS = 10


def _digit_values() -> dict[str, int]:
    """写作一位数字的每个字符 → 它的值：各种十进制数字（半角、全角、阿拉伯-印度数字……），
    以及按 NFKC 归一后就是一位数字的（上标、下标、带圈数字 ①）——内容过滤按 NFKC 看字，
    在它眼里这些都是数字，打码也得一样认。十进制数字都在前两个平面。"""
    values = {}
    for code in range(0x20000):
        char = chr(code)
        if char.isdecimal():
            values[char] = unicodedata.decimal(char)
        elif unicodedata.decomposition(char):
            folded = unicodedata.normalize("NFKC", char)
            if len(folded) == 1 and folded.isdecimal():
                values[char] = unicodedata.decimal(folded)
    return values


DIGIT_VALUES = _digit_values()


def _digits(low: int, high: int) -> str:
    """任意写法里值在 low..high 的数字，写成正则字符类。"""
    return "[" + "".join(char for char, value in DIGIT_VALUES.items() if low <= value <= high) + "]"


_DIGIT = _digits(0, 9)
"""任意写法的一位数字"""
# 数字之间可以夹的东西：空格（含全角、不换行、零宽这类看不见的）、各种横线、各种点。
# 内容过滤的隐私规则认同样的分隔符（content_filter._SEPARATORS，那里的文字已按 NFKC 归一）
_SEPARATOR = (
    "[ \t\u00a0\u00ad\u1680\u2000-\u200d\u202f\u205f\u2060\u3000\ufeff"
    "\\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d"
    ".\u00b7\u2024\u30fb\uff0e\uff65]{0,3}"
)
_MOBILE = rf"{_digits(1, 1)}{_SEPARATOR}{_digits(3, 9)}(?:{_SEPARATOR}{_DIGIT}){{9}}"
"""一个手机号 1[3-9] + 9 位，数字之间可以拆开写、数字可以是任何写法"""
# 一遍扫完（每条群消息都要过）：先认手机号（紧跟着的数字一并算上），再认连着的 7 位以上数字。
# 每一步只有一种走法（分隔符和数字不相交、分隔符最多 3 个），耗时和文字长度成正比
_LONG_NUMBER = re.compile(rf"{_MOBILE}{_DIGIT}*|{_DIGIT}{{7,}}")


def ascii_digits(text: str) -> str:
    """`text` 里的数字（任何写法）按顺序写成半角。"""
    return "".join(str(DIGIT_VALUES[char]) for char in text if char in DIGIT_VALUES)


def mask_digits(text: str) -> str:
    """每段 7 位以上的连续数字、每个手机号（不管怎样用空格、横线、点拆开，不管全角半角）都打码：
    手机号这样的长串留前 3 后 4（139 8765 4321 → 139****4321），短一些的只留前 2 后 2，
    保证总有数字被遮住。日期（2026-11-30）、编号（#123、审12）照原样。"""
    return _LONG_NUMBER.sub(_mask, text)


def _mask(match: re.Match[str]) -> str:
    digits = [char for char in match[0] if char in DIGIT_VALUES]
    head, tail = (3, 4) if len(digits) >= 11 else (2, 2)
    return f"{''.join(digits[:head])}****{''.join(digits[-tail:])}"


def split_text(text: str, limit: int = MAX_CHARS) -> list[str]:
    """按行把长文本切成不超过 `limit` 字的几段；单行过长时硬切。"""
    parts: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            parts.append(current)
            current = ""
        current += line
    if current or not parts:
        parts.append(current)
    return [part.rstrip("\n") for part in parts]
