"""A batch of five checks in chromium: two donors both named Maria Garcia told apart by where
they live and their email, a new donor added without leaving the batch, and every gift on the
right supporter with the batch's fund, campaign and date."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from crm.models import Supporter
from donations.models import Campaign, Fund, Gift
from donations.services import GiftEntry, gift_record
from tests.e2e.axe import WCAG_AA_TAGS, violations_text
from tests.e2e.conftest import PASSWORD, LogIn
from tests.factories import SupporterFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _pick(page: Page, row: int, typed: str, telling: str) -> None:
    """Type in row `row`'s donor box and pick the match whose line shows `telling`."""
    box = page.locator(f"#id_rows-{row}-donor")
    box.fill(typed)
    options = page.locator(f"#id_rows-{row}-donor-matches li[role=option]")
    expect(options.first).to_be_visible()
    options.filter(has_text=telling).click()


def test_a_batch_of_five_checks_tells_two_maria_garcias_apart(
    page: Page,
    live_server,
    log_in: LogIn,
    staff: User,
    screenshots: Path,
) -> None:
    Fund.objects.create(name="General", code="general", is_default=True)
    Fund.objects.create(name="Legal defense", code="legal")
    spring = Campaign.objects.create(name="Spring appeal", code="spring26")
    austin = SupporterFactory(
        first_name="Maria", last_name="Garcia", email="maria.garcia@gmail.com",
        city="Austin", region="TX", postal_code="78701",
    )  # fmt: skip
    el_paso = SupporterFactory(
        first_name="María", last_name="García", email="mgarcia@elpaso.example.org",
        city="El Paso", region="TX", postal_code="79901",
    )  # fmt: skip
    okafor = SupporterFactory(first_name="James", last_name="Okafor", city="Houston", region="TX")
    chen = SupporterFactory(first_name="Lin", last_name="Chen", city="Dallas", region="TX")
    march = datetime.date(2026, 3, 2)
    gift_record(entry=GiftEntry(supporter=austin, amount=Decimal("50"), received_on=march))
    deposit_day = timezone.localdate() - datetime.timedelta(days=1)
    earlier = deposit_day - datetime.timedelta(days=6)

    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, staff.username)
    page.goto(f"{live_server.url}/admin/donations/gift/batch/")
    page.fill("#id_deposit-deposit_date", deposit_day.isoformat())
    page.select_option("#id_deposit-fund", label="General")
    page.select_option("#id_deposit-campaign", label="Spring appeal (spring26)")
    page.fill("#id_deposit-reference", "Slip 0412")
    page.fill("#id_deposit-expected_total", "575.00")
    expect(page.locator("#id_rows-0-fund option").first).to_have_text("Batch: General")

    # Both Marias are offered, each with town, email and last gift: the El Paso one is meant.
    page.locator("#id_rows-0-donor").fill("maria garcia")
    matches = page.locator("#id_rows-0-donor-matches li[role=option]")
    expect(matches).to_have_count(2)
    expect(matches.filter(has_text="Austin, TX")).to_contain_text("mar…@gmail.com")
    expect(matches.filter(has_text="Austin, TX")).to_contain_text("last gift $50.00")
    expect(matches.filter(has_text="El Paso, TX")).to_contain_text("no gifts yet")
    page.screenshot(path=str(screenshots / "staff" / "batch-picker.png"))
    matches.filter(has_text="El Paso").click()
    expect(page.locator("#id_rows-0-supporter")).to_have_value(str(el_paso.pk))
    page.fill("#id_rows-0-amount", "100")
    page.fill("#id_rows-0-cheque_number", "1001")

    _pick(page, 1, "garcia", "gmail.com")  # the Austin Maria, told by her email
    page.fill("#id_rows-1-amount", "250")
    page.fill("#id_rows-1-cheque_number", "5520")

    _pick(page, 2, "okafor", "Houston")
    page.fill("#id_rows-2-amount", "75")
    page.fill("#id_rows-2-received_on", earlier.isoformat())
    page.select_option("#id_rows-2-fund", label="Legal defense")  # this row says otherwise
    expect(page.locator("#id_rows-3-donor")).to_be_visible()  # a blank row appeared

    _pick(page, 3, "lin chen", "Dallas")
    page.fill("#id_rows-3-amount", "100")

    # A donor not on file yet: added in a dialog, then picked on the row.
    page.locator("#id_rows-4-donor").fill("Ana Ruiz")
    expect(page.locator("#id_rows-4-donor-matches")).to_contain_text("No donor matches")
    page.locator("tr.batch-row").nth(4).get_by_role("button", name="New donor").click()
    dialog = page.locator("#new-donor")
    expect(dialog).to_be_visible()
    expect(page.locator("#id_new-first_name")).to_have_value("Ana")
    expect(page.locator("#id_new-last_name")).to_have_value("Ruiz")
    page.fill("#id_new-email", "ana.ruiz@example.org")
    page.fill("#id_new-city", "San Antonio")
    page.fill("#id_new-region", "TX")
    page.fill("#id_new-postal_code", "78205")
    page.screenshot(path=str(screenshots / "staff" / "batch-new-donor.png"))
    dialog.get_by_role("button", name="Add donor").click()
    expect(dialog).to_be_hidden()
    ruiz = Supporter.objects.get(email="ana.ruiz@example.org")
    expect(page.locator("#id_rows-4-supporter")).to_have_value(str(ruiz.pk))
    page.fill("#id_rows-4-amount", "50")
    page.fill("#id_rows-4-cheque_number", "88")

    expect(page.locator("#batch-count")).to_have_text("5 checks")
    expect(page.locator("#batch-sum")).to_have_text("$575.00")
    expect(page.locator("#batch-check")).to_have_text("matches the control total")
    page.screenshot(path=str(screenshots / "staff" / "batch.png"), full_page=True)
    # axe on the batch itself (the admin's own header and breadcrumbs are Django's).
    options = {"runOnly": {"type": "tag", "values": WCAG_AA_TAGS}, "resultTypes": ["violations"]}
    found = Axe().run(page, context="#content-main", options=options).response["violations"]
    assert not found, violations_text(found)
    page.get_by_role("button", name="Record all checks").click()
    expect(page.locator(".messagelist")).to_contain_text("Recorded 5 check(s) totaling $575.00")

    gifts = Gift.objects.filter(deposit_date=deposit_day).order_by("pk")
    assert [(g.supporter_id, g.amount) for g in gifts] == [
        (el_paso.pk, Decimal("100.00")),
        (austin.pk, Decimal("250.00")),
        (okafor.pk, Decimal("75.00")),
        (chen.pk, Decimal("100.00")),
        (ruiz.pk, Decimal("50.00")),
    ]
    assert {(g.campaign_id, g.method, g.notes) for g in gifts} == {
        (spring.pk, "cheque", "Deposit Slip 0412")
    }
    assert [g.fund.code for g in gifts] == ["general", "general", "legal", "general", "general"]
    assert [g.received_on for g in gifts] == [deposit_day, deposit_day, earlier] + [deposit_day] * 2
    assert austin.gifts.count() == 2 and el_paso.gifts.count() == 1


