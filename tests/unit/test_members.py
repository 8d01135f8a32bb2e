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
