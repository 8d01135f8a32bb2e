"""唯一读取当前时间的地方。

测试环境（ENVIRONMENT=test）下，`POST /_test/clock` 通过 `set_now` 拨动这只钟；其余代码只调用 `now()`。
"""

from datetime import UTC, datetime

_frozen: datetime | None = None


def now() -> datetime:
    """当前时刻（带时区，UTC）。"""
    return _frozen if _frozen is not None else datetime.now(UTC)


def set_now(moment: datetime | None) -> None:
    """把时钟固定在 `moment`（必须带时区）；传 None 恢复真实时间。"""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        raise ValueError("时钟时间必须带时区")
    _frozen = moment.astimezone(UTC) if moment is not None else None
