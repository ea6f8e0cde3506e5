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

from crm import matching

US_STATE_NAMES = {
    "alabama": "AL",
    "alaska": "AK",
    "arizona": "AZ",
    "arkansas": "AR",
    "california": "CA",
    "colorado": "CO",
    "connecticut": "CT",
    "delaware": "DE",
    "florida": "FL",
    "georgia": "GA",
    "hawaii": "HI",
    "idaho": "ID",
    "illinois": "IL",
    "indiana": "IN",
    "iowa": "IA",
    "kansas": "KS",
    "kentucky": "KY",
    "louisiana": "LA",
    "maine": "ME",
    "maryland": "MD",
    "massachusetts": "MA",
    "michigan": "MI",
    "minnesota": "MN",
    "mississippi": "MS",
    "missouri": "MO",
    "montana": "MT",
    "nebraska": "NE",
    "nevada": "NV",
    "new hampshire": "NH",
    "new jersey": "NJ",
    "new mexico": "NM",
    "new york": "NY",
    "north carolina": "NC",
    "north dakota": "ND",
    "ohio": "OH",
    "oklahoma": "OK",
    "oregon": "OR",
    "pennsylvania": "PA",
    "rhode island": "RI",
    "south carolina": "SC",
    "south dakota": "SD",
    "tennessee": "TN",
    "texas": "TX",
    "utah": "UT",
    "vermont": "VT",
    "virginia": "VA",
    "washington": "WA",
    "west virginia": "WV",
    "wisconsin": "WI",
    "wyoming": "WY",
    "district of columbia": "DC",
    "puerto rico": "PR",
}
COUNTRY_NAMES = {
    "usa": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "united states": "US",
    "united states of america": "US",
    "mexico": "MX",
    "méxico": "MX",
    "canada": "CA",
    "united kingdom": "GB",
    "uk": "GB",
    "guatemala": "GT",
    "el salvador": "SV",
    "honduras": "HN",
    "dominican republic": "DO",
    "colombia": "CO",
    "ecuador": "EC",
    "spain": "ES",
    "españa": "ES",
    "germany": "DE",
    "france": "FR",
    "haiti": "HT",
}
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


def parse_country(text: str) -> str:
    code = COUNTRY_NAMES.get(text.lower(), text.upper())
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise ValidationError(f"'{text}' is not a country; use a two-letter code such as US or MX.")
    return code


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


def normalise_us_address(values: dict[str, object], errors: dict[str, list[str]]) -> None:
    """State names become codes; ZIPs that lost their leading zero in Excel get it back."""
    region = str(values.get("region", "") or "")
    if region:
        region = US_STATE_NAMES.get(region.lower(), region.upper())
        values["region"] = region
        if message := matching.us_region_error(region):
            errors.setdefault("region", []).append(message)
    postal = str(values.get("postal_code", "") or "")
    if postal:
        if re.fullmatch(r"\d{3,4}", postal):
            postal = postal.zfill(5)
        elif re.fullmatch(r"\d{9}", postal):
            postal = f"{postal[:5]}-{postal[5:]}"
        values["postal_code"] = postal
        if message := matching.us_zip_error(postal):
            errors.setdefault("postal_code", []).append(message)
