from datetime import date
from zoneinfo import ZoneInfo

import pytest

from qungui.dates import business_date, month_days, parse_month

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("timestamp", "day"),
    [
        # 2026-11-26 23:59:59 北京时间 = 15:59:59 UTC
        (1795708799, date(2026, 11, 26)),
        (1795708800, date(2026, 11, 27)),
        # 2026-12-31 16:00:00 UTC 已是北京时间 2027-01-01
        (1798732800, date(2027, 1, 1)),
    ],
)
def test_business_date_uses_org_timezone(timestamp: int, day: date) -> None:
    assert business_date(timestamp, SHANGHAI) == day


@pytest.mark.parametrize(
    ("timestamp", "day"),
    [
        # 2026-12-01 03:00 UTC：北京时间 12 月 1 日 11:00，纽约还是 11 月 30 日 22:00
        (1796094000, date(2026, 11, 30)),
        # 2026-12-01 05:00 UTC：纽约 12 月 1 日 00:00
        (1796101200, date(2026, 12, 1)),
    ],
)
def test_business_date_of_an_org_outside_the_servers_zone(timestamp: int, day: date) -> None:
    assert business_date(timestamp, NEW_YORK) == day


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2026-10", "2026-10"),
        ("2026-1", "2026-01"),
        (" 2026-12 ", "2026-12"),
        ("2026-13", None),
        ("2026-00", None),
        # 可以查的月份是 2000 至 2999 年
        ("2000-01", "2000-01"),
        ("1999-12", None),
        ("2999-12", "2999-12"),
        ("3000-01", None),
        ("26-10", None),
        ("abc", None),
        ("", None),
    ],
)
def test_parse_month(text: str, month: str | None) -> None:
    assert parse_month(text) == month


@pytest.mark.parametrize(
    ("month", "first", "last"),
    [
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_month_days(month: str, first: date, last: date) -> None:
    assert month_days(month) == (first, last)
