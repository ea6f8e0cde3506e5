"""Normalisation used to match imported rows to supporters and to find duplicates.

Pure functions: the same keys are computed on save, by the importer for a whole batch,
and by the duplicate finder, so all three always agree.
"""

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from core.outbox.addresses import email_hash
from crm import phones

US_REGIONS = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "DC",
        "PR",
        "VI",
        "GU",
        "AS",
        "MP",
        "AA",
        "AE",
        "AP",
    ]
)
_US_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
_NOT_ALNUM = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")
_ZIP_PLUS_4 = re.compile(r"\d{5}-?\d{4}")
_NOT_DIGIT = re.compile(r"\D+")
# Providers that ignore dots in the local part, so j.doe@ and jdoe@ reach one inbox.
_DOTLESS_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def clean_email(email: str | None) -> str:
    """The stored form: trimmed and lower-cased (addresses are matched case-insensitively)."""
    return (email or "").strip().lower()


def email_key(email: str | None) -> str:
    """The inbox an address reaches: without '+tags', and without dots for Gmail."""
    email = clean_email(email)
    if "@" not in email:
        return email
    local, _, domain = email.rpartition("@")
    local = local.split("+", 1)[0]
    if domain in _DOTLESS_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


# Pure functions of one string, asked again and again for the same names and codes by an
# import (a file's rows, then the stored records they are matched against): remembered.
@lru_cache(maxsize=65_536)
def fold(text: str | None) -> str:
    """Lower case, no accents, no punctuation, single spaces: 'José  O'Neil' -> 'jose oneil'."""
    text = text or ""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower()
    text = _NOT_ALNUM.sub("", text.replace("-", " "))
    return _SPACES.sub(" ", text).strip()


def name_key(
    *, first_name: str = "", last_name: str = "", organisation_name: str = "", kind: str = "person"
) -> str:
    if kind == "organisation":
        return fold(organisation_name)
    return fold(f"{first_name} {last_name}")


@lru_cache(maxsize=65_536)
def postal_key(postal_code: str | None) -> str:
    """US ZIP+4 matches its five-digit ZIP; other codes lose spaces and case."""
    code = (postal_code or "").strip().upper().replace(" ", "")
    if _ZIP_PLUS_4.fullmatch(code):
        return code[:5]
    return code


def phone_key(phone: str | None, country: str = "US") -> str:
    """E.164, read in the record's country, so '+1 (212) 555-0100' and '212.555.0100' agree;
    a number the phone library cannot place keeps its last ten digits, still comparable."""
    if key := phones.e164(phone, country):
        return key
    digits = _NOT_DIGIT.sub("", phone or "")
    return digits[-10:] if len(digits) >= 7 else ""


def match_keys(
    *,
    email: str,
    first_name: str,
    last_name: str,
    organisation_name: str,
    kind: str,
    postal_code: str,
    phone: str,
    country: str = "US",
    phone_2: str = "",
) -> tuple[str, str, str, str]:
    """A second phone stands in for the first when that is blank, so a record whose only
    number came in as 'Phone2' still meets its namesakes by phone."""
    return (
        email_key(email),
        name_key(
            first_name=first_name,
            last_name=last_name,
            organisation_name=organisation_name,
            kind=kind,
        ),
        postal_key(postal_code),
        phone_key(phone or phone_2, country),
    )


def record_keys(record: Mapping[str, Any]) -> dict[str, str]:
    """The derived columns of a supporter written in bulk, from its fields by attname (blank
    when absent): the four match keys and the email's hash, as Supporter.save sets them."""
    email = record.get("email") or ""
    match_email, match_name, match_postal, match_phone = match_keys(
        email=email,
        first_name=record.get("first_name") or "",
        last_name=record.get("last_name") or "",
        organisation_name=record.get("organisation_name") or "",
        kind=record.get("kind") or "person",
        postal_code=record.get("postal_code") or "",
        phone=record.get("phone") or "",
        country=record.get("country") or "US",
        phone_2=record.get("phone_2") or "",
    )
    return {
        "match_email": match_email,
        "match_name": match_name,
        "match_postal": match_postal,
        "match_phone": match_phone,
        "email_hash": email_hash(email),
    }


def us_zip_error(postal_code: str) -> str:
    if postal_code and not _US_ZIP.match(postal_code.strip()):
        return f"'{postal_code}' is not a US ZIP code; use 5 digits (10001) or ZIP+4 (10001-1234)."
    return ""
