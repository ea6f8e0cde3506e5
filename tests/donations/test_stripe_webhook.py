import json
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from donations.models import (
    Campaign,
    DonorSummary,
    Fund,
    Gift,
    PaymentFailure,
    Receipt,
    RecurringGift,
    StripeEvent,
)
from tests.donations.stripe_events import event, post, signed_headers, stripe_object

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ledger(db):
    general = Fund.objects.create(name="General", code="general", is_default=True)
    Campaign.objects.create(name="Spring appeal", code="spring26", fund=general)


def test_a_paid_checkout_records_one_gift_linked_to_donor_and_appeal(client):
    response = post(
        client, event("checkout.session.completed", stripe_object("checkout_session_payment"))
    )
    assert response.status_code == 200
    gift = Gift.objects.get()
    assert gift.amount == Decimal("50.00") and gift.status == "succeeded"
    assert gift.supporter.email == "maria.lopez@example.org"
    assert gift.supporter.first_name == "Maria" and gift.supporter.postal_code == "10451"
    assert gift.campaign.code == "spring26" and gift.fund.code == "general"
    assert gift.stripe_payment_intent_id == "pi_test_payment_1"
    summary = DonorSummary.objects.get(supporter=gift.supporter)
    assert summary.lifetime_total == Decimal("50.00") and summary.gift_count == 1
    assert StripeEvent.objects.get().processed_at is not None


def test_a_replayed_event_is_processed_once(client):
    payload = event(
        "checkout.session.completed",
        stripe_object("checkout_session_payment"),
        event_id="evt_replay",
    )
    for _ in range(3):
        assert post(client, payload).status_code == 200
    assert Gift.objects.count() == 1
    assert StripeEvent.objects.get().attempts == 1


def test_the_same_session_in_two_events_makes_one_gift(client):
    session = stripe_object("checkout_session_payment")
    post(client, event("checkout.session.completed", session))
    post(client, event("checkout.session.completed", session))
    assert Gift.objects.count() == 1


def test_a_known_donor_is_matched_by_email_in_any_case(client):
    from crm.models import Supporter

    maria = Supporter.objects.create(
        first_name="María", last_name="López", email="maria.lopez@example.org"
    )
    session = stripe_object("checkout_session_payment")
    session["customer_details"]["email"] = "Maria.Lopez@Example.org"
    post(client, event("checkout.session.completed", session))
    assert Gift.objects.get().supporter == maria
    maria.refresh_from_db()
    assert maria.first_name == "María", "a payment form does not overwrite staff data"


def test_a_payment_link_session_the_site_did_not_create_is_still_recorded(client):
    session = stripe_object("checkout_session_payment", metadata={}, id="cs_test_link")
    post(client, event("checkout.session.completed", session))
    gift = Gift.objects.get()
    assert gift.campaign is None and gift.fund.code == "general"


def test_the_donate_pages_full_address_wins_over_stripes_partial_one(client):
    session = stripe_object("checkout_session_payment", id="cs_test_address")
    session["customer_details"]["name"] = "Maria Jose Lopez Garcia"
    session["customer_details"]["address"] = {"postal_code": "10451", "country": "US"}
    session["metadata"] |= {
        "donor_first_name": "María José",
        "donor_last_name": "López García",
        "donor_address_line1": "12 Main St",
        "donor_address_line2": "Apt 4",
        "donor_city": "Bronx",
        "donor_state": "NY",
        "donor_postal_code": "10451",
        "donor_country": "US",
    }
    post(client, event("checkout.session.completed", session))
    donor = Gift.objects.get().supporter
    assert (donor.first_name, donor.last_name) == ("María José", "López García")
    assert (donor.address_line1, donor.address_line2, donor.city, donor.region) == (
        "12 Main St",
        "Apt 4",
        "Bronx",
        "NY",
    )


