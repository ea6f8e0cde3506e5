"""Reading a spreadsheet cell, for any import: its text as staff meant it, and the parsers of
values every kind of import shares (yes/no, email, country, language, dates, text that must fit
its model field), each refusing with a message in plain words."""

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Model
from openpyxl.utils.datetime import from_excel

from crm import addresses, matching, phones

_TRUE = {"yes", "y", "true", "t", "1", "x", "si", "sí", "checked", "✓", "✔"}
_FALSE = {"no", "n", "false", "f", "0", "", "unchecked", "-"}
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%m-%d-%Y",
    "%m-%d-%y",
    "%m.%d.%Y",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
)
# A time after the date ('2025-03-14T10:22:00Z', '3/14/2025 10:22 AM'): the day is the date.
_TIME_OF_DAY = re.compile(
    r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([ap]\.?m\.?)?\s*(z|utc|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
_SEPT = re.compile(r"\bsept\b", re.IGNORECASE)
_ORDINAL = re.compile(r"(?<=\d)(st|nd|rd|th)\b", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})")
# A date kept as a spreadsheet's day number (45730 is 2025-03-14) when a CSV lost its format.
_SERIAL = re.compile(r"\d{5}(\.\d+)?")
# Stricter than Django's validator, so a match is certainly valid and the (slower, thorough)
# validator only runs for the unusual addresses; a 20,000-row import saves a quarter second.
_PLAIN_EMAIL = re.compile(
    r"^[a-z0-9_%+-]+(\.[a-z0-9_%+-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$"
)


def cell_text(value: object) -> str:
    """Spreadsheet cells arrive as str, int, float, Decimal or dates; staff mean the text."""
    if value.__class__ is str:  # the common case, kept fast: 20 cells a row
        text = value.strip()
        return " ".join(text.split()) if "  " in text and "\n" not in text else text
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()


def text_limits(model: type[Model]) -> dict[str, int]:
    """Each text field's max_length, read from the model so an import never keeps a copy."""
    return {
        f.name: f.max_length
        for f in model._meta.concrete_fields
        if getattr(f, "max_length", None) and f.get_internal_type() == "CharField"
    }


def check_length(text: str, limit: int | None) -> None:
    if limit and len(text) > limit:
        raise ValidationError(f"is {len(text)} characters long; at most {limit} fit.")


def parse_bool(text: str, label: str) -> bool:
    """Yes/No, Y/N, TRUE/FALSE, 1/0, an X in a box, or blank for no."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValidationError(f"{label}: '{text}' is not yes or no (Yes/No, Y/N, TRUE/FALSE, 1/0).")


def parse_language(text: str) -> str:
    lowered = text.lower()
    if lowered in ("en", "eng", "english", "inglés", "ingles"):
        return "en"
    if lowered in ("es", "spa", "spanish", "español", "espanol"):
        return "es"
    raise ValidationError(f"'{text}' is not a language we write in; use English or Spanish.")


def parse_email(text: str) -> str:
    email = matching.clean_email(text)
    if len(email) <= 254 and _PLAIN_EMAIL.match(email):
        return email
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(f"'{text}' is not a valid email address.") from None
    return email


# A phone cell of digits and punctuation only ('(212) 555-0100'), read without crm.phones'
# full pattern (which also takes 'ext. 12', and costs several times as much a number).
_PLAIN_PHONE = re.compile(r"[\d\s()+\-./]+")
_NOT_DIGIT = re.compile(r"\D+")


def parse_phone(text: str) -> str:
    """crm.phones.parse_phone, quicker for the usual cell: kept as typed, refused when it is
    not a phone number at all."""
    if _PLAIN_PHONE.fullmatch(text) and 7 <= len(_NOT_DIGIT.sub("", text)) <= 17:
        return text
    return phones.parse_phone(text)


def parse_country(text: str) -> str:
    """A country's name or code in English, Spanish or French ('Canada', 'CAN', 'México')."""
    return addresses.country_code(text)


def parse_tags(text: str) -> list[str]:
    return [t.strip() for t in re.split(r"[;,|]", text) if t.strip()]


def parse_date(cell: object, text: str) -> datetime.date:
    """A date as people and spreadsheets write it: a date or datetime cell, a spreadsheet's
    day number, ISO (2025-03-14), US (3/14/2025, 03-14-25) or words (March 14, 2025).
    Numbers are read month first; a date that cannot be month first is refused, not turned."""
    if isinstance(cell, datetime.datetime):
        day = cell.date()
    elif isinstance(cell, datetime.date):
        day = cell
    elif isinstance(cell, int | float | Decimal) and not isinstance(cell, bool):
        day = _serial_day(float(cell), text)
    elif _SERIAL.fullmatch(text):
        day = _serial_day(float(text), text)
    else:
        day = _text_day(text)
    if day.year < 1900:
        raise ValidationError(f"{day:%Y-%m-%d} is too long ago to be a gift date.")
    return day


def _is_day(day: int, month: int, year: int) -> bool:
    try:
        datetime.date(year if year > 99 else 2000 + year, month, day)
    except ValueError:
        return False
    return True


def _serial_day(serial: float, text: str) -> datetime.date:
    if not 1 <= serial < 2958466:  # Excel's own range, 1900-01-01 to 9999-12-31
        raise ValidationError(f"'{text}' is not a date; use 2025-03-14 or 03/14/2025.")
    return from_excel(serial).date()


def _text_day(text: str) -> datetime.date:
    cleaned = _TIME_OF_DAY.sub("", text.strip())
    if any(c.isalpha() for c in cleaned):  # 'Mar. 14th, 2025', 'Sept 14, 2025'
        cleaned = _ORDINAL.sub("", cleaned).replace(".", "")
        cleaned = _SEPT.sub("Sep", cleaned)
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(cleaned, pattern).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    numeric = _NUMERIC_DATE.fullmatch(cleaned)
    if numeric and int(numeric.group(1)) > 12 and _is_day(*map(int, numeric.groups())):
        raise ValidationError(
            f"'{text}' puts the day first; this importer reads dates the US way, month first. "
            "Write it as 2025-03-14, or set the column's format to month/day/year."
        )
    raise ValidationError(
        f"'{text}' is not a date this importer reads; use 2025-03-14 or 03/14/2025."
    )


def normalise_address(
    values: dict[str, object],
    errors: dict[str, list[str]],
    *,
    guess_country: bool,
    memo: dict[tuple, tuple] | None = None,
) -> bool:
    """Region and postal code in their country's printed form ('Québec' -> 'QC', 'h2x1y4' ->
    'H2X 1Y4', a ZIP that lost its leading zero in Excel gets it back). With `guess_country`
    (the file gave none), an address that is plainly another country's ('QC', 'H2X 1Y4') is
    taken to be there; True when that happened. `memo` keeps the answers for one file."""
    region = str(values.get("region", "") or "")
    postal = str(values.get("postal_code", "") or "")
    if not (region or postal):
        return False
    country = str(values.get("country") or addresses.home_country())
    key = (country, region, postal, guess_country)
    found = memo.get(key) if memo is not None else None
    if found is None:
        found = _address_form(country, region, postal, guess_country)
        if memo is not None:
            memo[key] = found
    guessed, region_form, postal_form, problems = found
    if guessed:
        values["country"] = guessed
    if region:
        values["region"] = region_form
    if postal:
        values["postal_code"] = postal_form
    for name, message in problems:
        errors.setdefault(name, []).append(message)
    return guessed is not None


def _address_form(
    country: str, region: str, postal: str, guess_country: bool
) -> tuple[str | None, str, str, tuple[tuple[str, str], ...]]:
    """(the country guessed or None, region, postal code, problems) for normalise_address."""
    result = addresses.normalise(
        country=country, region=region, postal_code=postal, from_spreadsheet=True
    )
    guessed = None
    if result.errors and guess_country:
        guessed = addresses.guess_country(region, postal)
        if guessed:
            result = addresses.normalise(
                country=guessed, region=region, postal_code=postal, from_spreadsheet=True
            )
    return guessed, result.region, result.postal_code, tuple(result.errors.items())
