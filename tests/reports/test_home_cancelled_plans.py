"""The staff home lists the recurring gifts cancelled in the last 30 days, with the donor's
reason, beside the failed payments; older ones are left to the plans list. The cancellation
arrives as Stripe's signed customer.subscription.deleted event."""

import datetime
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from donations.models import RecurringGift
from tests.donations.stripe_events import event, post
from tests.factories import SupporterFactory


@pytest.fixture
def plan(db):
    donor = SupporterFactory(first_name="Ana", last_name="Ruiz", email="ana@example.org")
    return RecurringGift.objects.create(
        supporter=donor, amount=Decimal("50"), status="active", stripe_subscription_id="sub_h1"
    )


def cancelled_at_stripe(client, comment: str) -> None:
    now = int(time.time())
    subscription = {
        "id": "sub_h1", "object": "subscription", "status": "canceled", "canceled_at": now,
        "ended_at": now, "items": {"object": "list", "data": []},
        "cancellation_details": {"comment": comment, "feedback": None,
                                 "reason": "cancellation_requested"},
    }  # fmt: skip
    assert post(client, event("customer.subscription.deleted", subscription)).status_code == 200


def test_recent_cancellations_are_listed_with_their_reason(client, staff_client, plan):
    cancelled_at_stripe(client, "Moving abroad next month")
    old = RecurringGift.objects.create(
        supporter=SupporterFactory(first_name="Olga", last_name="Old"),
        amount=Decimal("10"),
        status=RecurringGift.Status.CANCELLED,
        cancelled_at=timezone.now() - datetime.timedelta(days=40),
    )
    html = staff_client.get("/admin/").content.decode()
    panel = html[html.index('id="home-cancelled-plans"') :][:2000]
    assert "Ana Ruiz" in panel and "$50.00 monthly" in panel
    assert "“Moving abroad next month”" in panel
    assert f"/admin/donations/recurringgift/{plan.pk}/change/" in panel
    assert "Olga" not in panel and f"/recurringgift/{old.pk}/" not in panel


def test_no_panel_when_nothing_was_cancelled(staff_client, plan):
    assert 'id="home-cancelled-plans"' not in staff_client.get("/admin/").content.decode()


def test_the_board_sees_it_too(client, board_client, plan):
    cancelled_at_stripe(client, "")
    assert 'id="home-cancelled-plans"' in board_client.get("/admin/").content.decode()
