"""Stripe fees on gifts: read from the event when it carries them, else by a task after the
webhook commits (from the database queue's own rows in production), never twice.

Events are real-shaped and signed; Stripe's API is a local stand-in reached by the real SDK."""

from decimal import Decimal

import pytest

from donations.models import Gift, StripeEvent
from donations.tasks import gift_fee_fill
from tests.donations.fee_support import after_commit, charge_of, checkout
from tests.donations.stripe_events import event, post, stripe_object
from tests.stripe_balance_standin import balance_transaction

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("general_fund")]


def test_a_checkout_reads_its_fee_in_a_task_after_the_webhook_commits(
    client, balance_api, django_capture_on_commit_callbacks
):
    txn = balance_transaction("txn_1", amount=5000, fee=175, source="ch_test_1")
    balance_api.payment_intents["pi_test_1"] = {
        "id": "pi_test_1",
        "object": "payment_intent",
        "amount": 5000,
        "latest_charge": {
            **charge_of("ch_test_1", "pi_test_1", amount=5000),
            "balance_transaction": txn,
        },
    }
    with django_capture_on_commit_callbacks() as callbacks:
        gift = checkout(client, 1, amount=5000, email="ana@example.org")
    # Nothing was read from Stripe while the webhook's transaction was open.
    assert gift.fee is None and balance_api.requests == []
    after_commit(callbacks)
    gift.refresh_from_db()
    assert (gift.amount, gift.fee, gift.net) == (
        Decimal("50.00"),
        Decimal("1.75"),
        Decimal("48.25"),
    )
    assert gift.stripe_charge_id == "ch_test_1"
    ((path, query),) = balance_api.requests  # one read, from the payment intent to the fee
    assert path == "/v1/payment_intents/pi_test_1"
    assert query["expand[0]"] == ["latest_charge.balance_transaction"]
    # Run twice (a worker retried it, a second event queued it): no second read, same fee.
    assert gift_fee_fill.call(gift.pk, "") is False
    assert len(balance_api.requests) == 1
    gift.refresh_from_db()
    assert gift.fee == Decimal("1.75")


def test_with_the_database_queue_the_thanks_and_fee_read_are_the_events_own_rows(
    client, balance_api, settings, sent_mail
):
    """The queue in production: a paid gift's two tasks are written with the event, in its
    one transaction, and running them as the worker would thanks the donor and reads the fee.
    """
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    txn = balance_transaction("txn_7", amount=2500, fee=103, source="ch_test_7")
    balance_api.payment_intents["pi_test_7"] = {
        "id": "pi_test_7",
        "object": "payment_intent",
        "latest_charge": {
            **charge_of("ch_test_7", "pi_test_7", amount=2500),
            "balance_transaction": txn,
        },
    }
    session = stripe_object(
        "checkout_session_payment",
        id="cs_test_7",
        payment_intent="pi_test_7",
        amount_total=2500,
        amount_subtotal=2500,
        customer_details={"email": "lucia@example.org", "name": "Donor 7", "address": None},
    )
    # The webhook stores the event with the one task that processes it, and answers.
    assert post(client, event("checkout.session.completed", session)).status_code == 200
    [run] = DBTaskResult.objects.all()
    stored = StripeEvent.objects.get()
    assert (run.task_path, run.args_kwargs) == (
        "donations.tasks.stripe_event_run",
        {"args": [stored.event_id], "kwargs": {}},
    )
    assert not Gift.objects.exists() and stored.processed_at is None

    run.task.call(*run.args_kwargs["args"])  # the worker processes it
    gift = Gift.objects.get()
    rows = DBTaskResult.objects.exclude(pk=run.pk).order_by("task_path")
    assert [(row.task_path, row.args_kwargs) for row in rows] == [
        ("donations.tasks.gift_fee_fill", {"args": [gift.pk, ""], "kwargs": {}}),
        ("donations.tasks.thank_donor", {"args": [gift.pk], "kwargs": {}}),
    ]
    assert gift.fee is None and balance_api.requests == []

    for row in rows:  # what the worker runs for each row
        row.task.call(*row.args_kwargs["args"])
    gift.refresh_from_db()
    assert (gift.fee, gift.net, gift.acknowledgement) == (
        Decimal("1.03"),
        Decimal("23.97"),
        Gift.Acknowledgement.THANKED,
    )
    assert [mail.to for mail in sent_mail()] == [["lucia@example.org"]]

    # Stripe sends the checkout again as another event: the gift is known, nothing follows.
    assert post(client, event("checkout.session.completed", session)).status_code == 200
    runs = DBTaskResult.objects.filter(task_path="donations.tasks.stripe_event_run")
    second = runs.exclude(pk=run.pk).get()
    second.task.call(*second.args_kwargs["args"])
    assert DBTaskResult.objects.count() == 4  # the two events' runs and the first's follow-ups


def test_a_fee_read_that_fails_leaves_the_fee_for_the_payout(
    client, balance_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        gift = checkout(client, 5, amount=3000, email="el@example.org")  # Stripe answers 404
    gift.refresh_from_db()
    assert gift.fee is None and gift.amount == Decimal("30.00")
    assert [path for path, _ in balance_api.requests] == ["/v1/payment_intents/pi_test_5"]


def test_a_charge_event_naming_its_balance_transaction_reads_it_once(
    client, balance_api, settings, django_capture_on_commit_callbacks
):
    settings.STRIPE_SECRET_KEY = ""  # the checkout arrives while no read is possible
    gift = checkout(client, 2, amount=10000, email="ben@example.org")
    assert gift.fee is None
    settings.STRIPE_SECRET_KEY = "sk_test_standin"
    balance_api.transactions["txn_2"] = balance_transaction("txn_2", amount=10000, fee=320)
    charge = {**charge_of("ch_test_2", "pi_test_2", amount=10000), "balance_transaction": "txn_2"}
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, event("charge.updated", charge)).status_code == 200
        assert balance_api.requests == []  # not inside the webhook
    gift.refresh_from_db()
    assert (gift.fee, gift.net, gift.stripe_charge_id) == (
        Decimal("3.20"),
        Decimal("96.80"),
        "ch_test_2",
    )
    assert [path for path, _ in balance_api.requests] == ["/v1/balance_transactions/txn_2"]


def test_a_fee_expanded_in_the_event_needs_no_read(
    client, balance_api, settings, django_capture_on_commit_callbacks
):
    settings.STRIPE_SECRET_KEY = ""
    gift = checkout(client, 3, amount=2500, email="cy@example.org")
    settings.STRIPE_SECRET_KEY = "sk_test_standin"
    txn = balance_transaction("txn_3", amount=2500, fee=103)
    charge = {**charge_of("ch_test_3", "pi_test_3", amount=2500), "balance_transaction": txn}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post(client, event("charge.succeeded", charge))
    assert callbacks == []  # stored at once: no task queued
    gift.refresh_from_db()
    assert (gift.fee, gift.net) == (Decimal("1.03"), Decimal("23.97"))
    assert balance_api.requests == []
