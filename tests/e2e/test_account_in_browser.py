"""A donor signs in to /account/ in chromium: asks for a link, reads it from the outbox row,
signs in, sees their gifts and monthly gift, downloads a receipt (read back as PDF text), in
English and Spanish, at phone (390 px) and desktop (1280 px) width, with a screenshot of every
page. Also checked here: the page language, a label for every field, text contrast at WCAG 2.1
AA (axe-core and a contrast walk) and a visible focus ring when moving by keyboard."""

import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from core.models import Organisation, OutboxMessage
from donations.acknowledgements.receipts import receipt_issue
from donations.models import Fund, Gift, RecurringGift, Refund
from tests.e2e.test_unsubscribe_in_browser import CONTRAST
from tests.factories import SupporterFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Axe()
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
TEXT = {
    "en": {
        "ask": "Email me a sign-in link",
        "sent": "If that address is on file, a link is on its way.",
        "sign_in": "Sign in",
        "gifts": "Your gifts",
        "monthly": "$25.00 a month",
        "receipt": "Receipt",
        "refunded": "refunded on",
        "later": "Please try again later",
    },
    "es": {
        "ask": "Envíenme un enlace para entrar",
        "sent": "Si ese correo está en nuestros registros, le estamos enviando un enlace.",
        "sign_in": "Entrar",
        "gifts": "Sus donaciones",
        "monthly": "$25.00 al mes",
        "receipt": "Recibo",
        "refunded": "reembolsados el",
        "later": "Inténtelo de nuevo más tarde",
    },
}
# Every form field has a label (or is a hidden or button input).
UNLABELLED = """
() => [...document.querySelectorAll("input, select, textarea")]
  .filter((el) => !["hidden", "submit", "button"].includes(el.type))
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label"))
  .map((el) => el.name || el.id)
"""
FOCUS_VISIBLE = """
() => {
  const el = document.activeElement, s = getComputedStyle(el);
  return el !== document.body && (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
    || s.boxShadow !== "none" || s.backgroundColor === "rgb(255, 191, 71)");
}
"""


@pytest.fixture(autouse=True)
def donor(settings, live_server):
    settings.STRIPE_SECRET_KEY = ""
    settings.SITE_URL = live_server.url
    organisation = Organisation.current()
    organisation.name = "Immigrant Justice Project"
    organisation.tax_id = "12-3456789"
    organisation.save()
    fund = Fund.objects.create(name="Legal defense fund", code="legal", is_default=True)
    rosa = SupporterFactory(first_name="Rosa", last_name="Villanueva", email="rosa@example.org")
    today = datetime.date.today()  # noqa: DTZ011 - dates well inside the year
    plan = RecurringGift.objects.create(
        supporter=rosa,
        amount=Decimal("25.00"),
        status=RecurringGift.Status.ACTIVE,
        stripe_subscription_id="sub_local_browser",
        next_charge_on=today + datetime.timedelta(days=12),
    )
    once = Gift.objects.create(
        supporter=rosa, amount=Decimal("150.00"), method="card", fund=fund,
        received_on=datetime.date(today.year - 1, 11, 3),
    )  # fmt: skip
    monthly = Gift.objects.create(
        supporter=rosa, amount=Decimal("25.00"), method="card", fund=fund, recurring=plan,
        received_on=today - datetime.timedelta(days=18),
    )  # fmt: skip
    refunded = Gift.objects.create(
        supporter=rosa, amount=Decimal("40.00"), method="card", fund=fund,
        received_on=datetime.date(today.year - 1, 6, 9), amount_refunded=Decimal("10.00"),
        status=Gift.Status.PARTIALLY_REFUNDED,
    )  # fmt: skip
    Refund.objects.create(gift=refunded, refunded_on=datetime.date(today.year - 1, 6, 20),
                          amount=Decimal("10.00"))  # fmt: skip
    for gift in (once, monthly):
        receipt_issue(gift=gift)
    return rosa


