"""演示：不用 QQ，看群规助手在一个公司群里过完一个月（2026 年 11 月，压缩在一两分钟里）。

启动真实的 `bot.py`（临时 SQLite 库，随附的 config/policy.toml 填上演示的群号和人），用假 NapCat 通过真实的
OneBot v11 反向 WebSocket 扮演几位同事，边演边打印聊天记录：新人入群名片不对、一人改好一人没改（宽限后扣分）、
每天的分享（含凌晨 01:30 宽限时段的一条和一条抄来的）、20:00 的提醒、/精选、一次升级的 /警告、一条过滤命中的审核、
一条通知（有人确认、有人没有）、一次申诉、12 月 1 日的月度排行帖（文字和图片）、/导出 的积分表。
最后把排行图片和积分表写进 demo-output/ 并打印路径；排行图片同时更新 docs/images/demo-board.png
（README 里的那张）。运行：`make demo`。
"""

from __future__ import annotations

import asyncio
import base64
import re
import sys
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from qungui.outgoing import mask_digits
from tests import fake
from tests.e2e.harness import ApiCall, BotProcess, FakeOneBot

REPO = Path(__file__).resolve().parents[1]
CST = ZoneInfo("Asia/Shanghai")
WORK, SHARE = fake.WORK_GROUP, fake.SHARE_GROUP
GROUP_NAMES = {WORK: "公司群", SHARE: "分享群"}
ADMIN, CHAIRMAN, OPERATOR = fake.ADMIN, fake.CHAIRMAN, fake.SUPERUSER
ZHANG, LI, WANG, ZHAO, QIAN = 20001, 20002, 20003, 20004, 20007
NAMES = {
    ZHANG: "张三",
    LI: "李四",
    WANG: "王五",
    ZHAO: "赵六",
    QIAN: "钱七",
    ADMIN: "王管",
    CHAIRMAN: "陈总",
    OPERATOR: "运维",
}
PHONES = {ZHANG: "13900000001", LI: "13800000002", WANG: "13700000003", ZHAO: "13600000004"}
PHONES |= {QIAN: "13500000007", ADMIN: "13400000001", CHAIRMAN: "13300000002"}
MONTH = [date(2026, 11, day) for day in range(1, 31)]
SHARE_TOPICS = [
    "今天拜访了两家烟酒店，老板都说年底备货要提前，明天把订货单整理出来发给仓库",
    "复盘本周的团购订单，婚宴用酒占了一半，下周重点跑三家酒店的宴会部",
    "客户反馈新包装的礼盒更好送人，建议春节前在门店多摆一些样品",
    "参加了公司的品酒培训，学会了从挂杯和香气判断基酒的年份，回去讲给客户听",
    "跟物流对了一下发货时间，偏远乡镇要多留两天，下单时要提前告诉客户",
]


def card(user: int) -> str:
    return f"鸡公山酒业-{NAMES[user]}-{PHONES[user]}"


def demo_policy(folder: Path) -> Path:
    """随附的制度文件，填上演示的群号、管理小组和主席（运维第一次做的也正是这几处），再启用通知。"""
    text = (REPO / "config" / "policy.toml").read_text("utf-8")
    text = re.sub(r"^work = \[\]", f"work = [{WORK}]", text, count=1, flags=re.MULTILINE)
    text = re.sub(r"^share = \[\]", f"share = [{SHARE}]", text, count=1, flags=re.MULTILINE)
    text = re.sub(r"^admins = \[\]", f"admins = [{ADMIN}]", text, count=1, flags=re.MULTILINE)
    text = re.sub(
        r"^chairmen = \[\]", f"chairmen = [{CHAIRMAN}]", text, count=1, flags=re.MULTILINE
    )
    # 管理小组的王管不参加评比：照常记账，但不上榜、不被提醒分享
    text = re.sub(r"^exclude = \[\]", f"exclude = [{ADMIN}]", text, count=1, flags=re.MULTILINE)
    # 通知一节在随附的文件里是注释掉的：去掉那几行开头的 “# ”
    text = re.sub(
        r"^# (\[notices\]|ack_minutes|ack_words|penalty|remind_max|post_as_group_notice)",
        r"\1",
        text,
        flags=re.MULTILINE,
    )
    path = folder / "policy.toml"
    path.write_text(text, "utf-8")
    return path


