"""SQLite → PostgreSQL 复制：编号不变、行数和每人积分核对、目标库非空就拒绝。"""

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from qungui import copydb, ledger, members
from qungui.db import close_database, open_database, sqlite_url
from qungui.models import LedgerEntry
from qungui.roles import Role
from tests import databases

pytestmark = pytest.mark.skipif(
    not databases.ON_POSTGRES, reason="需要 PostgreSQL（QUNGUI_TEST_DB_URL）作为复制目标"
)


async def test_copy_keeps_ids_checks_sums_and_refuses_a_non_empty_target(tmp_path: Path) -> None:
    source = sqlite_url(tmp_path / "qungui.sqlite3")
    now = datetime(2026, 11, 27, 2, tzinfo=UTC)
    # 这次运行的其他测试都在 PostgreSQL 上；tortoise 按连接名缓存 SQL，源库换个连接名建
    await open_database(source, connection="sqlite_source")
    members.clear_cache()
    for user in range(1, 4):
        await members.upsert("jgs", 987654322, user, now, card=f"成员{user}", role="member")
        for day in range(1, 6):
            await ledger.award(
                org="jgs",
                user_id=user,
                rule=ledger.SHARE_DAY_RULE,
                period=f"2026-11-{day:02d}",
                delta=1,
                business_date=date(2026, 11, day),
                now=now,
            )
    first = await LedgerEntry.get(id=1)
    await ledger.reverse(
        org="jgs",
        entry_id=first.id,
        now=now,
        actor_id=30001,
        actor_role=Role.ADMIN,
        reason="非原创",
        command_key="k",
    )
    await close_database()

    target = await databases.create_postgres()
    try:
        lines: list[str] = []
        copied = await copydb.copy(source, target, report=lines.append)
        assert copied.rows["ledger_entry"] == 16 and copied.rows["member"] == 3
        assert copied.members_checked == 3
        assert lines[-1] == "核对通过：11 张表的行数一致，3 位成员的积分合计一致"
        rows = await databases.query(
            target, "SELECT id, user_id, delta, reverses FROM ledger_entry WHERE id IN (1, 16)"
        )
        assert sorted(rows) == [(1, 1, 1, None), (16, 1, -1, 1)]
        # 编号序列已拨到最后：新记录从 17 开始
        assert await databases.query(
            target, "SELECT nextval(pg_get_serial_sequence('ledger_entry', 'id'))"
        ) == [(17,)]
        with pytest.raises(copydb.CopyRefused, match="只能复制到空库"):
            await copydb.copy(source, target, report=lines.append)
        # 命令行：同样拒绝，退出码 1（它自己开事件循环，所以放到线程里跑）
        assert await asyncio.to_thread(copydb.main, [source, target]) == 1
    finally:
        await close_database()
        await databases.drop_postgres(target)
