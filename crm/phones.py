"""Phone numbers as people type them, understood with Google's libphonenumber (the
`phonenumbers` package): kept on the record as typed, compared in E.164 ('+12125550100')."""

import re

import phonenumbers
from django.core.exceptions import ValidationError

_NOT_DIGIT = re.compile(r"\D+")
# What a typed phone number may hold besides digits: '+1 (212) 555-0100 ext. 12'.
_PHONE_TEXT = re.compile(
    r"^(?P<number>[\d\s()+\-./]*?)\s*((ext|x|extension)\.?\s*\d+)?$", re.IGNORECASE
)
# Countries of the North American plan (+1), where a ten-digit number is always a full one.
NANP = frozenset({"US", "CA", "PR", "VI", "GU", "AS", "MP"})


def e164(text: str | None, country: str = "US") -> str:
    """'(212) 555-0100' -> '+12125550100', read in the record's country when it has no '+';
    '' when it cannot be a number there (too short, too long, or no such country)."""
    text = (text or "").strip()
    if not text:
        return ""
    country = (country or "US").upper()
    typed = _PHONE_TEXT.match(text)
    if country in NANP and typed and "+" not in text[1:]:
        # The library takes ~0.1 ms a number; a 20,000-row import's US numbers need no
        # more than this to reach the same answer (tests/crm/test_phones.py compares them).
        digits = _NOT_DIGIT.sub("", typed.group("number"))
        if len(digits) == 10 and not text.startswith("+"):
            return f"+1{digits}"
        if len(digits) == 11 and digits[0] == "1":
            return f"+{digits}"
    try:
        number = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        return ""
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible != phonenumbers.ValidationResult.IS_POSSIBLE:  # a local-only 555-0100 too
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_phone(text: str) -> str:
    """A phone cell, kept as typed; refused when it is not a phone number at all (a note,
    an email, a date), since the country that makes it a full number comes later."""
    typed = _PHONE_TEXT.match(text)
    digits = _NOT_DIGIT.sub("", typed.group("number")) if typed else ""
    if not 7 <= len(digits) <= 17:
        raise ValidationError(f"'{text}' is not a phone number, like (212) 555-0100.")
    return text