def stamp(day: date, hour: int, minute: int = 0) -> int:
    return int(datetime(day.year, day.month, day.day, hour, minute, tzinfo=CST).timestamp())


class Demo:
    """演一个月：每一步之后把机器人对外做的事（发消息、改名片、传文件……）按时间打印出来。"""

    def __init__(self, bot: BotProcess, qq: FakeOneBot, out: TextIO, folder: Path):
        self.bot, self.qq, self.out, self.folder = bot, qq, out, folder
        self.shown = 0
        self.handled = 1  # 连上时的 lifecycle 事件
        self.pushed = 0
        self.log_read = 0
        self.log_done = 0
        self.when = ""
        self.board: Path | None = None
        self.sheet: Path | None = None

    # —— 时间与等待 ——
    async def clock(self, day: date, hour: int, minute: int = 0, second: int = 30) -> None:
        """拨钟：到点的定时任务（名片检查、提醒、通知截止、月底）在这一步里执行。"""
        moment = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=CST)
        self.when = f"{moment:%m-%d %H:%M}"
        await self.bot.set_clock(moment.isoformat())
        self.show()

    async def settle(self, events: int) -> None:
        """等机器人处理完刚发的 `events` 个事件（NoneBot 每处理完一个，日志里写一行 running complete）。"""
        self.handled += events
        async with asyncio.timeout(30):
            while self.completed() < self.handled:  # noqa: ASYNC110  另一个进程在写日志，没有事件可等
                await asyncio.sleep(0.02)
        # 假 NapCat 自己推送的通知（如设精华之后 QQ 发来的 essence 通知）也是要等机器人处理完的事件
        pushed = self.qq.pushed[self.pushed :]
        self.pushed = len(self.qq.pushed)
        if pushed:
            await asyncio.gather(*pushed)
            await self.settle(len(pushed))
            return
        self.show()

    def completed(self) -> int:
        """日志里到现在为止的 running complete 行数（只读新写的部分：日志一个月下来有几 MB）。"""
        with self.bot.log_path.open("rb") as log:
            log.seek(self.log_read)
            chunk = log.read()
        # 只数完整的行：半行留到下次
        whole = chunk[: chunk.rfind(b"\n") + 1]
        self.log_read += len(whole)
        self.log_done += whole.count(b"running complete")
        return self.log_done

    # —— 群里的人做的事 ——
    async def says(
        self, day: date, hour: int, minute: int, user: int, message: str | list, group: int = WORK
    ) -> int:
        payload = fake.group_message_payload(
            message,
            user_id=user,
            group_id=group,
            card=self.card_of(user),
            nickname=NAMES[user],
            role="admin" if user == ADMIN else "member",
            time=stamp(day, hour, minute),
            self_id=self.qq.self_id,
        )
        await self.clock(day, hour, minute, 0)
        print(
            f"[{self.when} {GROUP_NAMES[group]}] {NAMES[user]}：{self.said(message)}", file=self.out
        )
        await self.qq.send_event(payload)
        await self.settle(1)
        return int(payload["message_id"])

    async def private(self, day: date, hour: int, minute: int, user: int, text: str) -> None:
        await self.clock(day, hour, minute, 0)
        print(f"[{self.when} 私聊] {NAMES[user]}：{text}", file=self.out)
        await self.qq.send_event(
            fake.private_message_payload(
                text, user_id=user, time=stamp(day, hour, minute), self_id=self.qq.self_id
            )
        )
        await self.settle(1)

    async def shares(self, day: date, people: list[int], hour: int = 9) -> dict[int, int]:
        """这些人各发一条当天的原创分享；返回各自那条消息的编号（/精选 要回复它）。"""
        ids = {}
        for minute, user in enumerate(people):
            topic = SHARE_TOPICS[(day.day + minute) % len(SHARE_TOPICS)]
            text = f"{NAMES[user]} {day.month}月{day.day}日分享：{topic}。"
            payload = fake.group_message_payload(
                text,
                user_id=user,
                group_id=SHARE,
                card=self.card_of(user),
                nickname=NAMES[user],
                time=stamp(day, hour, minute),
                self_id=self.qq.self_id,
            )
            ids[user] = int(payload["message_id"])
            await self.qq.send_event(payload)
        await self.settle(len(people))
        return ids

    async def notice(
        self, kind: str, day: date, hour: int, minute: int, caption: str, **fields: Any
    ) -> None:
        """QQ 的群通知（入群、改名片）；`caption` 是给看演示的人的旁白。"""
        await self.clock(day, hour, minute, 0)
        print(f"[{self.when} 公司群] （{caption}）", file=self.out)
        payload = fake.notice_payload(
            kind, self_id=self.qq.self_id, group_id=WORK, time=stamp(day, hour, minute), **fields
        )
        await self.qq.send_event(payload)
        await self.settle(1)

    def card_of(self, user: int) -> str:
        member = self.qq.rosters.get(WORK, {}).get(user)
        return member["card"] if member else card(user)

    def said(self, message: str | list) -> str:
        if isinstance(message, str):
            return message
        parts = []
        for segment in message:
            if segment["type"] == "text":
                parts.append(segment["data"]["text"])
            elif segment["type"] == "at":
                parts.append(f"@{NAMES.get(int(segment['data']['qq']), '某人')}")
            elif segment["type"] == "reply":
                parts.append("（回复一条分享）")
        return "".join(parts)

    # —— 机器人做的事 ——
    def show(self) -> None:
        for call in self.qq.calls[self.shown :]:
            line = self.describe(call)
            if line:
                print(f"[{self.when} {line}", file=self.out)
        self.shown = len(self.qq.calls)

    def describe(self, call: ApiCall) -> str | None:
        params = call.params
        if call.action == "send_group_msg":
            self.keep_board(params)
            return f"{GROUP_NAMES.get(params['group_id'], '群')}] 群规助手：{self.text(params)}"
        if call.action == "send_private_msg":
            return f"私聊 {NAMES.get(params['user_id'], params['user_id'])}] 群规助手：{self.text(params)}"
        if call.action == "set_group_card":
            return f"{GROUP_NAMES[params['group_id']]}] （机器人把 {NAMES[params['user_id']]} 的群名片改为 {mask_digits(params['card'])}）"
        if call.action == "set_group_ban":
            return f"{GROUP_NAMES[params['group_id']]}] （机器人禁言 {NAMES[params['user_id']]} {params['duration'] // 60} 分钟）"
        if call.action == "delete_msg":
            return "公司群] （机器人撤回了那条消息）"
        if call.action == "upload_private_file":
            self.keep_sheet(params)
            return f"私聊 {NAMES.get(params['user_id'], params['user_id'])}] （机器人发来文件 {params['name']}）"
        return None

    def text(self, params: dict[str, Any]) -> str:
        parts = []
        for segment in params.get("message", []):
            if segment["type"] == "text":
                parts.append(segment["data"]["text"])
            elif segment["type"] == "at":
                parts.append(f"@{NAMES.get(int(segment['data']['qq']), '某人')}")
            elif segment["type"] == "image":
                parts.append("\n[排行图片]")
        return "".join(parts)

    def keep_board(self, params: dict[str, Any]) -> None:
        for segment in params.get("message", []):
            file = str(segment["data"].get("file", "")) if segment["type"] == "image" else ""
            if file.startswith("base64://"):
                self.board = self.folder / "2026年11月积分排行.png"
                self.board.write_bytes(base64.b64decode(file.removeprefix("base64://")))

    def keep_sheet(self, params: dict[str, Any]) -> None:
        content = self.qq.files.get(params["name"])
        if content is not None:
            self.sheet = self.folder / params["name"]
            self.sheet.write_bytes(content)


