"""Stripe's fees on gifts, and payouts reconciled to the cent.

Fees: a gift that became paid takes Stripe's fee and net from its charge's balance
transaction: from the event when the object carries it expanded, else with one read through
donations.stripe.client by a background task (donations.tasks.gift_fee_fill) enqueued when
the webhook's transaction commits. A read that fails leaves the fee empty (the gift matters
more than its fee); the payout that later pays the charge out fills it in.

Payouts: `payout.paid` lists the payout's balance transactions (every charge, refund, dispute
and fee it pays out), keeps each as a PayoutLine matched to its gift, and marks the payout
reconciled when the lines' nets add up to its amount to the cent. `payout.failed` records the
failure; a failed payout never reached the bank, so the journal leaves it out. Lines are keyed
by Stripe's balance transaction id, so a replay or a second event rewrites, never duplicates.
"""

import datetime
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum

from donations.models import ZERO, Gift, Payout, PayoutLine
from donations.stripe import client as stripe_client
from donations.stripe import values
from donations.stripe.changes import Changes

logger = logging.getLogger(__name__)
# Balance transaction types that move a gift's money, and where their gift is named.
REFUND_TYPES = {"refund", "payment_refund", "refund_failure", "payment_failure_refund"}


def _cents(obj: dict[str, Any], key: str, currency: str) -> Decimal:
    amount = obj.get(key)
    if type(amount) is not int:
        raise values.NeedsAttention(f"A balance transaction's {key} is not a whole amount.")
    return values.money(amount, currency)


# --- Fees --------------------------------------------------------------------------------


def gift_fee_record(*, gift: Gift, balance_transaction: dict[str, Any]) -> bool:
    """Store the fee and net of a gift's charge; False (and nothing stored) when the balance
    is kept in another currency than the gift's, where gross less fee would mix currencies."""
    currency = values.currency(balance_transaction)
    if currency != gift.currency.lower():
        logger.warning(
            "Gift %s is in %s but its balance transaction is in %s: fee not stored.",
            gift.pk, gift.currency, currency,
        )  # fmt: skip
        return False
    fee = _cents(balance_transaction, "fee", currency)
    net = _cents(balance_transaction, "net", currency)
    if (gift.fee, gift.net) != (fee, net):
        gift.fee, gift.net = fee, net
        gift.save(update_fields=["fee", "net", "stripe_charge_id"])
    return True


def _expanded(obj: Any, *path: str) -> Any:
    """obj[path[0]][path[1]]... where each step is an expanded object; None where not."""
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def gift_fee_capture(*, gift: Gift, source: dict[str, Any]) -> tuple[int, str] | None:
    """Fee and net for a gift just paid: from `source` (the event's session, invoice or
    charge) when it carries the balance transaction expanded, at once and with no read; else
    read from Stripe by the gift_fee_fill task, which the worker runs once this transaction
    has committed, so no API call holds the webhook's transaction (and the gift's row lock).
    With the database queue that task's arguments are returned, for the caller to queue in
    this transaction with the event's other tasks (donations.stripe.inbox._follow_up)."""
    charge = source if source.get("object") == "charge" else None
    charge = charge or _expanded(source, "payment_intent", "latest_charge")
    charge = charge or _expanded(source, "latest_charge") or _expanded(source, "charge")
    txn: Any = None
    learnt = False
    if isinstance(charge, dict):
        if not gift.stripe_charge_id and isinstance(charge.get("id"), str):
            gift.stripe_charge_id = charge["id"]
            learnt = True
        txn = charge.get("balance_transaction")
        if isinstance(txn, dict):
            gift_fee_record(gift=gift, balance_transaction=txn)
            return None
    if learnt or (gift.stripe_charge_id and source.get("object") == "charge"):
        # Kept now (on_charge_balance may have learnt it too): the read comes later.
        gift.save(update_fields=["stripe_charge_id"])
    if not settings.STRIPE_SECRET_KEY:
        return None  # local test mode: there is no Stripe to ask
    txn_id = txn if isinstance(txn, str) else ""
    if not txn_id and not gift.stripe_payment_intent_id:
        return None  # nothing to read the fee from; the payout that pays it out fills it
    from django_tasks_db import DatabaseBackend

    from donations.tasks import gift_fee_fill

    if isinstance(gift_fee_fill.get_backend(), DatabaseBackend):
        # The queue is a table in this database: the task row commits with the gift, in the
        # webhook's one commit (a second commit per event cost ~10% of bench/webhooks.py).
        return (gift.pk, txn_id)
    # A backend that runs the task at once must wait for the commit.
    gift_id = gift.pk
    transaction.on_commit(lambda: gift_fee_fill.enqueue(gift_id, txn_id))
    return None


