"""A second phone ('Phone2', 'Other Phone') is kept on the supporter: imported, shown in the
admin form beside the phone, exported, and used by the duplicate finder's phone key when the
record has no first phone (issue 14). Run on SQLite and on PostgreSQL (DATABASE_URL)."""

import pytest

from crm import matching
from crm.importing.supporters import supporters_import
from crm.models import Supporter
from crm.resources import SupporterResource
from crm.selectors import duplicate_pairs

pytestmark = pytest.mark.django_db

HEADERS = ["First Name", "Last Name", "Email", "Zip", "Phone1", "Phone2"]


def run(rows, *, headers=HEADERS, dry_run=False):
    return supporters_import(headers=headers, rows=rows, dry_run=dry_run, file_name="f.csv")


def test_it_keeps_the_second_phone_of_a_new_supporter():
    report = run([["Ana", "Ruiz", "ana@example.org", "11368", "(718) 555-0101", "917-555-0102"]])
    assert report.written, [r.errors for r in report.invalid_rows]
    ana = Supporter.objects.get()
    assert (ana.phone, ana.phone_2) == ("(718) 555-0101", "917-555-0102")
    assert ana.history.get().phone_2 == "917-555-0102", "the created history row has it too"


def test_a_second_import_changes_nothing_and_a_new_second_phone_is_an_update():
    row = ["Ana", "Ruiz", "ana@example.org", "11368", "(718) 555-0101", "917-555-0102"]
    run([row])
    assert run([row]).totals["skip"] == 1
    row[5] = "646-555-0109"
    report = run([row], dry_run=True)
    assert report.rows[0].changes == {"phone_2": ("917-555-0102", "646-555-0109")}
    run([row])
    assert Supporter.objects.get().phone_2 == "646-555-0109"


def test_a_second_phone_that_is_not_a_phone_is_refused_in_plain_words():
    report = run([["Ana", "Ruiz", "ana@example.org", "11368", "", "call after 5"]])
    assert not report.written
    assert report.rows[0].errors["phone_2"] == [
        "'call after 5' is not a phone number, like (212) 555-0100."
    ]


def test_the_admin_form_shows_the_other_phone_beside_the_phone(staff_client):
    ana = Supporter.objects.create(first_name="Ana", last_name="Ruiz", phone_2="917-555-0102")
    page = staff_client.get(f"/admin/crm/supporter/{ana.pk}/change/?edit=1").content.decode()
    assert 'name="phone_2"' in page and 'value="917-555-0102"' in page
    assert (
        page.index('name="phone"')
        < page.index('name="phone_2"')
        < page.index('name="address_line1"')
    )
    assert "Other phone" in page


def test_the_export_has_an_other_phone_column_that_imports_back_as_the_other_phone():
    Supporter.objects.create(
        first_name="Ana", last_name="Ruiz", email="ana@example.org", phone_2="917-555-0102"
    )
    data = SupporterResource().export()
    assert data.headers.index("Other Phone") == data.headers.index("Phone") + 1
    assert data.dict[0]["Other Phone"] == "917-555-0102"
    columns = ["First Name", "Last Name", "Email", "Other Phone"]
    rows = [[data.dict[0][c] for c in columns]]
    report = run(rows, headers=columns)
    assert report.ok and report.totals["skip"] == 1, "the column reads back as the same field"


def test_a_record_with_only_a_second_phone_meets_its_namesake_by_phone():
    first = Supporter.objects.create(first_name="Ana", last_name="Ruiz", phone="718-555-0101")
    second = Supporter.objects.create(
        first_name="Ana", last_name="Ruiz", postal_code="10001", phone_2="(718) 555-0101"
    )
    assert second.match_phone == matching.phone_key("718-555-0101") == "+17185550101"
    [pair] = duplicate_pairs()
    assert (pair.first, pair.second, pair.reasons) == (first, second, ("Same name and phone",))
