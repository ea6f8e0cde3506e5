"""Values written as people do in the files they bring from other systems (issue 14): names
and couples, phones, dates and flags, each cell parser table by table. The headers are in
test_import_headers.py."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from crm import phones
from crm.greetings import Names, addressee, display_name, formal_salutation, informal_salutation
from crm.importing import cells, names
from crm.importing.supporter_columns import complete_row
from crm.matching import phone_key


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            {"title": "Mr. & Mrs.", "first_name": "Luis & Ana", "last_name": "Ramírez"},
            {
                "title": "Mr.",
                "partner_title": "Mrs.",
                "first_name": "Luis",
                "partner_first_name": "Ana",
                "last_name": "Ramírez",
            },
        ),
        (
            {"first_name": "Luis and Ana", "last_name": "Ramírez"},
            {"first_name": "Luis", "partner_first_name": "Ana", "last_name": "Ramírez"},
        ),
        (
            {"first_name": "Luis y Ana María", "last_name": "Ramírez"},
            {"first_name": "Luis", "partner_first_name": "Ana María", "last_name": "Ramírez"},
        ),
        (
            {"title": "Dr. and Mr.", "first_name": "Ana&Luis", "last_name": "Ruiz"},
            {
                "title": "Dr.",
                "partner_title": "Mr.",
                "first_name": "Ana",
                "partner_first_name": "Luis",
                "last_name": "Ruiz",
            },
        ),
        (  # a couple written the old way: the title stays whole on the envelope
            {"title": "Mr. & Mrs.", "first_name": "John", "last_name": "Smith"},
            {"title": "Mr. & Mrs.", "first_name": "John", "last_name": "Smith"},
        ),
        (
            {"title": "Mr./Mrs.", "first_name": "John", "partner_first_name": "Jane"},
            {
                "title": "Mr.",
                "partner_title": "Mrs.",
                "first_name": "John",
                "partner_first_name": "Jane",
            },
        ),
        (
            {"first_name": "John", "middle_name": "Andrew", "last_name": "Smith, Jr."},
            {"first_name": "John", "middle_name": "Andrew", "last_name": "Smith", "suffix": "Jr."},
        ),
        (
            {"first_name": "Ann", "last_name": "Lee III"},
            {"first_name": "Ann", "last_name": "Lee", "suffix": "III"},
        ),
        (  # a suffix column wins; the last name is left as typed
            {"last_name": "Smith Jr.", "suffix": "Sr."},
            {"last_name": "Smith Jr.", "suffix": "Sr."},
        ),
        (
            {"first_name": "Alexandra", "last_name": "Sanders"},  # 'and' inside a name
            {"first_name": "Alexandra", "last_name": "Sanders"},
        ),
    ],
)
def test_names_are_read_as_people_write_them(row, expected):
    errors: dict[str, list[str]] = {}
    complete_row(row, errors)
    assert errors == {}
    assert row == expected


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ({"first_name": "Luis, Ana & Sofía"}, "first_name", "more than two people"),
        ({"first_name": "Luis &"}, "first_name", "half of a couple"),
        (
            {"first_name": "Luis & Ana", "partner_first_name": "Sofía"},
            "first_name",
            "also gives a spouse ('Sofía')",
        ),
    ],
)
def test_names_that_cannot_be_read_without_guessing_are_refused(row, field, words):
    errors: dict[str, list[str]] = {}
    complete_row(row, errors)
    assert words in errors[field][0]


def test_a_couple_in_one_first_name_is_never_addressed_mr_and_mrs_luis_and_ana():
    row = {"title": "Mr. & Mrs.", "first_name": "Luis & Ana", "last_name": "Ramírez"}
    names.complete_names(row)
    couple = Names(**row)
    assert addressee(couple) == "Luis and Ana Ramírez"
    assert formal_salutation(couple) == "Mr. and Mrs. Ramírez"
    assert informal_salutation(couple) == "Luis and Ana"
    # The same names typed by hand into the record's first-name field, title and all.
    typed = Names(title="Mr. & Mrs.", first_name="Luis & Ana", last_name="Ramírez")
    assert addressee(typed) == "Luis & Ana Ramírez"


@pytest.mark.parametrize(
    ("names_", "envelope", "shown", "formal"),
    [
        (
            Names(
                title="Mr.",
                first_name="John",
                middle_name="andrew",
                last_name="Smith",
                suffix="Jr.",
            ),  # fmt: skip
            "Mr. John A. Smith Jr.",
            "John Smith Jr.",
            "Mr. Smith",
        ),
        (
            Names(first_name="John", last_name="Smith", suffix="III", partner_first_name="Jane"),
            "John and Jane Smith III",
            "John and Jane Smith III",
            "John Smith and Jane Smith",
        ),
        (Names(title="Dr.", last_name="Lee", suffix="PhD"), "Dr. Lee PhD", "Lee PhD", "Dr. Lee"),
    ],
)
def test_middle_names_and_suffixes_are_used_on_envelopes(names_, envelope, shown, formal):
    assert addressee(names_) == envelope
    assert display_name(names_) == shown
    assert formal_salutation(names_) == formal


@pytest.mark.parametrize(
    ("typed", "country", "key"),
    [
        ("(212) 555-0100", "US", "+12125550100"),
        ("212.555.0100", "US", "+12125550100"),
        ("+1 212 555 0100", "US", "+12125550100"),
        ("1-212-555-0100", "US", "+12125550100"),
        ("212-555-0100 ext. 12", "US", "+12125550100"),
        ("514 555 0199", "CA", "+15145550199"),
        ("55 1234 5678", "MX", "+525512345678"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("+44 20 7946 0958", "US", "+442079460958"),  # a '+' number is read whatever the country
        ("555-0100", "US", ""),  # no area code: not a whole number
        ("", "US", ""),
    ],
)
def test_phones_are_understood_in_e164(typed, country, key):
    assert phones.e164(typed, country) == key


@pytest.mark.parametrize(
    "typed",
    ["(212) 555-0100", "212.555.0100", "+1 212 555 0100", "1 (212) 555-0100 x5", "2125550100"],
)
def test_the_quick_path_for_north_american_numbers_agrees_with_the_library(typed):
    import phonenumbers

    library = phonenumbers.format_number(
        phonenumbers.parse(typed, "US"), phonenumbers.PhoneNumberFormat.E164
    )
    assert phones.e164(typed, "US") == library


def test_the_match_key_is_e164_in_the_records_country_or_the_digits_it_has():
    assert phone_key("(212) 555-0100") == phone_key("+1 212-555-0100") == "+12125550100"
    assert phone_key("020 7946 0958", "GB") == "+442079460958"
    assert phone_key("555-0100 1234", "XX") == "55501001234"[-10:]  # no such country: digits


@pytest.mark.parametrize("typed", ["(212) 555-0100", "+52 55 1234 5678", "212-555-0100 x12"])
def test_a_phone_cell_is_kept_as_typed(typed):
    assert phones.parse_phone(typed) == typed


@pytest.mark.parametrize("typed", ["call after 5", "ana@example.org", "12-34", "n/a"])
def test_a_phone_cell_that_is_no_phone_is_refused_in_plain_words(typed):
    with pytest.raises(ValidationError, match="is not a phone number"):
        phones.parse_phone(typed)


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("2025-03-14", datetime.date(2025, 3, 14)),
        ("2025/03/14", datetime.date(2025, 3, 14)),
        ("3/14/2025", datetime.date(2025, 3, 14)),
        ("03/04/2025", datetime.date(2025, 3, 4)),  # could be either: read the US way
        ("03-14-25", datetime.date(2025, 3, 14)),
        ("3/14/25", datetime.date(2025, 3, 14)),
        ("March 14, 2025", datetime.date(2025, 3, 14)),
        ("Mar. 14th, 2025", datetime.date(2025, 3, 14)),
        ("Sept 2, 2025", datetime.date(2025, 9, 2)),
        ("September 2, 2025", datetime.date(2025, 9, 2)),
        ("14 March 2025", datetime.date(2025, 3, 14)),
        ("2025-03-14T10:22:00Z", datetime.date(2025, 3, 14)),
        ("3/14/2025 10:22 AM", datetime.date(2025, 3, 14)),
        ("45730", datetime.date(2025, 3, 14)),  # a spreadsheet's day number, in a CSV
        (45730, datetime.date(2025, 3, 14)),
        (45730.75, datetime.date(2025, 3, 14)),
        (Decimal("45730"), datetime.date(2025, 3, 14)),
        (datetime.datetime(2025, 3, 14, 23, 59), datetime.date(2025, 3, 14)),  # noqa: DTZ001 - a cell
        (datetime.date(2025, 3, 14), datetime.date(2025, 3, 14)),
    ],
)
def test_dates_are_read_as_people_and_spreadsheets_write_them(cell, day):
    assert cells.parse_date(cell, cells.cell_text(cell)) == day


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("14/03/2025", "puts the day first"),
        ("31/12/2025", "puts the day first"),
        ("13/13/2025", "is not a date"),
        ("31/02/2026", "is not a date"),  # no such day either way
        ("soon", "is not a date"),
        ("1/1/1850", "too long ago"),
    ],
)
def test_dates_that_cannot_be_month_first_are_refused_not_turned(text, words):
    with pytest.raises(ValidationError, match=words):
        cells.parse_date(text, text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Yes", True),
        ("y", True),
        ("TRUE", True),
        ("1", True),
        ("X", True),
        ("x", True),
        ("No", False),
        ("N", False),
        ("FALSE", False),
        ("0", False),
        ("", False),
    ],
)
def test_flags_are_read_as_people_write_them(text, value):
    assert cells.parse_bool(text, "Deceased") is value


def test_a_flag_that_is_neither_is_refused_naming_the_column():
    with pytest.raises(ValidationError, match="Deceased: 'maybe' is not yes or no"):
        cells.parse_bool("maybe", "Deceased")