def gift_fee_fetch(*, gift_id: int, balance_transaction_id: str = "") -> bool:
    """The gift_fee_fill task: read a gift's fee from Stripe (its balance transaction, else
    its payment intent's latest charge), outside any transaction, then store it. Safe to run
    twice: a gift whose fee is known already is left alone, without a read. A read that fails
    leaves the fee empty (logged); the payout that pays the charge out fills it."""
    gift = Gift.objects.filter(pk=gift_id, fee=None).first()
    if gift is None or not settings.STRIPE_SECRET_KEY:
        return False
    charge_id = ""
    try:
        if balance_transaction_id:
            found = stripe_client.retrieve_balance_transaction(balance_transaction_id)
        elif gift.stripe_payment_intent_id:
            intent = stripe_client.retrieve_payment_intent_balance(gift.stripe_payment_intent_id)
            latest = intent.get("latest_charge")
            found = _expanded(latest, "balance_transaction")
            if isinstance(latest, dict):
                charge_id = values.text(latest, "id", what="latest_charge.id")
        else:
            return False
    except (stripe_client.StripeUnavailable, values.NeedsAttention) as exc:
        logger.warning(
            "Fee of gift %s not read from Stripe (%s); its payout fills it.", gift_id, exc
        )
        return False
    if not isinstance(found, dict):
        return False
    with transaction.atomic():
        locked = Gift.objects.select_for_update().filter(pk=gift_id, fee=None).first()
        if locked is None:
            return False  # filled meanwhile (a payout, another run of this task)
        if charge_id and not locked.stripe_charge_id:
            locked.stripe_charge_id = charge_id
        try:
            return gift_fee_record(gift=locked, balance_transaction=found)
        except values.NeedsAttention as exc:
            logger.warning("Fee of gift %s not stored: %s", gift_id, exc)
            return False


def with_fees(handler: Callable[[dict[str, Any]], "Changes"]) -> Callable[..., "Changes"]:
    """A gift handler that also records the fee of each gift it made paid."""

    def handle(obj: dict[str, Any]) -> "Changes":
        changes = handler(obj)
        for gift in changes.paid.values():
            if gift.fee is None and (read := gift_fee_capture(gift=gift, source=obj)):
                changes.fee_reads.append(read)
        return changes

    handle.__name__ = getattr(handler, "__name__", "handle")
    return handle


def on_charge_balance(charge: dict[str, Any]) -> "Changes":
    """charge.succeeded / charge.updated: Stripe may attach the balance transaction to a
    charge after the checkout is complete. A charge of no gift (yet) is left alone: the gift's
    own event reads the fee when it records the gift."""
    charge_id = values.text(charge, "id")
    intent = values.text(charge, "payment_intent")
    gift = _gift_of(charge_id=charge_id, payment_intent=intent)
    changes = Changes()
    needs_fee = gift is not None and gift.fee is None and charge.get("balance_transaction")
    if needs_fee and (read := gift_fee_capture(gift=gift, source=charge)):
        changes.fee_reads.append(read)
    return changes


def _gift_of(*, charge_id: str, payment_intent: str) -> Gift | None:
    gifts = Gift.objects.select_for_update().order_by("pk")
    gift = gifts.filter(stripe_charge_id=charge_id).first() if charge_id else None
    if gift is None and payment_intent:
        gift = gifts.filter(stripe_payment_intent_id=payment_intent).first()
    if gift is not None and charge_id and not gift.stripe_charge_id:
        gift.stripe_charge_id = charge_id
    return gift


