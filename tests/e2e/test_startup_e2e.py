"""启动：制度文件有错就不启动；access token 不对的连接被拒绝。"""

from pathlib import Path

import pytest
from websockets.exceptions import WebSocketException

from tests import databases, fake
from tests.conftest import TEST_POLICY

from .harness import ApiCall, BotProcess, FakeOneBot


async def test_a_bad_policy_stops_start_up_with_one_line_per_problem(tmp_path: Path) -> None:
    bad = tmp_path / "policy.toml"
    text = TEST_POLICY.read_text("utf-8")
    bad.write_text(
        text.replace('check_time = "10:00"', 'check_time = "25:00"').replace(
            "daily_penalty = 10", "daily_penalty = -10"
        ),
        "utf-8",
    )
    bot = BotProcess(workdir=tmp_path, policy=bad)
    with pytest.raises(RuntimeError, match="机器人进程退出了"):
        await bot.start()
    assert await bot.exited() != 0
    log = bot.log()
    assert (
        f"{bad}: nickname.check_time：应为 00:00 到 23:59 之间的时间，写作 HH:MM（现在是 '25:00'）"
        in log
    )
    assert f"{bad}: nickname.daily_penalty：应不小于 0（现在是 -10）" in log
    assert "制度文件有误，群规助手未启动" in log
    assert "Traceback" not in log


async def test_a_gbk_policy_stops_start_up_with_a_chinese_line(tmp_path: Path) -> None:
    bad = tmp_path / "policy.toml"
    bad.write_bytes(TEST_POLICY.read_text("utf-8").encode("gbk"))
    bot = BotProcess(workdir=tmp_path, policy=bad)
    with pytest.raises(RuntimeError, match="机器人进程退出了"):
        await bot.start()
    assert await bot.exited() != 0
    log = bot.log()
    assert f"{bad}: 不是 UTF-8 编码（第 1 行起，可能是 GBK）：请用 UTF-8 保存" in log
    assert "制度文件有误，群规助手未启动" in log
    assert "Traceback" not in log


async def test_a_wrong_access_token_is_refused(tmp_path: Path) -> None:
    bot = BotProcess(workdir=tmp_path, policy=TEST_POLICY)
    await bot.start()
    try:
        intruder = FakeOneBot(bot.ws_url, token="not-the-token")
        with pytest.raises(WebSocketException):
            await intruder.connect()
            await intruder._socket.recv()
        await intruder.close()
        # 正确的 token 仍然可以连
        qq = FakeOneBot(bot.ws_url)
        await qq.connect()
        assert (
            await qq.group_says("/排行") == "鸡公山酒业 2026-11 积分排行（共 1 人）\n1. 张三 0 分"
        )
        await qq.close()
    finally:
        assert await bot.stop() == 0


def test_the_fake_napcat_answers_member_lookups_like_napcat() -> None:
    """测试台自检：以后的名片功能依赖这些回答的形状。"""
    qq = FakeOneBot("ws://unused")
    qq.add_member(987654321, 20003, card="", role="member", join_time=1795700000)
    (member,) = qq._member_list({"group_id": 987654321})
    assert (member["user_id"], member["card"], member["join_time"]) == (20003, "", 1795700000)
    assert (
        qq._answer(ApiCall("get_group_member_info", {"group_id": 987654321, "user_id": 1}))[
            "retcode"
        ]
        == 1200
    )
    assert qq._answer(ApiCall("no_such_action", {}))["retcode"] == 1404


@pytest.mark.skipif(databases.ON_POSTGRES, reason="只有 SQLite 限一个进程")
async def test_a_second_process_on_the_same_sqlite_file_refuses_to_start(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = BotProcess(workdir=tmp_path / "a", policy=TEST_POLICY)
    await first.start()
    try:
        second = BotProcess(workdir=tmp_path / "b", policy=TEST_POLICY, db_url=first.db_url)
        with pytest.raises(RuntimeError, match="机器人进程退出了"):
            await second.start()
        assert await second.exited() == 2
        log = second.log()
        assert f"另一个群规助手进程正在使用 SQLite 文件 {first.db_path.resolve()}" in log
        assert "请改用 PostgreSQL" in log and "Traceback" not in log
    finally:
        assert await first.stop() == 0


def napcat_in_groups(bot: BotProcess) -> FakeOneBot:
    """假 NapCat：它的账号在 NapCat 真实回答里的那几个群（get_group_list）。"""
    qq = FakeOneBot(bot.ws_url)
    qq.responders["get_group_list"] = lambda params: fake.RESPONSES["get_group_list_ok_napcat"][
        "data"
    ]
    return qq


async def test_a_first_run_without_groups_or_superusers_says_what_to_fill_in(
    tmp_path: Path,
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(
        TEST_POLICY.read_text("utf-8")
        .replace("work = [987654321]", "work = []")
        .replace("share = [987654322]", "share = []"),
        "utf-8",
    )
    bot = BotProcess(workdir=tmp_path, policy=policy, superusers=[])
    await bot.start()
    try:
        qq = napcat_in_groups(bot)
        await qq.connect()
        await qq.wait_for("get_group_list", within=5)
        # 不在制度里的群发来的消息：不回答，日志里说一次
        for _ in range(2):
            await qq.send_event(
                fake.group_message_payload("/积分", group_id=987654321, user_id=20001)
            )
        await qq.close()
    finally:
        assert await bot.stop() == 0
    log = bot.log()
    assert "组织「鸡公山酒业」的制度文件里还没有群号：机器人会连上 NapCat，但不理会任何群。" in log
    assert ".env 的 SUPERUSERS 是空的" in log
    # 运维看得到 NapCat 连上了，以及该抄哪个群号
    assert "QQ 10000 已连上，所在的群：" in log
    assert "987654321 鸡公山酒业工作群：未配置" in log
    assert log.count("群 987654321 不在制度文件里，已忽略") == 1
    assert [c for c in qq.calls if c.action == "send_group_msg"] == []
    assert "Traceback" not in log


async def test_a_superuser_finds_the_group_numbers_with_group_list(tmp_path: Path) -> None:
    bot = BotProcess(workdir=tmp_path, policy=TEST_POLICY)
    await bot.start()
    try:
        qq = napcat_in_groups(bot)
        await qq.connect()
        listing = await qq.private_says("/群列表", user_id=fake.SUPERUSER)
        await qq.close()
    finally:
        assert await bot.stop() == 0
    assert listing.startswith(f"QQ {qq.self_id} 所在的群（群号 群名：在制度里是什么）：\n")
    assert "987654321 鸡公山酒业工作群：公司群（鸡公山酒业）" in listing
    assert "555000111 家属群：未配置" in listing