def test_a_namesake_offered_in_the_dialog_and_a_refused_row_keep_everything_typed(
    page: Page, live_server, log_in: LogIn, staff: User, screenshots: Path
) -> None:
    Fund.objects.create(name="General", code="general", is_default=True)
    austin = SupporterFactory(
        first_name="Maria", last_name="Garcia", email="maria.garcia@gmail.com",
        city="Austin", region="TX", postal_code="78701",
    )  # fmt: skip
    okafor = SupporterFactory(first_name="James", last_name="Okafor", city="Houston", region="TX")
    deposit_day = timezone.localdate() - datetime.timedelta(days=1)

    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, staff.username)
    page.goto(f"{live_server.url}/admin/donations/gift/batch/")
    page.fill("#id_deposit-deposit_date", deposit_day.isoformat())

    # 'New donor' for someone already on file: the dialog offers the record it looks like.
    page.locator("#id_rows-0-donor").fill("Maria Garcia")
    page.locator("tr.batch-row").first.get_by_role("button", name="New donor").click()
    page.fill("#id_new-postal_code", "78701")
    page.locator("#new-donor").get_by_role("button", name="Add donor").click()
    offered = page.locator(".new-donor-matches li")
    expect(offered).to_contain_text("Austin, TX · mar…@gmail.com")
    expect(offered).to_contain_text("same name and postal code")
    expect(page.locator(".new-donor-save")).to_have_text("Add as a new donor anyway")
    offered.get_by_role("button", name="Use this donor").click()
    expect(page.locator("#id_rows-0-supporter")).to_have_value(str(austin.pk))
    page.fill("#id_rows-0-amount", "40")
    page.press("#id_rows-0-amount", "Enter")  # moves on, as in a spreadsheet; saves nothing
    expect(page.locator("#id_rows-0-cheque_number")).to_be_focused()
    page.keyboard.type("77")

    # A row the server refuses (received after the deposit): shown on that row, nothing lost.
    _pick(page, 1, "okafor", "Houston")
    page.fill("#id_rows-1-amount", "60")
    later = deposit_day + datetime.timedelta(days=1)
    page.fill("#id_rows-1-received_on", later.isoformat())
    page.get_by_role("button", name="Record all checks").click()
    refused = page.locator("tr.batch-row-errors")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("Received after the deposit date.")
    expect(page.locator("#id_rows-0-supporter")).to_have_value(str(austin.pk))
    expect(page.locator("tr.batch-row").first).to_contain_text("Austin, TX")
    expect(page.locator("#id_rows-0-cheque_number")).to_have_value("77")
    expect(page.locator("#id_rows-1-supporter")).to_have_value(str(okafor.pk))
    expect(page.locator("#batch-sum")).to_have_text("$100.00")
    page.screenshot(path=str(screenshots / "staff" / "batch-errors.png"), full_page=True)
    assert not Gift.objects.exists() and Supporter.objects.count() == 2

    page.fill("#id_rows-1-received_on", "")
    page.get_by_role("button", name="Record all checks").click()
    expect(page.locator(".messagelist")).to_contain_text("Recorded 2 check(s) totaling $100.00")
    assert sorted(Gift.objects.values_list("supporter_id", "amount")) == sorted(
        [(austin.pk, Decimal("40.00")), (okafor.pk, Decimal("60.00"))]
    )


