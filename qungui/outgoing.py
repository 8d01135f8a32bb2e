"""发往群里的文字：电话等长数字打码、按长度分段。纯函数。"""

import re

MAX_CHARS = 1500
MAX_MENTIONS = 10

_LONG_DIGITS = re.compile(r"\d{7,}")


def mask_digits(text: str) -> str:
    """每段 7 位以上的数字打码，保留前 3 位和后 4 位：13800000000 → 138****0000。"""
    return _LONG_DIGITS.sub(lambda m: f"{m[0][:3]}****{m[0][-4:]}", text)


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
