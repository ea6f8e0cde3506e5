"""Reading values out of Stripe objects: money, dates, attribution, the donor, tributes."""

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from crm.selectors import supporter_current
from crm.services import supporter_find_or_create_by_email
from donations import reference

ZERO_DECIMAL_CURRENCIES = {"jpy", "krw", "vnd", "clp", "pyg", "ugx", "xaf", "xof"}


class NeedsAttention(Exception):
    """A genuine, signed event describing something the books cannot hold (a gift of no,
    negative or an implausible amount). Nothing is recorded; the reason is kept on the inbox
    row for staff, and Stripe is answered 200, since a retry would say the same thing."""


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
        raise NeedsAttention(f"{what} is {amount!r}: not a positive whole amount.")
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


def date(timestamp: int | None) -> datetime.date:
    if not timestamp:
        return timezone.localdate()
    return timezone.localtime(datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)).date()


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
    supporter_id = metadata.get("supporter_id")
    if supporter_id and str(supporter_id).isdigit():
        found = supporter_current(int(supporter_id))  # the survivor, if merged since
        if found is not None:
            return found
    if not email:
        raise ValueError("The event names no supporter and no email; cannot record the gift.")
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
    return {
        "tribute": kind,
        "tribute_name": (metadata.get("tribute_name") or "")[:200] if kind else "",
        "tribute_notify_name": (metadata.get("tribute_notify_name") or "")[:200] if kind else "",
        "tribute_notify_email": (metadata.get("tribute_notify_email") or "")[:254] if kind else "",
        "anonymous": metadata.get("anonymous") == "true",
    }