def _checked(page: Page, screenshots: Path, name: str) -> None:
    """axe-core's WCAG 2.1 AA rules, labels and contrast, then a full-page screenshot."""
    violations = AXE.run(page, options=WCAG_AA).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == [], name
    assert page.evaluate(UNLABELLED) == []
    assert page.evaluate(CONTRAST) == []
    expect(page.locator("h1")).to_have_count(1)
    page.screenshot(path=screenshots / f"{name}.png", full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", TEXT)
def test_a_donor_signs_in_by_link_sees_their_gifts_and_downloads_a_receipt(
    page: Page, live_server, screenshots: Path, donor, language: str, width: str
) -> None:
    words = TEXT[language]
    donor.preferred_language = language  # the link comes back in the donor's own language
    donor.save()
    page.set_viewport_size(WIDTHS[width])
    shot = f"{language}-{width}"

    page.goto(f"{live_server.url}/account/?lang={language}")
    assert page.locator("html").get_attribute("lang") == language
    _checked(page, screenshots, f"account-sign-in-{shot}")
    page.keyboard.press("Tab")  # the skip link first, ringed
    assert page.evaluate(FOCUS_VISIBLE)
    page.locator("#id_email").fill("rosa@example.org")
    page.locator("#id_email").press("Enter")  # the keyboard alone submits
    expect(page.get_by_text(words["sent"])).to_be_visible()
    _checked(page, screenshots, f"account-link-sent-{shot}")

    message = OutboxMessage.objects.get(to_email="rosa@example.org", kind="account-sign-in")
    link = re.search(r"https?://\S+/account/sign-in/\S+", message.text_body).group(0)
    assert link.startswith(live_server.url)
    page.goto(link)
    _checked(page, screenshots, f"account-confirm-{shot}")
    page.get_by_role("button", name=words["sign_in"], exact=True).click()

    expect(page.get_by_role("heading", name=words["gifts"], exact=True)).to_be_visible()
    assert page.locator("html").get_attribute("lang") == language
    expect(page.get_by_text(words["monthly"])).to_be_visible()
    rows = page.locator("table.gifts tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="$150.00")).to_have_count(1)
    expect(page.get_by_text(words["refunded"])).to_be_visible()
    _checked(page, screenshots, f"account-home-{shot}")

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(words["receipt"])).first.click()
    data = Path(download.value.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Rosa Villanueva" in text and "12-3456789" in text
    assert "$25.00" in text  # the newest gift first: this month's monthly gift

    # Every control of the account page is reached by Tab, and shows where focus is.
    page.reload()
    reached, unringed = set(), []
    for _ in range(80):
        page.keyboard.press("Tab")
        here = page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)")
        if here in reached or here.startswith("<body"):  # round the page and out
            break
        reached.add(here)
        if not page.evaluate(FOCUS_VISIBLE):
            unringed.append(here)
    assert unringed == []
    assert len(reached) > 20  # links, buttons and every field of the forms


def _sign_in(page: Page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/account/")
    page.locator("#id_email").fill(email)
    page.locator("#id_email").press("Enter")
    expect(page.locator("[role=status]")).to_be_visible()
    message = OutboxMessage.objects.filter(to_email=email, kind="account-sign-in").latest("pk")
    page.goto(re.search(r"https?://\S+/account/sign-in/\S+", message.text_body).group(0))
    page.locator("main button[type=submit]").click()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", TEXT)
def test_the_other_account_pages_raise_pause_and_a_new_email(
    page: Page, live_server, screenshots: Path, donor, settings, language: str, width: str
) -> None:
    """The monthly gift raised and paused, a refused address, a new email confirmed, signing
    out, an expired link and the limit's page: each checked and screenshotted."""
    donor.preferred_language = language
    donor.save()
    page.set_viewport_size(WIDTHS[width])
    shot = f"{language}-{width}"
    _sign_in(page, live_server, "rosa@example.org")
    plan = donor.plans.get()

    page.locator(f"#plan{plan.pk}-amount").fill("40")
    page.locator(f"#plan{plan.pk}-amount").press("Enter")
    expect(page.locator("[role=status]")).to_be_visible()
    plan.refresh_from_db()
    assert plan.amount == Decimal("40.00")
    page.locator(f"label[for=plan{plan.pk}-months-2]").click()
    page.locator(f"#plan-{plan.pk} form[action$='/pause/'] button").click()
    expect(page.locator("[role=status]")).to_be_visible()
    plan.refresh_from_db()
    assert plan.paused_until is not None
    _checked(page, screenshots, f"account-plan-paused-{shot}")

    page.locator("#id_address-postal_code").fill("1234")
    page.locator("#change-address button").click()
    expect(page.locator("#address-errors")).to_be_visible()
    _checked(page, screenshots, f"account-address-error-{shot}")

    page.locator("#id_email-new_email").fill("rosa.new@example.org")
    page.locator("#change-email button").click()
    expect(page.locator("[role=status]")).to_be_visible()
    message = OutboxMessage.objects.get(to_email="rosa.new@example.org")
    page.goto(re.search(r"https?://\S+/account/email/confirm/\S+", message.text_body).group(0))
    _checked(page, screenshots, f"account-email-confirm-{shot}")
    confirm_url = page.url
    page.locator("main button[type=submit]").click()
    expect(page.locator("[role=status]")).to_contain_text("rosa.new@example.org")
    _checked(page, screenshots, f"account-email-confirmed-{shot}")
    donor.refresh_from_db()
    assert donor.email == "rosa.new@example.org"

    page.goto(f"{live_server.url}/account/")
    page.locator("form[action$='/sign-out/'] button").click()
    # The click only starts the form's POST: check the page it leads to once it has loaded.
    page.wait_for_url("**/account/sign-out/", wait_until="load")
    _checked(page, screenshots, f"account-signed-out-{shot}")
    page.goto(confirm_url)  # the used link
    _checked(page, screenshots, f"account-link-expired-{shot}")

    settings.ACCOUNT_LINK_RATE_PER_EMAIL = "1/h"
    for _ in range(2):
        page.goto(f"{live_server.url}/account/")
        page.locator("#id_email").fill("someone@example.org")
        page.locator("#id_email").press("Enter")
        page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text(TEXT[language]["later"])
    _checked(page, screenshots, f"account-too-many-{shot}")
