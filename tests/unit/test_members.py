from datetime import datetime
from pathlib import Path

from qungui import members
from qungui.policy import load_policies

POLICY = load_policies(Path(__file__).parents[1] / "policy.toml").orgs["jgs"]
CST = POLICY.tz


async def seen(user: int, at: datetime) -> None:
    await members.remember(
        org="jgs",
        group_id=987654321,
        user_id=user,
        card="",
        nickname="",
        role="member",
        seen_at=at,
    )


async def test_counted_uses_the_org_month_boundaries(db) -> None:
    await seen(1, datetime(2026, 11, 30, 23, 30, tzinfo=CST))  # 北京时间 11 月最后半小时
    await seen(2, datetime(2026, 12, 1, 0, 30, tzinfo=CST))  # UTC 仍是 11 月 30 日
    assert await members.counted(POLICY, "2026-11") == {1}
    assert await members.counted(POLICY, "2026-12") == {1, 2}
    assert await members.counted(POLICY, "2026-11", exclude=[1]) == set()
