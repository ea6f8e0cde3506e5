"""The composer in chromium, as staff use it: typing updates the preview, a merge field goes in
at the cursor from the side panel, a mistake is marked at its line before anything is saved,
the printed pages and both languages side by side. Screenshots at 1366 px of the two real
appeals (../shared/seed-letters), brought in as staff bring them in."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from core.roles import STAFF_GROUP
from mailings.letters.bring_in import letter_bring_in
from mailings.models import Letter, LetterVersion
from tests.conftest import _user
from tests.mailings.letters import letter_with_versions

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seed-letters"


def open_composer(browser: Browser, live_server, log_in, letter: Letter) -> Page:
    _user("dana", STAFF_GROUP)
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    log_in(page, "dana")
    page.goto(f"{live_server.url}/admin/mailings/letter/{letter.pk}/compose/")
    expect(page.locator("#preview-status")).to_contain_text("Up to date")
    return page


def test_typing_updates_the_preview_and_a_field_goes_in_at_the_cursor(
    browser: Browser, live_server, log_in, screenshots
):
    letter = letter_with_versions()
    page = open_composer(browser, live_server, log_in, letter)
    email = page.frame_locator("#email-frame").locator("body")
    expect(email).to_contain_text("We write to you with news.")

    body = page.locator("#id_en-body")
    body.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n\nA sentence typed just now.")
    expect(email).to_contain_text("A sentence typed just now.")
    expect(page.locator("#save-state")).to_have_text("Unsaved changes")

    # The cursor at the start of the body, then the panel's first_name: in at the cursor.
    body.click()
    page.keyboard.press("Control+Home")
    page.get_by_role("button", name="{{ first_name }}").click()
    page.keyboard.type(", we write again.\n\n")
    assert body.input_value().startswith("{{ first_name }}, we write again.\n\nWe write to you")
    expect(email).to_contain_text("Maria, we write again.")  # the sample value
    expect(page.locator('[data-value-for="first_name"]')).to_have_text("Maria")
    page.screenshot(path=str(screenshots / "composer-typing-1366.png"))

    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messagelist")).to_contain_text("Saved")
    saved = LetterVersion.objects.get(letter=letter, language="en").body
    assert saved.startswith("{{ first_name }}, we write again.")
    assert saved.endswith("A sentence typed just now.")


def test_a_mistake_is_shown_at_its_line_before_saving_and_saving_refuses_it(
    browser: Browser, live_server, log_in, screenshots
):
    letter = letter_with_versions(en={"body": "Line one.\n\nLine three."})
    page = open_composer(browser, live_server, log_in, letter)
    body = page.locator("#id_en-body")
    body.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Thank you, {{ frist_name }}.")

    problem = page.locator(".field-body .field-problems .problem")
    expect(problem).to_contain_text("Line 3: 'frist_name' is not a merge field. Did you mean")
    expect(page.locator(".field-body .backdrop mark")).to_have_text(
        "Line three. Thank you, {{ frist_name }}."
    )
    expect(body).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#preview-status")).to_contain_text("fix the marked lines")
    page.screenshot(path=str(screenshots / "composer-mistake-1366.png"))
    assert LetterVersion.objects.get().body == "Line one.\n\nLine three."  # nothing saved yet

    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messagelist")).to_contain_text("Nothing was saved")
    assert LetterVersion.objects.get().body == "Line one.\n\nLine three."

    # Fixed where it is marked: the mark goes and the preview comes back.
    body.fill("Line one.\n\nLine three. Thank you, {{ first_name }}.")
    expect(problem).to_have_count(0)
    expect(page.frame_locator("#email-frame").locator("body")).to_contain_text(
        "Line three. Thank you, Maria."
    )


def test_the_printed_pages_and_both_languages_side_by_side(
    browser: Browser, live_server, log_in, screenshots, axe_check
):
    letter = letter_with_versions(en={}, es={"body": "Le escribimos con noticias.", "ps": ""})
    page = open_composer(browser, live_server, log_in, letter)
    page.get_by_role("tab", name="Printed page").click()
    expect(page.locator("#print-summary")).to_contain_text("1 page")
    expect(page.get_by_alt_text("Printed page 1 of 1")).to_be_visible()

    page.get_by_role("button", name="Side by side").click()
    expect(page.locator("#id_en-body")).to_be_visible()
    expect(page.locator("#id_es-body")).to_be_visible()
    missing = page.locator('.editor[data-language="es"] [data-missing-for="ps"]')
    expect(missing).to_have_text("Missing here: the English version has this")
    page.locator("#id_es-ps").fill("Gracias por todo.")
    expect(missing).to_be_hidden()
    page.screenshot(path=str(screenshots / "composer-side-by-side-1366.png"))
    axe_check(page, "the composer, side by side, printed page")


@pytest.mark.skipif(not SEEDS.exists(), reason="no seed letters (../shared absent)")
@pytest.mark.parametrize("seed", ["sanctuary-appeal.txt", "anniversary-appeal-2016.txt"])
def test_the_two_real_appeals_in_the_composer(
    browser: Browser, live_server, log_in, screenshots, seed: str
):
    text = (SEEDS / seed).read_text(encoding="utf-8")
    letter = letter_bring_in(name=seed.removesuffix(".txt"), filename=seed, data=text.encode())
    page = open_composer(browser, live_server, log_in, letter)
    first_paragraph = LetterVersion.objects.get(letter=letter).body.split("\n\n")[0]
    expect(page.frame_locator("#email-frame").locator("body")).to_contain_text(
        first_paragraph.strip("*# ")[:40]
    )
    page.screenshot(path=str(screenshots / f"composer-{seed.removesuffix('.txt')}-1366.png"))
    page.get_by_role("tab", name="Printed page").click()
    expect(page.locator("#print-summary")).to_contain_text("page")
    page.screenshot(path=str(screenshots / f"composer-{seed.removesuffix('.txt')}-print-1366.png"))
