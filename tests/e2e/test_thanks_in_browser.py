"""The thanks page in chromium: a donor who gives monthly with a dedication sees it restated,
with the way to their account; a second browser opening the same address sees the general
page. English and Spanish, phone and desktop, each saved as a screenshot."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from donations.models import Campaign, Fund

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture(autouse=True)
def local_test_mode(settings, live_server):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = "whsec_browser_test"
    settings.SITE_URL = live_server.url
    general = Fund.objects.create(name="General", code="general", is_default=True)
    Campaign.objects.create(name="Spring appeal", code="spring26", fund=general)


def give_monthly(page: Page, url: str, *, language: str) -> None:
    words = {
        "en": ("Give monthly", "First name", "Last name", "Continue to payment", "Pay (test)"),
        "es": ("Donar cada mes", "Nombre", "Apellido", "Continuar al pago", "Pagar (prueba)"),
    }[language]
    monthly, first, last, go, pay = words
    page.goto(f"{url}/donate/?lang={language}")
    page.get_by_text(monthly, exact=True).click()
    page.get_by_text("$50", exact=True).click()
    page.get_by_label(first, exact=True).fill("Rosa")
    page.get_by_label(last, exact=True).fill("Villanueva")
    page.get_by_label(re.compile(r"^(Email|Correo electrónico)$")).fill(
        f"rosa.{language}@example.org"
    )
    dedication = page.locator("input[name=tribute][value=memory]")
    if not dedication.is_visible():
        page.locator("details:has(input[name=tribute]) > summary").click()
    dedication.check()
    page.locator("input[name=tribute_name]").fill("Ana Villanueva")
    for name, value in (("address_line1", "88 Fordham Rd"), ("city", "Bronx"),
                        ("region", "NY"), ("postal_code", "10458")):  # fmt: skip
        field = page.locator(f"input[name={name}]")
        if field.count() and field.is_visible():
            field.fill(value)
    page.get_by_role("button", name=go).click()
    page.wait_for_url(re.compile(r"/donate/test-checkout/"))
    page.get_by_role("button", name=pay).click()
    page.wait_for_url(re.compile(r"/donate/thanks/\?session_id=cs_local_"))


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_thanks_page_restates_only_for_the_browser_that_gave(
    page: Page, browser: Browser, live_server, screenshots: Path, language: str
) -> None:
    give_monthly(page, live_server.url, language=language)
    restated = {
        "en": ("Your monthly gift of $50 is set up.", "In memory of Ana Villanueva",
               "your account"),
        "es": ("Su donación mensual de $50 está en marcha.", "En memoria de Ana Villanueva",
               "su cuenta"),
    }[language]  # fmt: skip
    for text in restated[:2]:
        expect(page.get_by_text(text)).to_be_visible()
    expect(page.get_by_role("link", name=restated[2])).to_have_attribute("href", "/account/")
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=screenshots / f"thanks-monthly-{language}-{size}.png", full_page=True)

    # Another browser, in the same language, opening the same address.
    other = browser.new_context(viewport=SIZES["phone"], locale=language).new_page()
    other.goto(page.url)
    expect(other.get_by_role("heading", level=1)).to_have_text(
        "Thank you!" if language == "en" else "¡Gracias!"
    )
    body = other.locator("main, body").first.inner_text()
    assert "$50" not in body and "Villanueva" not in body
    other.screenshot(path=screenshots / f"thanks-general-{language}-phone.png", full_page=True)
    other.context.close()
