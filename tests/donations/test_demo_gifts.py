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