# --- Payouts -----------------------------------------------------------------------------


def on_payout(payout: dict[str, Any]) -> "Changes":
    """payout.paid and payout.failed."""
    payout_record(payout=payout)
    return Changes()


@transaction.atomic
def payout_record(*, payout: dict[str, Any]) -> Payout:
    payout_id = values.text(payout, "id", required=True)
    currency = values.currency(payout)
    failed = values.text(payout, "status") == "failed"
    row = Payout.objects.select_for_update().filter(stripe_payout_id=payout_id).first()
    if row is None:
        row = Payout(stripe_payout_id=payout_id)
    row.amount = _cents(payout, "amount", currency)
    row.currency = currency
    # Stripe gives the arrival date as midnight UTC of that day: the date, not a moment.
    arrival = values.moment(
        payout.get("arrival_date"), what="arrival_date", ahead=values.PERIOD_AHEAD
    )
    row.arrival_date = arrival.astimezone(datetime.UTC).date()
    # A paid payout can fail later (the bank returns it); a late 'paid' never undoes that.
    if failed or row.status == Payout.Status.FAILED:
        row.status = Payout.Status.FAILED
        row.failure_message = (
            values.text(payout, "failure_message", max_length=500)
            or values.text(payout, "failure_code", max_length=500)
            or row.failure_message
        )
    else:
        row.status = Payout.Status.PAID
    row.save()
    if row.status == Payout.Status.PAID:
        payout_lines_fetch(payout=row)
    return row


def payout_lines_fetch(*, payout: Payout) -> None:
    """Every balance transaction of the payout, page by page, stored and matched; then the
    payout is checked against its lines."""
    starting_after = None
    while True:
        page = stripe_client.list_payout_balance_transactions(
            payout.stripe_payout_id, starting_after=starting_after
        )
        data = page.get("data") or []
        if not isinstance(data, list) or not all(isinstance(txn, dict) for txn in data):
            raise values.NeedsAttention("Stripe's list of the payout's transactions is not a list.")
        _lines_store(payout=payout, transactions=data)
        if not page.get("has_more") or not data:
            break
        starting_after = values.text(data[-1], "id", required=True)
    payout_reconcile(payout=payout)


LINE_FIELDS = [
    "payout", "type", "reporting_category", "amount", "fee", "net", "currency", "source_id",
    "charge_id", "description", "created", "gift",
]  # fmt: skip


def _lines_store(*, payout: Payout, transactions: list[dict[str, Any]]) -> None:
    """One page of the payout's balance transactions: their gifts found in one query, the
    lines written in one statement (a replay updates them), and missing fees filled in."""
    parsed = []
    for txn in transactions:
        kind = values.text(txn, "type", max_length=40)
        source = txn.get("source")
        source_id = source.get("id") if isinstance(source, dict) else source
        source_id = source_id if isinstance(source_id, str) else ""
        if kind == "payout" and source_id == payout.stripe_payout_id:
            continue  # the payout's own transaction: the money leaving the balance for the bank
        charge_id, intent = _charge_of(kind=kind, source=source, source_id=source_id)
        parsed.append((txn, kind, source_id, charge_id, intent))
    gift_of = _gifts_finder(
        charge_ids={p[3] for p in parsed if p[3]}, intents={p[4] for p in parsed if p[4]}
    )
    lines, fees = [], []
    for txn, kind, source_id, charge_id, intent in parsed:
        currency = values.currency(txn)
        gift = gift_of(charge_id, intent)
        lines.append(
            PayoutLine(
                balance_transaction_id=values.text(txn, "id", required=True),
                payout=payout,
                type=kind,
                reporting_category=values.text(txn, "reporting_category", max_length=40),
                amount=_cents(txn, "amount", currency),
                fee=_cents(txn, "fee", currency),
                net=_cents(txn, "net", currency),
                currency=currency,
                source_id=source_id,
                charge_id=charge_id if source_id != charge_id else "",
                description=values.text(txn, "description", max_length=500),
                created=values.moment(txn["created"], what="created")
                if txn.get("created") is not None
                else None,
                gift=gift,
            )
        )
        if gift is not None and kind in ("charge", "payment") and gift.fee is None:
            fees.append((gift, txn))
    PayoutLine.objects.bulk_create(
        lines,
        update_conflicts=True,
        unique_fields=["balance_transaction_id"],
        update_fields=LINE_FIELDS,
    )
    for gift, txn in fees:
        gift_fee_record(gift=gift, balance_transaction=txn)


