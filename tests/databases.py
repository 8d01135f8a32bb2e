"""测试用的数据库：默认每个测试一个新的 SQLite 文件；设置了 QUNGUI_TEST_DB_URL
（如 postgres://postgres@127.0.0.1:5432/postgres）时，每次测试运行建一个新的 PostgreSQL 库，用完删掉。

同一次运行里的单元测试和 nonebug 测试共用一个库，每个测试前清空全部表（编号从 1 重新开始）；
端到端测试的每个机器人进程各用一个新库。
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

SERVER_URL = os.environ.get("QUNGUI_TEST_DB_URL", "")
ON_POSTGRES = SERVER_URL.startswith(("postgres://", "postgresql://"))


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def create_postgres() -> str:
    """新建一个空库，返回它的地址。"""
    name = f"qungui_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(_asyncpg_url(SERVER_URL))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return _with_database(SERVER_URL, name)


async def drop_postgres(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    conn = await asyncpg.connect(_asyncpg_url(SERVER_URL))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _asyncpg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


async def query(url: str, sql: str, *args: Any) -> list[tuple]:
    """在测试里直接读库（SQLite 文件或 PostgreSQL）；参数写 $1、$2……（SQLite 时换成 ?）。"""
    if url.startswith("sqlite://"):
        path = Path(url.removeprefix("sqlite://").split("?", 1)[0])
        with sqlite3.connect(path) as db:
            plain = sql
            for i in range(len(args), 0, -1):
                plain = plain.replace(f"${i}", "?")
            return [tuple(row) for row in db.execute(plain, args).fetchall()]
    conn = await asyncpg.connect(_asyncpg_url(url))
    try:
        return [tuple(row) for row in await conn.fetch(sql, *args)]
    finally:
        await conn.close()
