"""The styled error pages and the plain-words history page in chromium. The donor 404 passes
axe-core in English and Spanish; the staff 404 and a supporter's history are photographed at
1366 px into var/screenshots/staff/ (404.png, history.png), the donor 404 into
var/screenshots/donor/."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from core.models import Organisation
from crm.importing.supporters import supporters_import
from crm.models import Supporter, Tag
from tests.e2e.conftest import AxeCheck, LogIn

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def organisation(db) -> Organisation:
    organisation, _ = Organisation.objects.update_or_create(
        pk=1,
        defaults={
            "name": "Immigrant Justice Project",
            "address": "220 Broadway, Suite 1400\nNew York, NY 10038",
            "phone": "(212) 555-0147",
            "website": "https://example.org",
        },
    )
    return organisation


@pytest.fixture
def wide(browser: Browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def folder(screenshots: Path):
    def _folder(name: str) -> Path:
        path = screenshots / name
        path.mkdir(exist_ok=True)
        return path

    return _folder


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_donor_404_is_accessible_in_both_languages(
    page: Page, live_server, axe_check: AxeCheck, folder, language: str
):
    response = page.goto(f"{live_server.url}/donate/no-such-page/?lang={language}")
    assert response is not None and response.status == 404
    assert page.locator("html").get_attribute("lang") == language
    heading = "We can't find this page" if language == "en" else "No encontramos esta página"
    expect(page.locator("h1")).to_have_text(heading)
    axe_check(page, f"donor 404, {language}")
    page.screenshot(path=str(folder("donor") / f"404-{language}.png"), full_page=True)


def test_the_staff_404_and_a_plain_history(
    wide: Page, live_server, log_in: LogIn, staff: User, folder
):
    staff.first_name, staff.last_name = "Ana", "Ruiz"
    staff.save()
    supporters_import(
        headers=["First Name", "Last Name", "Email", "City"],
        rows=[["Marta", "Quintero", "marta@example.org", "Queens"]],
        dry_run=False, file_name="spring-gala.csv",
    )  # fmt: skip
    marta = Supporter.objects.get(email="marta@example.org")
    marta.city, marta.email_opt_in = "New York", Supporter.EmailOptIn.OPTED_IN
    marta._history_user = staff
    marta.save()
    marta.tags.add(Tag.objects.create(name="Volunteer"))
    marta = Supporter.objects.get(pk=marta.pk)
    marta.email_opt_in = Supporter.EmailOptIn.OPTED_OUT
    marta._change_reason = "Unsubscribed at the ESP"
    marta.save()

    log_in(wide, "dana")
    wide.goto(f"{live_server.url}/admin/crm/supporter/{marta.pk}/history/")
    rows = wide.locator("#change-history tbody tr")
    expect(rows.first.locator(".who")).to_have_text("Changed by the email service")
    expect(wide.locator("#change-history")).to_contain_text("Changed by Ana Ruiz")
    expect(wide.locator("#change-history")).to_contain_text(
        "Created by an import (spring-gala.csv)"
    )
    expect(wide.locator("#change-history")).not_to_contain_text("None")
    shots = folder("staff")
    wide.screenshot(path=str(shots / "history.png"), full_page=True)

    response = wide.goto(f"{live_server.url}/admin/crm/old-link/")
    assert response is not None and response.status == 404
    expect(wide.locator("h1")).to_have_text("There is no page at this address")
    wide.fill("#error-search", "Quintero")
    wide.screenshot(path=str(shots / "404.png"), full_page=True)
    wide.click("#error-page input[type=submit]")
    expect(wide.locator("#result_list")).to_contain_text("Quintero")
