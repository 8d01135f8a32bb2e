"""坏输入与越权：每个命令都用随机参数轰一遍（hypothesis），每个管理命令都让无权的人试一遍。

机器人是真的（NoneBot 初始化、唯一的匹配器、真实的 SQLite），只有 QQ 那一侧是录音机：
记下每次调用，按 NapCat 的形状回答。
"""

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nonebot.adapters.onebot.v11 import ActionFailed, Adapter, Bot
from nonebug import App

from qungui.models import FilterHit, LedgerEntry, MonthStanding, WarningCase
from qungui.roles import Role
from tests import fake
from tests.fake import OTHER_GROUP, SHARE_GROUP, WORK_GROUP, member_info

from .conftest import patch_policy

MEMBER = 20001
CARD = "鸡公山酒业-张三-13900000000"
FAILED = "处理这条命令时出错了"
CJK = re.compile(r"[\u4e00-\u9fff]")


class RecordingQQ:
    """QQ 那一侧：记录调用，像 NapCat 一样回答。"""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def __call__(self, bot: Bot, api: str, **data: Any) -> Any:
        self.calls.append((api, data))
        if api == "get_group_member_list":
            return [member_info(MEMBER, group_id=data["group_id"], card=CARD)]
        if api == "get_group_member_info":
            return member_info(data["user_id"], group_id=data["group_id"], role="admin")
        if api in ("get_msg", "upload_private_file"):
            raise ActionFailed(status="failed", retcode=1200, message="消息不存在", wording="")
        return {"message_id": len(self.calls)}

    def texts(self) -> list[str]:
        found = []
        for api, data in self.calls:
            if api in ("send_group_msg", "send_private_msg"):
                words = [s.data["text"] for s in data["message"] if s.type == "text"]
                if words:  # 只有图片的那条（排行图）不算文字回复
                    found.append("".join(words))
        return found


@pytest.fixture
def qq(app: App, monkeypatch: pytest.MonkeyPatch, tmp_path) -> RecordingQQ:
    import nonebot

    import plugins.leaderboard as leaderboard

    recorder = RecordingQQ()
    monkeypatch.setattr(nonebot.get_adapter(Adapter), "_call_api", recorder)
    monkeypatch.setattr(leaderboard, "export_folder", lambda: tmp_path)  # /导出 别写到家目录里
    return recorder


async def deliver(event) -> None:
    import nonebot
    from nonebot.message import handle_event

    bot = Bot(nonebot.get_adapter(Adapter), str(fake.SELF_ID))
    await handle_event(bot, event)


async def nothing_written() -> None:
    for model in (LedgerEntry, WarningCase, FilterHit, MonthStanding):
        assert await model.all().count() == 0, model.__name__


def admin_commands() -> list:
    from plugins.core import router

    return [c for c in router.commands.values() if c.role > Role.MEMBER]


async def test_every_admin_command_is_refused_to_those_without_the_role(
    app: App, db, qq: RecordingQQ
) -> None:
    commands = admin_commands()
    assert {"加分", "扣分", "撤销", "警告", "确认", "驳回", "月榜", "导出"} <= {
        c.name for c in commands
    }
    # 在别的群（不属于本组织）是管理员：机器人根本不理那个群
    await deliver(
        fake.group_message("/加分 5 自己加", user_id=MEMBER, group_id=OTHER_GROUP, role="admin")
    )
    assert qq.calls == []
    for command in commands:
        for group in (WORK_GROUP, SHARE_GROUP):
            qq.calls.clear()
            message = f"/{command.name} 审1 5 理由"
            await deliver(fake.group_message(message, user_id=MEMBER, group_id=group, card=CARD))
            needed = command.role.label
            assert qq.texts() == [f"「/{command.name}」需要{needed}及以上权限，你现在是成员。"], (
                command.name
            )
        qq.calls.clear()
        await deliver(fake.private_message(f"/{command.name} 审1 5 理由", user_id=MEMBER))
        if command.private:
            assert qq.texts() == [
                f"「/{command.name}」需要{command.role.label}及以上权限，你现在是成员。"
            ]
        else:
            # 群里的命令：私聊只说去群里发，不执行，也不透露什么
            assert qq.texts() == [f"「/{command.name}」要在群里发，私聊里不能用。"], command.name
    await nothing_written()


def _message(parts: list) -> list[dict]:
    return [fake.at(p) if isinstance(p, int) else fake.text(p) for p in parts]


ARGS = st.lists(
    st.one_of(
        st.text(max_size=40),
        st.text(alphabet="0123456789-", min_size=1, max_size=30),
        st.sampled_from(
            [
                "9" * 40,
                "-5",
                "审0",
                "审99999999999",
                "2026-02-30",
                "[CQ:at,qq=all]",
                "'; DROP TABLE ledger_entry; --",
                "严重违规",
                "\u202e\u200b\U0001f600",
                "x" * 10_000,
            ]
        ),
        st.integers(min_value=1, max_value=10**12),  # @ 某个 QQ 号
    ),
    max_size=40,
)


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(
        sorted(
            [
                "积分",
                "积分明细",
                "排行",
                "加分",
                "扣分",
                "撤销",
                "警告",
                "警告记录",
                "改名片",
                "名片检查",
                "名单",
                "今日分享",
                "精选",
                "非原创",
                "补分享",
                "确认",
                "驳回",
                "举报",
                "规则统计",
                "月榜",
                "导出",
                "群规",
                "帮助",
                "状态",
                "重载群规",
            ]
        )
    ),
    args=ARGS,
    who=st.sampled_from([MEMBER, fake.ADMIN, fake.CHAIRMAN]),
    private=st.booleans(),
)
async def test_random_arguments_never_crash_or_write(
    app: App,
    db,
    qq: RecordingQQ,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    args: list,
    who: int,
    private: bool,
) -> None:
    # 这里测的是命令的参数解析。命令文字也过内容过滤（test_content.py 另有测试）：随机的数字串会像
    # 身份证号、卡号一样被过滤记下，那是过滤该做的事，不是命令写了东西，所以这里关掉过滤
    patch_policy(monkeypatch, "filter", rules=[], links=None, privacy=None, flood=None)
    qq.calls.clear()
    message = _message([f"/{name} ", *args])
    if private:
        event = fake.private_message(message, user_id=who)
    else:
        event = fake.group_message(message, user_id=who, card=CARD)
    await deliver(event)
    for text in qq.texts():
        assert FAILED not in text, (name, args)
        assert CJK.search(text), text
        assert "Traceback" not in text and "None" not in text
        first_line = text.splitlines()[0]
        assert len(first_line) <= 200, first_line
    # 空库里，没有任何随机参数能构成一次合法的记分、警告或审核
    await nothing_written()


async def test_200_adjustments_at_once_are_all_counted_exactly(
    app: App, db, qq: RecordingQQ
) -> None:
    import asyncio

    from qungui.models import MonthTotal

    events = [
        fake.group_message(
            [fake.text("/加分 "), fake.at(MEMBER), fake.text(" 3 协助盘点")],
            user_id=fake.ADMIN,
            card="鸡公山酒业-王管-13700000000",
        )
        for _ in range(200)
    ]
    await asyncio.gather(*(deliver(event) for event in events))
    rows = await LedgerEntry.filter(user_id=MEMBER).values_list("delta", flat=True)
    assert len(rows) == 200 and sum(rows) == 600
    total = await MonthTotal.get(org="jgs", user_id=MEMBER, month="2026-11")
    assert (total.points, total.entries) == (600, 200)
    assert len([t for t in qq.texts() if t.startswith("已记录")]) == 200
