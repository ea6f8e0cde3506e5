"""The Stripe webhook inbox: each event is stored once, answered, then processed by the
background worker. What each event does to the ledger is in donations.stripe.handlers.

The webhook verifies the signature and, in one transaction, inserts the event's row and the
task that processes it (donations.tasks.stripe_event_run; the queue is a table in the same
database), then answers 200: the event and its task exist exactly when Stripe hears 'ok'.
The inbox's unique event id makes a second delivery, even one arriving before the worker
got to the first, change nothing. A forged or stale body is refused with 400 before
anything is written.

The worker runs the handler and marks the row processed in one transaction, holding the
row's lock, so two runs of one event (a retry beside `stripe_reprocess`) process it once.
A handler that fails undoes its transaction; the error is then kept on the row, with the
attempt counted, and the next attempt queued after a backoff (STRIPE_EVENT_RETRY_SECONDS,
doubling, at most an hour). After STRIPE_EVENT_ATTEMPTS failed attempts the event is
flagged as needing attention and waits for a person and `manage.py stripe_reprocess`.

A genuine event the books cannot hold (a gift of no or an implausible amount, a refund or
dispute of none, a time that cannot be, a value of the wrong kind anywhere a handler reads
one) is not an error to retry: its handler raises NeedsAttention, nothing is recorded and
the reason is kept on the row for staff (the 'needs attention' filter of the Stripe events
admin). `stripe_reprocess` tries such an event again (after a change to
STRIPE_MAX_GIFT_AMOUNT, say) and reports it, with its reason, while it still needs attention.

`stripe_sync` (events read from Stripe's API) stores through the same INSERT and processes
each event at once, in the transaction that stores it, to report what it did.
"""

import logging
import traceback
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.db.models.sql.subqueries import InsertQuery
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.task_batch import Call, enqueue_with_transaction, task_rows
from donations.models import StripeEvent
from donations.stripe import client as stripe_client
from donations.stripe.handlers import HANDLERS, Changes
from donations.stripe.values import STRIPE_ID_LENGTH, NeedsAttention, event_object
from donations.summary import donor_summaries_refresh

__all__ = [
    "HANDLERS",
    "NeedsAttention",
    "stripe_event_accept",
    "stripe_event_insert",
    "stripe_event_process",
    "stripe_event_receive",
    "stripe_event_store_and_process",
]
logger = logging.getLogger(__name__)
# The inbox's few statements on every delivery are plain SQL: the ORM's query building was a
# measurable share of a replay's time.
INBOX = StripeEvent._meta.db_table


def stripe_event_receive(*, payload: bytes, signature: str) -> str:
    """Verify an event and store it (once per event id) with the task that processes it;
    return its id. Raises InvalidWebhook for a body that is not a genuine, fresh event, and
    nothing is written then."""
    event = stripe_client.verify_event(payload, signature)
    event_id = event["id"]
    if not isinstance(event_id, str) or len(event_id) > STRIPE_ID_LENGTH:
        # Nothing can be stored under such an id; Stripe's are short strings.
        raise stripe_client.InvalidWebhook("The event's id is not a Stripe event id.")
    stripe_event_accept(event)
    return event_id


def stripe_event_accept(event: dict) -> bool:
    """Store an event with the task that processes it, both or neither; True if it was new.
    A known event id (a replay, even of one the worker has not reached) changes nothing."""
    from donations.tasks import stripe_event_run

    call = (stripe_event_run, (event["id"],))
    rows = task_rows([call]) if connection.vendor == "postgresql" else None
    if rows is not None:
        return _insert_with_task(event, rows[0])
    with transaction.atomic():  # SQLite, or a queue that is not this database's table
        stored = stripe_event_insert(event, processed=False) is not None
        if stored:
            enqueue_with_transaction([call])
    return stored


def _insert_with_task(event: dict, task_row: DBTaskResult) -> bool:
    """PostgreSQL: the event's INSERT and its task's in one statement (a data-modifying WITH;
    the task row is inserted only if the event's was), so one round trip, in a transaction of
    its own, instead of two INSERTs and a COMMIT."""
    event_sql, event_params = _event_insert(event, processed=False)
    query = InsertQuery(DBTaskResult)
    query.insert_values(DBTaskResult._meta.concrete_fields, [task_row])
    [(task_sql, task_params)] = query.get_compiler(connection=connection).as_sql()
    # INSERT INTO tasks (...) VALUES (...)  ->  INSERT INTO tasks (...) SELECT ... FROM stored
    head, values = task_sql.split(" VALUES (", 1)
    select = f"{head} SELECT {values.removesuffix(')')} FROM stored"  # noqa: S608 - Django's SQL
    with connection.cursor() as cursor:
        cursor.execute(f"WITH stored AS ({event_sql}) {select}", [*event_params, *task_params])
        return cursor.rowcount == 1


