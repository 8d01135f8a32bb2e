"""通知的服务：谁要确认、确认只记一次、迟到、截止时只认领一次、处罚去重、撤回、导出的确认率、制度校验。"""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qungui import export, ledger, members, notices
from qungui.models import LedgerEntry, Notice, NoticeTarget
from qungui.policy import NoticesSection, load_policies
from qungui.roles import OwnCase, Role

from .test_policy import SHIPPED, problems_of, write_variant

BASE = load_policies(Path(__file__).parents[1] / "policy.toml").orgs["jgs"]
POLICY = BASE.model_copy(update={"notices": NoticesSection(penalty=5)})
CST = POLICY.tz
WORK, SHARE = 987654321, 987654322
ADMIN, ZHANG, LI, WANG, EXEMPT, BOT = 30001, 20001, 20002, 20003, 20009, 10000


def cst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CST)


@pytest.fixture
async def group(db):
    notices.board.clear()
    seen = datetime(2026, 11, 1, tzinfo=UTC)
    for user in (ADMIN, ZHANG, LI, WANG, EXEMPT, BOT):
        await members.upsert("jgs", WORK, user, seen, card="", nickname=str(user))
    await members.upsert("jgs", SHARE, 20005, seen, card="", nickname="分享群的人")
    yield
    notices.board.clear()


async def make(targets: list[int], key: str = "k1", at: datetime | None = None):
    return await notices.create(
        POLICY,
        group_id=WORK,
        sender_id=ADMIN,
        text="明天开会",
        targets=targets,
        named=False,
        now=at or cst(2026, 11, 27, 10),
        event_key=key,
    )


@pytest.mark.parametrize(
    ("text", "ack"),
    [
        ("收到", True),
        ("  收到！", True),
        ("收到，马上办", True),
        ("ＯＫ", False),
        ("马上执行", True),
        ("好的", True),
        ("我收到了", False),
        ("", False),
        ("明天再说", False),
    ],
)
def test_ack_words_match_the_whole_message_or_its_start_after_nfkc(text: str, ack: bool) -> None:
    assert notices.is_ack(text, POLICY.notices.ack_words) is ack


def test_fullwidth_words_in_the_policy_match_halfwidth_messages() -> None:
    assert notices.is_ack("OK，没问题", ["ＯＫ"])


@pytest.mark.parametrize("text", ["ok", "Ok，马上办", "ｏｋ", "OK"])
def test_latin_ack_words_match_in_any_case(text: str) -> None:
    assert notices.is_ack(text, ["OK"])
    assert notices.is_ack(text, ["ok"])


def test_the_notice_number_is_read_from_the_quoted_text() -> None:
    assert notices.quoted_id("【通知 12】明天开会\n请在 10:30 前回复") == 12
    assert notices.quoted_id("回复【通知 12】") is None


async def test_audience_is_the_counted_members_of_that_group_without_sender_bots_exempt(
    group,
) -> None:
    policy = POLICY.model_copy(
        update={"nickname": POLICY.nickname.model_copy(update={"exempt": [EXEMPT]})}
    )
    people = await notices.audience(policy, WORK, ADMIN, [], {BOT}, "2026-11")
    assert people == [ZHANG, LI, WANG]
    named = await notices.audience(policy, WORK, ADMIN, [LI, ADMIN, BOT, LI], {BOT}, "2026-11")
    assert named == [LI]


async def test_acknowledging_twice_changes_nothing_and_late_is_marked(group) -> None:
    made = await make([ZHANG, LI, WANG])
    notice = made.notice
    assert notice.deadline == cst(2026, 11, 27, 10, 30)
    assert notices.board.pending(WORK, ZHANG)[0].id == notice.id
    assert await notices.acknowledge(notice.id, WORK, ZHANG, notices.WORD, cst(2026, 11, 27, 10, 5))
    assert not await notices.acknowledge(
        notice.id, WORK, ZHANG, notices.QUOTE, cst(2026, 11, 27, 10, 6)
    )
    assert not await notices.acknowledge(
        notice.id, WORK, ADMIN, notices.WORD, cst(2026, 11, 27, 10, 6)
    )
    assert await notices.acknowledge(notice.id, WORK, LI, notices.EMOJI, cst(2026, 11, 27, 10, 45))
    assert notices.board.pending(WORK, ZHANG) == []
    state = await notices.status(notice)
    assert (state.on_time, state.late, state.silent) == ([ZHANG], [LI], [WANG])
    rows = await NoticeTarget.filter(user_id=ZHANG).values_list("how", "late")
    assert rows == [("word", False)]


