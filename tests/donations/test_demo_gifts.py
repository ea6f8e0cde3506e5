from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command

from donations.models import Campaign, DonorSummary, Fund, Gift, RecurringGift

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_a_believable_ledger_once():
    call_command("seed_demo", supporters=150, seed=2)
    gifts = Gift.objects.count()
    assert gifts > 150 and RecurringGift.objects.filter(status="active").exists()
    assert Fund.objects.get(is_default=True).code == "general"
    assert Campaign.objects.filter(starts_on__isnull=False, ends_on__isnull=False).exists()
    assert Gift.objects.filter(acknowledgement="pending").exists(), "something to thank"
    totals: dict[int, Decimal] = defaultdict(Decimal)
    given = Gift.objects.values_list("supporter_id", "amount", "amount_refunded")
    for supporter_id, amount, refunded in given:  # the summaries count gifts less refunds
        totals[supporter_id] += amount - refunded
    summaries = dict(DonorSummary.objects.values_list("supporter_id", "lifetime_total"))
    assert {k: v for k, v in summaries.items() if v} == dict(totals)

    call_command("seed_demo", supporters=150, seed=2)
    assert Gift.objects.count() == gifts


@pytest.mark.parametrize("month", range(1, 13))
def test_a_small_demo_always_keeps_a_plan_charging(month):
    """Cancelled and failed plans are picked by date; with a handful of plans (a 150-person
    demo has up to six) some still charge, whatever the day (it failed on 2026-11-30)."""
    import datetime
    import random

    from donations.demo_plans import demo_plans_seed
    from tests.factories import SupporterFactory

    # Six plans drawn, and online plans need an email: most people here have none, so a
    # draw gives two to four plans, as a small demo's did.
    emails = [f"p{n}@example.org" if n % 3 == 0 else "" for n in range(6 * 25)]
    people = [(SupporterFactory(email=email).pk, email) for email in emails]
    fund = Fund.objects.create(name="General", code="general")
    for seed in range(6):
        RecurringGift.objects.all().delete()
        today = datetime.date(2026, month, 28 if month == 2 else 30)
        rows, _ = demo_plans_seed(rng=random.Random(seed), people=people, fund=fund, today=today)
        assert any(row.status == "active" for row in rows), (today, seed)
