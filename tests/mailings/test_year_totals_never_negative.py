"""A letter's "this year you gave" never prints a negative amount: a January refund of a
December gift takes January's year below zero in the ledger, and the letter reads it as
nothing given this year."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from core.models import Organisation
from donations.models import DonorYearTotal, Fund
from donations.refunds import refund_record
from donations.services import GiftEntry, gift_record
from mailings.emails.rendering import render_email
from mailings.letters.merge_values import recipients
from mailings.letters.rendering import compile_letter
from tests.factories import SupporterFactory
from tests.mailings.letters import letter_with_versions

pytestmark = pytest.mark.django_db

BODY = (
    "{% if this_year_total %}This year you gave {{ this_year_total|money }}."
    "{% else %}No gift yet this year.{% endif %}\n\n"
    "Last year you gave {{ last_year_total|money }}. Plainly: [{{ this_year_total }}]"
)


@pytest.fixture(autouse=True)
def february_2027(db):
    Fund.objects.create(name="General operating", code="general", is_default=True)
    organisation = Organisation.current()
    organisation.fiscal_year_start_month = 1
    organisation.save()
    with time_machine.travel(datetime.datetime(2027, 2, 1, 15, tzinfo=datetime.UTC), tick=False):
        yield


def _letter_text(supporter) -> tuple[dict, str]:
    letter = letter_with_versions(en={"body": BODY, "ps": ""})
    [recipient] = recipients(letter, [supporter])
    compiled = compile_letter(letter)[recipient.language]
    email = render_email(compiled, recipient.values, organisation=Organisation.current())
    return recipient.values, email.text


def test_a_year_whose_refunds_exceed_its_gifts_prints_no_negative_total():
    maria = SupporterFactory(first_name="Maria", email="maria@example.org")
    gift = gift_record(
        entry=GiftEntry(
            supporter=maria, amount=Decimal("100.00"), received_on=datetime.date(2026, 12, 20)
        )
    )
    refund_record(gift=gift, amount=Decimal("40.00"), refunded_on=datetime.date(2027, 1, 10))

    # The ledger stays exact: January's year is 40 below zero.
    totals = dict(
        DonorYearTotal.objects.filter(supporter=maria).values_list("fiscal_year", "total")
    )
    assert totals == {2026: Decimal("100.00"), 2027: Decimal("-40.00")}

    values, text = _letter_text(maria)
    assert values["this_year_total"] == ""  # no amount: the field's fallback
    assert str(values["last_year_total"]) == "$100"
    assert "No gift yet this year." in text and "This year you gave" not in text
    assert "Last year you gave $100." in text and "[]" in text
    assert "-$" not in text and "$-" not in text


def test_a_year_with_more_given_than_refunded_prints_the_net():
    ana = SupporterFactory(first_name="Ana", email="ana@example.org")
    gift = gift_record(
        entry=GiftEntry(
            supporter=ana, amount=Decimal("90.00"), received_on=datetime.date(2027, 1, 5)
        )
    )
    refund_record(gift=gift, amount=Decimal("15.00"), refunded_on=datetime.date(2027, 1, 12))
    _values, text = _letter_text(ana)
    assert "This year you gave $75." in text
