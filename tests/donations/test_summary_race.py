"""Two Stripe events for one donor, processed at the same moment on PostgreSQL, both end in
the donor summary. The two transactions are made to overlap inside the handler: each has
written its gift before either refreshes the summary. Deleting and re-inserting the summary
made the second fail on the primary key; an upsert alone would not fail but would keep only
the figures of whichever wrote last (it read the gifts before the other's commit)."""

import threading
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection

from core.models import Organisation
from donations import summary
from donations.models import DonorSummary, DonorYearTotal, Fund, Gift, StripeEvent
from donations.stripe.inbox import stripe_event_receive
from tests.donations.stripe_events import event, signed_headers, stripe_object
from tests.factories import SupporterFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def checkout(n: int, cents: int, supporter_id: int) -> bytes:
    session = stripe_object(
        "checkout_session_payment",
        id=f"cs_race_{n}",
        payment_intent=f"pi_race_{n}",
        amount_subtotal=cents,
        amount_total=cents,
        metadata={"fund": "general", "supporter_id": str(supporter_id)},
    )
    return event("checkout.session.completed", session, event_id=f"evt_race_{n}")


def test_two_events_for_one_donor_committing_together_both_reach_the_summary():
    # A running site has its organisation row; created here, or the first of the two
    # transactions to insert it would hold the other at that insert, short of the barrier.
    Organisation.current()
    Fund.objects.create(name="General operating", code="general", is_default=True)
    maria = SupporterFactory(first_name="Maria", last_name="Lopez")
    payloads = [checkout(1, 5000, maria.pk), checkout(2, 2500, maria.pk)]
    both_wrote_their_gift = threading.Barrier(2, timeout=20)
    refresh = summary._refresh_chunk
    seen_before_refresh: list[int] = []

    def refresh_when_both_wrote(ids: list[int], organisation: object) -> None:
        # Each transaction has its own gift, uncommitted, and sees only that one.
        seen_before_refresh.append(Gift.objects.filter(supporter_id=maria.pk).count())
        both_wrote_their_gift.wait()
        refresh(ids, organisation)

    failures: list[BaseException] = []

    def receive(payload: bytes) -> None:
        try:
            stripe_event_receive(
                payload=payload, signature=signed_headers(payload)["HTTP_STRIPE_SIGNATURE"]
            )
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)
        finally:
            connection.close()

    with mock.patch.object(summary, "_refresh_chunk", refresh_when_both_wrote):
        threads = [threading.Thread(target=receive, args=(p,)) for p in payloads]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

    assert seen_before_refresh == [1, 1], "the transactions overlapped inside the handler"
    assert failures == [], [repr(f.__cause__ or f) for f in failures]
    assert not StripeEvent.objects.filter(processed_at__isnull=True).exists()
    giving = DonorSummary.objects.get(supporter=maria)
    assert (giving.gift_count, giving.lifetime_total) == (2, Decimal("75.00"))
    assert giving.highest_gift == Decimal("50.00")
    [year] = DonorYearTotal.objects.filter(supporter=maria)
    assert (year.gift_count, year.total) == (2, Decimal("75.00"))
