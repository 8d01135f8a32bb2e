"""发往群里的文字：电话等长数字打码、按长度分段。纯函数。"""

import re

MAX_CHARS = 1500
MAX_MENTIONS = 10

_LONG_DIGITS = re.compile(r"\d{7,}")


def mask_digits(text: str) -> str:
    """每段 7 位以上的数字打码：手机号这样的长串留前 3 后 4（13800000000 → 138****0000），
    短一些的只留前 2 后 2，保证总有数字被遮住。"""
    return _LONG_DIGITS.sub(_mask, text)


def _mask(match: re.Match[str]) -> str:
    digits = match[0]
    head, tail = (3, 4) if len(digits) >= 11 else (2, 2)
    return f"{digits[:head]}****{digits[-tail:]}"


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
