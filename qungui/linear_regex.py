"""每条消息都要跑的正则用 RE2 编译：匹配时间与文字长度成正比，不会回溯。

Python 的 re 会回溯：一条精心构造的长消息（两万多字的 `1.1.1.…`）能让一个正则跑上十几秒，
整个事件循环跟着停住，WebSocket 心跳超时、机器人掉线。RE2 不支持反向引用和环视，换来的是
任何输入上都是线性时间；运维在制度里写的正则也用它，写了它不支持的写法，加载时就拒绝。
"""

from __future__ import annotations

import re2

Pattern = re2._Regexp


class NotLinear(ValueError):
    """RE2 编译不了的正则（反向引用、环视、超过 1000 的重复次数……）。"""


def compile_linear(pattern: str, *, ignore_case: bool = False, capture: bool = True) -> Pattern:
    """`capture=False`：括号一律不捕获，几条正则拼在一起时分组名重复也无妨（只用整段匹配）。"""
    options = re2.Options()
    options.log_errors = False  # 错误由调用方报告，不要 RE2 再往 stderr 打一遍
    options.case_sensitive = not ignore_case
    options.never_capture = not capture
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else ""
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise NotLinear(str(detail)) from None


def escape(text: str) -> str:
    return re2.escape(text)
