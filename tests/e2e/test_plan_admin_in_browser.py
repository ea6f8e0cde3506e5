"""Staff pause a donor's monthly gift from its admin page in chromium: the change reaches the
Stripe stand-in through the real SDK, and the plan and the staff home say so."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LogIn
from tests.stripe_standin import StripeStandIn

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stripe_api(settings):
    """As tests/donations/conftest.py's: the plan fixture (plan_support) asks for it."""
    with StripeStandIn() as api:
        settings.STRIPE_API_BASE = api.url
        settings.STRIPE_SECRET_KEY = "sk_test_x"
        yield api


def test_staff_pause_then_cancel_a_plan(
    page: Page, live_server, staff: User, log_in: LogIn, screenshots: Path, plan, stripe_api
) -> None:
    log_in(page, staff.username)
    page.goto(f"{live_server.url}/admin/donations/recurringgift/{plan.pk}/change/")
    page.get_by_role("link", name="Change at Stripe").click()
    page.get_by_label("Pause", exact=True).check()
    page.get_by_label("Months").select_option("2")
    page.screenshot(path=screenshots / "plan-change-at-stripe.png", full_page=True)
    page.get_by_role("button", name="Make the change").click()
    expect(page.locator(".messagelist")).to_contain_text("Paused: nothing is charged before")
    assert stripe_api.subscriptions[plan.stripe_subscription_id]["pause_collection"]

    page.get_by_role("link", name="Change at Stripe").click()
    page.get_by_label("Cancel the plan").check()
    page.get_by_label("Reason").fill("Asked by phone: moving abroad")
    page.get_by_role("button", name="Make the change").click()
    expect(page.locator(".messagelist")).to_contain_text("Cancelled at Stripe")
    page.goto(f"{live_server.url}/admin/")
    panel = page.locator("#home-cancelled-plans")
    expect(panel).to_contain_text("Ana Ruiz")
    expect(panel).to_contain_text("Asked by phone: moving abroad")
    page.screenshot(path=screenshots / "staff-home-cancelled-plans.png", full_page=True)
