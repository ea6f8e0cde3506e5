"""Reading values out of Stripe objects: money, dates, attribution, the donor, tributes."""

import datetime
import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from crm.selectors import supporter_current
from crm.services import supporter_find_or_create_by_email
from donations import reference

ZERO_DECIMAL_CURRENCIES = {"jpy", "krw", "vnd", "clp", "pyg", "ugx", "xaf", "xof"}


# No Stripe object was created before this (Stripe took its first payments in 2010).
EARLIEST = datetime.datetime(2010, 1, 1, tzinfo=datetime.UTC)
# How far ahead of our clock a time Stripe says has happened may be (clock drift).
PAST_AHEAD = datetime.timedelta(days=1)
# How far ahead a billing period may end: Stripe allows trials of two years and intervals
# of three; ten years leaves room without letting year 33658 through.
PERIOD_AHEAD = datetime.timedelta(days=3660)
STRIPE_ID_LENGTH = 255  # the columns holding Stripe's ids
METADATA_VALUE_LENGTH = 500  # Stripe's own limit on a metadata value


class NeedsAttention(Exception):
    """A genuine, signed event describing something the books cannot hold (a gift of no,
    negative or an implausible amount, a time that cannot be, a value of the wrong kind).
    Nothing is recorded; the reason is kept on the inbox row for staff, and Stripe is
    answered 200, since a retry would say the same thing.

    Every value a handler reads from an event goes through one of the readers below, so a
    malformed event is reported in words instead of failing with a TypeError and a 500."""


def _shown(value: Any) -> str:
    """The value as the reason quotes it, short enough for the inbox row."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def event_object(event: dict[str, Any]) -> dict[str, Any]:
    """The event's data.object, which every handler reads."""
    data = event.get("data")
    found = data.get("object") if isinstance(data, dict) else None
    if not isinstance(found, dict):
        raise NeedsAttention(f"data.object is {_shown(found)}: not a Stripe object.")
    return found


def mapping(obj: dict[str, Any], key: str, *, what: str | None = None) -> dict[str, Any]:
    """A nested object; {} when absent or null."""
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise NeedsAttention(f"{what or key} is {_shown(value)}: not an object.")
    return value


def list_data(obj: dict[str, Any], key: str, *, what: str | None = None) -> list[dict[str, Any]]:
    """The objects of a Stripe list (its `data`); [] when absent or null."""
    data = mapping(obj, key, what=what).get("data")
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise NeedsAttention(f"{what or key}.data is {_shown(data)}: not a list of objects.")
    return data


def text(
    obj: dict[str, Any],
    key: str,
    *,
    what: str | None = None,
    max_length: int = STRIPE_ID_LENGTH,
    required: bool = False,
) -> str:
    """A string (an id, an email, a status); "" when absent or null, unless required. The
    length is checked here because PostgreSQL refuses a value longer than its column."""
    value = obj.get(key)
    if value is None or value == "":
        if required:
            raise NeedsAttention(f"{what or key} is missing.")
        return ""
    if not isinstance(value, str) or len(value) > max_length:
        raise NeedsAttention(
            f"{what or key} is {_shown(value)}: not text of at most {max_length} characters."
        )
    return value


def metadata(obj: dict[str, Any], key: str = "metadata") -> dict[str, str | None]:
    """Stripe's metadata: text values only (what the donate page put there)."""
    found = mapping(obj, key)
    for name, value in found.items():
        if value is not None and (not isinstance(value, str) or len(value) > METADATA_VALUE_LENGTH):
            raise NeedsAttention(
                f"{key}.{name} is {_shown(value)}: not text of at most "
                f"{METADATA_VALUE_LENGTH} characters."
            )
    return found


def address(obj: dict[str, Any], key: str = "address") -> dict[str, str] | None:
    """A Stripe address (line1, city, ...), or None; each part is text."""
    found = mapping(obj, key)
    for name, value in found.items():
        if value is not None and not isinstance(value, str):
            raise NeedsAttention(f"{key}.{name} is {_shown(value)}: not text.")
    return found or None


def currency(obj: dict[str, Any]) -> str:
    """The three-letter currency code, lower case as Stripe writes it; usd when absent."""
    value = obj.get("currency")
    if value is None or value == "":
        return "usd"
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{3}", value):
        raise NeedsAttention(f"currency is {_shown(value)}: not a three-letter currency code.")
    return value.lower()


def quantity(obj: dict[str, Any]) -> int:
    value = obj.get("quantity")
    if value is None:
        return 1
    if type(value) is not int or value < 1:
        raise NeedsAttention(f"quantity is {_shown(value)}: not a positive whole number.")
    return value


def money(amount: int | None, currency: str) -> Decimal:
    if amount is None:
        return Decimal("0.00")
    if currency.lower() in ZERO_DECIMAL_CURRENCIES:
        return Decimal(amount)
    return (Decimal(amount) / 100).quantize(Decimal("0.01"))


