"""Demo deposits for `seed_demo`: the demo's cheques and cash banked in weekly batches, and
its card gifts paid out by Stripe each week (fee at the nonprofit rate, 2.2% + $0.30), so the
payouts admin and the journal export have something real-shaped to show."""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from donations.deposits.payouts import payout_reconcile
from donations.models import Gift, Payout, PayoutLine

CENT = Decimal("0.01")


def _fee(amount: Decimal) -> Decimal:
    return (amount * Decimal("0.022") + Decimal("0.30")).quantize(CENT, rounding=ROUND_HALF_UP)


def _next_weekday(day: datetime.date, weekday: int) -> datetime.date:
    """The first `weekday` (0 = Monday) on or after `day`."""
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


# One transaction, all or nothing, and one commit rather than one per payout (a tenth faster).
@transaction.atomic
def demo_deposits_seed() -> str:
    if Payout.objects.exists():
        return "Demo deposits: already there."
    today = timezone.localdate()
    banked = list(
        Gift.objects.filter(
            method__in=(Gift.Method.CHEQUE, Gift.Method.CASH), deposit_date__isnull=True
        )
    )
    for gift in banked:  # cheques go to the bank on Tuesdays
        gift.deposit_date = min(_next_weekday(gift.received_on, 1), today)
    Gift.objects.bulk_update(banked, ["deposit_date"], batch_size=500)

    weeks: dict[datetime.date, list[Gift]] = defaultdict(list)
    cards = Gift.objects.filter(method=Gift.Method.CARD, stripe_charge_id__isnull=True)
    for gift in cards.order_by("received_on", "pk"):
        arrival = _next_weekday(gift.received_on + datetime.timedelta(days=2), 4)  # Fridays
        if arrival > today:
            continue  # not paid out yet
        gift.stripe_charge_id = f"ch_demo_{gift.pk}"
        gift.fee = _fee(gift.amount)
        gift.net = gift.amount - gift.fee
        weeks[arrival].append(gift)
    for arrival, gifts in sorted(weeks.items()):
        Gift.objects.bulk_update(gifts, ["stripe_charge_id", "fee", "net"], batch_size=500)
        payout = Payout.objects.create(
            stripe_payout_id=f"po_demo_{arrival:%Y%m%d}",
            amount=sum((gift.net for gift in gifts), start=Decimal(0)),
            arrival_date=arrival,
            status=Payout.Status.PAID,
        )
        PayoutLine.objects.bulk_create(
            PayoutLine(
                payout=payout,
                balance_transaction_id=f"txn_demo_{gift.pk}",
                type="charge",
                reporting_category="charge",
                amount=gift.amount,
                fee=gift.fee,
                net=gift.net,
                source_id=gift.stripe_charge_id,
                gift=gift,
                created=datetime.datetime.combine(
                    gift.received_on, datetime.time(12), tzinfo=datetime.UTC
                ),
            )  # fmt: skip
            for gift in gifts
        )
        payout_reconcile(payout=payout)
    batches = len({gift.deposit_date for gift in banked})
    return f"Demo deposits: {batches} cheque batches, {len(weeks)} Stripe payouts."
