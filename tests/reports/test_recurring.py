import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from donations.models import RecurringGift
from reports.ledger import Period
from reports.selectors.recurring import recurring
from tests.reports.scenario import D

pytestmark = pytest.mark.django_db
PERIOD = Period(D(2025, 7, 1), D(2026, 6, 30))


def moment(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_plans_now_and_in_the_period(july_book):
    plans = []
    specs = [
        # amount, interval, status, started_on, cancelled on
        ("25", "month", "active", D(2025, 7, 1), None),  # first day of the year
        ("120", "year", "active", D(2026, 6, 30), None),  # last day
        ("10", "month", "active", D(2024, 1, 1), None),  # started before
        ("40", "month", "past_due", D(2025, 9, 1), None),
        ("15", "month", "cancelled", D(2024, 5, 1), D(2025, 8, 1)),
        ("60", "year", "cancelled", D(2025, 8, 1), D(2026, 6, 30)),
        ("30", "month", "cancelled", D(2023, 5, 1), D(2025, 6, 30)),  # before the period
        ("5", "month", "incomplete", None, None),
    ]
    for amount, interval, status, started, cancelled in specs:
        plans.append(
            RecurringGift.objects.create(
                supporter=july_book.person(),
                amount=Decimal(amount),
                interval=interval,
                status=status,
                started_on=started,
                cancelled_at=moment(cancelled, 23) if cancelled else None,
            )
        )
    july_book.give(plans[3].supporter, 40, D(2025, 10, 1), status="failed", plan=plans[3])
    july_book.give(plans[3].supporter, 40, D(2025, 11, 1), status="failed", plan=plans[3])
    july_book.give(plans[0].supporter, 25, D(2025, 11, 1), status="failed", plan=plans[0])
    july_book.give(plans[0].supporter, 25, D(2025, 6, 1), status="failed", plan=plans[0])
    july_book.give(plans[0].supporter, 25, D(2025, 12, 1), plan=plans[0])

    def monthly(spec) -> Decimal:
        return Decimal(spec[0]) / (12 if spec[1] == "year" else 1)

    def inside(day) -> bool:
        return day is not None and PERIOD.start <= day <= PERIOD.end

    got = recurring(PERIOD)
    assert got.active == sum(1 for s in specs if s[2] == "active") == 3
    assert got.past_due == 1
    assert got.monthly_recurring_revenue == sum(monthly(s) for s in specs if s[2] == "active")
    assert got.monthly_recurring_revenue == Decimal("45.00")
    assert got.started == sum(1 for s in specs if inside(s[3])) == 4
    assert got.started_monthly == sum(monthly(s) for s in specs if inside(s[3]))
    assert got.cancelled == sum(1 for s in specs if inside(s[4])) == 2
    assert got.cancelled_monthly == Decimal("20.00")
    failed = [r for r in july_book.rows if r.status == "failed" and inside(r.day)]
    assert (got.failed_payments, got.plans_with_failed_payments) == (len(failed), 2)


def test_failed_payments_stripe_reported_count_in_the_period_once_per_invoice(july_book):
    from donations.models import PaymentFailure

    plans = [
        RecurringGift.objects.create(
            supporter=july_book.person(), amount=Decimal(amount), status="past_due"
        )
        for amount in ("20", "35")
    ]
    # (plan, invoice, day): a plan that failed twice in the year, one failure before it.
    for plan, invoice, day in [
        (plans[0], "in_a", D(2025, 7, 1)),
        (plans[0], "in_b", D(2026, 6, 30)),
        (plans[1], "in_c", D(2026, 1, 15)),
        (plans[1], "in_d", D(2025, 6, 30)),
    ]:
        PaymentFailure.objects.create(
            plan=plan, stripe_invoice_id=invoice, amount=plan.amount, failed_on=day
        )
    july_book.give(plans[1].supporter, 35, D(2025, 12, 1), status="failed", plan=plans[1])
    got = recurring(PERIOD)
    assert (got.failed_payments, got.plans_with_failed_payments) == (3 + 1, 2)
