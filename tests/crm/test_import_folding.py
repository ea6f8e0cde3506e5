"""Two rows of one file that resolve to one stored supporter fold into one write (issue 14's
crash: the third 20,000-row demo file stopped with UniqueViolation on crm_supporter_tags when
Luis López, ZIP 11368, came once without an email and once with one, both adding 'Gala 2025').
Run on SQLite and on PostgreSQL (DATABASE_URL)."""

import pytest

from crm.importing.supporters import supporters_import
from crm.models import Supporter

pytestmark = pytest.mark.django_db

HEADERS = ["First Name", "Last Name", "Email", "Zip", "Tags"]


def run(rows, *, dry_run=False):
    return supporters_import(headers=HEADERS, rows=rows, dry_run=dry_run, file_name="demo3.csv")


@pytest.fixture
def luis(db):
    return Supporter.objects.create(first_name="Luis", last_name="López", postal_code="11368")


ROWS = [
    ["Luis", "López", "", "11368", "Gala 2025"],
    ["Maria", "Lopez", "maria@example.org", "10451", ""],
    ["Luis", "Lopez", "luis.lopez@example.org", "11368", "Gala 2025; Volunteer"],
]


def test_the_dry_run_says_plainly_that_two_rows_update_the_same_supporter(luis):
    report = run(ROWS, dry_run=True)
    assert report.ok
    assert report.notes == [
        f"Rows 1 and 3 update the same supporter, once: Luis López (#{luis.pk} on file)."
    ]
    assert [r.action for r in report.rows] == ["update", "new", "folded"]
    assert report.rows[0].new_tags == ["Gala 2025", "Volunteer"]


def test_two_rows_of_one_stored_supporter_are_written_once_without_a_server_error(luis):
    report = run(ROWS)
    assert report.written
    luis.refresh_from_db()
    assert luis.email == "luis.lopez@example.org"
    assert sorted(luis.tags.values_list("name", flat=True)) == ["Gala 2025", "Volunteer"]
    assert Supporter.objects.count() == 2
    again = run(ROWS)
    assert again.ok and again.totals["skip"] == 2 and again.totals["folded"] == 1


def test_rows_joined_by_email_that_match_two_stored_records_are_refused_in_plain_words():
    first = Supporter.objects.create(
        first_name="Ana", last_name="Ruiz", email="ana@example.org", postal_code="11368"
    )
    second = Supporter.objects.create(first_name="Ana", last_name="Ruiz", postal_code="10001")
    rows = [["Ana", "Ruiz", "ana@example.org", "11368", ""], ["Ana", "Ruiz", "", "10001", ""]]
    # Different postal codes: two people, each updating their own record.
    assert [r.supporter_id for r in run(rows, dry_run=True).rows] == [first.pk, second.pk]
    headers = ["Donor_ID", *HEADERS]
    rows = [
        ["7", "Ana", "Ruiz", "ana@example.org", "11368", ""],
        ["7", "Ana", "Ruiz", "", "10001", ""],
    ]
    report = supporters_import(headers=headers, rows=rows, dry_run=False)
    assert not report.written
    message = report.rows[0].errors["email"][0]
    assert message.startswith("Rows 1 and 2 are one person in this file")
    assert f"#{first.pk}, #{second.pk}" in message and "Merge those records first" in message