async def test_a_replayed_command_creates_one_notice(group) -> None:
    first = await make([ZHANG])
    again = await make([ZHANG])
    assert first.created and not again.created
    assert again.notice.id == first.notice.id


async def test_the_deadline_is_claimed_once_and_penalties_are_written_once(group) -> None:
    notice = (await make([ZHANG, LI])).notice
    await notices.acknowledge(notice.id, WORK, ZHANG, notices.WORD, cst(2026, 11, 27, 10, 1))
    assert await notices.due(cst(2026, 11, 27, 10, 29)) == []
    (due,) = await notices.due(cst(2026, 11, 27, 10, 30))
    # 两个进程同时到点：处罚各做一遍也只记一次，提醒只有一个认领得到
    first = await notices.penalise(POLICY, due, cst(2026, 11, 27, 10, 30))
    second = await notices.penalise(POLICY, due, cst(2026, 11, 27, 10, 30))
    assert [(e.user_id, e.delta, e.rule) for e in first] == [(LI, -5, "notice.silent")]
    assert second == []
    assert await notices.claim_deadline(due, cst(2026, 11, 27, 10, 30))
    assert not await notices.claim_deadline(due, cst(2026, 11, 27, 10, 30))
    assert await notices.due(cst(2026, 11, 27, 11)) == []
    # 处罚像别的记录一样能撤销
    await ledger.reverse(
        org="jgs",
        entry_id=first[0].id,
        now=cst(2026, 11, 27, 11),
        actor_id=ADMIN,
        actor_role=Role.ADMIN,
        reason="在外开会",
        command_key="undo",
    )
    assert sum(await LedgerEntry.filter(user_id=LI).values_list("delta", flat=True)) == 0


async def test_no_penalty_when_the_policy_says_zero(group) -> None:
    notice = (await make([ZHANG])).notice
    assert (
        await notices.penalise(
            BASE.model_copy(update={"notices": NoticesSection()}), notice, cst(2026, 11, 27, 10, 30)
        )
        == []
    )


async def test_withdrawn_notices_are_not_due_and_a_target_cannot_withdraw_it(group) -> None:
    notice = (await make([ZHANG, 30002])).notice
    with pytest.raises(OwnCase):
        await notices.withdraw(
            POLICY,
            notice.id,
            actor_id=30002,
            actor_role=Role.CHAIRMAN,
            now=cst(2026, 11, 27, 10, 1),
        )
    await notices.withdraw(
        POLICY, notice.id, actor_id=ADMIN, actor_role=Role.ADMIN, now=cst(2026, 11, 27, 10, 1)
    )
    assert await notices.due(cst(2026, 11, 27, 11)) == []
    assert notices.board.pending(WORK, ZHANG) == []
    with pytest.raises(notices.NoticeRefused) as caught:
        await notices.withdraw(
            POLICY, notice.id, actor_id=ADMIN, actor_role=Role.ADMIN, now=cst(2026, 11, 27, 10, 2)
        )
    assert isinstance(caught.value, notices.NoticeWithdrawn)


async def test_a_notice_past_its_deadline_cannot_be_withdrawn_before_the_tick_claims_it(
    group,
) -> None:
    notice = (await make([ZHANG, LI])).notice
    # 截止时刻的走动先记了处罚，还没认领提醒；这时再撤回，处罚就留在一条“撤回了”的通知上
    (due,) = await notices.due(cst(2026, 11, 27, 10, 30))
    written = await notices.penalise(POLICY, due, cst(2026, 11, 27, 10, 30))
    assert [e.user_id for e in written] == [ZHANG, LI]
    with pytest.raises(notices.NoticeRefused) as caught:
        await notices.withdraw(
            POLICY,
            notice.id,
            actor_id=ADMIN,
            actor_role=Role.ADMIN,
            now=cst(2026, 11, 27, 10, 30, 20),
        )
    assert isinstance(caught.value, notices.NoticePast)
    assert await notices.claim_deadline(due, cst(2026, 11, 27, 10, 30))