def test_an_unpaid_session_waits_for_the_async_result(client):
    session = stripe_object("checkout_session_payment", payment_status="unpaid")
    post(client, event("checkout.session.completed", session))
    assert Gift.objects.get().status == "pending"
    assert not DonorSummary.objects.filter(gift_count__gt=0).exists()
    post(
        client,
        event("checkout.session.async_payment_succeeded", {**session, "payment_status": "paid"}),
    )
    assert Gift.objects.get().status == "succeeded"
    assert DonorSummary.objects.get().lifetime_total == Decimal("50.00")


def test_a_failed_async_payment_marks_the_gift_failed(client):
    session = stripe_object("checkout_session_payment", payment_status="unpaid")
    post(client, event("checkout.session.async_payment_failed", session))
    assert Gift.objects.get().status == "failed"


def monthly_flow(client, order):
    payloads = {
        "checkout": event(
            "checkout.session.completed", stripe_object("checkout_session_subscription")
        ),
        "invoice": event("invoice.paid", stripe_object("invoice_paid")),
        "subscription": event("customer.subscription.updated", stripe_object("subscription")),
    }
    for name in order:
        assert post(client, payloads[name]).status_code == 200, name


def ledger_state():
    return (
        list(
            Gift.objects.values_list(
                "amount", "status", "stripe_invoice_id", "supporter__email", "campaign__code"
            )
        ),
        list(
            RecurringGift.objects.values_list(
                "amount", "status", "stripe_subscription_id", "next_charge_on", "supporter__email"
            )
        ),
    )


@pytest.mark.parametrize(
    "order",
    [
        ("invoice", "checkout", "subscription"),
        ("subscription", "invoice", "checkout"),
        ("checkout", "subscription", "invoice"),
    ],
)
def test_a_monthly_gift_ends_the_same_whatever_the_order(client, order):
    monthly_flow(client, ("checkout", "invoice", "subscription"))
    expected = ledger_state()
    Receipt.objects.all().delete()
    Gift.objects.all().delete()
    RecurringGift.objects.all().delete()
    StripeEvent.objects.all().delete()
    monthly_flow(client, order)
    assert ledger_state() == expected
    gifts, plans = expected
    assert gifts == [
        (Decimal("50.00"), "succeeded", "in_test_1", "ana.ruiz@example.org", "spring26")
    ]
    assert plans[0][1] == "active"


def test_each_paid_instalment_is_its_own_gift(client):
    monthly_flow(client, ("checkout", "invoice"))
    second = stripe_object("invoice_paid", id="in_test_2", billing_reason="subscription_cycle")
    post(client, event("invoice.paid", second))
    assert Gift.objects.filter(recurring__stripe_subscription_id="sub_test_1").count() == 2
    assert DonorSummary.objects.get().lifetime_total == Decimal("100.00")
    assert DonorSummary.objects.get().has_active_plan


def test_a_failed_renewal_marks_the_plan_past_due_then_a_payment_recovers_it(client):
    monthly_flow(client, ("checkout", "invoice"))
    failed = stripe_object("invoice_paid", id="in_test_2", status="open", amount_paid=0)
    post(client, event("invoice.payment_failed", failed))
    assert RecurringGift.objects.get().status == "past_due"
    post(client, event("invoice.payment_failed", failed))  # Stripe's retry fails again
    # The failed payment is kept, once for its invoice, with both tries.
    (failure,) = PaymentFailure.objects.all()
    assert (failure.stripe_invoice_id, failure.attempts) == ("in_test_2", 2)
    assert failure.failed_on == timezone.localdate()
    assert failure.plan == RecurringGift.objects.get()
    post(client, event("invoice.paid", stripe_object("invoice_paid", id="in_test_2")))
    assert RecurringGift.objects.get().status == "active"
    assert PaymentFailure.objects.count() == 1, "a payment that recovered still failed once"


