"""The demo tells a story a board member can follow (issue 13): only recent gifts wait to be
thanked, campaigns have dates and their gifts fall inside them, monthly plans have the payments
they made, and some gifts were refunded. Seeded on a fixed day, the last of November."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import F, Sum
from django.utils import timezone

from donations.acknowledgements.queue import gifts_to_thank
from donations.demo_data import TAIL
from donations.models import Campaign, Gift, RecurringGift, Refund
from donations.summary import COUNTED, first_counted_gift
from reports.home.selectors import failed_plans, giving_so_far, thanks_waiting
from reports.selectors import overview

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 29)


@pytest.fixture(autouse=True)
def demo():
    with time_machine.travel(datetime.datetime(2026, 11, 29, 17, tzinfo=datetime.UTC)):
        call_command("seed_demo", supporters=150, seed=2)
        yield


def test_only_the_last_ten_days_gifts_wait_to_be_thanked():
    queue = gifts_to_thank()
    oldest = queue.first().received_on
    assert TODAY - oldest <= datetime.timedelta(days=10)
    waiting = thanks_waiting(today=TODAY)
    assert 3 <= waiting.count <= 25, "a handful"
    assert waiting.first_time >= 1
    assert queue.filter(amount__gte=1000).exists(), "a larger gift"
    assert queue.filter(first_counted_gift(), supporter__email="").exists(), "a printed letter"
    old = Gift.objects.filter(received_on__lt=TODAY - datetime.timedelta(days=10))
    assert not old.filter(acknowledgement=Gift.Acknowledgement.PENDING).exists()


def test_campaign_gifts_come_inside_its_dates_or_just_after():
    campaigns = Campaign.objects.all()
    assert campaigns.filter(starts_on__isnull=True).count() == 0
    assert campaigns.filter(ends_on__isnull=True).count() == 0
    for campaign in campaigns:
        days = campaign.gifts.values_list("received_on", flat=True)
        assert days, campaign
        assert campaign.starts_on <= min(days)
        assert max(days) <= campaign.ends_on + TAIL, campaign
        assert campaign.goal


def test_only_the_current_campaign_is_running():
    running = giving_so_far(today=TODAY).campaigns
    assert [c.code for c in running] == ["yearend26"]
    # Its raised on the staff home is what the reports give it this fiscal year.
    raised = Gift.objects.filter(campaign=running[0], status__in=COUNTED).aggregate(
        total=Sum(F("amount") - F("amount_refunded"))
    )["total"]
    assert running[0].raised == raised > 0
    assert Campaign.objects.filter(code="yearend24", ends_on__lt=TODAY).exists()


def test_monthly_plans_have_their_payments_as_gifts():
    linked = Gift.objects.filter(recurring__isnull=False)
    this_year = linked.filter(received_on__gte=datetime.date(2026, 1, 1), status__in=COUNTED)
    revenue = overview(TODAY).recurring_revenue.current
    assert revenue > 0
    assert revenue == this_year.aggregate(total=Sum("amount"))["total"]
    assert not linked.exclude(method=Gift.Method.CARD).exists()
    assert not linked.filter(stripe_invoice_id__isnull=True).exists()
    paid_out = linked.filter(received_on__lt=TODAY - datetime.timedelta(days=10))
    assert not paid_out.filter(fee__isnull=True).exists(), "fees as other online gifts"
    for plan in RecurringGift.objects.exclude(status=RecurringGift.Status.CANCELLED):
        first = plan.gifts.order_by("received_on").first()
        assert first.received_on == plan.started_on and plan.next_charge_on > TODAY
        assert first.amount == plan.amount


def test_some_plans_were_cancelled_this_year_and_some_payments_failed():
    plans = RecurringGift.objects
    cancelled = plans.filter(status=RecurringGift.Status.CANCELLED)
    assert cancelled.count() == 2
    for plan in cancelled:
        assert plan.cancelled_at.date().year == 2026
        assert plan.gifts.order_by("-received_on").first().received_on < plan.cancelled_at.date()
    failed = failed_plans()
    assert failed.count == 2 and failed.monthly_amount > 0
    assert plans.filter(status=RecurringGift.Status.ACTIVE).exists()
    # The board's recurring report counts the same two failed payments, this fiscal year.
    from reports.ledger import year_to_date
    from reports.selectors.recurring import recurring

    figures = recurring(year_to_date(timezone.localdate()))
    assert (figures.failed_payments, figures.plans_with_failed_payments) == (2, 2)


def test_some_card_gifts_were_refunded():
    refunds = Refund.objects.select_related("gift")
    assert refunds.count() == 3
    assert all(r.gift.method == Gift.Method.CARD and r.stripe_refund_id for r in refunds)
    statuses = {r.gift.status for r in refunds}
    assert statuses == {Gift.Status.REFUNDED, Gift.Status.PARTIALLY_REFUNDED}
    assert any(r.gift.received_on.year < r.refunded_on.year for r in refunds), "next year"
    for refund in refunds:
        assert refund.gift.amount_refunded == refund.amount
    assert overview(TODAY).refunds.current == sum(
        (r.amount for r in refunds if r.refunded_on.year == 2026), Decimal(0)
    )
