"""Reading one spreadsheet row into supporter values: header names other donor systems use,
and the parsing of each cell with a plain-words message when it cannot be read."""

import datetime
import re
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from crm import matching

# Canonical field -> header spellings seen in exports from other donor systems
# (Little Green Light, Bloomerang, CiviCRM, Salesforce NPSP, Mailchimp) and hand-made sheets.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "kind": ("type", "kind", "constituent type", "record type", "contact type"),
    "title": ("title", "prefix", "honorific", "name prefix"),
    "first_name": ("first name", "first", "firstname", "given name", "fname", "first_name"),
    "last_name": ("last name", "last", "lastname", "surname", "family name", "lname", "last_name"),
    "preferred_name": ("preferred name", "nickname", "nick name", "known as", "goes by"),
    "partner_title": ("spouse title", "partner title", "spouse prefix"),
    "partner_first_name": ("spouse first name", "partner first name", "spouse first"),
    "partner_last_name": ("spouse last name", "partner last name", "spouse last"),
    "organisation_name": (
        "organization",
        "organisation",
        "organization name",
        "organisation name",
        "company",
        "company name",
        "employer",
        "org name",
    ),
    "salutation": ("salutation", "informal salutation", "greeting", "dear"),
    "formal_salutation": ("formal salutation", "formal greeting"),
    "addressee": ("addressee", "envelope name", "mailing name", "formal addressee"),
    "email": ("email", "e-mail", "email address", "e-mail address", "primary email", "email 1"),
    "phone": ("phone", "phone number", "telephone", "primary phone", "mobile", "cell", "phone 1"),
    "address_line1": (
        "address 1",
        "address1",
        "address line 1",
        "address",
        "street",
        "street address",
        "street 1",
        "mailing street",
        "primary address",
    ),
    "address_line2": ("address 2", "address2", "address line 2", "street 2", "apt", "suite"),
    "city": ("city", "town", "mailing city", "locality"),
    "region": ("state", "state/province", "province", "region", "mailing state", "st"),
    "postal_code": (
        "zip",
        "zip code",
        "zipcode",
        "postal code",
        "postcode",
        "zip/postal code",
        "mailing zip",
        "mailing zip/postal code",
        "postal",
    ),
    "country": ("country", "mailing country", "country code"),
    "preferred_language": ("language", "preferred language", "lang"),
    "tags": ("tags", "tag", "groups", "categories", "lists"),
    "source": ("source", "lead source", "origin", "how found"),
    "notes": ("notes", "note", "comments", "comment"),
    "deceased": ("deceased", "is deceased"),
    "email_opt_in": ("email opt-in", "email opt in", "opt-in", "opt in", "subscribed", "email ok"),
    "consent_source": ("consent source", "opt-in source", "consent", "opt in source"),
    "do_not_email": ("do not email", "do not e-mail", "no email", "email opt-out"),
    "do_not_mail": ("do not mail", "no mail", "do not send mail"),
    "do_not_contact": ("do not contact", "do not solicit", "no contact"),
}
_LOOKUP = {
    re.sub(r"[\s_]+", " ", alias): field
    for field, aliases in HEADER_ALIASES.items()
    for alias in aliases
}
COLUMN_LABELS: dict[str, str] = {
    field: aliases[0].title() if aliases[0] != "type" else "Type"
    for field, aliases in HEADER_ALIASES.items()
}
COLUMN_LABELS.update({"email": "Email", "address_line1": "Address 1", "postal_code": "Zip"})

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
_TRUE = {"yes", "y", "true", "t", "1", "x", "si", "sí"}
_FALSE = {"no", "n", "false", "f", "0", ""}
_OPT_IN = {"yes", "y", "true", "1", "opted in", "opted_in", "subscribed", "si", "sí"}
_OPT_OUT = {"no", "n", "false", "0", "opted out", "opted_out", "unsubscribed"}
# A phone number or a negative amount may start with + or -; a formula names a function.
_SIGNED_FORMULA = re.compile(r"^[+-].*[A-Za-z!|=]")


def field_for_header(header: str) -> str | None:
    return _LOOKUP.get(re.sub(r"[\s_]+", " ", str(header or "").strip().lower()))


def map_headers(headers: list[str]) -> tuple[dict[int, str], list[str], list[str]]:
    """Column index -> field, plus the headers not recognised and fields given twice."""
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    for index, header in enumerate(headers):
        field = field_for_header(header)
        if field is None:
            if str(header or "").strip():
                unknown.append(str(header))
        elif field in mapping.values():
            repeated.append(str(header))
        else:
            mapping[index] = field
    return mapping, unknown, repeated


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


def formula_error(text: str) -> str:
    if text.startswith(("=", "@")) or _SIGNED_FORMULA.match(text):
        shown = text if len(text) <= 30 else text[:27] + "..."
        return (
            f"'{shown}' looks like a spreadsheet formula, which is not imported. "
            "Type the value itself."
        )
    return ""


def parse_bool(text: str, label: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValidationError(f"{label}: '{text}' is not yes or no.")


def parse_opt_in(text: str) -> str:
    lowered = text.lower()
    if lowered in _OPT_IN:
        return "opted_in"
    if lowered in _OPT_OUT:
        return "opted_out"
    if lowered in ("", "unknown", "not asked"):
        return ""
    raise ValidationError(f"'{text}' is not yes or no.")


def parse_kind(text: str) -> str:
    lowered = text.lower()
    if lowered in ("", "person", "individual", "household", "persona"):
        return "person"
    if lowered in ("organisation", "organization", "org", "company", "business", "foundation"):
        return "organisation"
    raise ValidationError(f"'{text}' is not a type; use Person or Organization.")


def parse_language(text: str) -> str:
    lowered = text.lower()
    if lowered in ("en", "eng", "english", "inglés", "ingles"):
        return "en"
    if lowered in ("es", "spa", "spanish", "español", "espanol"):
        return "es"
    raise ValidationError(f"'{text}' is not a language we write in; use English or Spanish.")


# Stricter than Django's validator, so a match is certainly valid and the (slower, thorough)
# validator only runs for the unusual addresses; a 20,000-row import saves a quarter second.
_PLAIN_EMAIL = re.compile(
    r"^[a-z0-9_%+-]+(\.[a-z0-9_%+-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$"
)


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


PARSERS: dict[str, Callable[[str], object]] = {
    "kind": parse_kind,
    "email": parse_email,
    "preferred_language": parse_language,
    "country": parse_country,
    "email_opt_in": parse_opt_in,
    "tags": parse_tags,
    "deceased": lambda t: parse_bool(t, "Deceased"),
    "do_not_email": lambda t: parse_bool(t, "Do not email"),
    "do_not_mail": lambda t: parse_bool(t, "Do not mail"),
    "do_not_contact": lambda t: parse_bool(t, "Do not contact"),
}
MAX_LENGTHS = {
    "title": 20,
    "partner_title": 20,
    "first_name": 100,
    "last_name": 100,
    "preferred_name": 100,
    "partner_first_name": 100,
    "partner_last_name": 100,
    "organisation_name": 200,
    "salutation": 200,
    "formal_salutation": 200,
    "addressee": 200,
    "phone": 40,
    "address_line1": 200,
    "address_line2": 200,
    "city": 100,
    "region": 100,
    "postal_code": 20,
    "source": 100,
    "consent_source": 200,
}


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
