"""Addresses by their country's rules: countries and regions as people write them, postal codes
in their printed form, refusals in plain words, and envelope lines as each post reads them."""

import pytest
from django.core.exceptions import ValidationError

from crm import addresses


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Canada", "CA"), ("CA", "CA"), ("CAN", "CA"), ("canadá", "CA"),
        ("México", "MX"), ("Mexico", "MX"), ("MEX", "MX"),
        ("UK", "GB"), ("United Kingdom", "GB"), ("England", "GB"), ("Reino Unido", "GB"),
        ("USA", "US"), ("U.S.A.", "US"), ("United States of America", "US"),
        ("Estados Unidos", "US"), ("Allemagne", "DE"),
        ("", "US"),
    ],
)  # fmt: skip
def test_it_reads_a_country_from_its_name_or_code(typed, code):
    assert addresses.country_code(typed) == code


def test_an_unknown_country_is_refused_in_plain_words():
    with pytest.raises(ValidationError, match="'Narnia' is not a country we know"):
        addresses.country_code("Narnia")


@pytest.mark.parametrize(
    ("country", "region", "postal", "want_region", "want_postal"),
    [
        ("US", "New York", "10451", "NY", "10451"),
        ("US", "nj", "7102", "NJ", "07102"),  # Excel dropped the leading zero
        ("US", "NY", "113681234", "NY", "11368-1234"),  # ZIP+4
        ("CA", "Quebec", "h2x1y4", "QC", "H2X 1Y4"),
        ("CA", "Québec", "H2X 1Y4", "QC", "H2X 1Y4"),
        ("CA", "ontario", "m5v 3l9", "ON", "M5V 3L9"),
        ("MX", "Jalisco", "44100", "Jal.", "44100"),
        ("MX", "JAL", "44100", "Jal.", "44100"),  # the ISO code
        ("MX", "Ciudad de México", "6600", "CDMX", "06600"),
        ("GB", "", "sw1a1aa", "", "SW1A 1AA"),
        ("GB", "Greater London", "w1a 1aa", "Greater London", "W1A 1AA"),
        ("DE", "", "10115", "", "10115"),
        ("NL", "", "1234ab", "", "1234 AB"),
    ],
)  # fmt: skip
def test_it_normalises_region_and_postal_code_by_country(
    country, region, postal, want_region, want_postal
):
    result = addresses.normalise(
        country=country, region=region, postal_code=postal, from_spreadsheet=True
    )
    assert result.errors == {}
    assert (result.region, result.postal_code) == (want_region, want_postal)


@pytest.mark.parametrize(
    ("country", "region", "postal", "field", "message"),
    [
        ("US", "QC", "10451", "region", "'QC' is not a US state (like AL or Alabama)."),
        ("US", "NY", "1045", "postal_code",
         "'1045' is not a US ZIP code (like 95014 or 22162-1010)."),  # typed, not from Excel
        ("US", "NY", "104511", "postal_code",
         "'104511' is not a US ZIP code (like 95014 or 22162-1010)."),
        ("CA", "QC", "H2X", "postal_code",
         "'H2X' is not a Canadian postal code (like H3Z 2Y7 or V8X 3X4)."),
        ("CA", "Texas", "H2X 1Y4", "region", "'Texas' is not a Canadian province"),
        ("MX", "Jalisco", "4410A", "postal_code", "'4410A' is not a Mexican postal code"),
        ("GB", "", "12345", "postal_code", "'12345' is not a UK postal code (like EC1Y 8SY"),
        ("DE", "", "ABC", "postal_code", "'ABC' is not a postal code in Germany (like"),
    ],
)  # fmt: skip
def test_it_says_what_is_wrong_in_plain_words(country, region, postal, field, message):
    result = addresses.normalise(country=country, region=region, postal_code=postal)
    assert list(result.errors) == [field]
    assert result.errors[field].startswith(message)


def test_a_street_address_without_the_parts_its_post_needs_is_incomplete():
    result = addresses.normalise(country="CA", line1="123 Rue Saint-Denis", city="Montréal")
    assert result.missing == {
        "region": "A Canadian address needs a province.",
        "postal_code": "A Canadian address needs a postal code.",
    }
    assert (
        not addresses.normalise(country="GB", line1="10 Downing St", city="London")
        .missing["postal_code"]
        .startswith("A Canadian")
    )


def test_a_file_without_a_country_is_read_by_its_address():
    assert addresses.guess_country("QC", "H2X 1Y4") == "CA"
    assert addresses.guess_country("Jalisco", "44100") == "MX"
    assert addresses.guess_country("QC", "11368") is None, "a province with a ZIP is no country"


def test_a_letter_to_montreal_is_laid_out_as_canada_post_expects():
    lines = addresses.address_lines(
        line1="123 Rue Saint-Denis", line2="App. 4", city="Montréal", region="QC",
        postal_code="H2X 1Y4", country="CA",
    )  # fmt: skip
    assert lines == ["123 Rue Saint-Denis", "App. 4", "MONTRÉAL QC  H2X 1Y4", "CANADA"]


@pytest.mark.parametrize(
    ("parts", "lines"),
    [
        ({"city": "Corona", "region": "NY", "postal_code": "11368", "country": "US"},
         ["3 Elm St", "CORONA, NY 11368"]),  # domestic: no country line
        ({"city": "London", "region": "Greater London", "postal_code": "SW1A 2AA",
          "country": "GB"}, ["3 Elm St", "LONDON", "SW1A 2AA", "UNITED KINGDOM"]),
        ({"city": "Guadalajara", "region": "Jal.", "postal_code": "44100", "country": "MX"},
         ["3 Elm St", "44100 GUADALAJARA, JAL.", "MEXICO"]),
        ({"city": "Berlin", "postal_code": "10115", "country": "DE"},
         ["3 Elm St", "10115 BERLIN", "GERMANY"]),
        ({"city": "", "region": "NY", "postal_code": "11368", "country": "US"},
         ["3 Elm St", "NY 11368"]),
    ],
)  # fmt: skip
def test_envelope_lines_follow_the_destination(parts, lines):
    assert addresses.address_lines(line1="3 Elm St", **parts) == lines


def test_the_organisation_country_decides_what_is_domestic(settings):
    settings.ORGANISATION_COUNTRY = "CA"
    assert addresses.country_code("") == "CA"
    montreal = addresses.address_lines(
        line1="1 Rue X", city="Montréal", region="QC", postal_code="H2X 1Y4", country="CA"
    )
    assert montreal[-1] == "MONTRÉAL QC  H2X 1Y4"
    queens = addresses.address_lines(
        line1="3 Elm St", city="Corona", region="NY", postal_code="11368", country="US"
    )
    assert queens[-1] == "UNITED STATES"
