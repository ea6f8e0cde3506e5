"""Reading a spreadsheet cell, for any import: its text as staff meant it, and the parsers of
values every kind of import shares (yes/no, email, country, language, dates, text that must fit
its model field), each refusing with a message in plain words."""

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Model

from crm import addresses, matching

_TRUE = {"yes", "y", "true", "t", "1", "x", "si", "sí"}
_FALSE = {"no", "n", "false", "f", "0", ""}
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%m-%d-%Y",
    "%d %B %Y",
    "%B %d, %Y",
    "%b %d, %Y",
)
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
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValidationError(f"{label}: '{text}' is not yes or no.")


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
    """A country's name or code in English, Spanish or French ('Canada', 'CAN', 'México')."""
    return addresses.country_code(text)


def parse_tags(text: str) -> list[str]:
    return [t.strip() for t in re.split(r"[;,|]", text) if t.strip()]


def parse_date(cell: object, text: str) -> datetime.date:
    """A date cell as a spreadsheet stores it, or its text in the US or ISO forms."""
    if isinstance(cell, datetime.datetime):
        day = cell.date()
    elif isinstance(cell, datetime.date):
        day = cell
    else:
        day = None
        for pattern in _DATE_FORMATS:
            try:
                day = datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date
                break
            except ValueError:
                continue
        if day is None:
            raise ValidationError(
                f"'{text}' is not a date this importer reads; use 2026-03-31 or 03/31/2026."
            )
    if day.year < 1900:
        raise ValidationError(f"{day:%Y-%m-%d} is too long ago to be a gift date.")
    return day


def normalise_address(
    values: dict[str, object], errors: dict[str, list[str]], *, guess_country: bool
) -> bool:
    """Region and postal code in their country's printed form ('Québec' -> 'QC', 'h2x1y4' ->
    'H2X 1Y4', a ZIP that lost its leading zero in Excel gets it back). With `guess_country`
    (the file gave none), an address that is plainly another country's ('QC', 'H2X 1Y4') is
    taken to be there; True when that happened."""
    region = str(values.get("region", "") or "")
    postal = str(values.get("postal_code", "") or "")
    if not (region or postal):
        return False
    country = str(values.get("country") or addresses.home_country())
    result = addresses.normalise(
        country=country, region=region, postal_code=postal, from_spreadsheet=True
    )
    guessed = None
    if result.errors and guess_country:
        guessed = addresses.guess_country(region, postal)
        if guessed:
            values["country"] = guessed
            result = addresses.normalise(
                country=guessed, region=region, postal_code=postal, from_spreadsheet=True
            )
    if region:
        values["region"] = result.region
    if postal:
        values["postal_code"] = result.postal_code
    for name, message in result.errors.items():
        errors.setdefault(name, []).append(message)
    return guessed is not None