def _gifts_finder(*, charge_ids: set[str], intents: set[str]) -> Any:
    """A lookup (charge id, payment intent) -> locked gift for a page's lines, as _gift_of
    finds one gift: by charge first, else by payment intent, learning the charge id."""
    found = (
        Gift.objects.select_for_update()
        .filter(Q(stripe_charge_id__in=charge_ids) | Q(stripe_payment_intent_id__in=intents))
        .order_by("pk")
        if charge_ids or intents
        else Gift.objects.none()
    )
    by_charge: dict[str, Gift] = {}
    by_intent: dict[str, Gift] = {}
    for gift in found:
        if gift.stripe_charge_id:
            by_charge.setdefault(gift.stripe_charge_id, gift)
        if gift.stripe_payment_intent_id:
            by_intent.setdefault(gift.stripe_payment_intent_id, gift)

    def gift_of(charge_id: str, intent: str) -> Gift | None:
        gift = by_charge.get(charge_id) if charge_id else None
        if gift is None and intent:
            gift = by_intent.get(intent)
        if gift is not None and charge_id and not gift.stripe_charge_id:
            gift.stripe_charge_id = charge_id
        return gift

    return gift_of


def _charge_of(*, kind: str, source: Any, source_id: str) -> tuple[str, str]:
    """The charge and payment intent a line's money belongs to."""
    if kind in ("charge", "payment"):
        intent = source.get("payment_intent") if isinstance(source, dict) else ""
        return source_id, intent if isinstance(intent, str) else ""
    if not isinstance(source, dict):
        return "", ""
    charge = source.get("charge")
    charge = charge.get("id") if isinstance(charge, dict) else charge
    intent = source.get("payment_intent")
    intent = intent.get("id") if isinstance(intent, dict) else intent
    return (
        charge if isinstance(charge, str) else "",
        intent if isinstance(intent, str) else "",
    )


def payout_reconcile(*, payout: Payout) -> Payout:
    """Does the payout add up? Its amount must equal the nets of its lines, to the cent."""
    total = payout.lines.aggregate(total=Sum("net"))["total"] or ZERO
    payout.lines_total = total
    payout.difference = payout.amount - total
    payout.reconciled = payout.difference == ZERO
    payout.save(update_fields=["lines_total", "difference", "reconciled", "updated_at"])
    if not payout.reconciled:
        logger.warning(
            "Payout %s of %s does not add up: its lines total %s.",
            payout.stripe_payout_id, payout.amount, total,
        )  # fmt: skip
    return payout


def payout_summary(payout: Payout) -> dict[str, Decimal]:
    """Gross gifts, refunds, disputes, fees and other lines of a payout, for the admin."""
    sums = {"gifts": ZERO, "refunds": ZERO, "disputes": ZERO, "fees": ZERO, "other": ZERO}
    for line in payout.lines.all():
        if line.type in ("charge", "payment"):
            sums["gifts"] += line.amount
        elif line.type in REFUND_TYPES:
            sums["refunds"] += line.amount
        elif line.reporting_category == "dispute" or line.type == "adjustment":
            sums["disputes"] += line.amount
        elif line.type == "stripe_fee" or line.reporting_category == "fee":
            sums["fees"] += line.amount
            continue
        else:
            sums["other"] += line.amount
        sums["fees"] -= line.fee
    return sums
