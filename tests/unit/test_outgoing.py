import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qungui.outgoing import mask_digits, split_text


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("鸡公山酒业-张三-13800000000", "鸡公山酒业-张三-138****0000"),
        ("电话13912345678和13698765432", "电话139****5678和136****5432"),
        ("1234567", "12****67"),
        ("3456789012", "34****12"),
        ("编号 #123456 第 3 名", "编号 #123456 第 3 名"),
        ("2026-11-27", "2026-11-27"),
    ],
)
def test_seven_or_more_digits_are_masked(raw: str, masked: str) -> None:
    assert mask_digits(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("加我 139 8765 4321", "加我 139****4321"),
        ("139-1111-2222", "139****2222"),
        ("139.8765.4321", "139****4321"),
        ("１３９ ８７６５ ４３２１", "１３９****４３２１"),
        ("１３９８７６５４３２１", "１３９****４３２１"),  # 全角、连着写
        ("139－8765－4321", "139****4321"),  # 全角连字符
        ("139．8765．4321", "139****4321"),  # 全角点
        ("1 3 9 8 7 6 5 4 3 2 1", "139****4321"),
        ("139 - 8765 - 4321", "139****4321"),
        ("139\u200b8765\u200b4321", "139****4321"),  # 零宽空格：群里看着是连着的
        ("138 0000 0000。", "138****0000。"),
        ("+86 139 8765 4321", "+86 139****4321"),
        ("电话:13987654321!", "电话:139****4321!"),
        ("١٣٩٨٧٦٥٤٣٢١", "١٣٩****٤٣٢١"),  # 阿拉伯-印度数字
        ("١٣٩ ٨٧٦٥ ٤٣٢١", "١٣٩****٤٣٢١"),
        ("138０００0０000", "138****０000"),  # 半角全角混写，也是一串
        ("1234５６７", "12****６７"),
        ("1300000 0000", "130****0000"),  # 前 7 位连着：仍按手机号整个遮住
        ("139 8765 43210", "139****3210"),  # 多写了一位
        ("13800000000123", "138****0123"),
    ],
)
def test_a_mobile_number_is_masked_however_it_is_written(raw: str, masked: str) -> None:
    assert mask_digits(raw) == masked


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-30",
        "2026.11.30",
        "2026-11-30 09:00",
        "已记录 #123：张三 +5 分",
        "/确认 审12",
        "#1 11-27 +5 手动调整 整理资料",
        "1. 张三 10 分（分享 3 天）\n2. 李四 7 分",
        "第 1 名 / 共 13 人",
        "12 345 678",  # 不是手机号、也不是连着的 7 位
        "123456",
        "11-30 前交 3 份",
    ],
)
def test_dates_entry_numbers_and_short_numbers_stay_readable(text: str) -> None:
    assert mask_digits(text) == text


def _digit_forms() -> dict[int, list[str]]:
    """每个数值的所有写法（Unicode 的全部十进制数字）。"""
    forms: dict[int, list[str]] = {value: [] for value in range(10)}
    for code in range(0x110000):
        if chr(code).isdecimal():
            forms[unicodedata.decimal(chr(code))].append(chr(code))
    return forms


_FORMS = _digit_forms()
_SEPARATORS = st.sampled_from([" ", "-", ".", "－", "．", "\u3000", " - ", "  "])


@st.composite
def split_mobiles(draw) -> tuple[str, str]:
    """一个手机号（数字取任意写法），数字之间随意插空格、横线、点：(写法, 号码)。"""
    number = (
        "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9, max_size=9))
    )
    written = ""
    for position, char in enumerate(number):
        if position and draw(st.booleans()):
            written += draw(_SEPARATORS)
        written += draw(st.sampled_from(_FORMS[int(char)]))
    return written, number


@given(
    split_mobiles(),
    st.sampled_from(["", "电话", "加我 ", "理由："]),
    st.sampled_from(["", "。", " 谢谢", "！"]),
)
def test_no_split_mobile_survives(phone: tuple[str, str], before: str, after: str) -> None:
    written, number = phone
    masked = mask_digits(before + written + after)
    digits = "".join(str(unicodedata.decimal(c)) for c in masked if c.isdecimal())
    assert number not in digits
    assert len(re.findall(r"\d", masked)) <= 7
    assert masked.startswith(before) and masked.endswith(after)


@given(st.text(alphabet=st.sampled_from("0123456789１２３-. 年月日#审名分，。"), max_size=60))
def test_masking_leaves_no_long_run_and_is_idempotent(text: str) -> None:
    masked = mask_digits(text)
    assert not re.search(r"\d{7,}", masked)
    assert mask_digits(masked) == masked


def test_split_keeps_lines_whole_and_under_the_limit() -> None:
    lines = [f"第{n}行" + "字" * 40 for n in range(100)]
    parts = split_text("\n".join(lines), limit=500)
    assert all(len(p) <= 500 for p in parts)
    assert "\n".join(parts).split("\n") == lines


def test_a_single_overlong_line_is_cut() -> None:
    parts = split_text("字" * 1200, limit=500)
    assert [len(p) for p in parts] == [500, 500, 200]


def test_short_text_is_one_part() -> None:
    assert split_text("你好") == ["你好"]


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("加我 ①③⑨⑧⑦⑥⑤④③②①", "加我 ①③⑨****④③②①"),
        ("加我 ¹³⁹ ⁸⁷⁶⁵ ⁴³²¹", "加我 ¹³⁹****⁴³²¹"),
        ("加我 ₁₃₉₈₇₆₅₄₃₂₁", "加我 ₁₃₉****₄₃₂₁"),
        ("加我 1③9-8765-4321", "加我 1③9****4321"),
        ("卡号 ①②③④⑤⑥⑦⑧", "卡号 ①②****⑦⑧"),
    ],
)
def test_digits_that_fold_to_digits_are_masked_too(raw: str, masked: str) -> None:
    # 带圈、上标、下标数字：内容过滤按 NFKC 把它们当数字，群里照样能读出号码
    assert mask_digits(raw) == masked
