"""A donor gives $50 a month through /donate/ in chromium, via the local test checkout (no
Stripe key), and staff then find the gift and the plan on the donor's record."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from donations.models import Campaign, Fund, Gift, RecurringGift
from tests.e2e.conftest import LogIn

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def local_test_mode(settings, live_server):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = "whsec_browser_test"
    settings.SITE_URL = live_server.url
    general = Fund.objects.create(name="General", code="general", is_default=True)
    Campaign.objects.create(name="Spring appeal", code="spring26", fund=general)


def test_a_donor_gives_50_monthly_and_staff_see_the_gift_and_the_plan(
    page: Page, live_server, staff: User, log_in: LogIn, screenshots: Path
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})  # a phone, as most donors arrive
    page.goto(f"{live_server.url}/donate/?appeal=spring26")
    expect(page.get_by_text("TEST MODE — no card is charged")).to_be_visible()
    page.get_by_text("Give monthly", exact=True).click()
    page.get_by_text("$50", exact=True).click()
    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Last name").fill("Villanueva")
    page.get_by_label("Email", exact=True).fill("rosa.villanueva@example.org")
    page.screenshot(path=screenshots / "donate-filled-phone.png", full_page=True)
    page.get_by_role("button", name="Continue to payment").click()

    page.wait_for_url(re.compile(r"/donate/test-checkout/"))
    expect(page.get_by_text("$50 per month")).to_be_visible()
    page.screenshot(path=screenshots / "donate-test-checkout.png", full_page=True)
    page.get_by_role("button", name="Pay (test)").click()
    page.wait_for_url(re.compile(r"/donate/thanks/"))
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()

    plan = RecurringGift.objects.get()
    gift = Gift.objects.get()
    assert (plan.amount, plan.status, plan.campaign.code) == (
        Decimal("50.00"),
        "active",
        "spring26",
    )
    assert (gift.amount, gift.status, gift.recurring_id) == (Decimal("50.00"), "succeeded", plan.pk)

    # Staff, on a desktop, find the donor and see both on the record.
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, staff.username)
    page.goto(f"{live_server.url}/admin/crm/supporter/?q=rosa.villanueva%40example.org")
    page.get_by_role("link", name=re.compile("Villanueva")).first.click()
    # The profile: the gift on the timeline (a failed or refunded one would say so), the plan
    # in the giving summary.
    gifts = page.locator("#profile-timeline li[data-kind=gift]")
    plans = page.locator("#giving-summary")
    expect(gifts).to_have_count(1)
    expect(gifts).to_contain_text("$50.00 by card")
    expect(gifts).not_to_contain_text(re.compile("failed|refunded|pending"))
    expect(plans).to_contain_text("50.00")
    expect(plans).to_contain_text("Active")
    page.screenshot(path=screenshots / "donate-staff-sees-gift.png", full_page=True)


def test_a_donor_gives_once_in_spanish_and_the_thanks_page_restates_the_gift(
    page: Page, live_server, screenshots: Path
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/donate/?appeal=spring26&lang=es")
    expect(page.locator("input[name=amount][value='50']")).to_be_checked()  # the middle rung
    page.get_by_text("$100", exact=True).click()
    page.get_by_label("Nombre", exact=True).fill("Rosa")
    page.get_by_label("Apellido").fill("Villanueva")
    page.get_by_label("Correo electrónico", exact=True).fill("rosa.once@example.org")
    page.get_by_role("button", name="Continuar al pago").click()

    page.wait_for_url(re.compile(r"/donate/test-checkout/"))
    page.get_by_role("button", name=re.compile("Pagar")).click()
    page.wait_for_url(re.compile(r"/donate/thanks/"))
    expect(page.locator("body")).to_contain_text("$100")
    page.screenshot(path=screenshots / "donate-once-thanks-es-phone.png", full_page=True)

    gift = Gift.objects.get()
    assert (gift.amount, gift.status, gift.recurring_id) == (Decimal("100.00"), "succeeded", None)
    assert gift.supporter.preferred_language == "es" and not RecurringGift.objects.exists()
