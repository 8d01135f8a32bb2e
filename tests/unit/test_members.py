from datetime import date, datetime
from pathlib import Path

from qungui import ledger, members, standings
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


async def test_bots_listed_in_the_policy_are_neither_counted_nor_ranked(db) -> None:
    # 10099 是另一个进程上的机器人：本进程看不到它连着，但制度里列了它
    policy = POLICY.model_copy(update={"org": POLICY.org.model_copy(update={"bots": [10099]})})
    for user in (1, 10099, 10000):
        await seen(user, datetime(2026, 11, 3, 9, tzinfo=CST))
    await ledger.award(
        org="jgs",
        user_id=10099,
        rule="manual.test",
        period="2026-11-03",
        delta=3,
        business_date=date(2026, 11, 3),
        now=datetime(2026, 11, 3, 9, tzinfo=CST),
        reason="误记给机器人的分",
    )
    assert await members.counted(policy, "2026-11", exclude=[10000]) == {1}
    ranked = await standings.month_standings(policy, "2026-11", [10000])
    assert [s.user_id for s in ranked] == [1]
