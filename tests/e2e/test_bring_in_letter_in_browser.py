"""Bringing in a letter in chromium: staff open 'Bring in a letter' from the Letter list, choose
the sanctuary appeal as a Word file and land on the new letter with what was recognized; a file
that is not a Word file is refused on the page. Screenshots at 1366 px."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, expect

from core.roles import STAFF_GROUP
from mailings.models import Letter
from tests.conftest import _user
from tests.mailings.test_bring_in import word_file

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SEED = Path(settings.BASE_DIR).parent / "shared" / "seed-letters" / "sanctuary-appeal.txt"


@pytest.mark.skipif(not SEED.exists(), reason="no seed letters (../shared absent)")
def test_staff_bring_in_a_word_file_in_the_browser(browser: Browser, live_server, log_in,
                                                   screenshots, tmp_path):  # fmt: skip
    _user("dana", STAFF_GROUP)
    docx = word_file(SEED.read_text(encoding="utf-8"), tmp_path / "sanctuary-appeal.docx")
    (tmp_path / "not-word.docx").write_bytes(b"Dear friend, this is not Word.")
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    log_in(page, "dana")
    page.goto(f"{live_server.url}/admin/mailings/letter/")
    page.get_by_role("link", name="Bring in a letter").click()
    page.get_by_label("Name").fill("Sanctuary 2027")
    page.get_by_label("File").set_input_files(str(tmp_path / "not-word.docx"))
    page.get_by_role("button", name="Bring in").click()
    expect(page.locator(".errornote")).to_contain_text("is not a Word file")
    page.screenshot(path=str(screenshots / "bring-in-letter-refused-1366.png"), full_page=True)
    assert not Letter.objects.exists()

    page.get_by_label("File").set_input_files(str(docx))
    page.screenshot(path=str(screenshots / "bring-in-letter-1366.png"), full_page=True)
    page.get_by_role("button", name="Bring in").click()
    expect(page.locator(".messagelist")).to_contain_text("Brought in “Sanctuary 2027”")
    expect(page.locator(".messagelist")).to_contain_text("Marie Mark, Executive Director")
    page.screenshot(path=str(screenshots / "bring-in-letter-done-1366.png"))
    assert Letter.objects.get(name="Sanctuary 2027").versions.get().closing == "In solidarity,"
