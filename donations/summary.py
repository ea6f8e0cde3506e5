"""Donor summaries: each supporter's giving, recomputed from their gifts after every write.

Counted gifts are those whose money the organisation holds or expects to keep: succeeded,
partly refunded, and disputed (until the dispute is lost). A gift counts at its amount less
refunds, so a full refund removes it from every figure.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from itertools import islice

from django.db import transaction

from core.models import Organisation
from donations import reference
from donations.models import ZERO, DonorSummary, DonorYearTotal, Gift, RecurringGift

COUNTED = (Gift.Status.SUCCEEDED, Gift.Status.PARTIALLY_REFUNDED, Gift.Status.DISPUTED)
LIVE_PLANS = (RecurringGift.Status.ACTIVE, RecurringGift.Status.PAST_DUE)
CHUNK = 2000


@transaction.atomic(savepoint=False)  # callers' transactions suffice; a savepoint costs a trip
def donor_summaries_refresh(*, supporter_ids: Iterable[int]) -> None:
    """Recompute the summaries and fiscal-year totals of these supporters from their gifts."""
    # Only the fiscal year's first month is needed, not a fresh read of the settings row.
    organisation = Organisation(fiscal_year_start_month=reference.fiscal_year_start_month())
    ids = iter(sorted(set(supporter_ids)))
    while chunk := list(islice(ids, CHUNK)):
        _refresh_chunk(chunk, organisation)


def donor_summaries_rebuild() -> int:
    """Every supporter who ever gave or had a plan; for imports and fiscal-year changes."""
    ids = set(Gift.objects.values_list("supporter_id", flat=True).distinct())
    ids |= set(RecurringGift.objects.values_list("supporter_id", flat=True).distinct())
    ids |= set(DonorSummary.objects.values_list("supporter_id", flat=True))
    donor_summaries_refresh(supporter_ids=ids)
    return len(ids)


def _refresh_chunk(ids: list[int], organisation: Organisation) -> None:
    gifts = (
        Gift.objects.filter(supporter_id__in=ids, status__in=COUNTED)
        .order_by("supporter_id", "received_on", "pk")
        .values_list("supporter_id", "received_on", "amount", "amount_refunded")
    )
    with_plan = set(
        RecurringGift.objects.filter(supporter_id__in=ids, status__in=LIVE_PLANS).values_list(
            "supporter_id", flat=True
        )
    )
    summaries: dict[int, DonorSummary] = {}
    years: dict[tuple[int, int], list[Decimal]] = defaultdict(lambda: [ZERO, 0])
    for supporter_id, received_on, amount, refunded in gifts:
        value = amount - refunded
        if value <= 0:
            continue
        summary = summaries.get(supporter_id)
        if summary is None:
            summary = summaries[supporter_id] = DonorSummary(
                supporter_id=supporter_id, first_gift_on=received_on, first_gift_amount=value
            )
        summary.last_gift_on, summary.last_gift_amount = received_on, value
        summary.highest_gift = max(summary.highest_gift, value)
        summary.lifetime_total += value
        summary.gift_count += 1
        year = years[(supporter_id, organisation.fiscal_year_of(received_on))]
        year[0] += value
        year[1] += 1
    for supporter_id in with_plan:
        summaries.setdefault(supporter_id, DonorSummary(supporter_id=supporter_id))
        summaries[supporter_id].has_active_plan = True

    DonorSummary.objects.filter(supporter_id__in=ids).delete()
    DonorYearTotal.objects.filter(supporter_id__in=ids).delete()
    DonorSummary.objects.bulk_create(summaries.values(), batch_size=1000)
    DonorYearTotal.objects.bulk_create(
        [
            DonorYearTotal(supporter_id=sid, fiscal_year=fy, total=total, gift_count=count)
            for (sid, fy), (total, count) in years.items()
        ],
        batch_size=1000,
    )
