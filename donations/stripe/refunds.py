"""What Stripe's refunds and disputes do to the ledger: each refund Stripe lists becomes a
dated Refund row (through donations.refunds, the rules staff refunds follow too), and a lost
dispute is a refund keyed by the dispute's id. Called from donations.stripe.handlers.

A refund reaches us twice: listed in its charge's `charge.refunded`, and as itself in
`refund.created` / `refund.updated` / `refund.failed` (and `charge.refund.updated`, which
Stripe still sends for some payment methods). Either way it is one row, keyed by its id. A
refund Stripe reports failed or canceled is undone, and never recorded after that."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from donations.models import Gift
from donations.refunds import refund_apply, refund_void, refunded_total
from donations.stripe import values
from donations.stripe.changes import Changes, Handler


def _gift_for_charge(charge: dict[str, Any]) -> tuple[Gift, bool]:
    """The locked gift of a charge, and whether its charge id was learnt here (to be saved)."""
    charge_id = values.text(charge, "id") or values.text(charge, "charge")
    intent = values.text(charge, "payment_intent")
    if not charge_id and not intent:
        raise values.NeedsAttention("The event names no charge and no payment intent.")
    gift = (
        Gift.objects.select_for_update().filter(stripe_charge_id=charge_id).order_by("pk").first()
    )
    if gift is None and intent:
        gift = (
            Gift.objects.select_for_update()
            .filter(stripe_payment_intent_id=intent)
            .order_by("pk")
            .first()
        )
    if gift is None:
        # Not recorded yet (events out of order): fail so Stripe retries after the gift exists.
        raise LookupError(f"No gift yet for charge {charge_id} / payment intent {intent}.")
    learnt = not gift.stripe_charge_id and charge.get("object") == "charge"
    if learnt:
        gift.stripe_charge_id = charge_id
    return gift, learnt


def on_charge_refunded(charge: dict[str, Any]) -> Changes:
    """One Refund row per Stripe refund id in `refunds.data`, dated by the refund's own
    `created`, so replays and events out of order record nothing twice. A charge whose event
    lists no refunds (older API shapes) still reaches its `amount_refunded`: what is missing
    is recorded as one refund dated today."""
    # Checked before the gift is looked up: impossible whether or not the gift is here yet.
    currency = values.currency(charge)
    amount = charge.get("amount_refunded")
    values.gift_amount(amount, currency, what="amount_refunded")
    every = values.list_data(charge, "refunds")
    voided = [
        (
            values.text(refund, "id", what="refunds.data.id", required=True),
            values.gift_amount(refund.get("amount"), currency, what="refunds.data.amount"),
            values.text(refund, "status", what="refunds.data.status"),
        )
        for refund in every
        if values.text(refund, "status", what="refunds.data.status") in VOID
    ]
    listed = [
        refund
        for refund in every
        if values.text(refund, "status", what="refunds.data.status") not in VOID
    ]
    itemised = [
        (
            values.text(refund, "id", what="refunds.data.id", required=True),
            values.gift_amount(refund.get("amount"), currency, what="refunds.data.amount"),
            values.date(refund.get("created"), what="refunds.data.created"),
            values.text(refund, "reason", what="refunds.data.reason", max_length=100),
        )
        for refund in listed
    ]
    gift, learnt = _gift_for_charge(charge)
    applied = False  # each refund recorded saves the gift (refunds.gift_follow_refunds)
    for refund_id, refund_amount, status in voided:
        applied |= refund_void(
            gift=gift, stripe_refund_id=refund_id, amount=refund_amount, status=status
        )
    for refund_id, refund_amount, refunded_on, reason in sorted(itemised, key=lambda r: r[2]):
        applied |= _refund(
            gift,
            amount=refund_amount,
            refunded_on=refunded_on,
            reason=_REFUND_REASONS.get(reason, reason) or "Refunded in Stripe",
            stripe_refund_id=refund_id,
        )
    if not every:  # older API shapes list no refunds
        missing = min(values.money(amount, gift.currency), gift.amount) - refunded_total(gift)
        if missing > 0:
            applied |= _refund(
                gift,
                amount=missing,
                refunded_on=timezone.localdate(),
                reason="Refunded in Stripe (the event listed no refund)",
            )
    if learnt and not applied:
        gift.save(update_fields=["stripe_charge_id"])
    return Changes(supporters={gift.supporter_id}, to_reissue={gift.pk})


VOID = ("failed", "canceled")  # a refund's end states in which no money went back


def on_refund(refund: dict[str, Any]) -> Changes:
    """refund.created, refund.updated, refund.failed and charge.refund.updated: the event's
    object is the refund itself. Recorded once, dated by its `created`, under its id (so
    `charge.refunded` listing it too records nothing more); undone when failed or canceled."""
    refund_id = values.text(refund, "id", required=True)
    status = values.text(refund, "status")
    amount = values.gift_amount(
        refund.get("amount"), values.currency(refund), what="the refund's amount"
    )
    refunded_on = values.date(refund.get("created"), what="created")
    reason = values.text(refund, "reason", max_length=100)
    gift, learnt = _gift_for_charge(
        {"charge": refund.get("charge"), "payment_intent": refund.get("payment_intent")}
    )
    if status in VOID:
        changed = refund_void(gift=gift, stripe_refund_id=refund_id, amount=amount, status=status)
    else:
        changed = _refund(
            gift,
            amount=amount,
            refunded_on=refunded_on,
            reason=_REFUND_REASONS.get(reason, reason) or "Refunded in Stripe",
            stripe_refund_id=refund_id,
        )
    if learnt and not changed:
        gift.save(update_fields=["stripe_charge_id"])
    return Changes(supporters={gift.supporter_id}, to_reissue={gift.pk} if changed else set())


_REFUND_REASONS = {
    "duplicate": "Refunded in Stripe: duplicate",
    "fraudulent": "Refunded in Stripe: fraudulent",
    "requested_by_customer": "Refunded in Stripe: requested by the donor",
}


def _refund(gift: Gift, **refund: Any) -> bool:
    """Whether a refund was recorded (False: this Stripe refund id is known already)."""
    try:
        return refund_apply(gift=gift, **refund) is not None
    except ValidationError as exc:
        # Stripe gave back money the books cannot hold against this gift (more than it,
        # before it): a person must look, and nothing of this event is recorded.
        raise values.NeedsAttention(f"Refund of gift {gift.pk}: " + " ".join(exc.messages)) from exc


def on_dispute(closed: bool) -> Handler:
    def handle(dispute: dict[str, Any]) -> Changes:
        # A dispute is always of a positive amount; one of none is not a real dispute even
        # where it is not used (when opened), and is checked before the gift is looked up.
        amount = dispute.get("amount")
        values.gift_amount(amount, values.currency(dispute), what="the dispute's amount")
        lost = closed and dispute.get("status") == "lost"
        dispute_id = values.text(dispute, "id", required=lost)
        gift, learnt = _gift_for_charge(
            {"charge": dispute.get("charge"), "payment_intent": dispute.get("payment_intent")}
        )
        status, applied = gift.status, False
        if not closed:
            if gift.status != Gift.Status.REFUNDED:
                gift.status = Gift.Status.DISPUTED
        elif lost:
            # Money taken back by the bank: a refund dated the day the loss reached us, keyed
            # by the dispute's id so a second 'closed' takes nothing more.
            left = gift.amount - refunded_total(gift)
            taken = min(values.money(amount, gift.currency), left)
            if taken > 0:
                applied = _refund(
                    gift,
                    amount=taken,
                    refunded_on=max(timezone.localdate(), gift.received_on),
                    reason="Dispute lost",
                    stripe_refund_id=dispute_id,
                )
        elif gift.status == Gift.Status.DISPUTED:
            gift.status = (
                Gift.Status.PARTIALLY_REFUNDED if gift.amount_refunded else Gift.Status.SUCCEEDED
            )
        if not applied and (learnt or gift.status != status):  # a refund saved it already
            gift.save()
        return Changes(supporters={gift.supporter_id}, to_reissue={gift.pk} if lost else set())

    return handle
