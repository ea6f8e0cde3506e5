"""Gift entry in seconds, in chromium at 1366 px: from a supporter's profile, Record a gift,
type the amount, then fewer than ten keystrokes to save a check with its number; the gift is
stored with today's date and the campaign and fund this staff member used last, and the
profile shows it. The gift list fits the width and totals what is filtered. Screenshots in
var/screenshots/staff/."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from crm.models import Supporter
from donations.models import Campaign, Fund, Gift
from donations.services import GiftEntry, gift_record
from tests.e2e.conftest import AxeCheck, LogIn

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTH = 1366


@pytest.fixture
def wide(browser: Browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def shots(screenshots: Path) -> Path:
    folder = screenshots / "staff"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def books(staff: User) -> tuple[Fund, Campaign, Supporter]:
    """A donor, and one earlier gift this staff member entered for the gala's fund."""
    Fund.objects.create(name="General operating", code="general", is_default=True)
    legal = Fund.objects.create(name="Legal defense", code="legal")
    Campaign.objects.create(name="Spring appeal 2026", code="spring26")
    gala = Campaign.objects.create(name="20th anniversary gala", code="gala26")
    marta = Supporter.objects.create(
        first_name="Marta", last_name="Quintero", email="marta@example.org",
        city="New York", region="NY", postal_code="10002",
    )  # fmt: skip
    earlier = Supporter.objects.create(first_name="Luis", last_name="Ortega")
    gift_record(entry=GiftEntry(supporter=earlier, amount=Decimal("75"), campaign=gala, fund=legal,
                                received_on=timezone.localdate() - datetime.timedelta(days=2)),
                recorded_by=staff)  # fmt: skip
    return legal, gala, marta


class Keys:
    """Presses keys one at a time and counts them: the figure the issue asks for."""

    def __init__(self, page: Page) -> None:
        self.page, self.count = page, 0

    def type(self, text: str) -> None:
        for key in text:
            self.press(key)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.count += 1


def test_a_check_is_entered_from_the_profile_in_under_ten_keystrokes_past_the_amount(
    wide: Page, live_server, staff: User, log_in: LogIn, shots: Path, books, axe_check: AxeCheck
) -> None:
    page = wide
    legal, gala, marta = books
    log_in(page, staff.username)
    page.goto(f"{live_server.url}/admin/crm/supporter/{marta.pk}/change/")
    page.locator("#profile-actions").get_by_role("link", name="Record a gift").click()
    expect(page.locator("h1")).to_have_text("Record a gift from Marta Quintero")
    amount = page.locator("#id_amount")
    expect(amount).to_be_focused()
    expect(page.locator("#id_received_on")).to_have_value(timezone.localdate().isoformat())
    expect(page.locator("#id_campaign option:checked")).to_have_text("20th anniversary gala")
    expect(page.locator("#id_fund option:checked")).to_have_text("Legal defense")
    expect(page.get_by_text("Starts as on the last gift you recorded").first).to_be_visible()
    for hidden in ("stock_ticker", "stock_shares", "given_on", "in_kind_description"):
        expect(page.locator(f".field-{hidden}")).to_be_hidden()
    for absent in ("stripe_payment_intent_id", "stripe_charge_id", "amount_refunded"):
        assert page.locator(f"[name={absent}]").count() == 0
    axe_check(page, "the gift form")
    amount.focus()

    keys = Keys(page)
    keys.type("250")  # the amount
    past_amount = keys.count
    keys.press("Tab")  # method: Check, as it starts
    keys.press("Tab")  # check number
    expect(page.locator("#id_cheque_number")).to_be_focused()
    keys.type("1042")
    page.screenshot(path=shots / "gift-form.png", full_page=True)
    keys.press("Enter")  # saves
    keystrokes = keys.count - past_amount
    print(f"\nkeystrokes past the amount: {keystrokes}")
    assert keystrokes < 10

    expect(page.locator("#profile-name")).to_have_text("Marta Quintero")
    expect(page.locator(".messagelist")).to_contain_text("Recorded $250.00 by check from Marta")
    entry = page.locator("#profile-timeline li[data-kind=gift]").first
    expect(entry).to_contain_text("$250.00 by check · 20th anniversary gala")
    expect(page.locator("#giving-summary")).to_contain_text("$250.00")
    gift = Gift.objects.get(supporter=marta)
    assert (gift.amount, gift.method, gift.cheque_number) == (Decimal("250.00"), "cheque", "1042")
    assert (gift.received_on, gift.campaign, gift.fund) == (timezone.localdate(), gala, legal)
    assert (gift.appeal_code, gift.recorded_by, gift.status) == ("gala26", staff, "succeeded")


