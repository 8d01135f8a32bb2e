from datetime import UTC, datetime
from pathlib import Path

import pytest
from tortoise import Tortoise
from tortoise.migrations.api import migrate

from qungui import months
from qungui.db import close_database, open_database, sqlite_url, tortoise_config
from qungui.models import CardEnforcement, JobRun, Member, MonthClose
from qungui.months import MonthState
from qungui.state import STATE
from tests import databases


async def test_upgrading_an_existing_database_keeps_its_rows(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "old.sqlite3")
    # tortoise 按连接名缓存生成的 SQL：用 "default" 的话，PostgreSQL 的运行里之后的测试会拿到 SQLite 的 SQL
    await migrate(config=tortoise_config(url, "upgraded_sqlite"), target="qungui.0001_initial")
    conn = Tortoise.get_connection("upgraded_sqlite")
    await conn.execute_query(
        "INSERT INTO member (org, group_id, user_id, card, nickname, role, first_seen, last_seen)"
        " VALUES ('jgs', 1, 2, '张三', 'zs', 'member', '2026-11-01 00:00:00+00:00',"
        " '2026-11-02 00:00:00+00:00')"
    )
    await Tortoise.close_connections()

    await open_database(url, "upgraded_sqlite")
    try:
        member = await Member.get(org="jgs", user_id=2)
        assert (member.card, member.card_ok, member.joined_at) == ("张三", None, None)
        assert member.first_seen == datetime(2026, 11, 1, tzinfo=UTC)
    finally:
        await close_database()


@pytest.fixture(params=["sqlite", "postgres"])
async def old_database(request: pytest.FixtureRequest, tmp_path: Path):
    """一个空库的地址和连接名：SQLite 文件；设了 QUNGUI_TEST_DB_URL 时也在 PostgreSQL 的新库上跑一遍。"""
    if request.param == "sqlite":
        # tortoise 按连接名缓存生成的 SQL：PostgreSQL 的运行里，SQLite 库换个连接名
        yield sqlite_url(tmp_path / "old.sqlite3"), "migrated_sqlite"
        return
    if not databases.ON_POSTGRES:
        pytest.skip("没有设置 QUNGUI_TEST_DB_URL")
    url = await databases.create_postgres()
    yield url, "default"
    await databases.drop_postgres(url)


async def test_month_state_and_card_enforcement_move_out_of_job_run(old_database) -> None:
    url, connection = old_database
    await migrate(config=tortoise_config(url, connection), target="qungui.0011_notice")
    conn = Tortoise.get_connection(connection)
    for job, org, period, started in [
        ("month.close", "jgs", "2026-10", "2026-11-01 01:00:00+00:00"),
        ("month.close.post", "jgs", "2026-10", "2026-11-01 01:00:03+00:00"),
        ("month.freeze", "jgs", "2026-10", "2026-11-01 01:00:02+00:00"),
        ("month.close", "jgs", "2026-11", "2026-12-01 01:00:00+00:00"),  # 结算中停了
        ("month.freeze", "xscy", "2026-09", "2026-10-01 13:00:00+00:00"),
        ("card.enforce", "jgs", "987654321", "2026-11-23 02:00:00+00:00"),
        ("card.enforce", "xscy", "555000001", "2026-11-24 14:00:00+00:00"),
        ("card.sweep", "jgs", "2026-11-23", "2026-11-23 02:00:00+00:00"),
    ]:
        await conn.execute_query(
            "INSERT INTO job_run (job, org, period, started_at, late, note)"
            f" VALUES ('{job}', '{org}', '{period}', '{started}', FALSE, '')"
        )
    await Tortoise.close_connections()

    await open_database(url, connection)
    try:
        utc = lambda *parts: datetime(*parts, tzinfo=UTC)  # noqa: E731
        closes = await MonthClose.all().order_by("org", "month")
        assert [(c.org, c.month, c.settling_since, c.frozen_at) for c in closes] == [
            ("jgs", "2026-10", utc(2026, 11, 1, 1), utc(2026, 11, 1, 1, 0, 2)),
            ("jgs", "2026-11", utc(2026, 12, 1, 1), None),
            ("xscy", "2026-09", utc(2026, 10, 1, 13), utc(2026, 10, 1, 13)),
        ]
        starts = await CardEnforcement.all().order_by("org")
        assert [(s.org, s.group_id, s.since) for s in starts] == [
            ("jgs", 987654321, utc(2026, 11, 23, 2)),
            ("xscy", 555000001, utc(2026, 11, 24, 14)),
        ]
        # 任务的认领留着；借来存状态的行搬走了
        left = await JobRun.all().order_by("id").values_list("job", "org", "period")
        assert left == [
            ("month.close", "jgs", "2026-10"),
            ("month.close.post", "jgs", "2026-10"),
            ("month.close", "jgs", "2026-11"),
            ("card.sweep", "jgs", "2026-11-23"),
        ]
        STATE.reset()
        assert await months.status("jgs", "2026-10") is MonthState.FROZEN
        assert await months.status("jgs", "2026-11") is MonthState.SETTLING
        assert await months.status("xscy", "2026-09") is MonthState.FROZEN
        assert await months.status("xscy", "2026-10") is MonthState.OPEN
    finally:
        await close_database()
        STATE.reset()
