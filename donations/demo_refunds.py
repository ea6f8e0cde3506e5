"""Demo refunds for `seed_demo`, made after the demo payouts as Stripe would report them (each
with a re_... id) through donations.refunds: a recent gift given twice by mistake and refunded
in full, a gift partly refunded (the donor meant less), and a December gift refunded in the next
fiscal year's first month, which lowers that year's giving, not the gift's."""

import datetime
from decimal import Decimal

from django.db import transaction

from core.models import Organisation
from donations.models import Gift
from donations.refunds import refund_apply
from donations.summary import donor_summaries_refresh

DAY = datetime.timedelta(days=1)


def _card_gift(start: datetime.date, end: datetime.date, *, least: Decimal) -> Gift | None:
    """A one-off card gift paid out by Stripe in these dates, not refunded yet."""
    return (
        Gift.objects.filter(
            method=Gift.Method.CARD,
            recurring__isnull=True,
            status=Gift.Status.SUCCEEDED,
            stripe_charge_id__isnull=False,
            amount__gte=least,
            received_on__range=(start, end),
        )
        .select_for_update()
        .order_by("received_on", "pk")
        .first()
    )


@transaction.atomic
def demo_refunds_seed(*, today: datetime.date) -> int:
    organisation = Organisation.current()
    year_start, _ = organisation.fiscal_year_bounds(organisation.fiscal_year_of(today))
    plans = (
        # (where to look for the gift, how much back, days after the gift, why)
        ((today - 60 * DAY, today - 20 * DAY), None, 2, "Given twice by mistake"),
        ((today - 200 * DAY, today - 100 * DAY), Decimal(50), 6, "Meant to give $50 less"),
        ((year_start - 31 * DAY, year_start - 10 * DAY), None, 0, "Meant for another charity"),
    )
    made, supporters = 0, set()
    for (start, end), amount, after, reason in plans:
        gift = _card_gift(start, end, least=Decimal(100) if amount else Decimal(20))
        if gift is None:
            continue
        # Asked for in the holidays, refunded in the new year's second week.
        refunded_on = gift.received_on + after * DAY if after else min(year_start + 9 * DAY, today)
        refund_apply(
            gift=gift,
            amount=amount or gift.amount,
            refunded_on=min(refunded_on, today),
            reason=reason,
            stripe_refund_id=f"re_demo_{gift.pk}",
        )
        made += 1
        supporters.add(gift.supporter_id)
    donor_summaries_refresh(supporter_ids=supporters)
    return made
