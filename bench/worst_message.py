"""最坏的一条消息：对发布的过滤规则（config/policy.toml 的 [filter]）能构造出的最慢的 24,000 字消息，
与同一次运行里一条普通聊天消息的代价并列（由 bench/suite.py 调用，结果进 suite.json）。

一条消息从收到（JSON 文本）到处理完都在事件循环里：这段时间里机器人什么也做不了，太长了 WebSocket
心跳就会超时掉线。所以量的是整条路径：解析 JSON、NoneBot 分发、我们的路由、内容过滤、分享识别、
刷屏计数，以及命中后的记录和通知（API 立即应答）。每种构造在公司群和分享群各发一次、各量三次取中位数。
量的是进程的 CPU 时间（time.process_time）：机器是共用的，墙上时间里混着别的进程。

发布的制度文件里群号是空的（要运维填）：这里只把群号和管理员填上，过滤规则原样使用。
单独运行：`.venv/bin/python -m bench.worst_message`。
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

from bench.inprocess import child_output

REPO = Path(__file__).resolve().parents[1]
LENGTH = 24_000
ORDINARY = 1000


def crafted() -> dict[str, str]:
    """各种想让正则回溯、让逐个候选的检查堆起来的构造，每条正好 24,000 字。"""

    def fill(unit: str, tail: str = "") -> str:
        return (unit * (LENGTH // len(unit) + 1))[: LENGTH - len(tail)] + tail

    return {
        "点号数字 1.1.1.…": fill("1."),
        "点号字母 a.a.a.…": fill("a."),
        "点号连字符 a-.a-.…": fill("a-."),
        "全角点号 １．１．…": fill("１．"),
        "命令后跟点号 /群规 1.1.…": "/群规 " + fill("1.")[: LENGTH - 4],
        "全是数字": fill("1"),
        "数字加空格 1 1 1 …": fill("1 "),
        "数字加连字符 1-1-1-…": fill("1-"),
        "数字加两个空格": fill("1  "),
        "全角数字": fill("１"),
        "拆开写的手机号前缀 1 3 …": fill("1 3 "),
        "分隔符最多的手机号前缀 1 - 3 - …": fill("1 - 3 - "),
        "带圈数字 ①③…": fill("①③"),
        "零宽字符夹在字中间": fill("好\u200b"),
        "校验位不对的身份证号（也像卡号）": fill("610105194912310021 "),
        "Luhn 不过的卡号": fill("6222021234567890127a"),
        "带连字符的卡号片段": fill("6222-0212-3456-7890-12 "),
        "发送者自己的手机号": fill("13900000000 "),
        "白名单链接 qq.com": fill("qq.com "),
        "各不相同的白名单子域名": " ".join(f"a{i}.qq.com" for i in range(LENGTH // 8))[:LENGTH],
        "各不相同的白名单网址": " ".join(f"http://qq.com/{i}" for i in range(LENGTH // 15))[
            :LENGTH
        ],
        "www 白名单": fill("www.qq.com "),
        "关键词前缀 澳门": fill("澳门"),
        "关键词前缀 澳门赌": fill("澳门赌"),
        "关键词前缀 代开发": fill("代开发"),
        "混合全角半角": fill("1.a-１ｘ。"),
        "汉字": fill("好"),
        "表情": fill("😀"),
        "末尾才命中的链接": fill("1.", " http://evil.top/x"),
    }


def shipped_policy(folder: Path) -> Path:
    """发布的制度文件，只填上群号和管理员（和 tests/fake.py 的一致）。"""
    from tests import fake

    text = (REPO / "config" / "policy.toml").read_text("utf-8")
    for old, new in (
        ("work = []", f"work = [{fake.WORK_GROUP}]"),
        ("share = []", f"share = [{fake.SHARE_GROUP}]"),
        ("admins = []", f"admins = [{fake.ADMIN}]"),
    ):
        assert old in text, f"config/policy.toml 里找不到 {old!r}"
        text = text.replace(old, new, 1)
    path = folder / "policy.toml"
    path.write_text(text, "utf-8")
    return path


async def measure(workdir: Path) -> dict:
    from nonebot.adapters.onebot.v11 import Adapter
    from nonebot.message import handle_event

    from bench import inprocess
    from tests import fake

    inprocess.init(
        f"sqlite://{workdir}/bench.sqlite3", plugins=True, policy=shipped_policy(workdir)
    )

    async def answer(bot, api, **data):
        if api == "get_group_member_info":
            return fake.member_info(data["user_id"], role="admin")
        return {"message_id": 1}

    bot = await inprocess.start(answer)
    users = iter(range(50000, 90000))

    async def cost(text: str, group_id: int, user: int | None = None, n: int = 0) -> float:
        raw = json.dumps(
            fake.group_message_payload(
                text,
                user_id=user or next(users),
                group_id=group_id,
                card="鸡公山酒业-张三-13900000000",
                time=fake.NOV27_1000 + n,
            ),
            ensure_ascii=False,
        )
        started = time.process_time()
        await handle_event(bot, Adapter.json_to_event(json.loads(raw)))
        return time.process_time() - started

    # 普通消息：同一批人轮流说短句（第一次出现的人要写一次成员表，先各说一句不计时）
    for user in range(21000, 21050):
        await cost("在", fake.WORK_GROUP, user)
    ordinary = [
        await cost(f"收到，第{n % 10}件马上办", fake.WORK_GROUP, 21000 + n % 50, n)
        for n in range(ORDINARY)
    ]
    ordinary_ms = statistics.mean(ordinary) * 1000
    worst = {}
    for name, text in crafted().items():
        assert len(text) == LENGTH, (name, len(text))
        for group in (fake.WORK_GROUP, fake.SHARE_GROUP):
            # 每次换一个人：不让刷屏计数和“当天已分享”改变要做的事
            runs = [await cost(text, group) for _ in range(3)]
            worst[f"{name}（{'公司群' if group == fake.WORK_GROUP else '分享群'}）"] = (
                statistics.median(runs) * 1000
            )
    await inprocess.stop()
    shape, slowest = max(worst.items(), key=lambda item: item[1])
    return {
        "value": round(slowest, 1),
        "unit": "ms",
        "shape": shape,
        "shapes": {name: round(ms, 2) for name, ms in worst.items()},
        "ratio": slowest / ordinary_ms,
        "baseline": f"普通消息 {ordinary_ms:.3f} ms（都是 CPU 时间），最慢的是“{shape}”",
    }


def run_child() -> dict:
    return json.loads(child_output("bench.worst_message"))


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(asyncio.run(measure(Path(sys.argv[2]))), ensure_ascii=False))
    else:
        result = run_child()
        for name, ms in sorted(result["shapes"].items(), key=lambda item: -item[1]):
            print(f"  {name}: {ms} ms")
        print(f"worst_message: {result['value']} ms ({result['baseline']})")
