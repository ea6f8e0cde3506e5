"""What the plan tests share: a donor with a live monthly plan at Stripe (the local stand-in,
reached by the real SDK), and readers of what Stripe was asked and what was noted."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.models import Note
from donations.models import RecurringGift
from tests.factories import SupporterFactory

SUB = "sub_test_plan1"
CUS = "cus_test_plan1"


@pytest.fixture
def donor(db):
    return SupporterFactory(first_name="Ana", last_name="Ruiz", email="ana@example.org")


@pytest.fixture
def plan(donor, stripe_api):
    next_charge = timezone.localdate() + datetime.timedelta(days=10)
    period_end = int(
        timezone.make_aware(datetime.datetime.combine(next_charge, datetime.time(9))).timestamp()
    )
    stripe_api.subscription_add(SUB, customer=CUS, unit_amount=5000, period_end=period_end)
    return RecurringGift.objects.create(
        supporter=donor,
        amount=Decimal("50.00"),
        status=RecurringGift.Status.ACTIVE,
        stripe_subscription_id=SUB,
        stripe_customer_id=CUS,
        started_on=timezone.localdate() - datetime.timedelta(days=20),
        next_charge_on=next_charge,
    )


def changes(stripe_api):
    return [r for r in stripe_api.subscription_requests if r.method != "GET"]


def notes(plan) -> list[str]:
    return list(Note.objects.filter(supporter_id=plan.supporter_id).values_list("text", flat=True))
