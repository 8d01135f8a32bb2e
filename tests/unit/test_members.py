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


async def test_names_never_show_a_phone_or_a_whole_qq_number(db) -> None:
    at = datetime(2026, 11, 27, 10, tzinfo=CST)
    rows = [
        (20001, 987654321, "鸡公山酒业-张三-13800000001", "zs"),
        (20002, 987654321, "13712345678", "小李"),  # 名片只写了号码
        (20003, 987654321, "王五-13712345678", ""),  # 不规范、没有昵称
        (20004, 987654321, "鸡公山酒业-赵六-13800000004", ""),
        (20004, 987654322, "", ""),  # 后来在另一个群出现，那里什么也没有：仍叫赵六
    ]
    for user, group, card, nickname in rows:
        await members.upsert("jgs", group, user, at, card=card, nickname=nickname, last_seen=at)
    assert await members.display_names(POLICY, [20001, 20002, 20003, 20004, 1234567890]) == {
        20001: "张三",
        20002: "小李",
        20003: "成员0003",
        20004: "赵六",
        1234567890: "成员7890",  # 没见过的人
    }


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


def test_a_group_is_called_by_its_name_never_its_number() -> None:
    from qungui.state import STATE

    work, share = POLICY.groups.work[0], POLICY.groups.share[0]
    STATE.reset()
    assert (members.group_name(POLICY, work), members.group_name(POLICY, share)) == (
        "公司群",
        "分享群",
    )
    STATE.group_names[work] = "鸡公山酒业员工群"
    assert members.group_name(POLICY, work) == "鸡公山酒业员工群"
    STATE.reset()
