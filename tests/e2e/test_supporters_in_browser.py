"""Supporter records tried as people use them: in chromium, through the admin pages."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Locator, Page, expect

from crm.models import Supporter
from tests.e2e.conftest import LogIn

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FETCH_POST = """async ([url, body]) => {
    const token = document.cookie.split("; ").find(c => c.startsWith("csrftoken="))?.split("=")[1];
    const response = await fetch(url, {
        method: "POST",
        headers: {"X-CSRFToken": token, "Content-Type": "application/x-www-form-urlencoded"},
        body: body,
        credentials: "same-origin",
    });
    return [response.status, await response.text()];
}"""


def _field(page: Page, label: str) -> Locator:
    # Admin labels end in a colon; exact matching keeps "First name" from "Partner first name".
    return page.get_by_label(f"{label}:", exact=True)


def _fill_new_supporter(page: Page, *, email: str) -> None:
    _field(page, "First name").fill("Marisol")
    _field(page, "Last name").fill("Quintero")
    _field(page, "Email").fill(email)
    _field(page, "Address line 1").fill("12 Orchard Street")
    _field(page, "City").fill("New York")
    _field(page, "State / region").fill("NY")
    _field(page, "ZIP / postal code").fill("10002")


def _search(page: Page, base: str, term: str) -> None:
    page.goto(f"{base}/admin/crm/supporter/")
    page.fill("#searchbar", term)
    page.press("#searchbar", "Enter")
    page.wait_for_url(re.compile(r"[?&]q="))


def test_staff_member_adds_a_supporter_and_finds_them_by_search(
    page: Page, live_server, staff: User, log_in: LogIn, screenshots: Path
) -> None:
    # Someone already on file, so a search that returns everything cannot pass.
    Supporter.objects.create(
        first_name="Elena",
        last_name="Brooks",
        email="eb@example.org",
        country="US",
        region="NY",
        postal_code="10003",
    )
    log_in(page, staff.username)
    page.goto(f"{live_server.url}/admin/crm/supporter/add/")
    _fill_new_supporter(page, email="marisol.q@example.org")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    supporter = Supporter.objects.get(email="marisol.q@example.org")
    assert (supporter.first_name, supporter.last_name) == ("Marisol", "Quintero")
    assert (supporter.city, supporter.region, supporter.postal_code) == ("New York", "NY", "10002")

    for term in ["marisol.q@example.org", "10002"]:
        _search(page, live_server.url, term)
        results = page.locator("#result_list")
        expect(results).to_contain_text("Quintero")
        expect(results).to_contain_text("marisol.q@example.org")
        expect(results).not_to_contain_text("Brooks")
    page.screenshot(path=screenshots / "supporter-list.png", full_page=True)

    page.locator("#result_list").get_by_role("link", name="Quintero").click()
    expect(page.locator("#profile-contact")).to_contain_text("12 Orchard Street")
    page.screenshot(path=screenshots / "supporter-change.png", full_page=True)


def test_a_bad_email_gets_a_clear_message_and_saves_nothing(
    page: Page, live_server, staff: User, log_in: LogIn
) -> None:
    log_in(page, staff.username)
    page.goto(f"{live_server.url}/admin/crm/supporter/add/")
    _fill_new_supporter(page, email="marisol-at-example")
    page.click("input[name=_save]")

    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".field-email .errorlist")).to_contain_text("Enter a valid email address.")
    assert not Supporter.objects.exists()


def test_board_member_can_see_but_not_change(
    page: Page, live_server, board: User, log_in: LogIn
) -> None:
    supporter = Supporter.objects.create(
        first_name="Tomas",
        last_name="Herrera",
        email="tomas@example.org",
        address_line1="5 Spring Street",
        city="New York",
        country="US",
        region="NY",
        postal_code="10001",
    )
    change_url = f"{live_server.url}/admin/crm/supporter/{supporter.pk}/change/"
    log_in(page, board.username)

    page.goto(f"{live_server.url}/admin/crm/supporter/")
    expect(page.locator("#result_list")).to_contain_text("Herrera")
    expect(page.get_by_role("link", name="Add supporter")).to_have_count(0)

    page.goto(change_url)
    expect(page.locator("#content")).to_contain_text("Tomas Herrera")
    expect(page.locator("input[name=_save]")).to_have_count(0)
    expect(page.get_by_role("link", name="Add supporter")).to_have_count(0)

    body = "first_name=Changed&last_name=Herrera&country=US&region=NY&postal_code=10001&_save=Save"
    status, text = page.evaluate(FETCH_POST, [change_url, body])
    # A CSRF failure is a 403 too; make sure this one is the permission check refusing.
    assert status == 403
    assert "CSRF" not in text
    supporter_after = Supporter.objects.get(pk=supporter.pk)
    assert supporter_after.first_name == "Tomas"
    assert supporter_after.updated_at == supporter.updated_at
