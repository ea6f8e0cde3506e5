"""The year-end statements screen tried in chromium: a staff member previews a donor's email,
sends the year's emails twice (each donor gets one), and a board member sees no send button."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from core.models import Organisation
from donations.models import Gift, StatementSend
from tests.e2e.conftest import LogIn
from tests.factories import SupporterFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _donors() -> None:
    organisation = Organisation.current()
    organisation.fiscal_year_start_month = 1
    organisation.name = "Immigrant Justice Project"
    organisation.save()
    for first, email, zip_code, extra in [
        ("Maria", "maria@example.org", "10002", {}),
        ("Jose", "jose@example.org", "10451", {}),
        ("Ana", "", "02134", {}),
        ("Dee", "dee@example.org", "60614", {"deceased": True}),
    ]:
        supporter = SupporterFactory(
            first_name=first, last_name="Donor", email=email, postal_code=zip_code, **extra
        )
        Gift.objects.create(
            supporter=supporter,
            amount=Decimal("120"),
            method="cheque",
            received_on=datetime.date(2026, 4, 2),
            acknowledgement="thanked",
        )


def test_staff_send_the_year_once_from_the_screen(
    page: Page, live_server, staff: User, board: User, log_in: LogIn, screenshots: Path,
    mailoutbox,
) -> None:  # fmt: skip
    _donors()
    log_in(page, staff.username)
    page.goto(f"{live_server.url}/admin/donations/statementsend/run/?year=2026")
    expect(page.locator("#statement-counts")).to_contain_text("2 donors, 0 emailed already")
    expect(page.locator("#statement-lines")).to_contain_text("Not reached: deceased")

    page.locator("#statement-lines tr", has_text="Maria").get_by_role("link", name="Email").click()
    expect(page.locator("#email-preview")).to_contain_text(
        "Your 2026 giving statement from Immigrant Justice Project"
    )
    page.get_by_role("button", name="Send the emails").click()
    expect(page.locator(".messagelist")).to_contain_text("Emailing 2 statement(s)")
    page.get_by_role("button", name="Send the emails").click()
    expect(page.locator(".messagelist")).to_contain_text("has been sent already")
    expect(page.locator("#statement-counts")).to_contain_text("2 donors, 2 emailed already")
    page.screenshot(path=str(screenshots / "statements-screen.png"), full_page=True)
    assert len(mailoutbox) == 2
    assert StatementSend.objects.filter(year=2026, channel="email").count() == 2

    page.context.clear_cookies()
    log_in(page, board.username)
    page.goto(f"{live_server.url}/admin/donations/statementsend/run/?year=2026")
    expect(page.locator("#statement-counts")).to_contain_text("2 emailed already")
    expect(page.get_by_role("button", name="Send the emails")).to_have_count(0)
    page.screenshot(path=str(screenshots / "statements-screen-board.png"), full_page=True)
