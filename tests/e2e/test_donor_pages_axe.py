"""Every page a donor sees, in English and Spanish, in chromium: axe-core finds no WCAG 2.0/2.1
A or AA violation, and each is photographed at a phone's width (390 px) and a desktop's (1280
px) into var/screenshots/donor/. The donate form is also completed with the keyboard alone,
with a visible focus ring on every stop."""

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from core.models import Organisation
from crm.models import Supporter
from donations.models import Campaign, Fund, Gift
from donations.online.tokens import make_donate_token
from mailings.letters.merge_values import unsubscribe_token
from tests.e2e.conftest import AxeCheck

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
WIDTHS = {"phone": 390, "desktop": 1280}
LANGUAGES = ["en", "es"]
Visit = Callable[[str, str], None]


@pytest.fixture(autouse=True)
def organisation(settings, live_server) -> Organisation:
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = "whsec_browser_test"
    settings.SITE_URL = live_server.url
    general = Fund.objects.create(name="General", code="general", is_default=True)
    Campaign.objects.create(name="Spring appeal", code="spring26", fund=general)
    organisation, _ = Organisation.objects.update_or_create(
        pk=1,
        defaults={
            "name": "Immigrant Justice Project",
            "tax_id": "12-3456789",
            "address": "220 Broadway, Suite 1400\nNew York, NY 10038-2410",
            "phone": "(212) 555-0147",
            "website": "https://example.org",
        },
    )
    return organisation


