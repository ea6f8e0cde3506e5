"""Recording a batch of checks (donations.deposits.batch.services): what rows inherit, the
rules each row must meet, and all or nothing."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from donations.deposits.batch.services import Batch, BatchRefused, ChequeRow, cheque_batch_record
from donations.models import Gift
from donations.services import GiftEntry, gift_record
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 6)


def _row(number: int, supporter, amount: str = "10", **values) -> ChequeRow:
    return ChequeRow(number=number, supporter=supporter, amount=Decimal(amount), **values)


def test_rows_inherit_the_batch_unless_they_say_otherwise(staff, general, legal, spring):
    a, b = SupporterFactory(), SupporterFactory()
    batch = Batch(deposit_date=DAY, fund=general, campaign=spring, reference=" slip 77 ")
    gifts = cheque_batch_record(
        batch=batch,
        rows=[
            _row(0, a, "100", cheque_number="501"),
            _row(1, b, "25", received_on=datetime.date(2026, 3, 1), fund=legal),
        ],
        recorded_by=staff,
    )
    saved = Gift.objects.filter(pk__in=[g.pk for g in gifts]).order_by("pk")
    assert [
        (g.supporter, g.amount, g.received_on, g.fund, g.campaign, g.deposit_date, g.notes)
        for g in saved
    ] == [
        (a, Decimal("100.00"), DAY, general, spring, DAY, "Deposit slip 77"),
        (b, Decimal("25.00"), datetime.date(2026, 3, 1), legal, spring, DAY, "Deposit slip 77"),
    ]
    assert {(g.method, g.recorded_by) for g in saved} == {("cheque", staff)}


def test_a_campaign_brings_its_own_fund_when_the_batch_names_none(general, legal, spring):
    spring.fund = legal
    spring.save()
    gift = cheque_batch_record(
        batch=Batch(deposit_date=DAY, campaign=spring), rows=[_row(0, SupporterFactory())]
    )[0]
    assert (gift.fund_id, gift.appeal_code) == (legal.pk, "spring26")


def test_each_rows_errors_come_back_on_that_row_and_nothing_is_saved(general):
    a, b = SupporterFactory(), SupporterFactory()
    future = timezone.localdate() + datetime.timedelta(days=30)
    with pytest.raises(BatchRefused) as refused:
        cheque_batch_record(
            batch=Batch(deposit_date=DAY),
            rows=[
                _row(0, a, cheque_number="12"),
                _row(2, b, received_on=datetime.date(2026, 3, 9)),
                _row(3, a, cheque_number="12"),
                _row(5, b, received_on=future),
            ],
        )
    assert refused.value.rows == {
        2: {"received_on": ["Received after the deposit date."]},
        3: {"cheque_number": ["This donor's check 12 is also on row 1."]},
        5: {
            "received_on": [
                f"{future:%Y-%m-%d} is in the future.",
                "Received after the deposit date.",
            ]
        },
    }
    assert not Gift.objects.exists()


def test_a_check_already_recorded_is_not_taken_twice(general):
    maria = SupporterFactory()
    gift_record(
        entry=GiftEntry(
            supporter=maria, amount=Decimal("40"), received_on=DAY, cheque_number="3001"
        )
    )
    with pytest.raises(BatchRefused) as refused:
        cheque_batch_record(
            batch=Batch(deposit_date=DAY), rows=[_row(0, maria, "40", cheque_number="3001")]
        )
    already = "This donor's check 3001 was already recorded (received March 6, 2026)."
    assert refused.value.rows == {0: {"cheque_number": [already]}}
    # Another donor's check of the same number is theirs, and fine.
    assert cheque_batch_record(
        batch=Batch(deposit_date=DAY), rows=[_row(0, SupporterFactory(), cheque_number="3001")]
    )


def test_a_batch_off_its_control_total_is_refused(general):
    with pytest.raises(BatchRefused) as refused:
        cheque_batch_record(
            batch=Batch(deposit_date=DAY, expected_total=Decimal("30")),
            rows=[_row(0, SupporterFactory(), "10"), _row(1, SupporterFactory(), "15")],
        )
    assert refused.value.batch == {"expected_total": ["The rows add up to $25.00, not $30.00."]}
    assert not Gift.objects.exists()


def test_an_empty_batch_is_refused(general):
    with pytest.raises(BatchRefused) as refused:
        cheque_batch_record(batch=Batch(deposit_date=DAY), rows=[])
    assert refused.value.batch == {None: ["Enter at least one check."]}
