"""按组织缓存的派生数据（qungui/derived.py）：本进程一写就作废，放久了也作废。"""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from qungui import derived, ledger, members, points, standings
from qungui.policy import load_policies

POLICY = load_policies(Path(__file__).parents[1] / "policy.toml").orgs["jgs"]
AT = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
WORK_GROUP = POLICY.groups.work[0]


class Counter:
    def __init__(self):
        self.calls = 0

    async def __call__(self) -> int:
        self.calls += 1
        return self.calls


async def test_recomputed_only_when_a_topic_it_reads_changes(db) -> None:
    compute = Counter()

    async def read() -> int:
        return await derived.cached(("k",), "jgs", (derived.LEDGER,), compute)

    assert [await read(), await read()] == [1, 1]
    derived.changed("jgs", derived.NAMES)  # 不相干的数据
    derived.changed("other", derived.LEDGER)  # 别的组织
    assert await read() == 1
    derived.changed("jgs", derived.LEDGER)
    assert await read() == 2


async def test_kept_at_most_cache_seconds(db, monkeypatch: pytest.MonkeyPatch) -> None:
    compute = Counter()
    monkeypatch.setattr(derived, "CACHE_SECONDS", 0.0)  # 放进去就已过期
    assert await derived.cached(("k",), "jgs", (), compute) == 1
    assert await derived.cached(("k",), "jgs", (), compute) == 2


async def card(user: int, text: str) -> None:
    await members.remember(
        org="jgs",
        group_id=WORK_GROUP,
        user_id=user,
        card=text,
        nickname="",
        role="member",
        seen_at=AT,
    )


async def test_names_follow_a_card_change_and_a_new_member(db) -> None:
    await card(1, "鸡公山酒业-张三-13800000001")
    assert await members.display_names(POLICY, [1, 2]) == {1: "张三", 2: "成员2"}
    await card(1, "鸡公山酒业-张叁-13800000001")
    await card(2, "鸡公山酒业-李四-13800000002")
    assert await members.display_names(POLICY, [1, 2]) == {1: "张叁", 2: "李四"}


async def test_points_and_rank_follow_each_write(db) -> None:
    async def share(user: int, day: int) -> None:
        await ledger.award(
            org="jgs",
            user_id=user,
            rule="share.daily",
            period=f"2026-11-{day:02d}",
            delta=1,
            business_date=date(2026, 11, day),
            now=AT,
        )

    await share(1, 1)
    await share(2, 1)
    await share(2, 2)
    first = await points.summary(POLICY, 1, "2026-11", [])
    assert (first.points, first.rank, first.count, first.all_time) == (1, 2, 2, 1)
    await share(1, 2)
    await share(1, 3)
    again = await points.summary(POLICY, 1, "2026-11", [])
    assert (again.points, again.rank, again.all_time, again.entries) == (3, 1, 3, 3)
    board = await points.board(POLICY, "2026-11", [])
    assert [(s.user_id, s.points) for s in board.standings] == [(1, 3), (2, 2)]
    assert (await standings.month_view(POLICY, "2026-11")).summary(2).share_days == 2


async def test_board_names_follow_a_card_change(db) -> None:
    await card(1, "鸡公山酒业-张三-13800000001")
    assert (await points.board(POLICY, "2026-11", [])).names[1] == "张三"
    await card(1, "鸡公山酒业-张叁-13800000001")
    assert (await points.board(POLICY, "2026-11", [])).names[1] == "张叁"
