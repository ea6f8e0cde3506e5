"""Rows of one person that disagree (two addresses, two phones, a second email) are folded
with the first row's value kept and the difference said in the preview; a second email or a
third phone is kept in a note on the supporter, a differing phone as the other phone: nothing
the file gave is silently lost (issue 14). Run on SQLite and on PostgreSQL (DATABASE_URL)."""

import csv
import io

import pytest
from django.core.management import call_command

from crm.importing.supporters import supporters_import
from crm.models import Note, Supporter
from donations.imports.any_file import FILE_IMPORT
from donations.models import Fund, Gift

pytestmark = pytest.mark.django_db

# The one-row-per-gift export.
GIFT_HEADERS = ["Title", "First Name", "Middle Name", "Last Name", "Suffix", "Organization",
                "Home Address", "Home City", "Home State", "Home Zip Code", "Phone1", "Phone2",
                "Email", "Date", "Amount", "Fund", "Campaign", "Appeal", "Method",
                "Acknowledged?", "Note"]  # fmt: skip


def gift_row(address="12 Elm St", phone="(718) 555-0101", phone_2="", email="", date="", note=""):
    return ["Ms.", "Ana", "", "Ruiz", "", "", address, "Queens", "NY", "11368", phone, phone_2,
            email, date, "$50.00", "", "", "", "Check", "Yes", note]  # fmt: skip


@pytest.fixture(autouse=True)
def general(db):
    return Fund.objects.create(name="General", code="general", is_default=True)


def run_gifts(rows, *, dry_run=False):
    return FILE_IMPORT.run(headers=GIFT_HEADERS, rows=rows, dry_run=dry_run, file_name="g.csv")


def test_the_preview_says_which_rows_disagree_and_whose_value_is_kept():
    rows = [
        gift_row(email="ana@example.org", date="01/15/2024"),
        gift_row(date="02/15/2024"),
        gift_row(address="80 Oak Ave", phone="917-555-0102", date="03/15/2024"),
        gift_row(phone="718.555.0101", date="04/15/2024"),  # the same number, typed otherwise
    ]
    report = run_gifts(rows, dry_run=True)
    assert report.ok, [r.errors for r in report.invalid_rows]
    assert report.notes == [
        "Rows 1, 2, 3 and 4 are one donor: Ana Ruiz, 4 gifts. "
        "Rows 1 and 3 give different addresses; row 1's is kept. "
        "Rows 1 and 3 give different phones; row 1's is kept, and the other number as the "
        "other phone."
    ]

    run_gifts(rows)
    ana = Supporter.objects.get()
    assert (ana.address_line1, ana.phone, ana.phone_2) == (
        "12 Elm St", "(718) 555-0101", "917-555-0102",
    )  # fmt: skip
    assert ana.gifts.count() == 4
    assert not Note.objects.exists(), "nothing needed a note"
    assert run_gifts(rows).totals["donors_skip"] == 1, "a second import changes nothing"


def test_an_address_is_kept_whole_never_one_rows_street_with_anothers_city():
    headers = ["First Name", "Last Name", "Email", "Address", "Address 2", "City", "Zip"]
    rows = [
        ["Ana", "Ruiz", "ana@example.org", "12 Elm St", "", "Queens", "11368"],
        ["Ana", "Ruiz", "ana@example.org", "80 Oak Ave", "Apt 4", "Queens", "11368"],
        ["Ana", "Ruiz", "", "", "", "", "11368"],
    ]
    report = supporters_import(headers=headers, rows=rows, dry_run=False)
    assert report.notes == [
        "Rows 1, 2 and 3 are one supporter: Ana Ruiz. "
        "Rows 1 and 2 give different addresses; row 1's is kept."
    ]
    ana = Supporter.objects.get()
    assert (ana.address_line1, ana.address_line2, ana.city) == ("12 Elm St", "", "Queens")


def test_an_address_part_the_first_row_lacks_is_taken_when_the_rest_agree():
    headers = ["First Name", "Last Name", "Email", "Address", "City", "Zip"]
    rows = [
        ["Ana", "Ruiz", "ana@example.org", "12 Elm St", "", "11368"],
        ["Ana", "Ruiz", "ana@example.org", "12 ELM ST", "Queens", "11368-1234"],
    ]
    report = supporters_import(headers=headers, rows=rows, dry_run=False)
    assert report.notes == ["Rows 1 and 2 are one supporter: Ana Ruiz."]
    assert Supporter.objects.get().city == "Queens"


