"""Issue 10, finding 9: webhook edge cases answer truthfully and never leave Stripe retrying
what cannot change: an oversized body, impossible amounts, a signature from the future."""

import logging
import time
import urllib.error
import urllib.request
from decimal import Decimal

import pytest
from django.core.management import call_command

from crm.models import Supporter
from donations.models import Campaign, Fund, Gift, RecurringGift, StripeEvent
from tests.donations.stripe_events import event, post, signed_headers, stripe_object

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ledger(db):
    general = Fund.objects.create(name="General", code="general", is_default=True)
    Campaign.objects.create(name="Spring appeal", code="spring26", fund=general)


def checkout(event_id: str, **session: object) -> bytes:
    return event(
        "checkout.session.completed",
        stripe_object("checkout_session_payment", **session),
        event_id=event_id,
    )


def test_an_oversized_body_is_refused_with_413_and_a_true_log_line(live_server, caplog):
    body = b'{"id": "evt_big", "object": "event", "pad": "' + b"x" * 10_000_000 + b'"}'
    request = urllib.request.Request(  # noqa: S310 - http to the local live server
        f"{live_server.url}/stripe/webhook/",
        data=body,
        headers={"Content-Type": "application/json", **_header(signed_headers(body))},
        method="POST",
    )
    with caplog.at_level(logging.WARNING), pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=30)  # noqa: S310 - the local live server
    assert answer.value.code == 413
    assert StripeEvent.objects.count() == 0
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("donations")]
    assert any("nothing was stored" in m and "10000" in m for m in messages), messages
    assert not any("stored but" in m for m in messages), "the log must not claim it was stored"


def _header(django_headers: dict[str, str]) -> dict[str, str]:
    return {"Stripe-Signature": django_headers["HTTP_STRIPE_SIGNATURE"]}


def test_a_zero_total_with_no_payment_required_records_no_gift(client):
    payload = checkout(
        "evt_free", amount_total=0, amount_subtotal=0, payment_status="no_payment_required"
    )
    response = post(client, payload)
    assert response.status_code == 200
    assert Gift.objects.count() == 0 and Supporter.objects.count() == 0
    stored = StripeEvent.objects.get(event_id="evt_free")
    assert stored.processed_at is not None and stored.attention == "" and stored.error == ""


@pytest.mark.parametrize(
    ("amount_total", "payment_status", "reason"),
    [
        (0, "paid", "not a positive"),
        (None, "paid", "not a positive"),
        (-5000, "paid", "not a positive"),
        (None, "no_payment_required", "not a positive"),
        (10**15, "paid", "STRIPE_MAX_GIFT_AMOUNT"),
        (1e15, "paid", "not a positive whole"),
        ("5000", "paid", "not a positive whole"),
    ],
)
def test_an_impossible_amount_is_kept_for_staff_and_answered_200(
    client, caplog, amount_total, payment_status, reason
):
    payload = checkout("evt_odd", amount_total=amount_total, payment_status=payment_status)
    with caplog.at_level(logging.WARNING):
        response = post(client, payload)
    assert response.status_code == 200, "Stripe must not retry it for three days"
    assert Gift.objects.count() == 0 and Supporter.objects.count() == 0
    stored = StripeEvent.objects.get(event_id="evt_odd")
    assert reason in stored.attention
    assert stored.processed_at is None and stored.error == ""
    assert any("needing attention" in r.getMessage() for r in caplog.records)
    # A second delivery of the same event changes nothing and still answers 200.
    assert post(client, payload).status_code == 200
    assert Gift.objects.count() == 0 and StripeEvent.objects.count() == 1


def test_the_maximum_is_a_setting_and_a_gift_at_it_is_recorded(client, settings):
    settings.STRIPE_MAX_GIFT_AMOUNT = 500
    assert (
        post(client, checkout("evt_at_max", id="cs_at_max", amount_total=50_000)).status_code == 200
    )
    assert Gift.objects.get().amount == Decimal("500.00")
    assert post(client, checkout("evt_over", id="cs_over", amount_total=50_001)).status_code == 200
    assert Gift.objects.count() == 1
    assert "STRIPE_MAX_GIFT_AMOUNT" in StripeEvent.objects.get(event_id="evt_over").attention


def test_a_real_gift_above_the_maximum_is_recorded_by_reprocess_once_the_maximum_is_raised(
    client, settings
):
    post(client, checkout("evt_big_gift", amount_total=2_000_000_00))
    assert Gift.objects.count() == 0
    settings.STRIPE_MAX_GIFT_AMOUNT = 5_000_000
    call_command("stripe_reprocess")
    assert Gift.objects.get().amount == Decimal("2000000.00")
    stored = StripeEvent.objects.get(event_id="evt_big_gift")
    assert stored.processed_at is not None and stored.attention == ""


def test_events_needing_attention_are_listed_for_staff_in_the_admin(admin_client, client, settings):
    settings.TWO_FACTOR_REQUIRED = False
    post(client, checkout("evt_fine", id="cs_fine"))
    post(client, checkout("evt_huge", id="cs_huge", amount_total=10**15))
    page = admin_client.get("/admin/donations/stripeevent/?attention=yes")
    assert page.status_code == 200
    html = page.content.decode()
    assert "evt_huge" in html and "evt_fine" not in html
    assert "STRIPE_MAX_GIFT_AMOUNT" in html, "the reason is shown in the list"


def test_impossible_monthly_amounts_need_attention_too(client):
    session = stripe_object("checkout_session_subscription", amount_total=-100)
    assert (
        post(client, event("checkout.session.completed", session, event_id="evt_sub")).status_code
        == 200
    )
    assert RecurringGift.objects.count() == 0
    assert "not a positive" in StripeEvent.objects.get(event_id="evt_sub").attention
    huge = stripe_object("invoice_paid", amount_paid=10**15)
    assert post(client, event("invoice.paid", huge, event_id="evt_inv")).status_code == 200
    assert Gift.objects.count() == 0 and RecurringGift.objects.count() == 0
    assert StripeEvent.objects.get(event_id="evt_inv").attention


def test_a_zero_invoice_of_a_known_plan_records_no_gift(client):
    post(client, event("invoice.paid", stripe_object("invoice_paid")))
    assert Gift.objects.count() == 1
    trial = stripe_object("invoice_paid", id="in_test_zero", amount_paid=0, amount_due=0)
    assert post(client, event("invoice.paid", trial, event_id="evt_zero")).status_code == 200
    assert Gift.objects.count() == 1
    stored = StripeEvent.objects.get(event_id="evt_zero")
    assert stored.processed_at is not None and stored.attention == ""


def test_a_signature_from_an_hour_ahead_is_refused_and_nothing_is_stored(client):
    payload = checkout("evt_future")
    response = post(client, payload, timestamp=int(time.time()) + 3600)
    assert response.status_code == 400
    assert b"future" in response.content
    assert StripeEvent.objects.count() == 0 and Gift.objects.count() == 0


def test_a_signature_a_few_seconds_ahead_is_accepted(client):
    # Clocks drift: Stripe's a little ahead of ours is still a fresh event.
    assert post(client, checkout("evt_skew"), timestamp=int(time.time()) + 30).status_code == 200
    assert Gift.objects.count() == 1


def test_a_failed_handler_is_logged_as_stored_because_it_was(client, caplog):
    refund = event("charge.refunded", stripe_object("charge_refunded"), event_id="evt_early")
    with caplog.at_level(logging.ERROR):
        assert post(client, refund).status_code == 500
    assert StripeEvent.objects.get(event_id="evt_early").error
    assert any("evt_early stored but" in r.getMessage() for r in caplog.records)
