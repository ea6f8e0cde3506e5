from decimal import Decimal as D

import pytest

from mailings.letters.asks import ask_ladder, parse_amounts

MULTIPLIERS = (D(1), D("1.5"), D(2))
DEFAULT = (D(35), D(50), D(100))


@pytest.mark.parametrize(
    ("base", "ladder"),
    [
        (None, (35, 50, 100)),  # never gave: the letter's default ladder
        (D(37), (35, 55, 75)),  # $5 steps under $100
        (D(120), (125, 175, 250)),  # $25 steps under $500
        (D(480), (475, 700, 950)),  # $50 steps above
        (D(10), (25, 30, 35)),  # the floor, and rungs that always climb
    ],
)
def test_the_ladder_rounds_to_amounts_people_give(base, ladder):
    got = ask_ladder(base=base, multipliers=MULTIPLIERS, floor=D(25), default=DEFAULT)
    assert got == tuple(D(x) for x in ladder)


def test_amounts_are_read_in_plain_words():
    assert parse_amounts("1,1.5, 2", count=3) == MULTIPLIERS
    assert parse_amounts("$35 $50 $100", count=3) == DEFAULT
    for bad, message in (("1, 2", "Give 3"), ("a, b, c", "should be 3 numbers"),
                         ("3, 2, 1", "rising order")):  # fmt: skip
        with pytest.raises(ValueError, match=message):
            parse_amounts(bad, count=3)