def gift_amount(amount: Any, currency: str, *, what: str) -> Decimal:
    """A gift's or plan's amount from Stripe's smallest unit, or NeedsAttention.

    Stripe sends whole, positive numbers; anything else, or more than STRIPE_MAX_GIFT_AMOUNT
    (in the currency's main unit), is a mistake or a test no one meant for the books, and
    would break the check constraints, the column (12 digits) or the reports' totals."""
    if type(amount) is not int or amount <= 0:
        raise NeedsAttention(f"{what} is {_shown(amount)}: not a positive whole amount.")
    value = money(amount, currency)
    maximum = Decimal(settings.STRIPE_MAX_GIFT_AMOUNT)
    if value > maximum:
        raise NeedsAttention(
            f"{what} is {value:,} {currency.upper()}, more than STRIPE_MAX_GIFT_AMOUNT "
            f"({maximum:,}); record it by hand if it is real."
        )
    return value


def is_zero(amount: Any) -> bool:
    return type(amount) is int and amount == 0


def moment(
    timestamp: Any, *, what: str, ahead: datetime.timedelta = PAST_AHEAD
) -> datetime.datetime:
    """A Unix time Stripe sent: a whole number of seconds from 2010 to `ahead` of now.
    (fromtimestamp raises on 1e15, a string or a list; a negative one would date a gift 1969.)"""
    if type(timestamp) is not int:
        raise NeedsAttention(f"{what} is {_shown(timestamp)}: not a Unix time in seconds.")
    latest = timezone.now() + ahead
    if not EARLIEST.timestamp() <= timestamp <= latest.timestamp():
        raise NeedsAttention(
            f"{what} is {timestamp}: not a time between {EARLIEST:%Y-%m-%d} and {latest:%Y-%m-%d}."
        )
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)


def date(timestamp: Any, *, what: str, ahead: datetime.timedelta = PAST_AHEAD) -> datetime.date:
    """The local date of a Unix time Stripe sent; today when it sent none."""
    if timestamp is None:
        return timezone.localdate()
    return timezone.localtime(moment(timestamp, what=what, ahead=ahead)).date()


def attribution(metadata: dict[str, Any]) -> dict[str, Any]:
    """Campaign and fund ids from the appeal code and fund code the donate page put in
    metadata; the campaign's fund, else the default fund, when no fund is named."""
    code = (metadata.get("appeal_code") or "").strip()[:40]
    campaign = reference.campaigns().get(code) if code else None
    funds = reference.fund_ids()
    fund_code = metadata.get("fund") or ""
    fund_id = (
        (funds.get(fund_code) if fund_code else None)
        or (campaign.fund_id if campaign else None)
        or funds.get("")
    )
    return {
        "campaign_id": campaign.id if campaign else None,
        "fund_id": fund_id,
        "appeal_code": code,
    }


def supporter(
    *, metadata: dict[str, Any], email: str, name: str, address: dict[str, Any] | None, source: str
):
    supporter_id = metadata.get("supporter_id") or ""
    # ASCII digits only ("²" is a digit to isdigit but not to int), and few enough to be a key.
    if supporter_id.isascii() and supporter_id.isdigit() and len(supporter_id) <= 18:
        found = supporter_current(int(supporter_id))  # the survivor, if merged since
        if found is not None:
            return found
    if not email:
        raise NeedsAttention("The event names no supporter and no email: no one to credit.")
    return supporter_find_or_create_by_email(
        email=email,
        name=name,
        first_name=metadata.get("donor_first_name") or "",
        last_name=metadata.get("donor_last_name") or "",
        address=donor_address(metadata) or address,
        language=metadata.get("language", ""),
        source=source,
    )


def donor_address(metadata: dict[str, Any]) -> dict[str, str] | None:
    """The full address the donor typed on our donate page. Stripe's own page may have asked
    only for a postal code, so this is preferred over the session's customer_details."""
    if not metadata.get("donor_address_line1"):
        return None
    return {
        "line1": metadata.get("donor_address_line1") or "",
        "line2": metadata.get("donor_address_line2") or "",
        "city": metadata.get("donor_city") or "",
        "state": metadata.get("donor_state") or "",
        "postal_code": metadata.get("donor_postal_code") or "",
        "country": metadata.get("donor_country") or "US",
    }


def tribute(metadata: dict[str, Any]) -> dict[str, Any]:
    kind = metadata.get("tribute") if metadata.get("tribute") in ("honour", "memory") else ""
    language = metadata.get("language") or ""
    return {
        "tribute": kind,
        "tribute_name": (metadata.get("tribute_name") or "")[:200] if kind else "",
        "tribute_notify_name": (metadata.get("tribute_notify_name") or "")[:200] if kind else "",
        "tribute_notify_email": (metadata.get("tribute_notify_email") or "")[:254] if kind else "",
        "tribute_notify_address": (metadata.get("tribute_notify_address") or "")[:500]
        if kind
        else "",
        "tribute_show_amount": bool(kind) and metadata.get("tribute_show_amount") == "true",
        # The notice goes out in the language the donor gave in, whatever their record says.
        "tribute_notify_language": language if kind and language in ("en", "es") else "",
        "anonymous": metadata.get("anonymous") == "true",
    }
