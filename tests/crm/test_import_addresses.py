"""Supporter import of addresses beyond the US: Montréal and London rows import with their
fields in printed form, and a file with no country column is read by its addresses."""

import pytest

from crm.importing.supporters import supporters_import
from crm.models import Supporter

pytestmark = pytest.mark.django_db


def run(headers, rows, dry_run=False):
    return supporters_import(headers=headers, rows=rows, dry_run=dry_run)


def test_montreal_and_london_rows_import_with_formatted_fields():
    headers = ["First Name", "Last Name", "Email", "Address 1", "City", "State", "Zip", "Country"]
    rows = [
        ["Élise", "Tremblay", "elise@example.org", "123 Rue Saint-Denis", "Montréal", "Québec",
         "h2x1y4", "Canada"],
        ["Tom", "Hughes", "tom@example.org", "10 Downing St", "London", "", "sw1a2aa", "UK"],
        ["Di", "Ruiz", "di@example.org", "Av. Juárez 123", "Guadalajara", "Jalisco", "44100",
         "México"],
    ]  # fmt: skip
    report = run(headers, rows)
    assert report.ok and report.written, [r.errors for r in report.rows]
    elise = Supporter.objects.get(email="elise@example.org")
    assert (elise.region, elise.postal_code, elise.country) == ("QC", "H2X 1Y4", "CA")
    assert elise.address_lines[-2:] == ["MONTRÉAL QC  H2X 1Y4", "CANADA"]
    tom = Supporter.objects.get(email="tom@example.org")
    assert (tom.postal_code, tom.country) == ("SW1A 2AA", "GB")
    di = Supporter.objects.get(email="di@example.org")
    assert (di.region, di.postal_code, di.country) == ("Jal.", "44100", "MX")
    assert run(headers, rows).totals == {"skip": 3}, "a second import changes nothing"


def test_a_file_without_a_country_column_is_read_by_its_addresses():
    # The shape of a CanadaHelps export (its 'DONOR ...' header names are recognised elsewhere).
    headers = ["First Name", "Last Name", "Email", "Address 1", "City", "State/Province",
               "Postal Code"]  # fmt: skip
    rows = [
        ["Élise", "Tremblay", "elise@example.org", "123 Rue Saint-Denis", "Montréal", "QC",
         "H2X 1Y4"],
        ["Maria", "Lopez", "maria@example.org", "12 Main St", "Bronx", "NY", "10451"],
    ]  # fmt: skip
    report = run(headers, rows)
    assert report.ok and report.written, [r.errors for r in report.rows]
    elise = Supporter.objects.get(email="elise@example.org")
    assert (elise.region, elise.postal_code, elise.country) == ("QC", "H2X 1Y4", "CA")
    assert Supporter.objects.get(email="maria@example.org").country == "US"


def test_a_bad_postal_code_refuses_the_row_in_plain_words():
    headers = ["First Name", "Last Name", "City", "State", "Zip", "Country"]
    report = run(headers, [["Élise", "Tremblay", "Montréal", "QC", "H2X", "CA"]], dry_run=True)
    [row] = report.rows
    assert row.action == "invalid"
    assert row.errors["postal_code"] == [
        "'H2X' is not a Canadian postal code (like H3Z 2Y7 or V8X 3X4)."
    ]
