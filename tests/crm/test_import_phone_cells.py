"""The import reads a phone cell with a quick pattern for the usual digits-and-punctuation
cell; it keeps and refuses exactly what crm.phones.parse_phone does."""

import pytest
from django.core.exceptions import ValidationError

from crm import phones
from crm.importing.cells import parse_phone

CELLS = [
    "(212) 555-0100",
    "212.555.0100",
    " 212 555 0100 ",
    "+1 212 555 0100 ext. 12",
    "212-555-0100 x5",
    "+44 20 7946 0958",
    "555-0100",
    "12",
    "12345678901234567890",
    "call me",
    "ana@example.org",
    "2025-03-14",
    "١٢٣٤٥٦٧٨",  # Arabic-Indic digits: \\d in both patterns
]


def _read(parse, text: str):
    try:
        return parse(text)
    except ValidationError as exc:
        return ("refused", exc.messages[0])


@pytest.mark.parametrize("text", CELLS)
def test_the_import_reads_a_phone_cell_as_crm_phones_does(text):
    assert _read(parse_phone, text) == _read(phones.parse_phone, text)


def test_a_cell_that_is_no_phone_number_is_refused_in_plain_words():
    with pytest.raises(ValidationError, match="is not a phone number"):
        parse_phone("555-01")