async def test_refresh_rebuilds_the_board_from_the_database(group) -> None:
    """重启（或另一个进程发的通知）：内存里的表从库里重读，已确认的人不再等。"""
    notice = (await make([ZHANG, LI])).notice
    await notices.posted(notice, BOT, [7001, 7002])
    await notices.acknowledge(notice.id, WORK, ZHANG, notices.WORD, cst(2026, 11, 27, 10, 1))
    notices.board.clear()
    await notices.refresh(cst(2026, 11, 27, 10, 2))
    assert notices.board.pending(WORK, ZHANG) == []
    assert [n.id for n in notices.board.pending(WORK, LI)] == [notice.id]
    assert notices.board.find(WORK, BOT, 7002).id == notice.id
    assert notices.board.find(WORK, 10001, 7002) is None  # 编号只对发出它的账号有效
    # 截止一天以后不再看
    await notices.refresh(cst(2026, 11, 27, 10, 30) + notices.LATE_WINDOW)
    assert notices.board.pending(WORK, LI) == []


async def test_export_lists_notices_and_their_acknowledgement_rates(group, tmp_path) -> None:
    notice = (await make([ZHANG, LI, WANG, EXEMPT])).notice
    await notices.acknowledge(notice.id, WORK, ZHANG, notices.WORD, cst(2026, 11, 27, 10, 1))
    await notices.acknowledge(notice.id, WORK, LI, notices.WORD, cst(2026, 11, 27, 10, 2))
    await notices.acknowledge(notice.id, WORK, WANG, notices.WORD, cst(2026, 11, 27, 11))
    withdrawn = (await make([ZHANG], key="k2")).notice
    await notices.withdraw(
        POLICY, withdrawn.id, actor_id=ADMIN, actor_role=Role.ADMIN, now=cst(2026, 11, 27, 10, 3)
    )
    await make([ZHANG], key="k3", at=cst(2026, 12, 1, 9))  # 下个月的
    path = await export.write(POLICY, "2026-11", [], tmp_path / "out.xlsx")
    rows = list(load_workbook(path)["通知"].iter_rows(values_only=True))
    assert rows[0] == (
        "编号",
        "发出时间",
        "群",
        "发通知的人",
        "内容",
        "应确认",
        "按时",
        "迟到",
        "没确认",
        "按时确认率",
    )
    assert rows[1:] == [(1, "2026-11-27 10:00", WORK, str(ADMIN), "明天开会", 4, 2, 1, 1, "50%")]


def test_shipped_policy_documents_notices_commented_out() -> None:
    assert load_policies(SHIPPED).orgs["jgs"].notices is None
    assert "# [notices]" in SHIPPED.read_text("utf-8")


def test_enabled_notices_get_the_defaults(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "# [notices]", "[notices]")
    section = load_policies(path).orgs["jgs"].notices
    assert section == NoticesSection()
    assert (section.ack_minutes, section.penalty, section.remind_max) == (30, 0, 30)
    assert section.ack_words == ["收到", "执行", "马上执行", "好的", "明白"]
    assert section.post_as_group_notice is False


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ack_minutes = 0", "notices.ack_minutes：应不小于 1（现在是 0）"),
        ("penalty = -5", "notices.penalty：应不小于 0（现在是 -5）"),
        ("remind_max = 0", "notices.remind_max：应不小于 1（现在是 0）"),
        ('ack_words = ["收到", " "]', "notices.ack_words 第 2 个：确认用语不能是空的"),
        ("ack_words = []", "notices.ack_words：至少 1 项"),
        ('post_as_group_notice = "是"', "notices.post_as_group_notice：应为 true 或 false"),
        ("ack_minute = 30", "notices.ack_minute：未知的键（拼写错误？）"),
    ],
)
def test_bad_notices_keys_are_named(tmp_path: Path, line: str, expected: str) -> None:
    path = write_variant(tmp_path, "# [notices]", f"[notices]\n{line}")
    problems = problems_of(path)
    assert len(problems) == 1
    assert expected in problems[0], problems


async def test_a_long_split_notice_keeps_its_first_message_ids(group) -> None:
    """点名几百人的通知分成几十条：只记前 20 条的编号（列放得下），带标题的第一条总在里面。"""
    notice = (await make([ZHANG])).notice
    await notices.posted(notice, BOT, list(range(9000, 9030)))
    stored = await Notice.get(id=notice.id)
    assert stored.message_ids.split(",") == [str(n) for n in range(9000, 9020)]