@dataclass(frozen=True)
class Outcome:
    stored: bool  # this call put the event in the inbox
    processed: bool  # its handler ran in this call and succeeded
    failure: Exception | None = None  # the handler's error, or NeedsAttention


def stripe_event_store_and_process(event: dict) -> Outcome:
    """Store an event (once per event id) and process it at once unless done before, in the
    transaction that stores it: `stripe_sync`'s way in, for events read from Stripe's API, so
    it can say what each did. The row is written by the webhook's INSERT (stripe_event_insert),
    so both store identical rows."""
    event_id = event["id"]
    if _already_done(event_id):
        return Outcome(stored=False, processed=False)  # a replay: one indexed read
    try:
        with transaction.atomic():
            # Inserted as processed: it is, exactly when this transaction commits.
            row_id = stripe_event_insert(event, processed=True)
            if row_id is not None:
                _handle(event)
                return Outcome(stored=True, processed=True)
            # Stored before: by a delivery that failed, or by one that just finished (the
            # insert above waited for it). The row lock settles which.
            locked = StripeEvent.objects.select_for_update().only("processed_at")
            row = locked.get(event_id=event_id)
            if row.processed_at is not None:
                return Outcome(stored=False, processed=False)
            _handle(event)
            _mark_processed(row.pk)
            return Outcome(stored=False, processed=True)
    except _HandlerFailed as failed:
        stored = _keep_failure(event, failed.failure)
        return Outcome(stored=stored, processed=False, failure=failed.failure)


def stripe_event_process(*, event_id: str, retry_later: bool = False) -> bool:
    """Process a stored event that is not done yet (the worker, `stripe_reprocess`); True if
    this call processed it, False if it was done before. Raises the handler's error, or
    NeedsAttention, once it is kept on the row. With retry_later (the worker's runs), a
    failure also queues the next attempt after a backoff, or, at the last attempt, flags the
    event as needing attention."""
    try:
        with transaction.atomic():
            row = StripeEvent.objects.select_for_update().get(event_id=event_id)
            if row.processed_at is not None:
                return False
            _handle(row.payload)
            _mark_processed(row.pk)
            return True
    except _HandlerFailed as failed:
        _keep_failure(row.payload, failed.failure, retry_later=retry_later)
        raise failed.failure from None


class _HandlerFailed(Exception):
    """Leaves the event's transaction, undoing all it wrote (the row too, when this delivery
    inserted it): one transaction and no savepoint per event. The failure is then kept on the
    row in a transaction of its own (_keep_failure)."""

    def __init__(self, failure: Exception) -> None:
        super().__init__(str(failure))
        self.failure = failure


def _handle(event: dict) -> None:
    """Run the event's handler, refresh the summaries it touched and queue its follow-ups;
    raises _HandlerFailed with the error, or with NeedsAttention for what needs a person."""
    kind = event.get("type")
    handler = HANDLERS.get(kind) if isinstance(kind, str) else None  # a list is unhashable
    try:
        try:
            changes = handler(event_object(event)) if handler else Changes()
        except ValidationError as exc:
            # The gifts service refused what the event says (donations.services): data for a
            # person to look at, not an error Stripe should retry.
            raise NeedsAttention("; ".join(exc.messages)) from exc
        if changes.supporters:
            donor_summaries_refresh(supporter_ids=changes.supporters)
        _follow_up(changes)
    except Exception as exc:  # NeedsAttention included: _keep_failure tells them apart
        raise _HandlerFailed(exc) from exc


