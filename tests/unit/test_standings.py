from qungui.standings import Standing, rank


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    ranked = rank([(5, 10, 3), (3, 20, 1), (4, 10, 3), (9, 10, 2), (1, 0, 0)])
    assert ranked == [
        Standing(1, 3, 20, 1),
        Standing(2, 4, 10, 3),
        Standing(2, 5, 10, 3),
        Standing(4, 9, 10, 2),
        Standing(5, 1, 0, 0),
    ]


def test_empty() -> None:
    assert rank([]) == []


def test_negative_points_rank_below_zero() -> None:
    assert [s.user_id for s in rank([(1, -10, 0), (2, 0, 0)])] == [2, 1]
