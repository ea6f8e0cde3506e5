"""Stripe's events about a plan (customer.subscription.updated/deleted), posted signed to the
real webhook: after a change made here they agree with what was stored and note nothing more;
a change made at Stripe (its dashboard, the portal, a pause ending, retries given up) is stored
and noted once, and a cancellation tells staff."""

import copy
import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from core.models import OutboxMessage
from donations.models import RecurringGift
from donations.plans import cancel_plan, change_plan_amount, pause_plan, resume_plan
from tests.donations.plan_support import SUB, notes
from tests.donations.stripe_events import event, post


def as_stripe_says(client, stripe_api, event_type="customer.subscription.updated", **changes):
    """Post the subscription as the stand-in holds it now (with `changes`), as Stripe would."""
    subscription = copy.deepcopy(stripe_api.subscriptions[SUB])
    subscription.update(changes)
    assert post(client, event(event_type, subscription)).status_code == 200
    return subscription


def staff_emails():
    return OutboxMessage.objects.filter(kind="plan-cancelled-staff")


def test_events_after_changes_made_here_agree_and_note_nothing_more(
    client, plan, donor, stripe_api, staff
):
    change_plan_amount(plan, "75", by=donor)
    as_stripe_says(client, stripe_api)
    pause_plan(plan, 2, by=donor)
    stored = RecurringGift.objects.values("amount", "paused_until", "next_charge_on").get()
    as_stripe_says(client, stripe_api)
    assert RecurringGift.objects.values("amount", "paused_until", "next_charge_on").get() == stored
    resume_plan(plan, by=donor)
    as_stripe_says(client, stripe_api)
    cancel_plan(plan, reason="Budget", by=donor)
    as_stripe_says(client, stripe_api, "customer.subscription.deleted")
    # Stripe sends 'updated' too, sometimes after 'deleted'.
    as_stripe_says(client, stripe_api)

    plan = RecurringGift.objects.get()
    assert (plan.status, plan.amount, plan.paused_until) == ("cancelled", Decimal("75.00"), None)
    assert plan.cancel_reason == "Budget"
    assert len(notes(plan)) == 4  # amount, pause, resume, cancel: one each, from the service
    assert not any("at Stripe" in text for text in notes(plan))
    assert staff_emails().count() == 1


def test_amount_changed_at_stripe_is_stored_and_noted(client, plan, stripe_api):
    subscription = copy.deepcopy(stripe_api.subscriptions[SUB])
    subscription["items"]["data"][0]["price"]["unit_amount"] = 10000
    assert post(client, event("customer.subscription.updated", subscription)).status_code == 200
    assert post(client, event("customer.subscription.updated", subscription)).status_code == 200

    plan.refresh_from_db()
    assert plan.amount == Decimal("100.00")
    assert notes(plan) == ["Monthly gift changed at Stripe from $50.00 to $100.00."]


def test_pause_at_stripe_and_its_end_are_stored_and_noted(client, plan, stripe_api):
    resumes = timezone.localdate() + datetime.timedelta(days=45)
    resumes_at = int(
        timezone.make_aware(datetime.datetime.combine(resumes, datetime.time.min)).timestamp()
    )
    pause = {"behavior": "void", "resumes_at": resumes_at}
    as_stripe_says(client, stripe_api, pause_collection=pause)
    plan.refresh_from_db()
    assert plan.paused_until == resumes
    assert plan.next_charge_on >= resumes  # the first billing day after the pause
    assert notes(plan) == [f"Monthly gift paused at Stripe until {resumes:%B %-d, %Y}."]

    as_stripe_says(client, stripe_api, pause_collection=None)
    plan.refresh_from_db()
    assert plan.paused_until is None
    assert plan.next_charge_on == timezone.localdate() + datetime.timedelta(days=10)
    assert notes(plan)[0] == "Monthly gift's pause ended at Stripe: payments are collected again."


def test_pause_with_no_end_leaves_no_next_charge(client, plan, stripe_api):
    as_stripe_says(client, stripe_api, pause_collection={"behavior": "void", "resumes_at": None})
    plan.refresh_from_db()
    assert plan.paused_until == datetime.date.max and plan.paused_without_end
    assert plan.next_charge_on is None
    assert notes(plan) == ["Monthly gift paused at Stripe, with no end date."]


def test_cancelled_at_stripe_after_failed_retries_is_noted_and_staff_told(
    client, plan, stripe_api, staff, sent_mail
):
    now = int(timezone.now().timestamp())
    details = {"comment": None, "feedback": None, "reason": "payment_failed"}
    as_stripe_says(
        client,
        stripe_api,
        "customer.subscription.deleted",
        status="canceled",
        canceled_at=now,
        ended_at=now,
        cancellation_details=details,
    )
    as_stripe_says(client, stripe_api, "customer.subscription.updated", status="canceled")

    plan.refresh_from_db()
    assert plan.status == "cancelled" and plan.next_charge_on is None
    assert notes(plan) == [
        "Monthly gift of $50.00 cancelled at Stripe (every retry of a payment failed)."
    ]
    (mail,) = [m for m in sent_mail() if m.to == ["dana@example.org"]]
    assert "Cancelled by Stripe (every retry of a payment failed)" in mail.body
    assert "No reason was given." in mail.body


def test_cancelled_in_the_portal_keeps_the_donors_comment(client, plan, stripe_api, staff):
    now = int(timezone.now().timestamp())
    details = {
        "comment": "Lost my job",
        "feedback": "too_expensive",
        "reason": "cancellation_requested",
    }
    as_stripe_says(
        client,
        stripe_api,
        "customer.subscription.deleted",
        status="canceled",
        canceled_at=now,
        cancellation_details=details,
    )
    plan.refresh_from_db()
    assert plan.cancel_reason == "Lost my job"
    assert notes(plan) == [
        'Monthly gift of $50.00 cancelled at Stripe. Reason given: "Lost my job"'
    ]
    assert staff_emails().count() == 1


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_event_arriving_while_the_change_is_made_waits_and_notes_nothing(
    plan, donor, stripe_api
):
    """Stripe may send customer.subscription.updated before the change's transaction has
    committed. The plan's row lock makes the event wait; it then finds the new amount stored.
    Without the lock it would read $50, note a change 'at Stripe', and the service a second."""
    delivered = []

    def send_event(subscription):
        payload = event("customer.subscription.updated", copy.deepcopy(subscription))

        def deliver():
            delivered.append(post(Client(), payload).status_code)
            connection.close()

        thread = threading.Thread(target=deliver)
        thread.start()
        delivered.append(thread)
        # Stripe's answer waits until the event is held at a row lock (or, with no lock to
        # wait for, has been processed): never a race the test may lose by chance.
        deadline = time.monotonic() + 10
        while thread.is_alive() and time.monotonic() < deadline and not waiting_on_a_lock():
            time.sleep(0.05)
        connection.close()

    stripe_api.after_change = send_event
    change_plan_amount(plan, "75", by=donor)
    delivered[0].join(timeout=10)

    assert delivered[1:] == [200]
    plan.refresh_from_db()
    assert plan.amount == Decimal("75.00")
    assert notes(plan) == [
        "Monthly gift changed from $50.00 to $75.00 by the donor, on their account page, "
        "from the next payment on."
    ]
