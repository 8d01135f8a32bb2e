"""营业日与月份：纯函数，只用传入的时间，不读当前时间。"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


def local_time(timestamp: int | float | datetime, tz: ZoneInfo) -> datetime:
    """事件的 `time`（unix 秒）或带时区的时刻，换算到组织时区。"""
    if isinstance(timestamp, datetime):
        return timestamp.astimezone(tz)
    return datetime.fromtimestamp(timestamp, tz)


def business_date(timestamp: int | float | datetime, tz: ZoneInfo) -> date:
    """一条记录的营业日：事件发生当天（组织时区）。"""
    return local_time(timestamp, tz).date()


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_month(text: str) -> str | None:
    """`2026-10` → `2026-10`；格式或月份不对返回 None。"""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 2000 <= year <= 2999):
        return None
    return f"{year:04d}-{month:02d}"


def month_label(month: str) -> str:
    """`2026-11` → `2026年11月`：给人读的月份（帖子标题、文件名）。"""
    year, mon = month.split("-")
    return f"{int(year)}年{int(mon)}月"


def month_days(month: str) -> tuple[date, date]:
    """月份的第一天和最后一天。"""
    year, mon = (int(part) for part in month.split("-"))
    first = date(year, mon, 1)
    following = date(year + mon // 12, mon % 12 + 1, 1)
    return first, following - timedelta(days=1)
