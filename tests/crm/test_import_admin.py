"""Supporter import and export through the admin screens, as staff use them."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.models import Supporter

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/crm/supporter/import/"
CONFIRM_URL = "/admin/crm/supporter/process_import/"
CSV_FORMAT, XLSX_FORMAT = "0", "1"


def csv_file(rows: list[list[str]], name: str = "supporters.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def xlsx_file(rows: list[list[object]]) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("supporters.xlsx", buffer.getvalue())


GOOD = [
    ["First Name", "Last Name", "Email", "Address 1", "City", "State", "Zip"],
    ["Maria", "Lopez", "maria@example.org", "1 Main St", "Bronx", "NY", "10451"],
    ["Ana", "Ruiz", "ana@example.org", "2 Main St", "Bronx", "NY", "10452"],
]


def upload(client, file, fmt=CSV_FORMAT, **extra):
    return client.post(IMPORT_URL, {"import_file": file, "format": fmt, **extra})


def test_staff_preview_then_confirm_imports_the_file(staff_client):
    preview = upload(staff_client, csv_file(GOOD))
    assert preview.status_code == 200
    assert Supporter.objects.count() == 0, "the preview writes nothing"
    assert b"2 new, 0 updated" in preview.content
    confirm = preview.context["confirm_form"]
    done = staff_client.post(CONFIRM_URL, {**confirm.initial}, follow=True)
    assert done.status_code == 200
    assert b"Import finished: 2 new" in done.content
    assert Supporter.objects.count() == 2


def test_an_xlsx_file_imports_and_numeric_zips_keep_their_zeros(staff_client):
    rows = [GOOD[0], ["Joe", "Doe", "joe@example.org", "1 Elm", "Boston", "MA", 2134]]
    preview = upload(staff_client, xlsx_file(rows), fmt=XLSX_FORMAT)
    staff_client.post(CONFIRM_URL, {**preview.context["confirm_form"].initial})
    assert Supporter.objects.get().postal_code == "02134"


def test_a_missing_column_is_explained_and_nothing_is_imported(staff_client):
    response = upload(staff_client, csv_file([["Email", "Zip"], ["a@example.org", "10001"]]))
    assert b"This file cannot be imported" in response.content
    assert b"no name column" in response.content
    assert "confirm_form" not in response.context
    assert Supporter.objects.count() == 0


def test_bad_rows_are_listed_in_plain_words(staff_client):
    rows = [*GOOD, ["Bad", "Email", "nope", "", "", "", ""], GOOD[1]]
    response = upload(staff_client, csv_file(rows))
    text = response.content.decode()
    assert "Some rows have problems: nothing was imported" in text
    assert "&#x27;nope&#x27; is not a valid email address." in text
    assert "confirm_form" not in response.context
    assert Supporter.objects.count() == 0


def test_a_file_that_is_not_a_spreadsheet_gets_a_clear_message(staff_client):
    fake = SimpleUploadedFile("supporters.xlsx", b"this is not a spreadsheet at all")
    response = upload(staff_client, fake, fmt=XLSX_FORMAT)
    assert response.status_code == 200
    assert b"This file is not an Excel workbook (.xlsx)" in response.content
    assert b"encountered" not in response.content, "no exception names"
    assert Supporter.objects.count() == 0


def test_the_consent_source_given_on_the_form_is_used(staff_client):
    rows = [["First Name", "Last Name", "Email", "Opt In"], ["Maria", "Lopez", "m@x.org", "yes"]]
    refused = upload(staff_client, csv_file(rows))
    assert b"needs to say where consent was given" in refused.content
    preview = upload(staff_client, csv_file(rows), consent_source="Gala sign-up sheet")
    staff_client.post(CONFIRM_URL, {**preview.context["confirm_form"].initial})
    supporter = Supporter.objects.get()
    assert supporter.email_opt_in == "opted_in"
    assert supporter.consent_events.get().source == "Gala sign-up sheet"


def test_export_neutralises_formula_cells(staff_client):
    Supporter.objects.create(
        first_name='=HYPERLINK("x")',
        last_name="@evil",
        organisation_name="-cmd",
        phone="+1 212 555 0100",
        salutation="\tTab",
        addressee="\rCR",
        email="ok@example.org",
    )
    page = staff_client.get("/admin/crm/supporter/export/")
    chosen = {name: "on" for name in page.context["form"].fields if name.startswith("supporter")}
    response = staff_client.post(
        "/admin/crm/supporter/export/", {"format": CSV_FORMAT, "resource": "0", **chosen}
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, row = rows[0], rows[1]
    cell = dict(zip(header, row, strict=True))
    assert cell["First Name"] == '\'=HYPERLINK("x")'
    assert cell["Last Name"] == "'@evil"
    assert cell["Organization"] == "'-cmd"
    assert cell["Phone"] == "'+1 212 555 0100"
    assert cell["Salutation"] == "'\tTab"
    assert cell["Email"] == "ok@example.org"
