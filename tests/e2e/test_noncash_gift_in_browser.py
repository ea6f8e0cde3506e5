"""The staff gift form in chromium: stock and in-kind fields appear only for those methods."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LogIn

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_stock_fields_show_only_for_a_stock_gift(
    page: Page, live_server, log_in: LogIn, staff: User, screenshots: Path
) -> None:
    log_in(page, staff.username)
    page.goto(f"{live_server.url}/admin/donations/gift/add/")
    ticker, shares = page.locator(".field-stock_ticker"), page.locator(".field-stock_shares")
    given, described = page.locator(".field-given_on"), page.locator(".field-in_kind_description")

    page.select_option("#id_method", "cheque")
    for row in (ticker, shares, given, described):
        expect(row).to_be_hidden()

    page.select_option("#id_method", "stock")
    for row in (ticker, shares, given, described):
        expect(row).to_be_visible()
    expect(page.get_by_text("the day the shares left the donor's account")).to_be_visible()
    page.locator(".field-method").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "gift-form-stock.png"), full_page=True)

    page.select_option("#id_method", "in_kind")
    expect(described).to_be_visible()
    for row in (ticker, shares, given):
        expect(row).to_be_hidden()