def at(user: int) -> dict[str, Any]:
    return fake.at(user)


def text(words: str) -> dict[str, Any]:
    return fake.text(words)


async def play(demo: Demo, entry_of: Callable[[str], Any]) -> None:
    """剧本：每天 09:00 前后大家发分享，10:00 名片检查，20:00、23:00 提醒；中间穿插这个月发生的事。"""
    everyone = [ZHANG, LI, QIAN]
    featured_share = 0
    for day in MONTH:
        print(f"\n—— {day.month}月{day.day}日 ——", file=demo.out)
        if day == date(2026, 11, 11):
            # 昨天没来得及发：凌晨 01:30 在宽限时段里补上，算 11 月 10 日的
            late = f"李四 11月10日分享：{SHARE_TOPICS[0]}，昨晚加班到很晚才写完。"
            await demo.says(day, 1, 30, LI, late, group=SHARE)
        await demo.clock(day, 8, 55)
        if day == date(2026, 11, 2):
            for user in (WANG, ZHAO):
                demo.qq.add_member(
                    WORK, user, card="", nickname=NAMES[user], join_time=stamp(day, 9)
                )
                caption = f"{NAMES[user]} 入群，群名片是空的"
                await demo.notice(
                    "group_increase", day, 9, 0, caption, user_id=user, operator_id=ADMIN
                )
        if day == date(2026, 11, 3):
            everyone = [ZHANG, LI, QIAN, WANG, ZHAO]
        today = [u for u in everyone if (u, day.day) not in {(LI, 10), (LI, 12)}]
        if day == date(2026, 11, 5):
            today.remove(QIAN)
        ids = await demo.shares(day, today)
        if day == date(2026, 11, 5):
            # 钱七把张三当天的分享原样贴了一遍
            copied = (
                f"张三 {day.month}月{day.day}日分享：{SHARE_TOPICS[day.day % len(SHARE_TOPICS)]}。"
            )
            await demo.says(day, 9, 30, QIAN, copied, group=SHARE)
        await demo.clock(day, 10, 0)
        await special(demo, day, ids, entry_of)
        if day == date(2026, 11, 8):
            featured_share = ids[ZHANG]
            await demo.says(
                day,
                11,
                0,
                ADMIN,
                [{"type": "reply", "data": {"id": str(featured_share)}}, text("/精选")],
                group=SHARE,
            )
        await demo.clock(day, 20, 0)
        await demo.clock(day, 23, 0)
    print("\n—— 12月1日 ——", file=demo.out)
    await demo.clock(date(2026, 12, 1), 9, 0)
    await demo.private(date(2026, 12, 1), 9, 10, ADMIN, "/导出 2026-11")


