"""把一个库（通常是 SQLite 文件）的全部数据搬到另一个库（通常是 PostgreSQL）。

    .venv/bin/python -m qungui.copydb sqlite:///path/to/qungui.sqlite3 postgres://user@host:5432/qungui

先把目标库迁移到最新结构；目标库里已有任何数据就拒绝（不合并、不覆盖）。逐表按编号分批复制（经由临时文件），
编号保持不变（账本编号就是用户看到的编号），然后核对每张表的行数和每个成员的积分合计，两边一致才算成功。
写入目标库是一个事务：中途失败或核对不上，目标库什么也不留，可以再来一次。
复制时请先停掉机器人，免得源库还在写。
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from tortoise import Tortoise, connections
from tortoise.exceptions import BaseORMException
from tortoise.functions import Sum
from tortoise.migrations.api import migrate
from tortoise.transactions import in_transaction

from . import models
from .db import tortoise_config

BATCH = 2000
# 复制顺序：表之间没有外键，按 models.py 的顺序即可
MODELS = [
    models.Member,
    models.LedgerEntry,
    models.CommandKey,
    models.MonthTotal,
    models.JobRun,
    models.AbsenceCase,
    models.Share,
    models.WarningCase,
    models.FilterHit,
    models.MonthStanding,
    models.MonthClose,
    models.CardEnforcement,
    models.BotPresence,
    models.Notice,
    models.NoticeTarget,
    models.Appeal,
    models.Campaign,
    models.Claim,
    models.Leave,
    models.WebToken,
    models.WebSession,
]


class CopyRefused(Exception):
    """目标库不是空的，或复制后核对不上。"""


@dataclass(frozen=True)
class Copied:
    rows: dict[str, int]
    members_checked: int


async def copy(source: str, target: str, report=print) -> Copied:
    # 先整库读出到临时文件，再整库写入：tortoise 按连接名缓存生成的 SQL（占位符随方言不同），
    # 同一个进程里同时连两种库、交替读写并不可靠；两个阶段也各用一个连接名
    with tempfile.TemporaryDirectory(prefix="qungui-copy-") as folder:
        dump = Path(folder)
        await _open(source, "copy_source", migrate_first=False)
        try:
            rows = {m._meta.db_table: await _dump(m, dump) for m in MODELS}
            sums = await _member_sums()
        finally:
            await Tortoise.close_connections()
        await _open(target, "copy_target", migrate_first=True)
        try:
            # 查空、写入、拨序列、核对都在目标库的一个事务里：中途断线或核对不上就整个回滚，
            # 目标库仍是空的，改好原因后可以直接再来一次
            async with in_transaction("copy_target"):
                await _refuse_non_empty()
                for model in MODELS:
                    table = model._meta.db_table
                    await _load(model, dump)
                    report(f"{table}: {rows[table]} 行")
                await _reset_sequences()
                await _check(rows, sums)
        finally:
            await Tortoise.close_connections()
    report(f"核对通过：{len(rows)} 张表的行数一致，{len(sums)} 位成员的积分合计一致")
    return Copied(rows, len(sums))


async def _refuse_non_empty() -> None:
    for model in MODELS:
        if await model.all().exists():
            raise CopyRefused(f"目标库的 {model._meta.db_table} 表里已有数据：只能复制到空库")


async def _check(rows: dict[str, int], sums: dict[tuple[str, int], int]) -> None:
    for model in MODELS:
        table = model._meta.db_table
        if (copied := await model.all().count()) != rows[table]:
            raise CopyRefused(f"{table} 行数不一致：源库 {rows[table]}，目标库 {copied}")
    if (after := await _member_sums()) != sums:
        wrong = sorted(k for k in set(sums) | set(after) if sums.get(k) != after.get(k))
        raise CopyRefused(f"{len(wrong)} 位成员的积分合计不一致，例如 {wrong[:3]}")


async def _open(url: str, name: str, migrate_first: bool) -> None:
    config = tortoise_config(url, name)
    if migrate_first:
        await migrate(config=config)
        await Tortoise.close_connections()
    await Tortoise.init(config=config)


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(type(value))


async def _dump(model, folder: Path) -> int:
    key = model._meta.pk_attr  # 多数表是自增 id，命令键表是事件键字符串
    copied, query = 0, model.all()
    with (folder / f"{model._meta.db_table}.jsonl").open("w", encoding="utf-8") as out:
        while batch := await query.order_by(key).limit(BATCH).values():
            for row in batch:
                out.write(json.dumps(row, default=_plain, ensure_ascii=False) + "\n")
            copied += len(batch)
            query = model.filter(**{f"{key}__gt": batch[-1][key]})
    return copied


async def _load(model, folder: Path) -> None:
    fields = model._meta.fields_map
    batch = []
    with (folder / f"{model._meta.db_table}.jsonl").open(encoding="utf-8") as rows:
        for line in rows:
            data = json.loads(line)
            # 带着原编号新建：bulk_create 会把 id 一起写入
            batch.append(model(**{k: fields[k].to_python_value(v) for k, v in data.items()}))
            if len(batch) >= BATCH:
                await model.bulk_create(batch)
                batch = []
    if batch:
        await model.bulk_create(batch)


async def _reset_sequences() -> None:
    conn = connections.get("copy_target")
    if conn.capabilities.dialect != "postgres":
        return
    for model in MODELS:
        if model._meta.pk_attr != "id":
            continue
        table = model._meta.db_table
        # 保留了原编号：把自增序列拨到最大编号之后，新记录才不会撞号。用 ALTER SEQUENCE 而不是
        # setval：setval 不随事务回滚，复制失败后空库的编号会从中间开始
        [found] = (
            await conn.execute_query(
                f"SELECT pg_get_serial_sequence('{table}', 'id') AS seq, "
                f"COALESCE(MAX(id), 0) + 1 AS next FROM {table}"
            )
        )[1]
        await conn.execute_script(f"ALTER SEQUENCE {found['seq']} RESTART WITH {found['next']}")


async def _member_sums() -> dict[tuple[str, int], int]:
    found = (
        await models.LedgerEntry.all()
        .group_by("org", "user_id")
        .annotate(points=Sum("delta"))
        .values_list("org", "user_id", "points")
    )
    return {(org, int(user)): int(points) for org, user, points in found}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m qungui.copydb", description="把群规助手的数据从一个库复制到另一个空库并核对"
    )
    parser.add_argument("source", help="源库，例如 sqlite:///srv/qungui/data/qungui.sqlite3")
    parser.add_argument(
        "target", help="目标库（空的），例如 postgres://qungui@127.0.0.1:5432/qungui"
    )
    args = parser.parse_args(argv)
    try:
        asyncio.run(copy(args.source, args.target))
    except CopyRefused as exc:
        print(f"没有复制：{exc}", file=sys.stderr)
        return 1
    except (OSError, BaseORMException) as exc:
        # 连不上库、源库不是群规助手的库、复制中途断线：复制在目标库的一个事务里，什么也没留下
        print(
            f"没有复制：连不上数据库，或读写时出错（{exc}）。目标库保持原样，查明后可以再运行一次。",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
