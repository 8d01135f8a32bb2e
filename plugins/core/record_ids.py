"""命令里的记录编号：账本的 `#12`（# 可省），审核的 `审17`，请假的 `假5`，通知的 `3`，转发推广的 `推3`。所有带编号的命令都用这一个解析。"""

import re
import unicodedata

from qungui.roles import written_number

from .refusals import UsageError
from .replies import ID_TOO_LARGE

MAX_ID = 2**31 - 1
"""编号列是 IntField：PostgreSQL 上是 integer，SQLite 上超过 2^63−1 就溢出。再大的编号不会有记录"""

ENTRY = re.compile(r"#?(\d+)")
"""账本编号"""
REVIEW = re.compile(r"审(\d+)")
"""审核编号"""
LEAVE = re.compile(r"假(\d+)")
"""请假编号：请假不是账本记录，用自己的写法，`/撤销 假5` 才不会撤到账本的 #5"""
NOTICE = re.compile(r"#?(?:通知)?(\d+)")
"""通知编号（通知标题里写作“通知 3”）"""
CAMPAIGN = re.compile(r"推(\d+)")
"""转发推广编号"""


def record_id(word: str, form: re.Pattern[str], bad_form: str) -> int:
    """`word` 里的编号；写法不对（`bad_form` 说明该怎么写）或超出数据库的范围时回复用法。"""
    # 中文输入法打出的全角 ＃ 和全角数字一样认
    match = form.fullmatch(unicodedata.normalize("NFKC", word))
    if match is None:
        raise UsageError(bad_form)
    value = written_number(match[1])
    if value is None or value > MAX_ID:
        raise UsageError(ID_TOO_LARGE)
    return value
