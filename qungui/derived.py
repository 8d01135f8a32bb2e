"""本进程里按组织缓存的派生数据：排名、累计积分、显示名、公布过的排行。

/积分 和 /排行 每次都要这些数，而每句 ORM 查询光是拼 SQL 就要三百来微秒，算一次全组织的排名
要二三十毫秒。所以算好的结果按组织缓存：本进程写了相关的表（`changed`）就作废；别的进程
（PostgreSQL 多进程部署）写的，最多晚 CACHE_SECONDS 秒反映出来。
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

from .state import STATE

T = TypeVar("T")

LEDGER = "ledger"
"""账本和月度合计"""
MEMBERS = "members"
"""成员表：谁算在内"""
NAMES = "names"
"""成员的名片和昵称"""
SNAPSHOTS = "snapshots"
"""月底存下的排行"""

CACHE_SECONDS = 30.0
"""别的进程写的数据，最多晚这么久反映到本进程的缓存里"""
_MAX_ENTRIES = 256


def changed(org: str, topic: str) -> None:
    """本进程改了这个组织的某类数据：依赖它的缓存作废。"""
    versions = STATE.org(org).derived_versions
    versions[topic] = versions.get(topic, 0) + 1


def clear() -> None:
    """换了制度（缓存的名字和排名按旧制度算的）时清空派生数据；别的记号（`STATE`）不动。"""
    STATE.derived_entries.clear()
    for org in STATE.orgs():
        org.derived_versions.clear()


async def cached(
    key: Hashable, org: str, topics: tuple[str, ...], compute: Callable[[], Awaitable[T]]
) -> T:
    """`key` 的缓存值；依赖的 `topics` 在本进程里变过或放了太久，就重新 `compute()`。"""
    versions = STATE.org(org).derived_versions
    stamp = tuple(versions.get(topic, 0) for topic in topics)
    entries = STATE.derived_entries
    hit = entries.get(key)
    if hit is not None and hit[1] == stamp and hit[0] > time.monotonic():
        return hit[2]
    value = await compute()
    if len(entries) >= _MAX_ENTRIES:
        entries.clear()
    # 用算之前的版本号：算的时候又有写入，下次就会重算
    entries[key] = (time.monotonic() + CACHE_SECONDS, stamp, value)
    return value
