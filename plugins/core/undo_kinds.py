"""`/撤销` 除了账本的编号还认的几种编号：请假的 `假5`。

请假不是账本记录，却和记分一样由管理员改错：管理员只记一个 `/撤销`，编号的写法说明撤的是什么。
`/撤销` 在积分插件里；认出别的写法后交给登记了它的插件（`register`）。
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from .record_ids import LEAVE
from .router import CommandContext

Undo = Callable[[CommandContext, int], Awaitable[None]]

FORMS: tuple[re.Pattern[str], ...] = (LEAVE,)
"""`/撤销` 认的别的编号写法（声明参数时就要知道，所以写在这里，不等插件登记）"""

_kinds: dict[re.Pattern[str], Undo] = {}


def register(form: re.Pattern[str], undo: Undo) -> None:
    if form not in FORMS:
        raise ValueError(f"{form.pattern} 不是 /撤销 认的编号写法（undo_kinds.FORMS）")
    _kinds[form] = undo


def handler(form: re.Pattern[str]) -> Undo | None:
    return _kinds.get(form)
