"""A refund made in Stripe's dashboard arrives as itself (refund.created, refund.updated,
refund.failed, charge.refund.updated) and in its charge's charge.refunded: it becomes one dated
Refund row, whichever comes first and however often; failed or canceled, it is undone and
never recorded again."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from core.models import Organisation
from donations.acknowledgements.receipts import receipt_issue
from donations.models import (
    DonorYearTotal,
    Fund,
    Gift,
    Receipt,
    Refund,
    StripeEvent,
    VoidedStripeRefund,
)
from donations.stripe.inbox import HANDLERS
from tests.donations.stripe_events import event, post, stripe_object

pytestmark = pytest.mark.django_db

DEC_20 = datetime.datetime(2026, 12, 20, 15, tzinfo=datetime.UTC)
JAN_10 = datetime.date(2027, 1, 10)  # the refund fixture's `created`


@pytest.fixture(autouse=True)
def gift(db, client) -> Gift:
    """A $50 online gift of December 20, 2026 (FY2026); the clock stands in February 2027."""
    Fund.objects.create(name="General operating", code="general", is_default=True)
    organisation = Organisation.current()
    organisation.fiscal_year_start_month = 1
    organisation.save()
    with time_machine.travel(datetime.datetime(2027, 2, 1, 15, tzinfo=datetime.UTC), tick=False):
        session = stripe_object("checkout_session_payment", created=int(DEC_20.timestamp()))
        assert post(client, event("checkout.session.completed", session)).status_code == 200
        yield Gift.objects.get()


def years(gift: Gift) -> dict[int, Decimal]:
    rows = DonorYearTotal.objects.filter(supporter=gift.supporter_id)
    return dict(rows.values_list("fiscal_year", "total"))


def charge_refunded(*refunds: dict) -> dict:
    return stripe_object(
        "charge_refunded",
        amount_refunded=sum(r["amount"] for r in refunds if r["status"] != "failed"),
        refunds={"object": "list", "data": list(refunds), "has_more": False},
    )


def test_the_refund_events_are_registered_with_the_inbox():
    for kind in ("refund.created", "refund.updated", "refund.failed", "charge.refund.updated"):
        assert HANDLERS[kind].__name__ == "on_refund", kind


def test_a_dashboard_refund_is_one_dated_row_whichever_event_comes_first(client, gift):
    pending = stripe_object("refund")
    succeeded = stripe_object("refund", status="succeeded")
    created = event("refund.created", pending, event_id="evt_refund_created")

    assert post(client, created).status_code == 200
    assert post(client, created).status_code == 200  # the same delivery again
    assert post(client, event("charge.refunded", charge_refunded(succeeded))).status_code == 200
    assert post(client, event("refund.updated", succeeded)).status_code == 200
    assert post(client, event("charge.refund.updated", succeeded)).status_code == 200

    [refund] = Refund.objects.all()
    assert (refund.stripe_refund_id, refund.amount, refund.refunded_on, refund.reason) == (
        "re_test_1", Decimal("20.00"), JAN_10, "Refunded in Stripe: requested by the donor",
    )  # fmt: skip
    gift.refresh_from_db()
    assert (gift.status, gift.amount_refunded) == ("partially_refunded", Decimal("20.00"))
    assert years(gift) == {2026: Decimal("50.00"), 2027: Decimal("-20.00")}
    assert not StripeEvent.objects.filter(processed_at__isnull=True).exists()


def test_charge_refunded_first_then_refund_created_records_it_once(client, gift):
    listed = stripe_object("refund", status="succeeded", amount=5000)
    post(client, event("charge.refunded", charge_refunded(listed)))
    post(client, event("refund.created", stripe_object("refund", amount=5000)))
    assert Refund.objects.count() == 1
    gift.refresh_from_db()
    assert (gift.status, gift.amount_refunded) == ("refunded", Decimal("50.00"))


def test_a_refund_that_fails_is_undone_and_a_late_event_does_not_bring_it_back(client, gift):
    receipt_issue(gift=gift)
    post(client, event("refund.created", stripe_object("refund")))
    assert Refund.objects.count() == 1

    failed = stripe_object("refund", status="failed", failure_reason="expired_or_canceled_card")
    assert post(client, event("refund.failed", failed)).status_code == 200
    assert post(client, event("refund.updated", failed)).status_code == 200  # said twice

    assert not Refund.objects.exists()
    gift.refresh_from_db()
    assert (gift.status, gift.amount_refunded) == ("succeeded", Decimal("0.00"))
    assert years(gift) == {2026: Decimal("50.00")}
    [voided] = VoidedStripeRefund.objects.all()
    assert (voided.stripe_refund_id, voided.gift, voided.status) == ("re_test_1", gift, "failed")
    receipts = Receipt.objects.filter(gift=gift).order_by("version")
    assert [(r.version, r.amount) for r in receipts] == [
        (1, Decimal("50.00")), (2, Decimal("30.00")), (3, Decimal("50.00")),
    ]  # fmt: skip

    # Events sent while it was still pending, arriving late or replayed, record nothing.
    post(client, event("refund.created", stripe_object("refund")))
    post(client, event("charge.refunded", charge_refunded(stripe_object("refund"))))
    assert not Refund.objects.exists()
    gift.refresh_from_db()
    assert gift.status == "succeeded"


def test_a_canceled_refund_reported_first_is_never_recorded(client, gift):
    canceled = stripe_object("refund", id="re_test_2", status="canceled")
    assert post(client, event("charge.refund.updated", canceled)).status_code == 200
    post(client, event("refund.created", stripe_object("refund", id="re_test_2")))
    other = stripe_object("refund", id="re_test_3", amount=1000, status="succeeded")
    post(client, event("refund.created", other))
    assert list(Refund.objects.values_list("stripe_refund_id", "amount")) == [
        ("re_test_3", Decimal("10.00"))
    ]
    gift.refresh_from_db()
    assert (gift.status, gift.amount_refunded) == ("partially_refunded", Decimal("10.00"))


def test_a_charge_refunded_listing_a_failed_refund_undoes_it(client, gift):
    post(client, event("refund.created", stripe_object("refund")))
    second = stripe_object("refund", id="re_test_4", amount=1000, status="succeeded")
    failed = stripe_object("refund", status="failed")
    post(client, event("charge.refunded", charge_refunded(failed, second)))
    assert list(Refund.objects.values_list("stripe_refund_id", flat=True)) == ["re_test_4"]
    gift.refresh_from_db()
    assert gift.amount_refunded == Decimal("10.00")


def test_a_refund_of_no_amount_needs_attention_and_records_nothing(client, gift):
    payload = event("refund.created", stripe_object("refund", amount=0), event_id="evt_zero")
    assert post(client, payload).status_code == 200
    assert "not a positive whole amount" in StripeEvent.objects.get(event_id="evt_zero").attention
    assert not Refund.objects.exists()
