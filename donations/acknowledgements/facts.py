"""What the thank-you queue and the thank-you rules know about a gift: how long it has waited
(overdue past THANKS_OVERDUE_HOURS), whether it is its donor's first, a monthly plan's gift, a
large gift (THANKS_LARGE_GIFT or more), a tribute. Read for a whole queue at once: one query for
the first-gift test, one for the monthly plans' earlier gifts."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.timesince import timesince

from donations.models import Gift, RecurringGift
from donations.summary import first_counted_gift


@dataclass(frozen=True)
class GiftFacts:
    waiting_since: datetime.datetime
    age: datetime.timedelta
    overdue: bool
    first_gift: bool  # the donor's first counted gift ever
    monthly: bool  # a gift of a monthly plan
    first_of_plan: bool  # ... and that plan's first gift
    large: bool
    tribute: bool
    non_cash: bool

    @property
    def age_text(self) -> str:
        """'3 days', '5 hours': the largest unit only, as a queue reads at a glance."""
        if self.age < datetime.timedelta(hours=1):
            return "under an hour"
        return timesince(self.waiting_since, self.waiting_since + self.age, depth=1)


def large_gift_threshold() -> Decimal:
    return Decimal(settings.THANKS_LARGE_GIFT)


def overdue_after() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.THANKS_OVERDUE_HOURS)


def waiting_since(gift: Gift) -> datetime.datetime:
    """When the donor's wait began: the moment it was recorded when that was the day it was
    received, else the start of the day received (a check entered days after it came)."""
    start = timezone.make_aware(datetime.datetime.combine(gift.received_on, datetime.time()))
    created = gift.created_at
    if created is not None and timezone.localdate(created) == gift.received_on:
        return created
    return min(start, created) if created is not None else start


def gift_facts(
    gifts: Sequence[Gift], *, now: datetime.datetime | None = None
) -> dict[int, GiftFacts]:
    """Each gift's facts by id."""
    now = now or timezone.now()
    ids = [gift.pk for gift in gifts]
    firsts = set(
        Gift.objects.filter(pk__in=ids).filter(first_counted_gift()).values_list("pk", flat=True)
    )
    plan_firsts = _first_gifts_of_plans({g.recurring_id for g in gifts if g.recurring_id})
    monthly_plans = set(
        RecurringGift.objects.filter(
            pk__in={g.recurring_id for g in gifts if g.recurring_id},
            interval=RecurringGift.Interval.MONTH,
        ).values_list("pk", flat=True)
    )
    threshold, late = large_gift_threshold(), overdue_after()
    facts = {}
    for gift in gifts:
        since = waiting_since(gift)
        monthly = gift.recurring_id in monthly_plans
        facts[gift.pk] = GiftFacts(
            waiting_since=since,
            age=max(now - since, datetime.timedelta()),
            overdue=now - since > late,
            first_gift=gift.pk in firsts,
            monthly=monthly,
            first_of_plan=monthly and plan_firsts.get(gift.recurring_id) == gift.pk,
            large=not gift.is_non_cash and gift.net_amount >= threshold,
            tribute=bool(gift.tribute),
            non_cash=gift.is_non_cash,
        )
    return facts


def _first_gifts_of_plans(plan_ids: set[int]) -> dict[int, int]:
    """Each plan's first gift (by date received, then as entered)."""
    if not plan_ids:
        return {}
    earlier = Gift.objects.filter(recurring_id=OuterRef("recurring_id")).filter(
        Q(received_on__lt=OuterRef("received_on"))
        | Q(received_on=OuterRef("received_on"), pk__lt=OuterRef("pk"))
    )
    rows = (
        Gift.objects.filter(recurring_id__in=plan_ids)
        .filter(~Exists(earlier))
        .values_list("recurring_id", "pk")
    )
    return dict(rows)