async def special(demo: Demo, day: date, ids: dict[int, int], entry_of) -> None:
    """这个月里除了分享之外发生的事。"""
    if day == date(2026, 11, 1):
        await demo.says(day, 10, 30, ZHANG, "/帮助")
        await demo.says(day, 10, 31, LI, "/群规")
    elif day == date(2026, 11, 3):
        demo.qq.rosters[WORK][WANG]["card"] = card(WANG)
        caption = f"王五把群名片改成了 {mask_digits(card(WANG))}"
        await demo.notice(
            "group_card", day, 10, 30, caption, user_id=WANG, card_new=card(WANG), card_old=""
        )
        await demo.clock(day, 10, 35)
    elif day == date(2026, 11, 6):
        await demo.says(day, 15, 0, ZHAO, f"/改名片 赵六 {PHONES[ZHAO]}")
    elif day == date(2026, 11, 9):
        await demo.says(
            day, 11, 0, ADMIN, [text("/警告 "), at(QIAN), text(" 口头警告 工作时间在群里聊游戏")]
        )
        await demo.says(day, 11, 5, QIAN, "/积分明细")
    elif day == date(2026, 11, 13):
        await demo.says(
            day, 14, 0, LI, "年底大促，看看这个活动：http://jgs-promo.top/sale 点进去领券"
        )
        await demo.private(day, 14, 10, ADMIN, "/确认 审1 不良信息 来路不明的链接")
    elif day == date(2026, 11, 16):
        await demo.says(
            day, 11, 0, ADMIN, [text("/警告 "), at(QIAN), text(" 口头警告 上班时间刷屏发表情")]
        )
    elif day == date(2026, 11, 17):
        await demo.says(
            day, 10, 30, ADMIN, "/通知 今天下午三点在三楼会议室开年终总结会，请准时参加"
        )
        await demo.says(day, 10, 35, ZHANG, "收到")
        await demo.says(day, 10, 40, WANG, "收到，准时到")
        await demo.clock(day, 11, 1)
    elif day == date(2026, 11, 20):
        await demo.says(day, 12, 0, ZHANG, "/积分")
        await demo.says(day, 12, 1, LI, "/排行")
    elif day == date(2026, 11, 23):
        await demo.says(
            day, 11, 0, ADMIN, [text("/警告 "), at(QIAN), text(" 不良信息 群里转发赌博网站")]
        )
    elif day == date(2026, 11, 24):
        entry = await entry_of("warn.不良信息")
        await demo.says(
            day, 10, 10, QIAN, f"/申诉 #{entry} 那是客户发给我的截图，我转给大家提醒别上当"
        )
        review = await entry_of("申诉")
        await demo.private(day, 16, 0, CHAIRMAN, f"/驳回 审{review} 原图是赌博网站的推广，不是提醒")


