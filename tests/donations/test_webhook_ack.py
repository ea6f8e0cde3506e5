"""The webhook answers once an event is stored: its row and the task that processes it commit
together, and the worker (django-tasks-db's own run_task, on the production queue's rows)
records the gift. A replay between the answer and the worker changes nothing; a handler that
fails is kept on the event, retried after a backoff and then flagged for a person."""

import datetime
import json

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from donations.models import DonorSummary, Gift, StripeEvent
from tests.donations.stripe_events import event, post, signed_headers, stripe_object

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("general_fund")]
RUN = "donations.tasks.stripe_event_run"


@pytest.fixture
def queue(settings):
    """The production queue: tasks are rows, run only when the worker below takes them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def worker_runs_what_is_ready() -> list[DBTaskResult]:
    """What `manage.py db_worker` does, row by row: take the next ready task (its order, its
    lock), claim it, run it with the worker's own run_task. Returns the rows it ran."""
    worker = Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="test-worker", excluded_queue_names=[],
    )  # fmt: skip
    ran = []
    while (row := DBTaskResult.objects.ready().get_locked()) is not None:
        row.claim(worker.worker_id)
        worker.run_task(row)
        row.refresh_from_db()
        ran.append(row)
    return ran


def checkout_event(event_id: str = "evt_ack_1") -> bytes:
    return event(
        "checkout.session.completed",
        stripe_object("checkout_session_payment"),
        event_id=event_id,
    )


def test_the_webhook_stores_the_event_and_its_task_and_the_worker_records_the_gift(client, queue):
    response = post(client, checkout_event())
    assert response.status_code == 200 and response.content == b"ok evt_ack_1"
    stored = StripeEvent.objects.get()
    assert (stored.event_id, stored.processed_at, stored.attempts) == ("evt_ack_1", None, 0)
    [run] = DBTaskResult.objects.all()
    assert (run.task_path, run.args_kwargs["args"], run.status) == (RUN, [stored.event_id], "READY")
    assert not Gift.objects.exists(), "nothing is recorded before the worker runs"

    ran = worker_runs_what_is_ready()
    assert [row.status for row in ran] == [TaskResultStatus.SUCCESSFUL] * len(ran)
    assert ran[0].task_path == RUN  # then the gift's follow-ups (thank-you, fee read)
    gift = Gift.objects.get()
    assert (gift.amount, gift.status, gift.stripe_checkout_session_id) == (
        50, "succeeded", "cs_test_payment_1",
    )  # fmt: skip
    assert DonorSummary.objects.get(supporter=gift.supporter).gift_count == 1
    stored.refresh_from_db()
    assert stored.processed_at is not None and (stored.attempts, stored.error) == (1, "")

    # The same task run again (a worker that died before recording it had finished): no-op.
    run.task.call(stored.event_id)
    assert Gift.objects.count() == 1
    stored.refresh_from_db()
    assert stored.attempts == 1


def test_a_replay_before_the_worker_ran_changes_nothing_and_the_gift_is_recorded_once(
    client, queue
):
    payload = checkout_event()
    assert post(client, payload).status_code == 200
    assert post(client, payload).status_code == 200  # Stripe's retry, before the worker ran
    assert StripeEvent.objects.count() == 1
    assert DBTaskResult.objects.count() == 1, "no second task for a known event"
    # Stripe can also send the same checkout as a new event: stored, processed, no new gift.
    assert post(client, checkout_event("evt_ack_2")).status_code == 200
    worker_runs_what_is_ready()
    assert Gift.objects.count() == 1
    assert StripeEvent.objects.filter(processed_at__isnull=False).count() == 2
    assert post(client, payload).status_code == 200  # and after it: still nothing new
    assert worker_runs_what_is_ready() == [] and Gift.objects.count() == 1


def test_a_failing_handler_is_retried_with_backoff_then_flagged_and_reprocessed_by_hand(
    client, queue, settings, admin_client
):
    from django.core.management import call_command

    settings.STRIPE_EVENT_ATTEMPTS = 3
    settings.STRIPE_EVENT_RETRY_SECONDS = 30
    # A refund whose gift never arrived: the handler raises on every attempt.
    refund = event("charge.refunded", stripe_object("charge_refunded"), event_id="evt_refund")
    assert post(client, refund).status_code == 200
    stored = StripeEvent.objects.get()
    delays = []
    for attempt in (1, 2, 3):
        [ran] = [row for row in worker_runs_what_is_ready() if row.task_path == RUN]
        assert ran.status == TaskResultStatus.FAILED  # the task's row shows it too
        stored.refresh_from_db()
        assert (stored.attempts, stored.processed_at) == (attempt, None)
        assert "No gift yet" in stored.error
        waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=RUN)
        if attempt < 3:
            assert stored.attention == ""
            [retry] = waiting
            assert retry.args_kwargs["args"] == [stored.event_id]
            delays.append(round((retry.run_after - timezone.now()).total_seconds()))
            assert worker_runs_what_is_ready() == [], "not before its time"
            waiting.update(run_after=timezone.now() - datetime.timedelta(seconds=1))
        else:
            assert not waiting.exists(), "no more automatic retries"
    assert delays == [30, 60]
    assert stored.attention.startswith("Processing failed 3 times; no more automatic retries")
    assert "LookupError: No gift yet for charge ch_test_payment_1" in stored.attention

    # Staff find it under 'needs attention'.
    listed = admin_client.get("/admin/donations/stripeevent/", {"attention": "yes"})
    assert "evt_refund" in listed.content.decode()

    # The gift arrives; staff reprocess: the refund lands and the flag goes.
    assert post(client, checkout_event()).status_code == 200
    worker_runs_what_is_ready()
    call_command("stripe_reprocess")
    stored.refresh_from_db()
    assert stored.processed_at is not None and (stored.attention, stored.error) == ("", "")
    assert Gift.objects.get().status == "refunded"


def test_a_forged_event_is_refused_and_stores_nothing_not_even_a_task(client, queue):
    payload = checkout_event()
    forged = signed_headers(payload, secret="whsec_someone_else")
    response = client.post("/stripe/webhook/", payload, content_type="application/json", **forged)
    assert response.status_code == 400
    assert not StripeEvent.objects.exists() and not DBTaskResult.objects.exists()
    unsigned = client.post("/stripe/webhook/", payload, content_type="application/json")
    assert unsigned.status_code == 400 and not DBTaskResult.objects.exists()


def test_an_event_the_books_cannot_hold_is_flagged_at_once_not_retried(client, queue):
    session = stripe_object("checkout_session_payment", amount_total=-500)
    payload = event("checkout.session.completed", session, event_id="evt_negative")
    assert post(client, payload).status_code == 200
    worker_runs_what_is_ready()
    stored = StripeEvent.objects.get()
    assert stored.attention and stored.processed_at is None and stored.attempts == 1
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    assert not Gift.objects.exists()
    assert json.loads(payload)["id"] == stored.event_id
