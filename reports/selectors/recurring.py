"""Monthly and yearly plans (donations.models.RecurringGift).

A plan keeps only its current status, not its history, so 'active' and the monthly recurring
revenue are as of now; started, cancelled and failed are counted in a period from the plan's
started_on, its cancelled_at (a local date) and its failed payments (failed gifts linked to it,
by the day received).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Q, Sum, Value, When
from django.utils import timezone

from donations.models import ZERO, Gift, PaymentFailure, RecurringGift
from reports.ledger import CENT, Period

Plan = RecurringGift
# A yearly plan's monthly worth is a twelfth of it.
MONTHLY = Case(
    When(interval=Plan.Interval.YEAR, then=F("amount") / Value(Decimal(12))),
    default=F("amount"),
    output_field=DecimalField(max_digits=14, decimal_places=4),
)


@dataclass(frozen=True)
class RecurringFigures:
    active: int  # plans active now
    past_due: int  # plans whose last payment failed and that Stripe is retrying, now
    monthly_recurring_revenue: Decimal  # active plans' monthly amounts, now
    started: int  # plans started in the period
    started_monthly: Decimal  # their monthly amounts
    cancelled: int  # plans cancelled in the period
    cancelled_monthly: Decimal
    failed_payments: int  # failed payments of plans in the period
    plans_with_failed_payments: int


def _money(value: Decimal | None) -> Decimal:
    return (value or ZERO).quantize(CENT)


def recurring(period: Period) -> RecurringFigures:
    """Four queries: plans now and started, plans cancelled, failed gifts, failed payments."""
    counts = Plan.objects.aggregate(
        active=Count("pk", filter=Q(status=Plan.Status.ACTIVE)),
        past_due=Count("pk", filter=Q(status=Plan.Status.PAST_DUE)),
        mrr=Sum(MONTHLY, filter=Q(status=Plan.Status.ACTIVE)),
        started=Count("pk", filter=Q(started_on__range=(period.start, period.end))),
        started_monthly=Sum(MONTHLY, filter=Q(started_on__range=(period.start, period.end))),
    )
    # cancelled_at is a moment: the period's days in the site's time zone.
    zone = timezone.get_current_timezone()
    since = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=zone)
    until = datetime.datetime.combine(
        period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    cancelled = Plan.objects.filter(cancelled_at__gte=since, cancelled_at__lt=until).aggregate(
        n=Count("pk"), monthly=Sum(MONTHLY)
    )
    # A failed instalment is a PaymentFailure (what Stripe's invoice.payment_failed leaves);
    # a failed gift linked to a plan (an import, a hand entry) counts too.
    failed_gifts = Gift.objects.filter(
        status=Gift.Status.FAILED,
        recurring__isnull=False,
        received_on__range=(period.start, period.end),
    ).values_list("recurring_id", flat=True)
    failures = PaymentFailure.objects.filter(
        failed_on__range=(period.start, period.end)
    ).values_list("plan_id", flat=True)
    failed_plans = [*failed_gifts, *failures]
    failed = {"n": len(failed_plans), "plans": len(set(failed_plans))}
    return RecurringFigures(
        active=counts["active"],
        past_due=counts["past_due"],
        monthly_recurring_revenue=_money(counts["mrr"]),
        started=counts["started"],
        started_monthly=_money(counts["started_monthly"]),
        cancelled=cancelled["n"],
        cancelled_monthly=_money(cancelled["monthly"]),
        failed_payments=failed["n"],
        plans_with_failed_payments=failed["plans"],
    )
