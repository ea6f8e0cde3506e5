"""The import's mapping step in chromium: a file with headers nobody knows is mapped column by
column, saved by name, previewed and imported; a one-row-per-gift export goes straight to its
preview. Screenshots of both pages are kept under var/screenshots/."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from crm.models import ImportMapping
from donations.models import Fund, Gift
from tests.e2e.conftest import LogIn

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
UNKNOWN = (
    "Col A,Col B,Col C,Col D,Col E,Col F,Col G\n"
    "Ana,Ruiz,ana@example.org,01/15/2024,$250.00,Yes,11368\n"
    "Luis,López,,02/01/2024,100,No,11368\n"
    'Ana,Ruiz,ana@example.org,06/15/2024,"$1,000.00",No,11368\n'
)
CHOSEN = [
    "first_name",
    "last_name",
    "email",
    "received_on",
    "amount",
    "acknowledged",
    "postal_code",
]


def test_staff_map_an_unknown_file_save_the_mapping_and_import_it(
    page: Page, live_server, log_in: LogIn, staff: User, screenshots: Path, tmp_path: Path
) -> None:
    Fund.objects.create(name="General", code="general", is_default=True)
    path = tmp_path / "old-system.csv"
    path.write_text(UNKNOWN, encoding="utf-8")
    log_in(page, staff.username)
    page.goto(f"{live_server.url}/admin/donations/gift/import/")
    page.set_input_files("#id_import_file", str(path))
    page.select_option("#id_format", "0")
    page.click("input[type=submit][value='Upload and preview']")

    expect(page.get_by_role("heading", name="Which field does each column go to?")).to_be_visible()
    expect(page.locator("#import-columns tbody tr")).to_have_count(7)
    expect(page.locator("#import-columns tbody tr").first).to_contain_text("Ana")
    # First, two columns to one field and no amount: refused, saying so; nothing is saved.
    for index, field in enumerate([*CHOSEN[:4], "", CHOSEN[5], "email"]):
        page.select_option(f"#id_column_{index}", field)
    page.fill("#id_save_as", "Old system")
    page.click("input[type=submit][value='Use these columns and preview']")
    problems = page.locator("#mapping-problems")
    expect(problems).to_contain_text("'Col C' and 'Col G' both go to Email.")
    expect(problems).to_contain_text("A file of gifts needs an Amount column")
    page.screenshot(path=str(screenshots / "import-mapping-refused.png"), full_page=True)
    assert ImportMapping.objects.count() == 0

    for index, field in enumerate(CHOSEN):
        page.select_option(f"#id_column_{index}", field)
    page.screenshot(path=str(screenshots / "import-mapping.png"), full_page=True)

    page.click("input[type=submit][value='Use these columns and preview']")
    expect(page.locator("#import-summary")).to_contain_text("3 gifts to record")
    page.screenshot(path=str(screenshots / "import-mapping-preview.png"), full_page=True)
    page.click("input[type=submit][value='Confirm import']")
    expect(page.locator(".messagelist")).to_contain_text("Import finished")
    assert Gift.objects.count() == 3
    assert ImportMapping.objects.get().name == "Old system"


def test_a_one_row_per_gift_export_previews_with_its_donors(
    page: Page, live_server, log_in: LogIn, staff: User, screenshots: Path
) -> None:
    Fund.objects.create(name="General", code="general", is_default=True)
    log_in(page, staff.username)
    page.goto(f"{live_server.url}/admin/donations/gift/import/")
    page.set_input_files("#id_import_file", str(FIXTURES / "donor_export_one_row_per_gift.csv"))
    page.select_option("#id_format", "0")
    page.click("input[type=submit][value='Upload and preview']")

    expect(page.locator("#import-summary")).to_contain_text("5 gifts to record")
    expect(page.locator("#columns-note")).to_contain_text("Columns read by their headers.")
    page.screenshot(path=str(screenshots / "import-preview-one-row-per-gift.png"), full_page=True)
    page.click("#check-columns")
    expect(page.locator("#import-columns tbody tr")).to_have_count(21)
    page.screenshot(path=str(screenshots / "import-mapping-recognised.png"), full_page=True)
