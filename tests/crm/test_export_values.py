"""Exports speak as the screens do: column names and values in words ('Opted in', 'Check',
'Yes'), not stored codes ('opted_in', 'cheque', '1'). A cell that would run as a formula is
still written as text, and the supporter file still imports back without a change."""

import csv
import io

import pytest

from crm.importing.supporters import supporters_import
from crm.models import Supporter, Tag
from crm.resources import SupporterResource
from donations.imports.resources import GiftResource
from donations.models import Gift
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def rows_of(resource) -> list[dict]:
    return list(csv.DictReader(io.StringIO(resource.export().csv)))


@pytest.fixture
def ana(db) -> Supporter:
    ana = SupporterFactory(
        first_name="Ana", last_name="Ruiz", email="ana@example.org", preferred_language="es",
        email_opt_in=Supporter.EmailOptIn.OPTED_IN, do_not_mail=True, source="=HYPERLINK(1)",
    )  # fmt: skip
    ana.tags.add(Tag.objects.create(name="Volunteer"))
    return ana


def test_supporter_values_are_words(ana):
    (row,) = rows_of(SupporterResource())
    assert row["Type"] == "Person"
    assert row["Language"] == "Spanish"
    assert row["Email Opt-In"] == "Opted in"
    assert (row["Do Not Mail"], row["Do Not Email"], row["Deceased"]) == ("Yes", "No", "No")
    assert not any("_" in header for header in row), "no code names as column names"
    assert row["Source"] == "'=HYPERLINK(1)", "formula escaping is kept"


def test_an_organization_is_called_one(db):
    SupporterFactory(kind="organisation", organisation_name="Casa Esperanza", first_name="")
    (row,) = rows_of(SupporterResource())
    assert row["Type"] == "Organization"


def test_gift_values_are_words(ana):
    Gift.objects.create(supporter=ana, amount=50, method="cheque", received_on="2026-02-01")
    (row,) = rows_of(GiftResource())
    assert (row["Method"], row["Status"], row["Currency"]) == ("Check", "Succeeded", "USD")
    assert row["Thank-you"] == "To thank"
    assert row["Date"] == "2026-02-01", "dates stay ISO: every spreadsheet reads them as dates"
    assert row["Check number"] == ""
    assert not any("_" in header for header in row)


def test_the_exported_supporter_file_imports_back_unchanged(ana):
    Supporter.objects.filter(pk=ana.pk).update(source="Spring gala")  # no formula: see above
    SupporterFactory(first_name="Ben", last_name="Okafor", email="ben@example.org",
                     email_opt_in=Supporter.EmailOptIn.OPTED_OUT, deceased=True)  # fmt: skip
    reader = csv.reader(io.StringIO(SupporterResource().export().csv))
    headers, *rows = list(reader)
    # An opt-in in a file needs its source, given for the whole file on the import page.
    report = supporters_import(
        headers=headers, rows=rows, dry_run=True, consent_source="This CRM's own export"
    )
    assert not report.file_errors
    # Matched by email, not by this site's own id; the greeting and envelope name in use are
    # what letters print when Salutation and Addressee are blank, not values to import.
    assert report.ignored_columns == ["Supporter ID", "Greeting in use", "Envelope name in use"]
    assert [(r.action, r.errors, r.changes) for r in report.rows] == [("skip", {}, {})] * 2
