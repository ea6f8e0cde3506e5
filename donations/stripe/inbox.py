"""The Stripe webhook inbox: each event is stored, then processed exactly once, in one
transaction. What each event does to the ledger is in donations.stripe.handlers.

The event row is inserted first, marked processed, and the handler runs after it in the same
transaction: one commit and no savepoint per event. A handler that fails undoes the whole
transaction, and the row is then stored (or updated) with the error in a transaction of its
own, for `manage.py stripe_reprocess`. The inbox's unique event id makes a second delivery of
the same event, even one arriving at the same moment, wait for the first and then find it done.

A genuine event the books cannot hold (a gift of no or an implausible amount, a refund or
dispute of none, a time that cannot be, a value of the wrong kind anywhere a handler reads
one) is not an error to retry: its handler raises NeedsAttention, nothing is recorded, the
reason is kept on the row for staff (the 'needs attention' filter of the Stripe events admin)
and Stripe gets 200, so it does not retry for three days. `stripe_reprocess` tries such an
event again (after a change to STRIPE_MAX_GIFT_AMOUNT, say) and reports it, with its reason,
while it still needs attention.
"""

import logging
import traceback
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from core.task_batch import Call, enqueue_with_transaction
from donations.models import StripeEvent
from donations.stripe import client as stripe_client
from donations.stripe.handlers import HANDLERS, Changes
from donations.stripe.values import STRIPE_ID_LENGTH, NeedsAttention, event_object
from donations.summary import donor_summaries_refresh

__all__ = [
    "HANDLERS",
    "NeedsAttention",
    "StripeEventFailed",
    "stripe_event_process",
    "stripe_event_receive",
    "stripe_event_store_and_process",
]
logger = logging.getLogger(__name__)
# The inbox's few statements on every delivery are plain SQL: the ORM's query building was a
# measurable share of a replay's time.
INBOX = StripeEvent._meta.db_table


class StripeEventFailed(Exception):
    """The event is stored and its handler failed; the error is kept on the row for a retry."""

    def __init__(self, event_id: str) -> None:
        super().__init__(f"Stripe event {event_id} is stored but its processing failed.")
        self.event_id = event_id


def stripe_event_receive(*, payload: bytes, signature: str) -> str:
    """Verify, store (once per event id) and process an event; return its id.

    Raises InvalidWebhook for a body that is not a genuine, fresh event, and StripeEventFailed
    (from the handler's error) once that error is kept on the stored row. An event that needs
    attention returns normally: it is stored, with its reason, and there is nothing to retry."""
    event = stripe_client.verify_event(payload, signature)
    event_id = event["id"]
    if not isinstance(event_id, str) or len(event_id) > STRIPE_ID_LENGTH:
        # Nothing can be stored under such an id; Stripe's are short strings.
        raise stripe_client.InvalidWebhook("The event's id is not a Stripe event id.")
    outcome = stripe_event_store_and_process(event)
    if outcome.failure is not None and not isinstance(outcome.failure, NeedsAttention):
        raise StripeEventFailed(event_id) from outcome.failure
    return event_id


@dataclass(frozen=True)
class Outcome:
    stored: bool  # this call put the event in the inbox
    processed: bool  # its handler ran in this call and succeeded
    failure: Exception | None = None  # the handler's error, or NeedsAttention


def stripe_event_store_and_process(event: dict) -> Outcome:
    """Store an event Stripe sent (once per event id) and process it unless done before.

    The one way into the inbox, for the webhook (after its signature check) and for
    `stripe_sync` (events read from Stripe's API), so both store identical rows."""
    event_id = event["id"]
    if _already_done(event_id):
        return Outcome(stored=False, processed=False)  # a replay: one indexed read
    try:
        with transaction.atomic():
            # Inserted as processed: it is, exactly when this transaction commits.
            row_id = _insert_if_new(event, processed=True)
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


def stripe_event_process(*, event_pk: int) -> None:
    """Process a stored event that is not done yet (retries and `stripe_sync`); raises the
    handler's error, or NeedsAttention, so the commands report what is still not done."""
    try:
        with transaction.atomic():
            row = StripeEvent.objects.select_for_update().get(pk=event_pk)
            if row.processed_at is not None:
                return
            _handle(row.payload)
            _mark_processed(row.pk)
    except _HandlerFailed as failed:
        _keep_failure(row.payload, failed.failure)
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


def _keep_failure(event: dict, failure: Exception) -> bool:
    """Keep why the event was not processed on its row (inserted now when the failed
    delivery had inserted it); True if this call stored the event. A row another delivery
    processed meanwhile is left as it is."""
    if isinstance(failure, NeedsAttention):
        reason = str(failure)[: StripeEvent._meta.get_field("attention").max_length]
        kept = {"attention": reason, "error": ""}
        logger.warning(
            "Stripe event %s (%s) stored as needing attention, nothing recorded: %s",
            event.get("id"), event.get("type"), reason,
        )  # fmt: skip
    else:
        trace = "".join(traceback.format_exception(failure))
        kept = {"error": trace[-4000:], "attention": ""}
    with transaction.atomic():
        row_id = _insert_if_new(event, processed=False)
        StripeEvent.objects.filter(event_id=event["id"], processed_at=None).update(
            attempts=F("attempts") + 1, **kept
        )
    return row_id is not None


def _mark_processed(row_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {INBOX} SET processed_at = %s, error = '', attention = '', "  # noqa: S608
            "attempts = attempts + 1 WHERE id = %s",
            [timezone.now(), row_id],
        )


def _insert_if_new(event: dict, *, processed: bool) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING: the new row's id, or None if the event id is known.
    (get_or_create would read first and need a savepoint; this is one statement.) A row
    inserted as processed counts its one attempt."""
    payload = StripeEvent._meta.get_field("payload").get_db_prep_save(event, connection)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {INBOX} "  # noqa: S608 - the table name is ours
            "(event_id, type, payload, livemode, received_at, processed_at, attempts, error, "
            "attention) VALUES (%s, %s, %s, %s, %s, %s, %s, '', '') "
            "ON CONFLICT (event_id) DO NOTHING RETURNING id",
            [
                event["id"],
                str(event.get("type", ""))[:100],
                payload,
                bool(event.get("livemode")),
                now,
                now if processed else None,
                1 if processed else 0,
            ],
        )
        row = cursor.fetchone()
    return row[0] if row else None


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