def _keep_failure(event: dict, failure: Exception, *, retry_later: bool = False) -> bool:
    """Keep why the event was not processed on its row (inserted now when the failed
    delivery had inserted it), counting the attempt; True if this call stored the event. A
    row another run processed meanwhile is left as it is. With retry_later, an error queues
    the next attempt in the same transaction, or, at the last attempt, flags the event."""
    attention_length = StripeEvent._meta.get_field("attention").max_length
    needs_person = isinstance(failure, NeedsAttention)
    if needs_person:
        kept = {"attention": str(failure)[:attention_length], "error": ""}
    else:
        trace = "".join(traceback.format_exception(failure))
        kept = {"error": trace[-4000:], "attention": ""}
    with transaction.atomic():
        row_id = stripe_event_insert(event, processed=False)
        row = StripeEvent.objects.filter(event_id=event["id"], processed_at=None)
        if not row.update(attempts=F("attempts") + 1, **kept):
            return row_id is not None  # processed meanwhile by another run
        attempts = row.values_list("attempts", flat=True).get()
        if needs_person:
            logger.warning(
                "Stripe event %s (%s) stored as needing attention, nothing recorded: %s",
                event.get("id"), event.get("type"), kept["attention"],
            )  # fmt: skip
        elif retry_later and attempts >= settings.STRIPE_EVENT_ATTEMPTS:
            gave_up = (
                f"Processing failed {attempts} times; no more automatic retries "
                f"(manage.py stripe_reprocess tries again). {type(failure).__name__}: {failure}"
            )
            row.update(attention=gave_up[:attention_length])
            logger.error("Stripe event %s (%s): %s", event.get("id"), event.get("type"), gave_up)
        else:
            logger.warning(
                "Stripe event %s (%s) is stored; attempt %s failed, kept for a retry: %s: %s",
                event.get("id"), event.get("type"), attempts, type(failure).__name__, failure,
            )  # fmt: skip
            if retry_later:
                _retry_later(event["id"], attempts)
    return row_id is not None


def _retry_later(event_id: str, attempts: int) -> None:
    """Queue the event's next attempt, in the caller's transaction, after 1, 2, 4... times
    STRIPE_EVENT_RETRY_SECONDS (at most an hour). A queue that cannot wait (the tests' run-at-
    once backend) gets none: the tests run the worker's attempts themselves."""
    from donations.tasks import stripe_event_run

    if not stripe_event_run.get_backend().supports_defer:
        return
    delay = min(settings.STRIPE_EVENT_RETRY_SECONDS * 2 ** (attempts - 1), 3600)
    later = stripe_event_run.using(run_after=timezone.now() + timedelta(seconds=delay))
    enqueue_with_transaction([(later, (event_id,))])


def _mark_processed(row_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {INBOX} SET processed_at = %s, error = '', attention = '', "  # noqa: S608
            "attempts = attempts + 1 WHERE id = %s",
            [timezone.now(), row_id],
        )


def stripe_event_insert(event: dict, *, processed: bool) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING: the new row's id, or None if the event id is known.
    (get_or_create would read first and need a savepoint; this is one statement.) A row
    inserted as processed counts its one attempt."""
    sql, params = _event_insert(event, processed=processed)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def _event_insert(event: dict, *, processed: bool) -> tuple[str, list]:
    payload = StripeEvent._meta.get_field("payload").get_db_prep_save(event, connection)
    now = timezone.now()
    sql = (
        f"INSERT INTO {INBOX} "  # noqa: S608 - the table name is ours
        "(event_id, type, payload, livemode, received_at, processed_at, attempts, error, "
        "attention) VALUES (%s, %s, %s, %s, %s, %s, %s, '', '') "
        "ON CONFLICT (event_id) DO NOTHING RETURNING id"
    )
    params = [
        event["id"],
        str(event.get("type", ""))[:100],
        payload,
        bool(event.get("livemode")),
        now,
        now if processed else None,
        1 if processed else 0,
    ]
    return sql, params


def _already_done(event_id: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {INBOX} WHERE event_id = %s AND processed_at IS NOT NULL",  # noqa: S608
            [event_id],
        )
        return cursor.fetchone() is not None


def _follow_up(changes: Changes) -> None:
    """Queue a thank-you for each gift this event made paid, the read of each fee still
    unknown, and a new receipt version for each receipted gift it took money from. The tasks
    are written in this transaction, in one INSERT (core.task_batch: the queue is a table in
    the same database), so they exist exactly when the change does."""
    from donations.models import Receipt
    from donations.tasks import gift_fee_fill, reissue_receipt, thank_donor

    calls: list[Call] = [(thank_donor, (gift_id,)) for gift_id in sorted(changes.to_thank)]
    calls += [(gift_fee_fill, read) for read in changes.fee_reads]
    if changes.to_reissue:
        receipted = Receipt.objects.filter(gift_id__in=changes.to_reissue)
        for gift_id in sorted(set(receipted.values_list("gift_id", flat=True))):
            calls.append((reissue_receipt, (gift_id,)))
    enqueue_with_transaction(calls)
