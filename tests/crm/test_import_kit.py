"""The import kit crm and donations share: one header map per kind of import, one way of
matching a row to a supporter, field widths read from the models, one refusal of formulas."""

import pytest

from crm.importing.headers import HeaderMap
from crm.importing.supporter_columns import MAX_LENGTHS, SUPPORTER_HEADERS
from crm.importing.supporters import supporters_import
from crm.models import Supporter
from donations.imports import columns as gift_columns
from donations.imports.gifts import gifts_import
from donations.models import Fund, Gift

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def default_fund(db):
    return Fund.objects.create(name="General", code="general", is_default=True)


def test_a_gift_sheet_reads_its_gift_columns_first_then_the_donors():
    mapping, unknown, repeated = gift_columns.HEADERS.map(
        ["FIRST_NAME", "Last Name", "Zip Code", "Amount", "Date", "Notes", "Tags", "Shoe size"]
    )
    assert list(mapping.values()) == [
        "first_name", "last_name", "postal_code", "amount", "received_on", "notes", "tags",
    ]  # fmt: skip
    assert unknown == ["Shoe size"]
    assert repeated == []
    assert SUPPORTER_HEADERS.field_for("Notes") == "notes"
    assert "notes" in gift_columns.GIFT_HEADERS, "a gift file's Notes is the gift's note"


def test_a_header_map_reports_a_column_given_twice():
    headers = HeaderMap({"email": ("email", "e-mail")})
    assert headers.map(["Email", "E-mail", "Shoe size"]) == (
        {0: "email"},
        ["Shoe size"],
        ["E-mail"],
    )


def _supporter_file(*rows):
    return supporters_import(
        headers=["First Name", "Last Name", "Email", "Zip"], rows=list(rows), dry_run=True
    )


def _gift_file(*rows):
    return gifts_import(
        headers=["First Name", "Last Name", "Email", "Zip", "Amount", "Date"],
        rows=list(rows),
        dry_run=True,
    )


def test_both_imports_find_the_same_supporter_for_the_same_person():
    no_email = Supporter.objects.create(first_name="Luis", last_name="López", postal_code="11368")
    with_email = Supporter.objects.create(
        first_name="Ana", last_name="Ruiz", email="ana@example.org", postal_code="10001"
    )
    people = [
        ["luis", "LOPEZ", "", "11368-1234"],
        ["Ana", "Ruiz", "ANA@example.org", ""],
    ]
    supporters = _supporter_file(*people)
    gifts = _gift_file(*[[*row, "25", "2026-03-02"] for row in people])
    expected = [no_email.pk, with_email.pk]
    assert [r.supporter_id for r in supporters.rows] == expected
    assert [r.supporter_id for r in gifts.rows] == expected


def test_a_namesake_under_another_email_is_another_person_in_both_imports():
    namesake = Supporter.objects.create(
        first_name="Ana", last_name="Ruiz", email="ana@example.org", postal_code="10001"
    )
    row = ["Ana", "Ruiz", "ana.ruiz@work.example", "10001"]
    supporters = _supporter_file(row)
    assert supporters.rows[0].action == "new", "a different email is a different person"
    gifts = _gift_file([*row, "25", "2026-03-02"])
    assert gifts.ok and gifts.rows[0].person.action == "new"
    assert gifts.rows[0].supporter_id is None and namesake.gifts.count() == 0


def test_two_records_of_one_name_are_refused_by_both_imports_naming_them():
    first = Supporter.objects.create(first_name="Luis", last_name="López", postal_code="11368")
    second = Supporter.objects.create(first_name="Luis", last_name="Lopez", postal_code="11368")
    row = ["Luis", "López", "", "11368"]
    ids = f"#{first.pk}, #{second.pk}"
    assert ids in _supporter_file(row).rows[0].errors["last_name"][0]
    assert ids in _gift_file([*row, "25", "2026-03-02"]).rows[0].errors["last_name"][0]


def test_text_widths_come_from_the_models():
    assert MAX_LENGTHS["postal_code"] == Supporter._meta.get_field("postal_code").max_length
    assert gift_columns.MAX_LENGTHS["cheque_number"] == (
        Gift._meta.get_field("cheque_number").max_length
    )
    limit = Gift._meta.get_field("cheque_number").max_length
    Supporter.objects.create(first_name="Ana", last_name="Ruiz", email="ana@example.org")
    report = gifts_import(
        headers=["Email", "Amount", "Date", "Check Number"],
        rows=[["ana@example.org", "25", "2026-03-02", "7" * (limit + 1)]],
        dry_run=True,
    )
    assert report.rows[0].errors["cheque_number"] == [
        f"is {limit + 1} characters long; at most {limit} fit."
    ]


def test_both_imports_refuse_a_formula_in_the_same_words():
    formula = '=HYPERLINK("http://evil.example","x")'
    supporters = _supporter_file(["Ana", formula, "", ""])
    gifts = _gift_file(["Ana", formula, "", "", "25", "2026-03-02"])
    assert supporters.rows[0].errors["last_name"] == gifts.rows[0].errors["last_name"]
    assert "looks like a spreadsheet formula" in supporters.rows[0].errors["last_name"][0]
