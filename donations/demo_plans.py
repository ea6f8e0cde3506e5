"""Demo monthly plans for `seed_demo`, each with the card gifts it paid since it started, as
the Stripe webhook would have recorded them (invoice and payment intent ids; the charge id and
fee come with the demo payouts). A couple were cancelled this fiscal year and a couple are past
due: their latest payment failed and Stripe retries it in a few days."""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.models import Organisation
from donations.models import Fund, Gift, PaymentFailure, RecurringGift
from donations.plans import add_months
from donations.services import GiftEntry

CANCELLED, PAST_DUE = 2, 2


@dataclass
class _Plan:
    row: RecurringGift
    due: list[datetime.date]  # every monthly charge date from the start to today
    failed_on: datetime.date | None = None  # the payment that failed (past due plans)


def _schedule(started_on: datetime.date, until: datetime.date) -> list[datetime.date]:
    due, n = [], 0
    while (day := add_months(started_on, n)) <= until:
        due.append(day)
        n += 1
    return due


def demo_plans_seed(
    *, rng: random.Random, people: list[tuple[int, str]], fund: Fund, today: datetime.date
) -> tuple[list[RecurringGift], list[GiftEntry]]:
    """The plans (written) and their paid instalments (returned, for the caller to record with
    the other demo gifts in one batch)."""
    plans = []
    for supporter_id, email in rng.sample(people, k=min(len(people) // 25, 40)):
        if not email:  # online plans always have the donor's email
            continue
        started_on = today - datetime.timedelta(days=rng.randint(30, 700))
        row = RecurringGift(
            supporter_id=supporter_id,
            amount=rng.choice((Decimal(10), Decimal(20), Decimal(25), Decimal(50))),
            interval=RecurringGift.Interval.MONTH,
            status=RecurringGift.Status.ACTIVE,
            fund=fund,
            started_on=started_on,
            stripe_subscription_id=f"sub_demo_{supporter_id}",
            stripe_customer_id=f"cus_demo_{supporter_id}",
        )
        plans.append(_Plan(row, _schedule(started_on, today)))
    _cancel_some(plans, rng, today)
    _fail_some(plans, today)
    for plan in plans:  # the next payment, a month after the last (past due: the retry)
        if plan.row.status == RecurringGift.Status.ACTIVE:
            plan.row.next_charge_on = add_months(plan.row.started_on, len(plan.due))
    rows = bulk_create_with_history(
        [p.row for p in plans], RecurringGift, batch_size=500, default_change_reason="Demo data"
    )
    PaymentFailure.objects.bulk_create(
        PaymentFailure(
            plan=row,
            stripe_invoice_id=row.failure_notice_invoice_id,
            amount=row.amount,
            failed_on=plan.failed_on,
        )
        for plan, row in zip(plans, rows, strict=True)
        if plan.failed_on
    )
    entries = []
    for plan, row in zip(plans, rows, strict=True):
        entries += [
            GiftEntry(
                supporter=row.supporter_id,
                amount=row.amount,
                received_on=day,
                method=Gift.Method.CARD,
                fund=fund,
                # The webhook's thank-you email goes out as the payment arrives.
                details={
                    "recurring": row,
                    "stripe_invoice_id": f"in_demo_{row.pk}_{n}",
                    "stripe_payment_intent_id": f"pi_demo_{row.pk}_{n}",
                    "acknowledgement": Gift.Acknowledgement.THANKED,
                },
            )  # fmt: skip
            for n, day in enumerate(plan.due)
        ]
    return rows, entries


def _cancel_some(plans: list[_Plan], rng: random.Random, today: datetime.date) -> None:
    """Two plans of more than three payments cancelled this fiscal year (by the donor, after a
    payment): their payments stop there."""
    organisation = Organisation.current()
    year_start, _ = organisation.fiscal_year_bounds(organisation.fiscal_year_of(today))
    older = [p for p in plans if len(p.due) > 3]
    # A small demo (few plans) still keeps some active: never all of them cancelled.
    for plan in older[: min(CANCELLED, len(plans) - 1)]:
        paid = [d for d in plan.due[2:] if year_start <= d < today - datetime.timedelta(days=5)]
        if not paid:
            continue
        last = rng.choice(paid)
        plan.due = [d for d in plan.due if d <= last]
        cancelled = last + datetime.timedelta(days=rng.randint(1, 5))
        plan.row.status = RecurringGift.Status.CANCELLED
        plan.row.cancelled_at = datetime.datetime.combine(
            cancelled, datetime.time(15, 30), tzinfo=timezone.get_current_timezone()
        )


def _fail_some(plans: list[_Plan], today: datetime.date) -> None:
    """The two active plans charged most recently: that payment failed, Stripe retries it."""
    active = [p for p in plans if p.row.status == RecurringGift.Status.ACTIVE and len(p.due) > 1]
    active.sort(key=lambda p: (-p.due[-1].toordinal(), p.row.supporter_id))
    still_active = sum(p.row.status == RecurringGift.Status.ACTIVE for p in plans)
    for plan in active[: min(PAST_DUE, still_active - 1)]:  # and at least one charging well
        failed = plan.due.pop()
        plan.failed_on = failed
        plan.row.status = RecurringGift.Status.PAST_DUE
        plan.row.failure_notice_invoice_id = f"in_demo_failed_{plan.row.supporter_id}"
        retry = failed + datetime.timedelta(days=5)
        plan.row.next_charge_on = max(retry, today + datetime.timedelta(days=1))
