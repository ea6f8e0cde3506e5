"""Households in chromium at 1366 px: staff open Ben's profile, tick Ada (found at the same
address), create the household, and see both members, the household greeting and envelope
name and the household's giving on Ada's profile. Screenshots in var/screenshots/staff/."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from crm.models import Supporter
from donations.models import Fund
from donations.services import GiftEntry, gift_record
from tests.e2e.conftest import LogIn

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
HOME = {"address_line1": "48 Linden Avenue", "city": "Oakland", "region": "CA",
        "postal_code": "94607"}  # fmt: skip


@pytest.fixture
def wide(browser: Browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_staff_make_a_household_from_the_profile(
    wide: Page, live_server, staff: User, log_in: LogIn, screenshots: Path
) -> None:
    shots = screenshots / "staff"
    shots.mkdir(exist_ok=True)
    today = timezone.localdate()
    fund = Fund.objects.create(name="General", code="general", is_default=True)
    ben = Supporter.objects.create(first_name="Ben", last_name="Okafor", email="ben@example.org",
                                   phone="(510) 555-0188", **HOME)  # fmt: skip
    ada = Supporter.objects.create(first_name="Ada", last_name="Okafor", email="ada@example.org",
                                   phone="(510) 555-0190", **HOME)  # fmt: skip
    Supporter.objects.create(
        first_name="Tomás", last_name="Reyes", **HOME | {"address_line2": "Apt 2"}
    )
    for who, amount, days in ((ben, "500.00", 30), (ada, "120.00", 10), (ada, "60.00", 400)):
        gift_record(entry=GiftEntry(supporter=who, amount=Decimal(amount), fund=fund,
                                    received_on=today - datetime.timedelta(days=days)))  # fmt: skip
    log_in(wide, staff.username)
    wide.goto(f"{live_server.url}/admin/crm/supporter/{ben.pk}/change/")
    panel = wide.locator("#profile-household")
    expect(panel.locator("#household-none")).to_contain_text("Others at this address")
    expect(panel.locator(".household-candidates")).to_contain_text("Ada Okafor")
    expect(panel.locator(".household-candidates")).not_to_contain_text("Tomás")  # Apt 2
    wide.screenshot(path=shots / "household-start.png", full_page=True)
    panel.get_by_label("Ada Okafor").check()
    panel.get_by_role("button", name="Create household").click()

    expect(wide.locator(".messagelist")).to_contain_text(
        "The Okafor Family: Ben Okafor, Ada Okafor"
    )
    wide.goto(f"{live_server.url}/admin/crm/supporter/{ada.pk}/change/")
    panel = wide.locator("#profile-household")
    expect(panel.locator("#household-name")).to_have_text("The Okafor Family")
    expect(panel.locator("#household-greeting")).to_have_text("Dear Ben and Ada,")
    expect(panel.locator("#household-envelope")).to_have_text("Ben and Ada Okafor")
    expect(panel.locator("[data-figure=household-lifetime]")).to_have_text("$680.00")
    expect(panel.locator("tbody tr")).to_have_count(2)
    wide.screenshot(path=shots / "household-profile.png", full_page=True)
    panel.screenshot(path=shots / "household-panel.png")
    assert (
        Supporter.objects.get(pk=ada.pk).household_id
        == Supporter.objects.get(pk=ben.pk).household_id
    )
