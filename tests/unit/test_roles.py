import logging

import pytest

from qungui.roles import OwnCase, Role, check_not_own_case, written_number

ADMIN, OTHER = 30001, 20002


@pytest.mark.parametrize(
    ("role", "parties", "refused"),
    [
        (Role.ADMIN, (ADMIN,), True),
        (Role.CHAIRMAN, (OTHER, ADMIN), True),  # 举报人是他自己
        (Role.ADMIN, (OTHER, None), False),  # 没有举报人
        (Role.ADMIN, (OTHER,), False),
        (Role.SUPERUSER, (ADMIN,), False),
    ],
)
def test_nobody_decides_his_own_case_but_a_superuser(role, parties, refused) -> None:
    if refused:
        with pytest.raises(OwnCase):
            check_not_own_case(ADMIN, role, *parties, action="驳回 审1")
    else:
        check_not_own_case(ADMIN, role, *parties, action="驳回 审1")


def test_a_superuser_deciding_his_own_case_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="qungui.roles"):
        check_not_own_case(40001, Role.SUPERUSER, 40001, action="补分享 2026-11-20")
    assert [r.getMessage() for r in caplog.records] == [
        "超级用户 40001 处理了与自己有关的事：补分享 2026-11-20"
    ]


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("12", 12),
        ("０５０", 50),
        ("0" * 5000 + "7", 7),
        ("9" * 5000, 10**18),
        ("1" + "0" * 18, 10**18),
        ("12a", None),
        ("-3", None),
        ("", None),
    ],
)
def test_a_written_number_is_read_however_long(word: str, value: int | None) -> None:
    assert written_number(word) == value
