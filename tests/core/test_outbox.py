"""The outbox: every email is a row first, sent by a worker through the real anymail Postmark
backend (here against a local stand-in of Postmark's API), each message exactly once."""

import socket
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from core.models import OutboxMessage
from core.outbox.queue import Attachment, outbox_queue
from core.outbox.sending import outbox_send_due
from core.outbox.sweep import outbox_sweep
from tests.postmark_standin import TOKEN, PostmarkStandIn

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status


@pytest.fixture
def postmark(settings):
    with PostmarkStandIn() as standin:
        settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
        settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": TOKEN, "POSTMARK_API_URL": standin.url}
        settings.OUTBOX_TIMEOUT_SECONDS = 1
        settings.OUTBOX_CHECK_AFTER_SECONDS = 0
        yield standin


def _queue(to="ana@example.org", **kwargs):
    return outbox_queue(
        kind="thank-you", to=to, subject="Thank you", text="Thank you.", html="<p>Thank you</p>",
        **kwargs,
    )  # fmt: skip


def _due_now():
    OutboxMessage.objects.filter(status=Status.QUEUED).update(next_attempt_at=timezone.now())


def test_a_queued_message_is_sent_once_with_its_attachment(postmark):
    message = _queue(attachments=[Attachment(name="receipt-1.pdf", content=b"%PDF-1.7 receipt")])
    assert postmark.accepted == [], "nothing leaves before a worker sends it"
    assert outbox_send_due() == 1
    assert outbox_send_due() == 0
    (sent,) = postmark.accepted
    assert sent["To"] == "ana@example.org" and sent["Subject"] == "Thank you"
    assert sent["Metadata"] == {"outbox_id": str(message.pk)}
    assert sent["Attachments"][0]["Name"] == "receipt-1.pdf"
    message.refresh_from_db()
    assert message.status == Status.SENT and message.esp_message_id == sent["MessageID"]


def test_a_message_rolled_back_with_its_reason_was_never_queued(postmark):
    with pytest.raises(RuntimeError), transaction.atomic():
        _queue()
        raise RuntimeError("the gift could not be recorded")
    assert outbox_send_due() == 0 and postmark.accepted == []


@pytest.mark.parametrize("answer", [429, 500])
def test_an_esp_asking_to_come_back_is_retried_later_and_sent_once(postmark, answer):
    message = _queue()
    postmark.answer = answer
    outbox_send_due()
    message.refresh_from_db()
    assert message.status == Status.QUEUED and message.attempts == 1
    assert message.next_attempt_at > timezone.now(), "backs off before trying again"
    assert outbox_send_due() == 0, "not before its time"
    postmark.answer = "ok"
    _due_now()
    outbox_send_due()
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2
    assert postmark.recipients() == ["ana@example.org"]


