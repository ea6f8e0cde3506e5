"""A letter's saved versions in chromium: staff edit a letter twice in the composer, open its
saved versions, compare the two edits, restore the first after the confirmation, find its text
back in the letter and the composer, and start a new letter from it. The list, the comparison
and the confirmation are screenshotted at 1366 px and checked with axe-core."""

import pytest
from playwright.sync_api import Browser, expect

from core.roles import STAFF_GROUP
from mailings.revisions.services import record_revision
from tests.conftest import _user
from tests.mailings.letters import letter_with_versions

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
FIRST = "We opened a second clinic in Queens this spring."
SECOND = "We opened a second clinic in the Bronx this spring, with two new lawyers."


def test_staff_restore_an_earlier_version_of_a_letter(
    browser: Browser, live_server, log_in, screenshots, axe_check
):
    staff = _user("dana", STAFF_GROUP)
    letter = letter_with_versions()
    record_revision(letter, staff)
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    log_in(page, "dana")
    composer_url = f"{live_server.url}/admin/mailings/letter/{letter.pk}/compose/"

    for body in (FIRST, SECOND):
        page.goto(composer_url)
        page.locator("#id_en-body").fill(body)
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".messagelist")).to_contain_text("Saved “Spring appeal”")

    page.get_by_role("link", name="Saved versions").click()
    rows = page.locator("table.revisions tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Changed Body (English).")
    expect(rows.first).to_contain_text("dana")
    page.screenshot(path=str(screenshots / "letter-saved-versions-1366.png"), full_page=True)
    axe_check(page, "a letter's saved versions")

    page.get_by_label("Older").select_option("2")
    page.get_by_label("Newer").select_option("3")
    page.get_by_role("button", name="Compare").click()
    body_row = page.locator("table.diff-table tbody tr", has_text="Body (English)")
    expect(body_row.locator("del")).to_contain_text(["Queens"])
    expect(body_row.locator("ins").first).to_contain_text("the Bronx")
    page.screenshot(path=str(screenshots / "letter-compare-versions-1366.png"), full_page=True)
    axe_check(page, "two saved versions compared")

    page.get_by_role("link", name="Restore version 2…").click()
    expect(page.locator("table.diff-table")).to_contain_text("Queens")
    page.screenshot(path=str(screenshots / "letter-restore-confirm-1366.png"), full_page=True)
    axe_check(page, "restoring a saved version")
    page.get_by_role("button", name="Yes, restore version 2").click()

    expect(page.locator(".messagelist")).to_contain_text("Restored version 2; kept as version 4.")
    expect(page.locator("#id_versions-0-body")).to_have_value(FIRST)
    assert letter.versions.get().body == FIRST
    page.screenshot(path=str(screenshots / "letter-restored-1366.png"))
    page.get_by_role("link", name="Open in the composer").click()
    expect(page.locator("#id_en-body")).to_have_value(FIRST)
    expect(page.frame_locator("#email-frame").locator("body")).to_contain_text(FIRST)
    page.go_back()

    page.get_by_role("link", name="Use as the start of a new letter").click()
    expect(page.get_by_label("Name of the new letter")).to_have_value("Spring appeal (copy)")
    page.screenshot(path=str(screenshots / "letter-new-from-1366.png"))
    page.get_by_role("button", name="Start the new letter").click()
    expect(page.locator(".messagelist")).to_contain_text("Started “Spring appeal (copy)”")
    expect(page.locator("#id_versions-0-body")).to_have_value(FIRST)