def test_without_javascript_the_batch_asks_which_maria_and_records_her_check(
    browser: Browser, live_server, staff: User, screenshots: Path
) -> None:
    Fund.objects.create(name="General", code="general", is_default=True)
    SupporterFactory(
        first_name="Maria", last_name="Garcia", email="maria.garcia@gmail.com",
        city="Austin", region="TX", postal_code="78701",
    )  # fmt: skip
    el_paso = SupporterFactory(
        first_name="María", last_name="García", email="mgarcia@elpaso.example.org",
        city="El Paso", region="TX", postal_code="79901",
    )  # fmt: skip
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", staff.username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.goto(f"{live_server.url}/admin/donations/gift/batch/")
        expect(page.get_by_role("button", name="New donor")).to_have_count(0)
        page.fill("#id_rows-0-donor", "maria garcia")
        page.fill("#id_rows-0-amount", "120")
        page.get_by_role("button", name="Record all checks").click()
        expect(page.get_by_text("Choose which donor this check is from.")).to_be_visible()
        page.screenshot(path=str(screenshots / "staff" / "batch-no-javascript.png"))
        page.get_by_label("El Paso, TX").check()
        page.get_by_role("button", name="Record all checks").click()
        expect(page.locator(".messagelist")).to_contain_text("Recorded 1 check(s)")
    finally:
        context.close()
    assert el_paso.gifts.get().amount == Decimal("120.00")