def test_a_cancelled_plan_stays_cancelled_when_a_late_update_arrives(client):
    monthly_flow(client, ("checkout", "invoice"))
    cancelled = stripe_object("subscription", status="canceled", canceled_at=1769000000)
    post(client, event("customer.subscription.deleted", cancelled))
    post(client, event("customer.subscription.updated", stripe_object("subscription")))
    plan = RecurringGift.objects.get()
    assert plan.status == "cancelled" and plan.cancelled_at is not None
    assert not DonorSummary.objects.get().has_active_plan


def test_subscription_events_match_by_subscription_never_by_customer(client):
    monthly_flow(client, ("checkout", "invoice"))
    other = stripe_object("subscription", id="sub_other", status="canceled")
    post(client, event("customer.subscription.deleted", other))
    assert RecurringGift.objects.get().status == "active"


def test_full_and_partial_refunds_reach_the_books(client):
    post(client, event("checkout.session.completed", stripe_object("checkout_session_payment")))
    partial = stripe_object("charge_refunded", amount_refunded=2000, refunded=False)
    post(client, event("charge.refunded", partial))
    gift = Gift.objects.get()
    assert (gift.status, gift.amount_refunded) == ("partially_refunded", Decimal("20.00"))
    assert gift.stripe_charge_id == "ch_test_payment_1"
    assert DonorSummary.objects.get().lifetime_total == Decimal("30.00")
    post(client, event("charge.refunded", stripe_object("charge_refunded")))
    gift.refresh_from_db()
    assert (gift.status, gift.amount_refunded) == ("refunded", Decimal("50.00"))
    assert not DonorSummary.objects.filter(gift_count__gt=0).exists()


def test_a_lost_dispute_takes_the_gift_out_and_a_won_one_restores_it(client):
    post(client, event("checkout.session.completed", stripe_object("checkout_session_payment")))
    post(client, event("charge.dispute.created", stripe_object("dispute")))
    assert Gift.objects.get().status == "disputed"
    post(client, event("charge.dispute.closed", stripe_object("dispute", status="won")))
    assert Gift.objects.get().status == "succeeded"
    post(client, event("charge.dispute.created", stripe_object("dispute", id="du_2")))
    post(client, event("charge.dispute.closed", stripe_object("dispute", id="du_2", status="lost")))
    assert Gift.objects.get().status == "refunded"


def test_a_refund_before_its_gift_fails_keeps_the_error_and_succeeds_on_retry(client):
    from donations.tasks import stripe_event_run

    refund = event("charge.refunded", stripe_object("charge_refunded"), event_id="evt_early")
    response = post(client, refund)
    assert response.status_code == 200  # stored: processing it is the worker's part
    stored = StripeEvent.objects.get(event_id="evt_early")
    assert stored.processed_at is None and "No gift yet" in stored.error
    assert stored.attempts == 1
    post(client, event("checkout.session.completed", stripe_object("checkout_session_payment")))
    assert post(client, refund).status_code == 200  # Stripe's replay changes nothing
    assert Gift.objects.get().status == "succeeded"
    stripe_event_run.call(stored.event_id)  # the worker's retry
    assert Gift.objects.get().status == "refunded"
    stored.refresh_from_db()
    assert stored.processed_at is not None and (stored.attempts, stored.error) == (2, "")


@pytest.mark.parametrize(
    "tamper",
    ["bad_signature", "stale_timestamp", "reserialised_body", "no_header", "not_json"],
)
def test_a_forged_or_stale_webhook_is_refused_and_nothing_is_written(client, tamper):
    payload = event("checkout.session.completed", stripe_object("checkout_session_payment"))
    headers = signed_headers(payload)
    body = payload
    if tamper == "bad_signature":
        headers = signed_headers(payload, secret="whsec_someone_else")
    elif tamper == "stale_timestamp":
        headers = signed_headers(payload, timestamp=int(time.time()) - 301)
    elif tamper == "reserialised_body":
        body = json.dumps(json.loads(payload), indent=1).encode()
    elif tamper == "no_header":
        headers = {}
    elif tamper == "not_json":
        body = b"not json"
        headers = signed_headers(body)
    response = client.post("/stripe/webhook/", body, content_type="application/json", **headers)
    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0 and Gift.objects.count() == 0


