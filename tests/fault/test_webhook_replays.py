"""The same Stripe event delivered five times, two of them at the same moment, through the
real view served by a live server: one inbox row, one gift. Meaningful on PostgreSQL (row
locks), which CI runs; on SQLite the writes are serialised by the database lock."""

import threading
import urllib.error
import urllib.request

import pytest

from donations.models import Fund, Gift, Receipt, StripeEvent
from donations.stripe.inbox import stripe_event_process
from tests.donations.stripe_events import event, signed_headers, stripe_object

pytestmark = pytest.mark.django_db(transaction=True)


def deliver(url: str, payload: bytes) -> int:
    headers = {
        "Content-Type": "application/json",
        "Stripe-Signature": signed_headers(payload)["HTTP_STRIPE_SIGNATURE"],
    }
    request = urllib.request.Request(url, data=payload, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_five_deliveries_two_in_parallel_make_one_gift(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    Fund.objects.create(name="General", code="general", is_default=True)
    url = f"{live_server.url}/stripe/webhook/"
    payload = event(
        "checkout.session.completed",
        stripe_object("checkout_session_payment"),
        event_id="evt_fault_1",
    )
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def racer() -> None:
        barrier.wait()
        statuses.append(deliver(url, payload))

    threads = [threading.Thread(target=racer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses += [deliver(url, payload) for _ in range(3)]

    assert statuses == [200] * 5
    assert Gift.objects.count() == 1
    assert Receipt.objects.count() == 1, "one thank-you, one receipt"
    event_row = StripeEvent.objects.get()
    assert event_row.processed_at is not None and event_row.attempts == 1


def test_two_different_events_for_one_session_at_once_make_one_gift(live_server):
    """checkout.session.completed and async_payment_succeeded racing for the same session."""
    Fund.objects.create(name="General", code="general", is_default=True)
    url = f"{live_server.url}/stripe/webhook/"
    session = stripe_object("checkout_session_payment", payment_status="unpaid")
    payloads = [
        event("checkout.session.completed", session),
        event("checkout.session.async_payment_succeeded", {**session, "payment_status": "paid"}),
    ]
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def racer(payload: bytes) -> None:
        barrier.wait()
        statuses.append(deliver(url, payload))

    threads = [threading.Thread(target=racer, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200, 200], "both stored and answered"
    # The loser of the race (on the session, or on the new donor's email) is kept on its row
    # for the worker's retry 30 s later; the test runs that retry itself.
    for pending in StripeEvent.objects.filter(processed_at=None).values_list("event_id", flat=True):
        stripe_event_process(event_id=pending, retry_later=True)
    assert StripeEvent.objects.filter(processed_at=None).count() == 0
    gift = Gift.objects.get()
    assert gift.status == "succeeded"
