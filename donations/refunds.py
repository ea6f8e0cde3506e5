"""Refunds: money given back on a gift, each a dated row (donations.models.Refund).

Staff record one with `refund_record`. Stripe's refunds and lost disputes reach the same
rules through `refund_apply` (and a Stripe refund that failed or was canceled is undone by
`refund_void`), called by donations.stripe.handlers inside the webhook inbox,
which then refreshes the donor summary and reissues the receipt itself. Either way the rows
never add up to more than the gift, and the gift's `amount_refunded` and status follow them
(other code reads those two; the rows are the truth).
"""

import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from core.money import money_text
from donations.models import ZERO, Gift, Refund, VoidedStripeRefund
from donations.summary import RECEIVED, donor_summaries_refresh


def refund_apply(
    *,
    gift: Gift,
    amount: Decimal,
    refunded_on: datetime.date,
    reason: str = "",
    stripe_refund_id: str | None = None,
    recorded_by: AbstractBaseUser | None = None,
) -> Refund | None:
    """Record a refund on a gift the caller has locked (select_for_update) and bring the gift
    in line. Returns None when this Stripe refund is already recorded (a replay, or the same
    refund listed again by a later event). Raises ValidationError and writes nothing when the
    refund is impossible."""
    if stripe_refund_id and (
        Refund.objects.filter(stripe_refund_id=stripe_refund_id).exists()
        or VoidedStripeRefund.objects.filter(stripe_refund_id=stripe_refund_id).exists()
    ):
        return None  # recorded already, or it failed in Stripe: the money never went back
    errors: dict[str, str] = {}
    if gift.status not in RECEIVED:  # only money received can be given back
        errors["gift"] = "Only a gift whose money was received can be refunded."
    if amount is None or amount <= ZERO:
        errors["amount"] = "A refund must be more than zero."
    if refunded_on is None:
        errors["refunded_on"] = "Give the date of the refund."
    elif refunded_on > timezone.localdate() + datetime.timedelta(1):
        errors["refunded_on"] = "The refund date is in the future."
    elif refunded_on < gift.received_on:
        errors["refunded_on"] = (
            f"A refund cannot be dated before the gift was received ({gift.received_on:%Y-%m-%d})."
        )
    if "amount" not in errors and "gift" not in errors:
        left = gift.amount - refunded_total(gift)
        if amount > left:
            errors["amount"] = (
                f"A refund cannot exceed what is left of the gift: {money_text(left)} of "
                f"{money_text(gift.amount)}."
            )
    if errors:
        raise ValidationError(errors)
    refund = Refund.objects.create(
        gift=gift,
        amount=amount,
        refunded_on=refunded_on,
        reason=reason[: Refund._meta.get_field("reason").max_length],
        stripe_refund_id=stripe_refund_id or None,
        recorded_by=recorded_by,
    )
    gift_follow_refunds(gift)
    return refund  # never None: only a known Stripe id makes refund_apply return None


def refunded_total(gift: Gift) -> Decimal:
    return Refund.objects.filter(gift=gift).aggregate(total=Sum("amount"))["total"] or ZERO


def gift_follow_refunds(gift: Gift) -> None:
    """The gift's amount_refunded and status, from its refund rows."""
    gift.amount_refunded = refunded_total(gift)
    if gift.amount_refunded >= gift.amount:
        gift.status = Gift.Status.REFUNDED
    elif gift.amount_refunded > ZERO:
        gift.status = Gift.Status.PARTIALLY_REFUNDED
    elif gift.status in (Gift.Status.REFUNDED, Gift.Status.PARTIALLY_REFUNDED):
        gift.status = Gift.Status.SUCCEEDED  # its only refund was undone (refund_void)
    gift.save()


def refund_void(*, gift: Gift, stripe_refund_id: str, amount: Decimal, status: str) -> bool:
    """A Stripe refund that failed or was canceled, on a gift the caller has locked: its
    Refund row, if recorded, is removed and the gift brought back in line, and the refund is
    remembered so that no later event records it. Returns whether a recorded refund was
    undone; a second call changes nothing."""
    if not VoidedStripeRefund.objects.filter(stripe_refund_id=stripe_refund_id).exists():
        VoidedStripeRefund.objects.create(
            stripe_refund_id=stripe_refund_id, gift=gift, amount=amount, status=status
        )
    undone, _ = Refund.objects.filter(gift=gift, stripe_refund_id=stripe_refund_id).delete()
    if undone:
        gift_follow_refunds(gift)
    return bool(undone)


@transaction.atomic
def refund_record(
    *,
    gift: Gift,
    amount: Decimal,
    refunded_on: datetime.date,
    reason: str = "",
    recorded_by: AbstractBaseUser | None = None,
) -> Refund:
    """A refund staff made (a cheque returned, money sent back by hand), on its own date."""
    from donations.tasks import reissue_receipt

    locked = Gift.objects.select_for_update().get(pk=gift.pk)
    refund = refund_apply(
        gift=locked,
        amount=amount,
        refunded_on=refunded_on,
        reason=reason.strip(),
        recorded_by=recorded_by,
    )
    donor_summaries_refresh(supporter_ids=[locked.supporter_id])
    # As the Stripe inbox does: the queue is a table in this database, so the reissue is
    # enqueued exactly when the refund commits.
    if locked.receipts.exists():
        reissue_receipt.enqueue(locked.pk)
    return refund  # never None: only a known Stripe id makes refund_apply return None
