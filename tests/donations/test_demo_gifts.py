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
    assert Campaign.objects.filter(code="spring26").exists()
    assert Gift.objects.filter(acknowledgement="pending").exists(), "something to thank"
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for supporter_id, amount in Gift.objects.values_list("supporter_id", "amount"):
        totals[supporter_id] += amount
    summaries = dict(DonorSummary.objects.values_list("supporter_id", "lifetime_total"))
    assert {k: v for k, v in summaries.items() if v} == dict(totals)

    call_command("seed_demo", supporters=150, seed=2)
    assert Gift.objects.count() == gifts
