import pytest

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