def test_a_refused_gift_is_explained_by_its_field_and_nothing_is_saved(
    wide: Page, live_server, staff: User, log_in: LogIn, shots: Path, books
) -> None:
    page = wide
    _legal, _gala, marta = books
    log_in(page, staff.username)
    page.goto(f"{live_server.url}/admin/donations/gift/record/?supporter={marta.pk}")
    # Chromium moves the cursor to the autofocus field when it next paints, which on a busy
    # machine can come after the load event: typing earlier would go nowhere.
    expect(page.locator("#id_amount")).to_be_focused()
    page.keyboard.type("80")
    page.select_option("#id_method", "in_kind")
    expect(page.locator(".field-in_kind_description")).to_be_visible()
    expect(page.locator(".field-cheque_number")).to_be_hidden()
    page.locator("#id_method").press("Enter")  # Enter on the method's list saves too
    row = page.locator(".field-in_kind_description")
    expect(row.locator(".errorlist")).to_have_text(
        "An in-kind gift needs a description of what was given."
    )
    expect(page.locator(".errornote")).to_contain_text("Nothing was saved")
    expect(page.locator("#id_in_kind_description")).to_be_focused()
    expect(page.locator("#id_amount")).to_have_value("80")
    page.screenshot(path=shots / "gift-form-refused.png", full_page=True)
    assert not Gift.objects.filter(supporter=marta).exists()
    page.keyboard.type("Twelve winter coats")
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("Recorded $80.00 by in kind")
    assert Gift.objects.get(supporter=marta).in_kind_description == "Twelve winter coats"


def test_the_gift_list_fits_1366_px_and_totals_what_is_filtered(
    wide: Page, live_server, staff: User, log_in: LogIn, shots: Path, books
) -> None:
    page = wide
    legal, gala, marta = books
    today = timezone.localdate()
    names = [("Grace", "Kim-Abernathy"), ("Omar", "Haddad"), ("Ana", "Ruiz de la Fuente"),
             ("Ben", "Okafor"), ("Wen", "Zhao")]  # fmt: skip
    methods = ["cheque", "card", "cash", "cheque", "bank_transfer", "stock", "cheque"]
    for n in range(21):
        first, last = names[n % len(names)]
        who = Supporter.objects.get_or_create(first_name=first, last_name=last)[0]
        method = methods[n % len(methods)]
        extra = {"stock_ticker": "AAPL", "stock_shares": Decimal(3)} if method == "stock" else {}
        gift_record(entry=GiftEntry(supporter=who, amount=Decimal(25 * (n + 1)), method=method,
                                    campaign=gala if n % 2 else None, **extra,
                                    received_on=today - datetime.timedelta(days=n)))  # fmt: skip
    Gift.objects.filter(pk__in=Gift.objects.order_by("pk").values("pk")[:6]).update(
        acknowledgement="thanked", acknowledged_at=timezone.now()
    )
    log_in(page, staff.username)
    page.goto(f"{live_server.url}/admin/donations/gift/")
    heads = page.locator("#result_list thead th").all_inner_texts()
    assert [h.strip().title() for h in heads[1:]] == [
        "Amount", "Date", "Donor", "Method", "Campaign", "Fund", "Thanked",
    ]  # fmt: skip
    count = Gift.objects.count()
    expect(page.locator("[data-figure=gifts-count]")).to_have_text(f"{count} gifts")
    page.get_by_role("link", name="Check", exact=True).click()
    checks = Gift.objects.filter(method="cheque")
    total = sum(g.amount for g in checks)
    expect(page.locator("[data-figure=gifts-count]")).to_have_text(f"{checks.count()} gifts")
    expect(page.locator("[data-figure=gifts-sum]")).to_have_text(f"${total:,.2f}")
    page.goto(f"{live_server.url}/admin/donations/gift/")
    width = page.evaluate("document.documentElement.scrollWidth")
    print(f"\ngift list width at {WIDTH} px: {width}")
    assert width <= WIDTH
    page.screenshot(path=shots / "gift-list.png", full_page=True)
