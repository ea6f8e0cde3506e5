"""What the thanks page may say about a gift: the donate view remembers, in the browser's own
Django session, each Checkout session it started and what the donor chose; the thanks page
restates the gift only for a session id found there. A link passed on, or an id made up, gets
the general page, which names no amount."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from core.money import money_text
from donations.models import Gift
from donations.online.checkout import DonationRequest, StartedCheckout

SESSION_KEY = "donations.checkouts"
KEPT = 5  # a donor who starts again keeps the latest few; older ones are forgotten


@dataclass(frozen=True)
class RestatedGift:
    amount: str  # as charged, e.g. "$50" or "$51.80"
    monthly: bool
    tribute: str  # "", "honour" or "memory"
    tribute_name: str
    received: bool  # the webhook has recorded it (a gift once; a plan's first comes later)


def checkout_remember(session: Any, *, started: StartedCheckout, donation: DonationRequest) -> None:
    """Keep what this browser chose for the Checkout session it is sent to."""
    kept = {k: v for k, v in (session.get(SESSION_KEY) or {}).items() if k != started.session_id}
    kept[started.session_id] = {
        "amount": f"{donation.amount_charged:.2f}",
        "monthly": donation.monthly,
        "tribute": donation.tribute if donation.tribute_name else "",
        "tribute_name": donation.tribute_name if donation.tribute else "",
    }
    session[SESSION_KEY] = dict(list(kept.items())[-KEPT:])


def gift_restated(session: Any, session_id: str) -> RestatedGift | None:
    """The gift this browser started as `session_id`, or None for any other id."""
    chosen = (session.get(SESSION_KEY) or {}).get(session_id) if session_id else None
    if not isinstance(chosen, dict):
        return None
    try:
        amount = Decimal(chosen["amount"])
    except (KeyError, TypeError, InvalidOperation):
        return None
    monthly = bool(chosen.get("monthly"))
    received = (
        not monthly
        and Gift.objects.filter(
            stripe_checkout_session_id=session_id, status=Gift.Status.SUCCEEDED
        ).exists()
    )
    return RestatedGift(
        amount=money_text(amount, cents="when_needed"),
        monthly=monthly,
        tribute=str(chosen.get("tribute") or ""),
        tribute_name=str(chosen.get("tribute_name") or ""),
        received=received,
    )


def account_url(*, absolute: bool = False) -> str:
    """The donor account's address (/account/), full with SITE_URL for an email."""
    path = "/account/"
    for name in ("account", "donations:account"):
        try:
            path = reverse(name)
            break
        except NoReverseMatch:
            continue
    return f"{settings.SITE_URL.rstrip('/')}{path}" if absolute else path