def test_a_second_email_is_kept_in_a_note_and_said_in_the_preview():
    headers = ["Donor_ID", "First Name", "Last Name", "Email", "Zip"]
    rows = [
        ["D-7", "Ana", "Ruiz", "ana@example.org", "11368"],
        ["D-7", "Ana", "Ruiz", "ana.ruiz@work.example.org", "11368"],
    ]
    report = supporters_import(headers=headers, rows=rows, dry_run=False)
    assert report.written
    assert (
        "Rows 1 and 2 are one supporter: Ana Ruiz. Rows 1 and 2 give different emails; row 1's "
        "is kept, and the other is saved in a note on the supporter."
    ) in report.notes
    ana = Supporter.objects.get()
    assert ana.email == "ana@example.org"
    assert ana.notes.get().text == "Other email (from an import): ana.ruiz@work.example.org"
    again = supporters_import(headers=headers, rows=rows, dry_run=False)
    assert again.totals["skip"] == 1 and Note.objects.count() == 1, "not noted twice"


def test_phones_beyond_two_go_into_the_note_with_the_files_own_note():
    headers = ["First Name", "Last Name", "Email", "Phone 1", "Phone 2", "Notes"]
    rows = [
        ["Ana", "Ruiz", "ana@example.org", "718-555-0101", "917-555-0102", "Met at the gala"],
        ["Ana", "Ruiz", "ana@example.org", "646-555-0103", "718 555 0101", ""],
    ]
    report = supporters_import(headers=headers, rows=rows, dry_run=False)
    assert report.notes == [
        "Rows 1 and 2 are one supporter: Ana Ruiz. Rows 1 and 2 give different phones; row "
        "1's are kept, and the others in a note on the supporter (a record holds two)."
    ]
    ana = Supporter.objects.get()
    assert (ana.phone, ana.phone_2) == ("718-555-0101", "917-555-0102")
    assert ana.notes.get().text == "Met at the gala\nOther phone (from an import): 646-555-0103"


def test_a_restriction_in_any_row_is_kept_and_other_differences_are_said():
    headers = ["First Name", "Last Name", "Email", "Do Not Mail", "Language"]
    rows = [
        ["Ana", "Ruiz", "ana@example.org", "No", "English"],
        ["Ana", "Ruiz", "ana@example.org", "Yes", "Spanish"],
    ]
    report = supporters_import(headers=headers, rows=rows, dry_run=False)
    assert report.notes == [
        "Rows 1 and 2 are one supporter: Ana Ruiz. "
        "Rows 1 and 2 differ on Do Not Mail; 'yes' is kept (an import never lifts a "
        "restriction). Rows 1 and 2 give different values for Language; row 1's is kept."
    ]
    ana = Supporter.objects.get()
    assert ana.do_not_mail and ana.preferred_language == "en"


def test_folds_that_disagree_are_listed_first_so_none_is_cut_off():
    headers = ["First Name", "Last Name", "Email", "Address"]
    rows = []
    for n in range(60):
        rows.append([f"P{n}", "Ruiz", f"p{n}@example.org", "1 Main St"])
        rows.append([f"P{n}", "Ruiz", f"p{n}@example.org", "2 Main St" if n == 59 else ""])
    report = supporters_import(headers=headers, rows=rows, dry_run=True)
    assert report.notes[0].startswith("Rows 119 and 120 are one supporter: P59 Ruiz. Rows 119")
    assert report.notes[-1] == "… and 10 more groups of rows folded the same way."


def test_the_command_prints_the_differences(tmp_path, capsys):
    path = tmp_path / "gifts.csv"
    rows = [gift_row(email="ana@example.org", date="01/15/2024"),
            gift_row(address="80 Oak Ave", date="02/15/2024")]  # fmt: skip
    buffer = io.StringIO()
    csv.writer(buffer).writerows([GIFT_HEADERS, *rows])
    path.write_text(buffer.getvalue())
    call_command("import_file", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "Rows 1 and 2 give different addresses; row 1's is kept." in out
    assert Gift.objects.count() == 0