async def run_demo(out: TextIO = sys.stdout, folder: Path | None = None) -> Path:
    """演完一个月，返回放着排行图片和积分表的文件夹。"""
    folder = folder or REPO / "demo-output"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="qungui-demo-") as workdir:
        bot = BotProcess(
            workdir=Path(workdir),
            policy=demo_policy(Path(workdir)),
            clock_start="2026-11-01T08:00:00+08:00",
        )
        await bot.start(within=120)  # 机器忙时启动可能要几十秒
        qq = FakeOneBot(bot.ws_url)
        qq.admin_in.update({WORK, SHARE})
        for user in (ZHANG, LI, QIAN):
            qq.add_member(WORK, user, card=card(user), nickname=NAMES[user])
        for group in (WORK, SHARE):
            qq.add_member(group, fake.SELF_ID, card="", nickname="群规助手", role="admin")
        qq.add_member(WORK, ADMIN, card=card(ADMIN), nickname=NAMES[ADMIN], role="admin")
        await qq.connect()
        demo = Demo(bot, qq, out, folder)

        async def entry_of(rule: str) -> int:
            if rule == "申诉":
                rows = await bot.query("SELECT MAX(id) FROM filter_hit")
            else:
                rows = await bot.query(
                    "SELECT MAX(id) FROM ledger_entry WHERE rule = $1 AND user_id = $2", rule, QIAN
                )
            return int(rows[0][0])

        try:
            print(
                "群规助手演示：真实的 bot.py 进程 + 模拟的 NapCat（OneBot v11 反向 WebSocket），"
                "鸡公山酒业的 2026 年 11 月",
                file=out,
            )
            await play(demo, entry_of)
        finally:
            await qq.close()
            await bot.stop()
    print(f"\n排行图片和积分表在 {folder}：", file=out)
    for path in sorted(folder.iterdir()):
        print(f"  {path.name}", file=out)
    return folder


if __name__ == "__main__":
    shown = asyncio.run(run_demo())
    # README 里的排行图就是这一张：每次 make demo 都按当前的代码重画
    for board in shown.glob("*.png"):
        (REPO / "docs" / "images").mkdir(parents=True, exist_ok=True)
        (REPO / "docs" / "images" / "demo-board.png").write_bytes(board.read_bytes())