@pytest.fixture
def shots() -> Path:
    folder = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "donor"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def look(page: Page, axe_check: AxeCheck, shots: Path) -> Visit:
    """axe at both widths (the layout changes between them), and a full-page picture of each."""

    def _look(name: str, language: str) -> None:
        assert page.locator("html").get_attribute("lang") == language
        for width in (320, 768):  # the narrowest phone, a tablet: nothing sticks out
            page.set_viewport_size({"width": width, "height": 900})
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (
                f"{name} scrolls sideways at {width} px"
            )
        for width_name, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            axe_check(page, f"{name} ({language}, {width} px)")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (
                f"{name} scrolls sideways at {width} px"
            )
            page.screenshot(path=shots / f"{name}-{language}-{width_name}.png", full_page=True)

    return _look


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_donate_page_and_its_states_pass_axe(
    page: Page, live_server, look: Visit, language: str
) -> None:
    page.goto(f"{live_server.url}/donate/?lang={language}")
    look("donate", language)

    # "Other" shows its field; the dedication opens.
    page.locator("input[name=amount][value=other]").check(force=True)
    expect(page.locator("#id_other_amount")).to_be_visible()
    page.locator("summary").click()
    look("donate-other-and-dedication", language)

    # Sent empty: the error summary and each field's message.
    page.locator("#id_first_name").fill("")
    page.locator("button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    look("donate-errors", language)

    # A letter's personal link: the donor filled in, the letter's asks, the first chosen.
    ana = Supporter.objects.create(
        first_name="Ana", last_name="Ruiz", email="ana@example.org", preferred_language=language
    )
    token = make_donate_token(ana.pk, "spring26", [Decimal("40"), 80, 160])
    page.goto(f"{live_server.url}/donate/?t={token}&lang={language}")
    expect(page.locator("input[name=amount][value='40']")).to_be_checked()
    look("donate-letter-link", language)

    page.goto(f"{live_server.url}/donate/?t=not-a-real-token&lang={language}")
    look("donate-link-expired", language)

    page.goto(f"{live_server.url}/donate/?cancelled=1&lang={language}")
    look("donate-cancelled", language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_donor_gives_with_the_keyboard_alone_and_every_page_on_the_way_passes_axe(
    page: Page, live_server, look: Visit, language: str
) -> None:
    page.goto(f"{live_server.url}/donate/?lang={language}")
    expect(page.locator("input[name=amount][value='50']")).to_be_checked()

    tab_to(page, "id_frequency_0")
    page.keyboard.press("ArrowRight")  # a radio group: the arrows choose
    expect(page.locator("#id_frequency_1")).to_be_checked()
    tab_to(page, "id_amount_1")  # the group's one stop is its chosen radio: $50
    for _ in range(3):  # $100, $250, then "Other", whose field then appears
        page.keyboard.press("ArrowRight")
    expect(page.locator("input[name=amount][value=other]")).to_be_checked()
    tab_to(page, "id_other_amount")
    page.keyboard.type("35")
    for field, text in [
        ("id_first_name", "Rosa"),
        ("id_last_name", "Villanueva"),
        ("id_email", "rosa@example.org"),
    ]:
        tab_to(page, field)
        page.keyboard.type(text)
    tab_to(page, "id_cover_fee")
    page.keyboard.press("Space")
    expect(page.locator("#id_cover_fee")).to_be_checked()
    tab_to(page, "submit")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/donate/test-checkout/"))
    look("test-checkout", language)
    page.keyboard.press("Tab")
    tab_to(page, "pay")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/donate/thanks/"))
    look("thanks", language)
    gift = Gift.objects.get()
    # $35 and the card fee the donor chose to cover.
    assert (gift.amount, gift.supporter.preferred_language) == (Decimal("36.35"), language)

    page.goto(f"{live_server.url}/donate/thanks/?session_id=cs_made_up&lang={language}")
    look("thanks-unknown-session", language)


def test_other_amount_works_without_script(browser: Browser, live_server) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/donate/")
    other = page.locator("#id_other_amount")
    expect(other).to_be_hidden()
    page.get_by_text("Other", exact=True).click()
    expect(other).to_be_visible()
    other.fill("42")
    page.locator("#id_first_name").fill("Rosa")
    page.locator("#id_last_name").fill("Villanueva")
    page.locator("#id_email").fill("rosa@example.org")
    page.locator("#submit").click()
    page.wait_for_url(re.compile(r"/donate/test-checkout/"))
    expect(page.locator(".total")).to_have_text("$42")
    context.close()


def tab_to(page: Page, element_id: str, most: int = 40) -> None:
    """Press Tab until the element has focus; each stop on the way shows a focus ring."""
    for _ in range(most):
        focused = page.evaluate("document.activeElement && document.activeElement.id")
        if focused == element_id:
            return
        page.keyboard.press("Tab")
        ring = page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el || el === document.body || !el.matches(":focus-visible")) return "none";
              // A radio or checkbox drawn by its label shows the ring on the label.
              const shown = el.labels && el.labels.length && getComputedStyle(el).opacity === "0"
                ? el.labels[0] : el;
              const style = getComputedStyle(shown);
              return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2
                ? "ring" : style.boxShadow !== "none" ? "ring" : "none " + el.id;
            }"""
        )
        assert ring == "ring", f"no visible focus on {ring}"
    pytest.fail(f"#{element_id} cannot be reached with Tab")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_unsubscribe_pages_pass_axe(
    page: Page, live_server, look: Visit, settings, language: str
) -> None:
    ana = Supporter.objects.create(
        first_name="Ana", last_name="Ruiz", email="ana@example.org", preferred_language=language
    )
    page.goto(f"{live_server.url}/u/{unsubscribe_token(ana.pk)}/")
    look("unsubscribe", language)
    page.get_by_role("button").click()
    expect(page.locator("h1")).not_to_have_text(re.compile("\\?"))
    look("unsubscribe-done", language)
    # A broken link names no one: the page follows the browser's language.
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/u/not-a-token/")
    look("unsubscribe-invalid", language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_too_many_attempts_page_passes_axe(
    page: Page, live_server, look: Visit, settings, language: str
) -> None:
    settings.CHECKOUT_RATE_PER_IP = "1/d"
    for _ in range(2):
        page.goto(f"{live_server.url}/donate/?lang={language}")
        page.locator("#id_first_name").fill("Rosa")
        page.locator("#id_last_name").fill("Villanueva")
        page.locator("#id_email").fill("rosa@example.org")
        page.locator("button[type=submit]").click()
        page.wait_for_load_state()
    expect(page.locator("h1")).to_have_count(1)
    assert "/donate/" in page.url
    look("too-many-attempts", language)


def test_the_axe_check_finds_what_it_is_for(page: Page, axe_check: AxeCheck) -> None:
    page.set_content('<html><body><img src="x.png"><input></body></html>')
    with pytest.raises(AssertionError) as failure:
        axe_check(page, "a page made to fail")
    for rule in ("html-has-lang", "image-alt", "label", "document-title"):
        assert rule in str(failure.value)
