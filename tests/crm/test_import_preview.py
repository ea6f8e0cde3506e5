"""The import preview shows every value an import will write for a row (issue 10 QA): the
address and a country the import fills in itself, tags and consent; an update shows old → new.
And the upload page speaks plainly: its own heading, breadcrumb and list of columns."""

import csv
import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.models import Supporter
from donations.models import Campaign, Fund, Gift

pytestmark = pytest.mark.django_db

SUPPORTER_IMPORT_URL = "/admin/crm/supporter/import/"
GIFT_IMPORT_URL = "/admin/donations/gift/import/"
CSV_FORMAT = "0"
QA_FILE = [
    ["First Name", "Last Name", "Email", "City"],
    ["José", "Núñez", "jose.nunez@example.org", "Bogotá"],
]


def csv_upload(rows: list[list[str]], name: str = "people.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode())


def preview_rows(page: str) -> list[dict[str, str]]:
    """The preview table's rows as {header: the cell's text}, as a reader sees them."""
    table = re.search(r'<table class="import-preview">(.*?)</table>', page, re.S).group(1)
    headers = [_text(h) for h in re.findall(r"<th>(.*?)</th>", table, re.S)]
    rows = []
    for row in re.findall(r"<tr class=\"\w+\">(.*?)</tr>", table, re.S):
        cells = [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows.append(dict(zip(["Action", *headers[1:]], cells, strict=True)))
    return rows


def preview_cell_html(page: str, header: str) -> str:
    """The first preview row's cell under `header`, as HTML (to see what is struck out)."""
    table = re.search(r'<table class="import-preview">(.*?)</table>', page, re.S).group(1)
    headers = [_text(h) for h in re.findall(r"<th>(.*?)</th>", table, re.S)]
    row = re.search(r"<tr class=\"\w+\">(.*?)</tr>", table, re.S).group(1)
    return re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[headers.index(header)]


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def test_the_preview_of_a_new_supporter_shows_the_city_and_the_country_filled_in(staff_client):
    response = staff_client.post(
        SUPPORTER_IMPORT_URL, {"import_file": csv_upload(QA_FILE), "format": CSV_FORMAT}
    )
    page = response.content.decode()
    assert "1 new, 0 updated" in page
    [row] = preview_rows(page)
    assert row["Action"] == "New"
    assert row["Name"] == "José Núñez"
    assert row["Email"] == "jose.nunez@example.org"
    assert row["Address"] == "Bogotá, US (default)"
    assert row["Also saved"] == "Language: English (default)"
    assert Supporter.objects.count() == 0, "the preview writes nothing"


def test_a_country_the_address_shows_is_said_to_come_from_the_address_not_to_be_a_default(
    staff_client,
):
    file = [
        ["First Name", "Last Name", "City", "State", "Zip"],
        ["Tomás", "Herrera", "Montréal", "QC", "h2x 3k8"],
        ["Ana", "Ruiz", "Corona", "NY", "11368"],
    ]
    response = staff_client.post(
        SUPPORTER_IMPORT_URL, {"import_file": csv_upload(file), "format": CSV_FORMAT}
    )
    montreal, corona = preview_rows(response.content.decode())
    assert montreal["Address"] == "Montréal, QC, H2X 3K8, CA (from the address)"
    assert corona["Address"] == "Corona, NY, 11368, US (default)"


def test_a_new_row_shows_every_value_it_writes(staff_client):
    headers = ["First Name", "Last Name", "Email", "Address", "City", "State", "Zip", "Country",
               "Phone", "Language", "Tags", "Email Opt-In", "Consent Source", "Do Not Mail",
               "Notes"]  # fmt: skip
    row = ["Ana", "Ruiz", "ana@example.org", "1 Main St", "Bronx", "New York", "10451", "USA",
           "718-555-0101", "Spanish", "Gala; Volunteer", "yes", "Gala sign-up sheet", "yes",
           "Met at the gala"]  # fmt: skip
    page = staff_client.post(
        SUPPORTER_IMPORT_URL, {"import_file": csv_upload([headers, row]), "format": CSV_FORMAT}
    ).content.decode()
    [shown] = preview_rows(page)
    assert shown["Address"] == "1 Main St, Bronx, NY, 10451, US"
    assert shown["Also saved"] == (
        "Phone: 718-555-0101; Language: Spanish; Email Opt-In: Opted in; "
        "Consent Source: Gala sign-up sheet; Do Not Mail: yes; Tags: Gala, Volunteer; "
        "New note: Met at the gala"
    )


def test_an_update_shows_old_and_new_values_and_keeps_a_country_the_file_left_out(
    staff_client,
):
    Supporter.objects.create(
        first_name="José", last_name="Núñez", email="jose.nunez@example.org",
        address_line1="Carrera 7 # 12-34", city="Bogota", country="CO",
    )  # fmt: skip
    preview = staff_client.post(
        SUPPORTER_IMPORT_URL, {"import_file": csv_upload(QA_FILE), "format": CSV_FORMAT}
    )
    page = preview.content.decode()
    assert "0 new, 1 updated" in page
    [row] = preview_rows(page)
    assert row["Action"] == "Update"
    assert row["Address"] == "Carrera 7 # 12-34, Bogota → Bogotá, CO"
    address = preview_cell_html(page, "Address")
    assert "<del>Bogota</del> → <ins>Bogotá</ins>" in address
    assert row["Also saved"] == "", "an update lists only what it changes"

    staff_client.post(
        "/admin/crm/supporter/process_import/", {**preview.context["confirm_form"].initial}
    )
    jose = Supporter.objects.get(email="jose.nunez@example.org")
    assert (jose.city, jose.country) == ("Bogotá", "CO"), "no Country column erases nothing"


def test_the_gift_preview_shows_the_fund_and_appeal_code_the_import_fills_in(staff_client):
    Fund.objects.create(name="General", code="general", is_default=True)
    legal = Fund.objects.create(name="Legal defence", code="legal")
    Campaign.objects.create(name="Spring appeal", code="spring26", fund=legal)
    Supporter.objects.create(first_name="Ana", last_name="Ruiz", email="ana@example.org")
    rows = [
        ["Email", "Amount", "Date", "Check Number", "Campaign", "Gift Note"],
        ["ana@example.org", "1,250", "2026-03-02", "1042", "spring26", "Board member"],
        ["ana@example.org", "40", "2026-03-03", "", "", ""],
    ]
    response = staff_client.post(
        GIFT_IMPORT_URL,
        {"import_file": csv_upload(rows, "gifts.csv"), "format": CSV_FORMAT, "already_thanked": ""},
    )
    page = response.content.decode()
    first, second = preview_rows(page)
    assert first["Donor"] == "Ana Ruiz"
    assert first["Method"] == "Check (default)"  # the model's label
    assert first["Fund"] == "legal (the campaign's)"
    assert first["Appeal code"] == "spring26 (the campaign's)"
    assert first["Also saved"] == "Note: Board member"
    assert second["Method"] == "Other (default)" and second["Fund"] == "general (default)"
    assert "each waits in the acknowledgement queue" in page
    assert Gift.objects.count() == 0


def test_the_upload_pages_have_their_own_heading_breadcrumb_and_plain_column_list(staff_client):
    page = staff_client.get(SUPPORTER_IMPORT_URL).content.decode()
    assert "<h1>Import supporters</h1>" in page
    assert "This importer will import the following fields" not in page
    breadcrumbs = _text(re.search(r'<div class="breadcrumbs">(.*?)</div>', page, re.S).group(1))
    assert breadcrumbs == "Home › Supporters › Import"
    columns = _text(re.search(r'<span id="recognised-columns">(.*?)</span>', page, re.S).group(1))
    assert "First Name" in columns and "City" in columns and "Country" in columns

    gifts = staff_client.get(GIFT_IMPORT_URL).content.decode()
    assert "<h1>Import gifts</h1>" in gifts
    assert "This importer will import the following fields" not in gifts
    crumbs = _text(re.search(r'<div class="breadcrumbs">(.*?)</div>', gifts, re.S).group(1))
    assert crumbs == "Home › Donations › Gifts › Import"


def test_a_large_file_checked_in_the_background_shows_the_same_preview(staff_client, settings):
    settings.IMPORT_INLINE_MAX_KB = 0  # every file goes to the worker (run at once in tests)
    response = staff_client.post(
        SUPPORTER_IMPORT_URL,
        {"import_file": csv_upload(QA_FILE), "format": CSV_FORMAT},
        follow=True,
    )
    [row] = preview_rows(response.content.decode())
    assert row["Address"] == "Bogotá, US (default)"
