"""On PostgreSQL, with the production queue: while a worker is inside an event's handler
(holding the event's row lock, its gift written but not committed), Stripe's replay of that
event is answered at once and adds nothing, and a second worker's run of the same event waits
for the first and then finds it done. One gift, one summary count."""

import threading
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from core.models import Organisation
from donations import summary
from donations.models import DonorSummary, Fund, Gift, StripeEvent
from donations.tasks import stripe_event_run
from tests.donations.stripe_events import event, post, stripe_object

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_replay_and_a_second_worker_during_processing_change_nothing(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    Organisation.current()
    Fund.objects.create(name="General operating", code="general", is_default=True)
    payload = event(
        "checkout.session.completed",
        stripe_object("checkout_session_payment"),
        event_id="evt_ack_pg",
    )
    client = Client()
    assert post(client, payload).status_code == 200
    stored = StripeEvent.objects.get()

    in_handler, release = threading.Event(), threading.Event()
    refresh = summary._refresh_chunk

    def refresh_held(ids: list[int], organisation: object) -> None:
        in_handler.set()  # the gift is written, uncommitted; the event's row is locked
        assert release.wait(20)
        refresh(ids, organisation)

    results: dict[str, object] = {}

    def work(name: str) -> None:
        try:
            results[name] = stripe_event_run.call(stored.event_id)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            results[name] = exc
        finally:
            connection.close()

    with mock.patch.object(summary, "_refresh_chunk", refresh_held):
        first = threading.Thread(target=work, args=("first",))
        first.start()
        assert in_handler.wait(20), "the first worker reached the handler"
        second = threading.Thread(target=work, args=("second",))
        second.start()
        # Stripe's replay is answered while the worker holds the event: nothing is queued.
        replay = post(Client(), payload)
        assert replay.status_code == 200
        assert DBTaskResult.objects.count() == 1
        assert not Gift.objects.exists(), "the first worker has not committed yet"
        second.join(1)
        assert second.is_alive(), "the second run waits on the event's row lock"
        release.set()
        first.join(30)
        second.join(30)

    assert results == {"first": True, "second": False}
    gift = Gift.objects.get()
    assert gift.amount == Decimal("50.00")
    assert DonorSummary.objects.get(supporter=gift.supporter).gift_count == 1
    stored.refresh_from_db()
    assert stored.processed_at is not None and stored.attempts == 1
