"""A new person whose name and postal code match a supporter on file under another email is
created, and the preview shows them as a likely duplicate to merge after the import, with a
count in the summary (issue 14). Run on SQLite and on PostgreSQL (DATABASE_URL)."""

import pytest
from django.core.management import call_command

from crm.importing.supporter_preview import SUPPORTER_IMPORT
from crm.importing.supporters import supporters_import
from crm.models import Supporter
from donations.models import Fund

pytestmark = pytest.mark.django_db

HEADERS = ["First Name", "Last Name", "Email", "Zip"]


@pytest.fixture
def ana(db):
    return Supporter.objects.create(
        first_name="Ana", last_name="Ruiz", email="ana@old.example.org", postal_code="11368"
    )


def test_a_new_namesake_under_another_email_is_shown_as_a_likely_duplicate_and_imported(ana):
    rows = [
        ["Ana", "Ruiz", "ana@new.example.org", "11368"],
        ["Ana", "Ruiz", "ana.ruiz@other.example.org", "10001"],  # another ZIP: someone else
        ["Luis", "López", "luis@example.org", "11368"],
    ]
    preview = supporters_import(headers=HEADERS, rows=rows, dry_run=True)
    assert preview.ok
    assert preview.notes == [
        f"Row 1: Ana Ruiz, 11368 (ana@new.example.org), may be supporter #{ana.pk} "
        "(ana@old.example.org): merge after import if so."
    ]
    assert preview.totals["likely_duplicates"] == 1
    assert SUPPORTER_IMPORT.summary(preview.totals) == (
        "3 new, 0 updated, 0 already up to date, 1 new supporter may be on file already "
        "(likely duplicates: see the notes)"
    )

    report = supporters_import(headers=HEADERS, rows=rows, dry_run=False)
    assert report.written, "the import still runs"
    assert Supporter.objects.filter(first_name="Ana").count() == 3
    again = supporters_import(headers=HEADERS, rows=rows, dry_run=True)
    assert "likely_duplicates" not in again.totals, "matched by email now: nothing to say"


def test_a_row_with_no_email_and_two_namesakes_on_file_names_both():
    first = Supporter.objects.create(
        first_name="Ana", last_name="Ruiz", email="a1@example.org", postal_code="11368"
    )
    second = Supporter.objects.create(
        first_name="Ana", last_name="Ruiz", email="a2@example.org", postal_code="11368"
    )
    report = supporters_import(headers=HEADERS, rows=[["Ana", "Ruiz", "", "11368"]], dry_run=True)
    assert report.notes == [
        f"Row 1: Ana Ruiz, 11368, may be supporter #{first.pk} (a1@example.org) or "
        f"#{second.pk} (a2@example.org): merge after import if so."
    ]


def test_a_row_matched_on_file_or_with_no_namesake_is_not_a_likely_duplicate(ana):
    rows = [["Ana", "Ruiz", "ana@old.example.org", "11368"], ["Ana", "Ruiz", "", "10001"]]
    report = supporters_import(headers=HEADERS, rows=rows, dry_run=True)
    assert report.notes == [] and "likely_duplicates" not in report.totals


def test_a_gift_files_new_donor_is_shown_once_for_all_their_gifts(ana, capsys, tmp_path):
    Fund.objects.create(name="General", code="general", is_default=True)
    path = tmp_path / "gifts.csv"
    path.write_text(
        "First Name,Last Name,Email,Zip,Date,Amount\n"
        "Ana,Ruiz,ana@new.example.org,11368,2024-01-15,50\n"
        "Ana,Ruiz,ana@new.example.org,11368,2024-02-15,25\n"
    )
    call_command("import_file", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert (
        f"Row 1: Ana Ruiz, 11368 (ana@new.example.org), may be supporter #{ana.pk} "
        "(ana@old.example.org): merge after import if so."
    ) in out
    assert "donors: 1 new, 0 updated, 0 already up to date, 1 new supporter may be" in out
    call_command("import_file", str(path))
    new = Supporter.objects.get(email="ana@new.example.org")
    assert new.gifts.count() == 2 and Supporter.objects.count() == 2