def test_the_webhook_accepts_only_post(client):
    assert client.get("/stripe/webhook/").status_code == 405


def test_a_failed_renewal_tells_the_donor_once_per_invoice(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    monthly_flow(client, ("checkout", "invoice"))
    failed = stripe_object("invoice_paid", id="in_test_2", status="open", amount_paid=0)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, event("invoice.payment_failed", failed))
        post(client, event("invoice.payment_failed", failed))  # Stripe's retry: a new event
    notices = [m for m in mailoutbox if "did not go through" in m.subject]
    assert len(notices) == 1
    message = notices[0]
    assert message.to == ["ana.ruiz@example.org"]
    assert "did not go through" in message.subject
    assert "Dear Ana," in message.body and "$50.00 monthly gift" in message.body
    assert message.alternatives[0][1] == "text/html"


@pytest.fixture
def enqueued():
    """The (task name, gift id) of every follow-up task queued while the test runs (each
    event's own processing task, stripe_event_run, aside)."""
    from django_tasks.signals import task_enqueued

    seen: list[tuple[str, int]] = []

    def record(sender, task_result, **kwargs):
        if task_result.task.name != "stripe_event_run":
            seen.append((task_result.task.name, task_result.args[0]))

    task_enqueued.connect(record)
    yield seen
    task_enqueued.disconnect(record)


def test_only_the_gift_an_event_made_paid_is_queued_for_thanks(client, enqueued):
    from crm.models import Supporter

    # A donor with no email: their gifts stay in the acknowledgement queue for a letter.
    ana = Supporter.objects.create(first_name="Ana", last_name="Ruiz")
    for number in (1, 2, 3):
        session = stripe_object(
            "checkout_session_payment",
            id=f"cs_test_noemail_{number}",
            payment_intent=f"pi_test_noemail_{number}",
            metadata={"supporter_id": str(ana.pk)},
        )
        post(client, event("checkout.session.completed", session))
    gifts = list(Gift.objects.order_by("pk").values_list("pk", "acknowledgement"))
    assert [ack for _, ack in gifts] == ["pending"] * 3
    assert enqueued == [("thank_donor", pk) for pk, _ in gifts], "each gift once, no re-queue"

    enqueued.clear()
    post(client, event("checkout.session.completed", session))  # another event, same session
    assert enqueued == []


def test_a_refund_requeues_a_receipt_only_for_its_own_receipted_gift(client, enqueued):
    post(client, event("checkout.session.completed", stripe_object("checkout_session_payment")))
    assert Receipt.objects.count() == 1
    enqueued.clear()
    refund = stripe_object("charge_refunded")
    post(client, event("charge.refunded", refund))
    gift = Gift.objects.get()
    assert gift.status in ("refunded", "partially_refunded")
    assert enqueued == [("reissue_receipt", gift.pk)]


def test_a_new_campaign_is_seen_by_the_next_event_in_this_process(client):
    post(client, event("checkout.session.completed", stripe_object("checkout_session_payment")))
    fund = Fund.objects.create(name="Legal defence", code="legal")
    Campaign.objects.create(name="Autumn appeal", code="autumn26", fund=fund)
    session = stripe_object(
        "checkout_session_payment",
        id="cs_test_autumn",
        payment_intent="pi_test_autumn",
        metadata={"appeal_code": "autumn26"},
    )
    post(client, event("checkout.session.completed", session))
    gift = Gift.objects.get(stripe_checkout_session_id="cs_test_autumn")
    assert (gift.campaign.code, gift.fund.code, gift.appeal_code) == (
        "autumn26",
        "legal",
        "autumn26",
    )
