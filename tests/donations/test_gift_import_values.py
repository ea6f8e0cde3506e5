"""Gift values as people write them (issue 14): amounts in the forms sheets carry, and the
'Acknowledged?' column deciding, row by row, whether a gift waits in the thank-you queue."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from donations.imports import columns
from donations.models import Gift


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("250", Decimal("250")),
        ("$1,250.00", Decimal("1250.00")),
        ("$ 50", Decimal("50")),
        ("USD 50", Decimal("50")),
        ("50 USD", Decimal("50")),
        ("US$50.5", Decimal("50.5")),
        ("$1,250.00 USD", Decimal("1250.00")),
        ("1,000,000", Decimal("1000000")),
        ("1.250,00", Decimal("1250.00")),  # the comma before two decimals says which way
        ("50,00", Decimal("50.00")),
        ("2.500.000", Decimal("2500000")),
    ],
)
def test_amounts_are_read_as_people_write_them(text, amount):
    assert columns.parse_amount(text) == amount


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("(50.00)", "is negative; record refunds on the gift itself"),
        ("-50", "is negative"),
        ("$-50", "is negative"),
        ("50-", "is negative"),
        ("1.250,00 €", "is in another currency; gifts are recorded in dollars"),
        ("£20", "another currency"),
        ("CAD 50", "another currency"),
        ("1.250", "could be 1,250 or 1.25 dollars"),
        ("1,2,3", "is not an amount in dollars"),
        ("fifty", "is not an amount in dollars"),
        ("0.00", "must be more than zero"),
        ("10,000,000,000", "too large"),
    ],
)
def test_amounts_that_cannot_be_a_gift_in_dollars_are_refused_saying_why(text, words):
    with pytest.raises(ValidationError, match=words.replace("(", r"\(").replace("$", r"\$")):
        columns.parse_amount(text)


@pytest.mark.parametrize(
    ("text", "thanked"),
    [
        ("Yes", True),
        ("Y", True),
        ("TRUE", True),
        ("1", True),
        ("X", True),
        ("No", False),
        ("N", False),
        ("false", False),
        ("0", False),
    ],  # fmt: skip
)
def test_the_acknowledged_column_is_a_yes_or_no(text, thanked):
    assert columns.parse("acknowledged", text, text, lookups=None) is thanked


def test_an_acknowledged_cell_that_is_neither_is_refused():
    with pytest.raises(ValidationError, match="Acknowledged\\?: 'sent a card' is not yes or no"):
        columns.parse("acknowledged", "sent a card", "sent a card", lookups=None)


PENDING, THANKED = Gift.Acknowledgement.PENDING, Gift.Acknowledgement.THANKED


@pytest.mark.parametrize(
    ("values", "column_given", "already_thanked", "expected"),
    [
        ({"acknowledged": False}, True, True, PENDING),  # the row wins over the file's choice
        ({"acknowledged": True}, True, False, THANKED),
        ({}, True, True, PENDING),  # a blank cell in the column: not yet thanked
        ({}, False, True, THANKED),  # no column: the choice made for the file
        ({}, False, False, PENDING),
    ],
)
def test_acknowledged_decides_whether_the_gift_waits_to_be_thanked(
    values, column_given, already_thanked, expected
):
    assert (
        columns.acknowledgement(values, column_given=column_given, already_thanked=already_thanked)
        == expected
    )
