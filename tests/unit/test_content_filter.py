"""内容过滤的纯函数：校验位、Luhn、链接白名单、打码、刷屏计数。"""

import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qungui import content_filter
from qungui.content_filter import (
    FloodTracker,
    Scanner,
    allowed,
    defang,
    link_host,
    luhn_ok,
    redact,
    valid_bank_card,
    valid_id_number,
)
from qungui.linear_regex import Pattern
from qungui.policy import parse_policy

TEST_POLICY = Path(__file__).parents[1] / "policy.toml"


@pytest.fixture(scope="module")
def policy():
    return parse_policy(tomllib.loads(TEST_POLICY.read_text("utf-8")), "tests/policy.toml")


def rules_hit(policy, text: str, own: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    return [(hit.rule, hit.excerpt) for hit in Scanner(policy).scan(text, own)]


def test_id_numbers_need_a_real_birth_date_and_check_digit() -> None:
    assert valid_id_number("11010519491231002X")
    assert valid_id_number("110105194912310021") is False  # 校验位不对
    assert valid_id_number("110105194913310029") is False  # 13 月
    assert valid_id_number("11010519491231002") is False


def test_luhn_and_card_prefixes() -> None:
    assert luhn_ok("79927398713")
    assert not luhn_ok("79927398714")
    assert valid_bank_card("4111 1111 1111 1111")
    assert valid_bank_card("6222-0212-3456-7890-128")
    assert not valid_bank_card("4111111111111112")  # Luhn 不过
    assert not valid_bank_card("1111111111111117")  # 订单号：号段不像卡


def test_keywords_ignore_case_and_full_width(policy) -> None:
    assert rules_hit(policy, "一起ＢＯ彩？不，一起博彩") == [("赌博", "博彩")]
    assert rules_hit(policy, "澳门那家非常有名的赌场") == []  # 中间隔了五个字以上
    assert rules_hit(policy, "澳门新赌场") == [("赌博", "澳门新赌场")]
    assert rules_hit(policy, "今天 10 点开会") == []


def test_links_outside_the_allow_list(policy) -> None:
    assert rules_hit(policy, "https://mp.weixin.qq.com/s/abc www.jgsjy.com") == []
    assert rules_hit(policy, "领红包 http://qq.com.evil.top/x") == [
        ("链接", "qq[.]com[.]evil[.]top")
    ]
    assert rules_hit(policy, "下载 app.evil.cn/a.apk") == [("链接", "app[.]evil[.]cn")]
    assert link_host("HTTPS://Example.COM:8080/x") == "example.com"
    assert allowed("a.b.qq.com", ["qq.com"]) and not allowed("fakeqq.com", ["qq.com"])
    assert defang("看 https://evil.top/x") == "看 hxxps://evil[.]top/x"


def test_domains_glued_to_chinese_text_are_links(policy) -> None:
    assert rules_hit(policy, "加我领红包evil.top领取") == [("链接", "evil[.]top")]
    assert rules_hit(policy, "看ｅｖｉｌ．ｔｏｐ／ｘ") == [("链接", "evil[.]top")]
    assert rules_hit(policy, "版本号1.2.3，官网jgsjy.com") == []


def test_per_message_patterns_run_in_linear_time(policy) -> None:
    # 链接和关键词/运维正则用 RE2（不回溯）；号码的正则每个重复都有上限，在 re 里也是线性的
    scanner = Scanner(policy)
    assert isinstance(content_filter._LINK, Pattern)
    assert all(isinstance(rule.regex, Pattern) for rule in scanner.rules)


@pytest.mark.parametrize(
    ("unit", "tail", "expected"),
    [
        ("1.", "", []),  # 旧的链接正则在这上面要回溯十几秒
        ("a-.", " 见 evil.top/x", [("链接", "evil[.]top")]),
        ("１．", "", []),
        ("qq.com ", " http://evil.top", [("链接", "evil[.]top")]),
        ("1 ", "", []),
        ("610105194912310021 ", "", []),  # 上千个不合校验位的“身份证号/卡号”
        ("澳门", "。。。。。澳门大赌场", [("赌博", "澳门大赌场")]),
    ],
)
def test_crafted_24000_character_messages_are_scanned_to_the_end(
    policy, unit: str, tail: str, expected: list
) -> None:
    text = (unit * (24000 // len(unit) + 1))[: 24000 - len(tail)] + tail
    assert len(text) == 24000
    assert rules_hit(policy, text) == expected


def test_privacy_spares_the_senders_own_phone(policy) -> None:
    own = frozenset(["13800000000"])
    assert rules_hit(policy, "我的手机 13800000000", own) == []
    assert rules_hit(policy, "王总 13912345678", own) == [("隐私", "手机号 139****5678")]
    assert rules_hit(policy, "订单 202311270001234") == []
    assert rules_hit(policy, "身份证 11010519491231002X") == [
        ("隐私", "身份证号 110***********002x")
    ]


def test_redact_hides_every_long_number() -> None:
    assert (
        redact("卡 6222 0212 3456 7890 128，电话 13912345678")
        == "卡 622************0128，电话 139****5678"
    )


@given(st.text(max_size=300))
def test_scanner_never_raises_and_excerpts_come_from_rules(text: str) -> None:
    policy = parse_policy(tomllib.loads(TEST_POLICY.read_text("utf-8")), "p")
    for hit in Scanner(policy).scan(text):
        assert hit.rule in {"赌博", "发票广告", "试运行", "链接", "隐私"}


def test_flooding_counts_per_member_within_the_window(policy) -> None:
    tracker = FloodTracker()
    hits = [tracker.add(policy, 1, 7, 100 + i, "收到") for i in range(5)]
    assert hits[:4] == [None] * 4
    assert hits[4] is not None and hits[4].excerpt == "60 秒内 5 条相同消息"
    # 触发后重新数；别人、别的群不受影响
    assert tracker.add(policy, 1, 7, 106, "收到") is None
    assert all(tracker.add(policy, 2, 7, 100 + i, "收到") is None for i in range(4))
    assert all(tracker.add(policy, 1, 8, 100 + i, "收到") is None for i in range(4))
    # 窗口外的不算
    spread = [tracker.add(policy, 3, 9, 1000 + 20 * i, "好") for i in range(10)]
    assert spread == [None] * 10


def test_flooding_by_message_count(policy) -> None:
    flood = policy.filter.flood.model_copy(update={"messages": 3, "identical": 0})
    counted = policy.model_copy(
        update={"filter": policy.filter.model_copy(update={"flood": flood})}
    )
    tracker = FloodTracker()
    hits = [tracker.add(counted, 1, 7, 100, f"第{i}条") for i in range(4)]
    assert [hit is not None for hit in hits] == [False, False, False, True]
    assert hits[3].excerpt == "60 秒内 4 条消息"


@pytest.mark.parametrize(
    "text",
    [
        "王总 139 8765 4321",
        "王总 139-8765-4321",
        "王总 139.8765.4321",
        "王总 1 3 9 8 7 6 5 4 3 2 1",
        "王总 +8613987654321",
        "王总 0086-139-8765-4321",
        "王总 ８６ １３９ ８７６５ ４３２１",
        "王总 ①③⑨⑧⑦⑥⑤④③②①",
        "王总 ¹³⁹⁸⁷⁶⁵⁴³²¹",
        "王总 ١٣٩٨٧٦٥٤٣٢١",
    ],
)
def test_privacy_sees_a_phone_however_it_is_written(policy, text: str) -> None:
    # 群里打码认得的写法，隐私规则也认得：拆开写、带国家码、换一种数字都躲不过
    assert rules_hit(policy, text) == [("隐私", "手机号 139****4321")]


def test_privacy_spares_the_own_phone_written_apart_and_order_numbers(policy) -> None:
    own = frozenset(["13800000000"])
    assert rules_hit(policy, "我的手机 138 0000 0000", own) == []
    assert rules_hit(policy, "我的手机 +86 138-0000-0000", own) == []
    assert rules_hit(policy, "订单 202311398765432") == []
    assert rules_hit(policy, "订单 2023 1139 8765 4321") == []


def test_flooding_counts_a_message_once_however_many_accounts_report_it(policy) -> None:
    tracker = FloodTracker()
    # 三条相同的消息，每条经两个机器人账号各报一次：是 3 条，不是 6 条
    for second in range(3):
        assert tracker.add(policy, 1, 7, 100 + second, "收到", account=10000) is None
        assert tracker.add(policy, 1, 7, 100 + second, "收到", account=10001) is None
    # 同一秒发两条（同一个账号报两次）是两条：第 5 条触发
    assert tracker.add(policy, 1, 7, 103, "收到", account=10001) is None
    hit = tracker.add(policy, 1, 7, 103, "收到", account=10001)
    assert hit is not None and hit.excerpt == "60 秒内 5 条相同消息"
    # 另一个账号随后报来同样的两条：已经数过，不从头再数
    assert tracker.add(policy, 1, 7, 103, "收到", account=10000) is None
    assert tracker.add(policy, 1, 7, 103, "收到", account=10000) is None
    assert all(tracker.add(policy, 1, 7, 104 + i, "收到", account=10000) is None for i in range(4))
    assert tracker.add(policy, 1, 7, 110, "收到", account=10000) is not None


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u034f"])
def test_invisible_characters_do_not_hide_a_keyword_or_a_link(policy, invisible: str) -> None:
    # 夹在字中间的零宽字符，群里看不出来
    assert rules_hit(policy, f"一起赌{invisible}博") == [("赌博", "赌博")]
    assert rules_hit(policy, f"点 evil{invisible}.top 领红包") == [("链接", "evil[.]top")]


def test_a_fast_flood_keeps_only_a_few_messages_per_member(policy) -> None:
    # 每条消息都要把此人记着的消息看一遍：一秒刷几千条，记着的也不能跟着涨
    tracker = FloodTracker()
    hits = [tracker.add(policy, 1, 7, 100, "刷屏", account=10000) for _ in range(5000)]
    assert sum(hit is not None for hit in hits) == 5000 // 5
    assert len(tracker._recent[(1, 7)]) <= 2 * 6
