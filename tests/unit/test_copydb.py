"""SQLite → PostgreSQL 复制：编号不变、行数和每人积分核对、目标库非空就拒绝；
中途失败或核对不上时目标库什么也不留，可以再来一次。"""

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from qungui import copydb, ledger, members, rules
from qungui.db import close_database, open_database, sqlite_url
from qungui.models import LedgerEntry, Notice, NoticeTarget
from qungui.roles import Role
from qungui.state import STATE
from tests import databases

pytestmark = pytest.mark.skipif(
    not databases.ON_POSTGRES, reason="需要 PostgreSQL（QUNGUI_TEST_DB_URL）作为复制目标"
)


async def _source(tmp_path: Path) -> str:
    """源库：3 位成员各 5 天分享，第 1 条撤销（账本 16 行）。"""
    source = sqlite_url(tmp_path / "qungui.sqlite3")
    now = datetime(2026, 11, 27, 2, tzinfo=UTC)
    # 这次运行的其他测试都在 PostgreSQL 上；tortoise 按连接名缓存 SQL，源库换个连接名建
    await open_database(source, connection="sqlite_source")
    STATE.reset()
    for user in range(1, 4):
        await members.upsert("jgs", 987654322, user, now, card=f"成员{user}", role="member")
        for day in range(1, 6):
            await ledger.award(
                org="jgs",
                user_id=user,
                rule=rules.SHARE_DAILY,
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
    # 一条通知和它要确认的两个人：通知也是要搬的数据
    notice = await Notice.create(
        org="jgs",
        group_id=987654321,
        sender_id=30001,
        text="周五前交报表",
        created_at=now,
        deadline=now,
    )
    for user in (1, 2):
        await NoticeTarget.create(notice_id=notice.id, user_id=user)
    await close_database()
    return source


async def test_copy_keeps_ids_checks_sums_and_refuses_a_non_empty_target(tmp_path: Path) -> None:
    source = await _source(tmp_path)
    target = await databases.create_postgres()
    try:
        lines: list[str] = []
        copied = await copydb.copy(source, target, report=lines.append)
        assert copied.rows["ledger_entry"] == 16 and copied.rows["member"] == 3
        assert (copied.rows["notice"], copied.rows["notice_target"]) == (1, 2)
        assert copied.members_checked == 3
        assert lines[-1] == f"核对通过：{len(copydb.MODELS)} 张表的行数一致，3 位成员的积分合计一致"
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


async def _left_in(target: str) -> dict[str, int]:
    """目标库每张表还剩几行（只列不为空的），以及账本编号序列是否被动过。"""
    left = {}
    for model in copydb.MODELS:
        table = model._meta.db_table
        [(count,)] = await databases.query(target, f"SELECT COUNT(*) FROM {table}")
        if count:
            left[table] = count
    [(last, called)] = await databases.query(
        target, "SELECT last_value, is_called FROM ledger_entry_id_seq"
    )
    if (last, called) != (1, False):
        left["ledger_entry_id_seq"] = last
    return left


async def _second_attempt_succeeds(source: str, target: str) -> None:
    lines: list[str] = []
    copied = await copydb.copy(source, target, report=lines.append)
    assert copied.rows["ledger_entry"] == 16
    assert lines[-1] == f"核对通过：{len(copydb.MODELS)} 张表的行数一致，3 位成员的积分合计一致"
    assert await databases.query(
        target, "SELECT nextval(pg_get_serial_sequence('ledger_entry', 'id'))"
    ) == [(17,)]


async def test_a_connection_dropped_after_the_first_table_leaves_the_target_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = await _source(tmp_path)
    target = await databases.create_postgres()
    load = copydb._load

    async def drop_after_first_table(model, folder):
        if model is not copydb.MODELS[0]:
            # 第一张表已经写进去了；再写就像网络断了、重连不上一样失败
            raise ConnectionResetError("连接被对方重置")
        await load(model, folder)

    try:
        monkeypatch.setattr(copydb, "_load", drop_after_first_table)
        with pytest.raises(ConnectionResetError):
            await copydb.copy(source, target, report=lambda _: None)
        assert await _left_in(target) == {}
        monkeypatch.setattr(copydb, "_load", load)
        await _second_attempt_succeeds(source, target)
    finally:
        await close_database()
        await databases.drop_postgres(target)


async def test_a_refusing_final_check_leaves_the_target_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = await _source(tmp_path)
    target = await databases.create_postgres()
    sums = copydb._member_sums
    calls = 0

    async def one_sum_off():
        # 第一次读源库，第二次读目标库：让目标库的一位成员差 1 分
        nonlocal calls
        calls += 1
        found = await sums()
        if calls == 2:
            found[("jgs", 1)] += 1
        return found

    try:
        monkeypatch.setattr(copydb, "_member_sums", one_sum_off)
        with pytest.raises(copydb.CopyRefused, match="1 位成员的积分合计不一致"):
            await copydb.copy(source, target, report=lambda _: None)
        assert calls == 2
        assert await _left_in(target) == {}
        monkeypatch.setattr(copydb, "_member_sums", sums)
        await _second_attempt_succeeds(source, target)
    finally:
        await close_database()
        await databases.drop_postgres(target)
