"""私聊时有几个组织：按此人所在的组织和命令所需的身份选（制度顺序），第一个词可以写组织编号，
属于几个组织的人每条回复都署上组织名；只属于一个组织的人什么也不变。"""

from pathlib import Path

import pytest
from nonebug import App

from qungui.models import LedgerEntry
from qungui.policy import load_policies
from tests import fake
from tests.conftest import B_WORK_GROUP, two_orgs
from tests.fake import ADMIN, WORK_GROUP, member_info

from .conftest import FileAsBase64, expect_private, make_bot

ZHANG = 20001
ZHANG_CARD = "鸡公山酒业-张三-13900000000"
EXPORTED = "已导出积分表「{path.name}」（排行、分享、账本三张表），文件已发给你。"
ZHANG_POINTS = "张三 本月（2026-11）积分 0 分，第 1 名 / 共 1 人；累计 0 分；本月记录 0 条。"


@pytest.fixture(autouse=True)
def _two_orgs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import plugins.leaderboard as leaderboard
    from plugins.core import policies

    monkeypatch.setattr(policies, "current", load_policies(two_orgs(tmp_path / "policies")))
    monkeypatch.setattr(leaderboard, "export_folder", lambda: tmp_path)


def speaks(ctx, bot, group_id: int, role: str = "member") -> None:
    ctx.receive_event(
        bot, fake.group_message("在", user_id=ZHANG, card=ZHANG_CARD, role=role, group_id=group_id)
    )


def expect_upload(ctx, user_id: int, path: Path) -> None:
    ctx.should_call_api(
        "upload_private_file",
        {"user_id": user_id, "file": FileAsBase64(path), "name": path.name},
        result=None,
    )


async def test_a_member_of_one_org_who_is_admin_of_the_other_exports_the_other(
    app: App, db, tmp_path: Path
) -> None:
    path = tmp_path / "xscy" / "西山茶业-2026年11月积分.xlsx"
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        speaks(ctx, bot, B_WORK_GROUP, role="admin")  # 西山茶业的群管理员
        speaks(ctx, bot, WORK_GROUP)  # 鸡公山酒业的普通成员
        ctx.receive_event(bot, fake.private_message("/导出 2026-11", user_id=ZHANG))
        ctx.should_call_api(
            "get_group_member_info",
            {"group_id": B_WORK_GROUP, "user_id": ZHANG, "no_cache": True},
            result=member_info(ZHANG, role="admin", card=ZHANG_CARD),
        )
        expect_upload(ctx, ZHANG, path)
        expect_private(ctx, "「西山茶业」" + EXPORTED.format(path=path), ZHANG)
        # 成员级的命令：按制度顺序用第一个组织，也署名
        ctx.receive_event(bot, fake.private_message("/积分", user_id=ZHANG))
        expect_private(ctx, "「鸡公山酒业」" + ZHANG_POINTS, ZHANG)
    assert path.is_file()


async def test_an_org_id_as_the_first_word_picks_that_org(app: App, db, tmp_path: Path) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        # 30001 是两个组织的管理员：不写编号用制度里的第一个
        ctx.receive_event(bot, fake.private_message("/导出 2026-11", user_id=ADMIN))
        first = tmp_path / "jgs" / "鸡公山酒业-2026年11月积分.xlsx"
        expect_upload(ctx, ADMIN, first)
        expect_private(ctx, "「鸡公山酒业」" + EXPORTED.format(path=first), ADMIN)
        ctx.receive_event(bot, fake.private_message("/导出 xscy 2026-11", user_id=ADMIN))
        second = tmp_path / "xscy" / "西山茶业-2026年11月积分.xlsx"
        expect_upload(ctx, ADMIN, second)
        expect_private(ctx, "「西山茶业」" + EXPORTED.format(path=second), ADMIN)
        ctx.receive_event(bot, fake.private_message("/名单 xscy 未进群", user_id=ADMIN))
        expect_private(ctx, "「西山茶业」制度里没有配置人事名单（[roster] file）。", ADMIN)


async def test_an_org_the_asker_is_not_in_is_refused_and_one_org_stays_unsigned(
    app: App, db
) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        speaks(ctx, bot, WORK_GROUP)
        ctx.receive_event(bot, fake.private_message("/积分 xscy", user_id=ZHANG))
        expect_private(
            ctx,
            "你不在组织「xscy」里，没有执行。你所在的组织：鸡公山酒业（jgs）；"
            "要指定组织，在命令后先写它的编号，例如 /积分 jgs ……",
            ZHANG,
        )
        # 只属于一个组织：回复和以前一样，不署名
        ctx.receive_event(bot, fake.private_message("/积分", user_id=ZHANG))
        expect_private(ctx, ZHANG_POINTS, ZHANG)
        ctx.receive_event(bot, fake.private_message("/积分 jgs", user_id=ZHANG))
        expect_private(ctx, ZHANG_POINTS, ZHANG)
    assert await LedgerEntry.all().count() == 0


async def test_private_points_name_the_org_when_two_apply(app: App, db) -> None:
    async with app.test_matcher() as ctx:
        bot = make_bot(ctx)
        speaks(ctx, bot, B_WORK_GROUP)
        speaks(ctx, bot, WORK_GROUP)
        ctx.receive_event(bot, fake.private_message("/积分", user_id=ZHANG))
        expect_private(ctx, "「鸡公山酒业」" + ZHANG_POINTS, ZHANG)
        ctx.receive_event(bot, fake.private_message("/积分 xscy", user_id=ZHANG))
        expect_private(ctx, "「西山茶业」" + ZHANG_POINTS, ZHANG)
        # 哪个组织都不够格：按身份最高的那个组织说需要什么权限
        ctx.receive_event(bot, fake.private_message("/导出", user_id=ZHANG))
        expect_private(ctx, "「鸡公山酒业」「/导出」需要管理员及以上权限，你现在是成员。", ZHANG)
