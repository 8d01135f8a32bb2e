from datetime import UTC, datetime
from pathlib import Path

from tortoise import Tortoise
from tortoise.migrations.api import migrate

from qungui.db import close_database, open_database, sqlite_url, tortoise_config
from qungui.models import Member


async def test_upgrading_an_existing_database_keeps_its_rows(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "old.sqlite3")
    await migrate(config=tortoise_config(url), target="qungui.0001_initial")
    conn = Tortoise.get_connection("default")
    await conn.execute_query(
        "INSERT INTO member (org, group_id, user_id, card, nickname, role, first_seen, last_seen)"
        " VALUES ('jgs', 1, 2, '张三', 'zs', 'member', '2026-11-01 00:00:00+00:00',"
        " '2026-11-02 00:00:00+00:00')"
    )
    await Tortoise.close_connections()

    await open_database(url)
    try:
        member = await Member.get(org="jgs", user_id=2)
        assert (member.card, member.card_ok, member.joined_at) == ("张三", None, None)
        assert member.first_seen == datetime(2026, 11, 1, tzinfo=UTC)
    finally:
        await close_database()