def test_retries_stop_after_the_last_attempt(postmark, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = _queue()
    postmark.answer = 500
    outbox_send_due()
    _due_now()
    outbox_send_due()
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.last_error.startswith("Gave up after 2 attempts.")


def test_a_refused_recipient_is_not_retried_and_does_not_stop_the_others(postmark):
    refused = _queue(to="inactive@example.org")
    postmark.answer = 422
    outbox_send_due()
    postmark.answer = "ok"
    other = _queue(to="luis@example.org")
    outbox_send_due()
    refused.refresh_from_db()
    other.refresh_from_db()
    assert refused.status == Status.REJECTED and "inactive" in refused.last_error
    assert other.status == Status.SENT


def test_no_answer_is_unknown_and_checked_with_the_esp_never_resent(postmark):
    message = _queue()
    postmark.answer = "hang"  # the ESP takes it but the answer never arrives in time
    outbox_send_due()
    message.refresh_from_db()
    assert message.status == Status.UNKNOWN
    postmark.answer = "ok"
    outbox_sweep()
    message.refresh_from_db()
    assert message.status == Status.SENT, "the ESP says it took it"
    assert message.esp_message_id == postmark.accepted[0]["MessageID"]
    outbox_send_due()
    assert postmark.recipients() == ["ana@example.org"], "sent exactly once"


def test_an_esp_that_cannot_be_reached_is_retried(postmark, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.ANYMAIL = {**settings.ANYMAIL, "POSTMARK_API_URL": f"http://127.0.0.1:{closed_port}/"}
    message = _queue()
    outbox_send_due()
    message.refresh_from_db()
    assert message.status == Status.QUEUED and message.last_error == "Could not reach the ESP."


def test_a_message_a_stopped_worker_held_is_sent_again_only_if_the_esp_never_took_it(
    postmark, settings
):
    taken, lost = _queue(to="taken@example.org"), _queue(to="lost@example.org")
    # A worker claimed both, got 'taken' out to the ESP, and was killed before recording.
    long_ago = timezone.now() - timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    OutboxMessage.objects.update(status=Status.SENDING, claimed_at=long_ago, claimed_by="gone:1")
    postmark.accepted.append(
        {"To": "taken@example.org", "MessageID": "pm-1", "Metadata": {"outbox_id": str(taken.pk)}}
    )
    outbox_send_due()  # sweeps first, then sends what the sweep put back
    taken.refresh_from_db()
    lost.refresh_from_db()
    assert taken.status == Status.SENT and taken.esp_message_id == "pm-1"
    assert lost.status == Status.SENT
    assert sorted(postmark.recipients()) == ["lost@example.org", "taken@example.org"]


def test_an_unknown_outcome_waits_for_a_person_when_the_esp_cannot_be_asked(settings, mailoutbox):
    settings.OUTBOX_CHECK_AFTER_SECONDS = 0
    message = _queue()
    OutboxMessage.objects.update(
        status=Status.SENDING, claimed_at=timezone.now() - timedelta(days=1)
    )
    outbox_sweep()
    message.refresh_from_db()
    assert message.status == Status.UNKNOWN and mailoutbox == []


def test_transactional_mail_goes_before_a_waiting_appeal(postmark, settings):
    settings.OUTBOX_CHUNK = 1
    # One request at a time, so the ESP hears them in the order they were claimed (with more
    # in flight, the next chunk's request may overtake this one's: pipelining, not priority).
    settings.OUTBOX_IN_FLIGHT = 1
    appeal = _queue(to="appeal@example.org", priority=OutboxMessage.Priority.BULK)
    thanks = _queue(to="thanks@example.org")
    outbox_send_due()
    assert postmark.recipients() == ["thanks@example.org", "appeal@example.org"]
    assert appeal.pk < thanks.pk


def test_a_retry_due_now_is_not_left_waiting_behind_another_workers_lease(settings):
    """One follow-up is planned at a time, but a later one needed sooner is queued too: a
    retry due now must not wait out the lease planned for another worker's held messages."""
    from django.core.cache import cache
    from django_tasks_db.models import DBTaskResult

    from core.outbox.sweep import follow_up_key, outbox_follow_up

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    cache.delete(follow_up_key())
    held = outbox_queue(kind="thank-you", to="held@example.org", subject="Hi", text="Hi")
    OutboxMessage.objects.filter(pk=held.pk).update(
        status=OutboxMessage.Status.SENDING, claimed_at=timezone.now(), claimed_by="other"
    )
    drains = DBTaskResult.objects.filter(task_path="core.tasks.outbox_drain")
    drains.delete()  # the wake-up queued with the message
    outbox_follow_up()
    [planned] = drains.values_list("run_after", flat=True)
    assert planned - timezone.now() > timedelta(seconds=settings.OUTBOX_LEASE_SECONDS - 5)
    outbox_follow_up()
    assert drains.count() == 1, "the same need plans nothing more"

    retry = outbox_queue(kind="thank-you", to="retry@example.org", subject="Hi", text="Hi")
    # Due in 20 s, not now: a follow-up planned a second ahead could expire (and rightly be
    # planned again) before the next line on a busy machine.
    OutboxMessage.objects.filter(pk=retry.pk).update(
        next_attempt_at=timezone.now() + timedelta(seconds=20)
    )
    drains.exclude(run_after=planned).delete()  # only the follow-ups count here
    outbox_follow_up()
    soon = drains.exclude(run_after=planned).get().run_after
    assert soon - timezone.now() < timedelta(seconds=22) and soon < planned
    outbox_follow_up()
    assert drains.count() == 2
    cache.delete(follow_up_key())
