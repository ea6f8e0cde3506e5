"""The Stripe webhook inbox: each event is stored, then processed exactly once, in one
transaction. What each event does to the ledger is in donations.stripe.handlers.

The event row is inserted first; the handler runs inside a savepoint after it, so a handler
that fails undoes only its own work and the row is committed with the error, for
`manage.py stripe_reprocess`. The inbox's unique event id makes a second delivery of the same
event, even one arriving at the same moment, wait for the first and then find it done.

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
    with transaction.atomic():
        row_id = _insert_if_new(event)
        stored = row_id is not None
        if row_id is None:
            # Stored before: by a delivery that failed, or by one that just finished (the
            # insert above waited for it). The row lock settles which.
            locked = StripeEvent.objects.select_for_update().only("processed_at")
            row = locked.get(event_id=event_id)
            if row.processed_at is not None:
                return Outcome(stored=False, processed=False)
            row_id = row.pk
        failure = _run_handler(row_id, event)
    return Outcome(stored=stored, processed=failure is None, failure=failure)


def stripe_event_process(*, event_pk: int) -> None:
    """Process a stored event that is not done yet (retries and `stripe_sync`); raises the
    handler's error, or NeedsAttention, so the commands report what is still not done."""
    with transaction.atomic():
        row = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if row.processed_at is not None:
            return
        failure = _run_handler(row.pk, row.payload)
    if failure is not None:
        raise failure


def _insert_if_new(event: dict) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING: the new row's id, or None if the event id is known.
    (get_or_create would read first and need a savepoint; this is one statement.)"""
    payload = StripeEvent._meta.get_field("payload").get_db_prep_save(event, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {INBOX} "  # noqa: S608 - the table name is ours
            "(event_id, type, payload, livemode, received_at, attempts, error, attention) "
            "VALUES (%s, %s, %s, %s, %s, 0, '', '') "
            "ON CONFLICT (event_id) DO NOTHING RETURNING id",
            [
                event["id"],
                str(event.get("type", ""))[:100],
                payload,
                bool(event.get("livemode")),
                timezone.now(),
            ],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _run_handler(row_id: int, event: dict) -> Exception | None:
    """Run the event's handler in a savepoint and mark the row done, or keep its error (or
    why it needs attention); the savepoint undoes whatever the handler wrote before that."""
    kind = event.get("type")
    handler = HANDLERS.get(kind) if isinstance(kind, str) else None  # a list is unhashable
    try:
        with transaction.atomic():
            try:
                changes = handler(event_object(event)) if handler else Changes()
            except ValidationError as exc:
                # The gifts service refused what the event says (donations.services): data
                # for a person to look at, not an error Stripe should retry.
                raise NeedsAttention("; ".join(exc.messages)) from exc
            if changes.supporters:
                donor_summaries_refresh(supporter_ids=changes.supporters)
            _follow_up(changes)
    except NeedsAttention as exc:
        reason = str(exc)[: StripeEvent._meta.get_field("attention").max_length]
        StripeEvent.objects.filter(pk=row_id).update(
            attention=reason, error="", attempts=F("attempts") + 1
        )
        logger.warning(
            "Stripe event %s (%s) stored as needing attention, nothing recorded: %s",
            event.get("id"), event.get("type"), reason,
        )  # fmt: skip
        return exc
    except Exception as exc:
        StripeEvent.objects.filter(pk=row_id).update(
            error=traceback.format_exc()[-4000:], attempts=F("attempts") + 1
        )
        return exc
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {INBOX} SET processed_at = %s, error = '', attention = '', "  # noqa: S608
            "attempts = attempts + 1 WHERE id = %s",
            [timezone.now(), row_id],
        )
    return None


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
