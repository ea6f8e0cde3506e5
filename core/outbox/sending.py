"""Sending what is due: a worker claims a chunk of messages (row locks with SKIP LOCKED on
PostgreSQL, so several workers on several machines share the queue without overlap), marks
them 'sending', composes them, sends them with several requests in flight over reused ESP
connections, and records every outcome in one write per chunk."""

import os
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from core.models import OutboxMessage
from core.outbox import composers, esp
from core.outbox.esp import Outcome, Result
from core.outbox.suppression import is_appeal, suppressed_among
from core.outbox.sweep import outbox_follow_up, outbox_sweep

Status = OutboxMessage.Status
RECORDED = ["status", "sent_at", "esp_message_id", "last_error", "next_attempt_at",
            "claimed_at", "subject"]  # fmt: skip


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def outbox_send_due(*, worker: str = "", budget_seconds: float | None = None) -> int:
    """Send due messages chunk after chunk until none is due (or the time budget is spent).
    Returns how many were handled. Safe to run in many processes at once."""
    worker = worker or worker_name()
    outbox_sweep()
    deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
    handled = 0
    in_flight = None  # the chunk whose requests are out while the next one is composed
    with _connections() as connection_for, ThreadPoolExecutor(settings.OUTBOX_IN_FLIGHT) as pool:
        while True:
            out_of_time = deadline is not None and time.monotonic() > deadline
            chunk = [] if out_of_time else _claim(worker, settings.OUTBOX_CHUNK)
            sending = (chunk, _submit(chunk, pool, connection_for)) if chunk else None
            if in_flight is not None:
                _record(in_flight[0], _outcomes(in_flight[1]), worker)
                handled += len(in_flight[0])
            if sending is None:
                break
            in_flight = sending
    outbox_follow_up()
    return handled


def _claim(worker: str, size: int) -> list[OutboxMessage]:
    now = timezone.now()
    with transaction.atomic():
        due = OutboxMessage.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(
            due.order_by("-priority", "next_attempt_at", "id").values_list("id", flat=True)[:size]
        )
        if not ids:
            return []
        # Marked 'sending' before any request goes out: never claimed again by anyone.
        OutboxMessage.objects.filter(id__in=ids).update(
            status=Status.SENDING, claimed_at=now, claimed_by=worker, attempts=F("attempts") + 1
        )
    return list(OutboxMessage.objects.filter(id__in=ids).prefetch_related("files").order_by("id"))


def _submit(
    chunk: list[OutboxMessage], pool: ThreadPoolExecutor, connection_for: "callable"
) -> list[object]:
    """Compose the chunk and hand its requests to the pool; returns, per message, a future or
    the outcome already known (suppressed, not to be sent, not composed)."""
    composers.compose(chunk)
    # Appeals stop for every suppressed address; other mail only where all email stopped.
    no_appeals = suppressed_among({m.to_email for m in chunk if is_appeal(m)}, appeal=True)
    no_email = suppressed_among({m.to_email for m in chunk if not is_appeal(m)}, appeal=False)
    pending = []
    interval = 1 / settings.OUTBOX_RATE_PER_SECOND if settings.OUTBOX_RATE_PER_SECOND else 0
    for message in chunk:
        if message.status == Status.CANCELLED:  # its composer found it is not to be sent
            pending.append(Outcome(Result.SUPPRESSED, error=message.last_error))
            continue
        if reason := (no_appeals if is_appeal(message) else no_email).get(message.to_email):
            message.subject = message.subject or "(not composed)"
            pending.append(Outcome(Result.SUPPRESSED, error=f"Not sent: {reason}."))
            continue
        if not message.subject:
            error = message.last_error or "The message has no subject."
            pending.append(Outcome(Result.FAILED, error=error))
            continue
        email = _email(message)
        pending.append(pool.submit(lambda e=email: esp.send(e, connection_for())))
        if interval:
            time.sleep(interval)  # this worker's share of the configured rate
    return pending


def _outcomes(pending: list[object]) -> list[Outcome]:
    return [item if isinstance(item, Outcome) else item.result() for item in pending]


def _email(message: OutboxMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text_body,
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers=message.headers or None,
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    for attachment in message.files.all():
        with attachment.file.open("rb") as stored:
            email.attach(attachment.name, stored.read(), attachment.content_type)
    # Tracking events and the ESP's search find the message by these.
    email.metadata = {"outbox_id": str(message.pk)}
    email.tags = [message.kind[:40]]
    return email


def _record(chunk: list[OutboxMessage], outcomes: list[Outcome], worker: str) -> None:
    now = timezone.now()
    for message, outcome in zip(chunk, outcomes, strict=True):
        message.last_error = outcome.error
        if outcome.result is Result.SENT:
            message.status, message.sent_at = Status.SENT, now
            message.esp_message_id = outcome.esp_message_id
        elif outcome.result is Result.RETRY and message.attempts < settings.OUTBOX_MAX_ATTEMPTS:
            message.status, message.claimed_at = Status.QUEUED, None
            message.next_attempt_at = now + _backoff(message.attempts)
        elif outcome.result is Result.RETRY:
            message.status = Status.FAILED
            message.last_error = f"Gave up after {message.attempts} attempts. {outcome.error}"
        elif outcome.result is Result.UNKNOWN:
            message.status, message.claimed_at = Status.UNKNOWN, now  # checked with the ESP later
        elif outcome.result is Result.SUPPRESSED:
            message.status = Status.CANCELLED
        else:
            message.status = Status.REJECTED if outcome.result is Result.REJECTED else Status.FAILED
        if message.composer:
            message.subject = message.subject[:998]  # kept to list it; bodies are re-composed
    # One statement per message, sent together (psycopg pipelines executemany); only what
    # this worker still holds: a sweep may have taken a message it thought stopped.
    table = OutboxMessage._meta.db_table
    columns = ", ".join(f'"{OutboxMessage._meta.get_field(name).column}" = %s' for name in RECORDED)
    sql = (
        f'UPDATE "{table}" SET {columns} WHERE "id" = %s AND "claimed_by" = %s '  # noqa: S608
        "AND \"status\" IN ('sending', 'unknown')"
    )
    adapt = connection.ops.adapt_datetimefield_value
    params = [
        [
            *(
                adapt(getattr(m, name)) if name.endswith("_at") else getattr(m, name)
                for name in RECORDED
            ),
            m.pk,
            worker,
        ]
        for m in chunk
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _backoff(attempts: int) -> timedelta:
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** (attempts - 1), 3600))


@contextmanager
def _connections() -> Iterator["callable"]:
    """One open ESP connection per sending thread, closed when the run ends."""
    local = threading.local()
    opened = []
    lock = threading.Lock()

    def connection_for() -> object:
        if not hasattr(local, "conn"):
            local.conn = esp.connection()
            local.conn.open()
            with lock:
                opened.append(local.conn)
        return local.conn

    try:
        yield connection_for
    finally:
        for conn in opened:
            conn.close()
