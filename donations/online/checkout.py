"""Starting an online gift: the Checkout Session Stripe hosts (card details are typed on
Stripe's page, never on ours), or, with no STRIPE_SECRET_KEY, the local test checkout that
stands in for it and reports back through the same signed webhook.

The webhook handlers (donations.stripe.inbox) read the metadata set here.
"""

import hashlib
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from donations.stripe import client as stripe_client
from donations.stripe import local_checkout

CENT = Decimal("0.01")
# Stripe's standard US card pricing; the donor may choose to cover it.
FEE_RATE = Decimal("0.029")
FEE_FIXED = Decimal("0.30")
MIN_AMOUNT = Decimal("5")
MAX_AMOUNT = Decimal("100000")
DEFAULT_ASKS = (Decimal("25"), Decimal("50"), Decimal("100"), Decimal("250"))
ONCE, MONTHLY = "once", "month"


@dataclass(frozen=True)
class DonationRequest:
    """What the donor chose and typed on the donate page, validated."""

    amount: Decimal
    frequency: str  # ONCE or MONTHLY
    first_name: str
    last_name: str
    email: str
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = "US"
    language: str = "en"
    tribute: str = ""  # "", "honour" or "memory"
    tribute_name: str = ""
    tribute_notify_name: str = ""
    tribute_notify_email: str = ""
    tribute_notify_address: str = ""  # lines, for a printed card when there is no email
    tribute_show_amount: bool = False
    cover_fee: bool = False
    anonymous: bool = False
    appeal_code: str = ""
    fund: str = ""
    supporter_id: int | None = None
    nonce: str = ""  # one per rendered form: a resubmission of it reuses the session
    return_query: str = ""  # the page's ?t=...&appeal=..., kept when the donor cancels
    # The donate page asked no address (the organisation's setting): Stripe's page takes the
    # full billing address, for the receipt.
    billing_address_on_stripe: bool = False

    @property
    def amount_charged(self) -> Decimal:
        return amount_with_fee(self.amount) if self.cover_fee else self.amount

    @property
    def monthly(self) -> bool:
        return self.frequency == MONTHLY


def amount_with_fee(amount: Decimal) -> Decimal:
    """The amount to charge so that, after 2.9% + $0.30, the gift arrives whole."""
    return ((amount + FEE_FIXED) / (1 - FEE_RATE)).quantize(CENT, rounding=ROUND_HALF_UP)


def checkout_metadata(donation: DonationRequest) -> dict[str, str]:
    """Strings only (Stripe's rule); empty values left out, since Stripe drops them anyway."""
    values = {
        "supporter_id": str(donation.supporter_id or ""),
        "appeal_code": donation.appeal_code,
        "fund": donation.fund,
        "interval": MONTHLY if donation.monthly else "",
        "language": donation.language,
        "tribute": donation.tribute,
        "tribute_name": donation.tribute_name if donation.tribute else "",
        "tribute_notify_name": donation.tribute_notify_name if donation.tribute else "",
        "tribute_notify_email": donation.tribute_notify_email if donation.tribute else "",
        "tribute_notify_address": donation.tribute_notify_address if donation.tribute else "",
        "tribute_show_amount": "true" if donation.tribute and donation.tribute_show_amount else "",
        "anonymous": "true" if donation.anonymous else "",
        "gift_amount": f"{donation.amount:.2f}",
        "fee_covered": f"{donation.amount_charged - donation.amount:.2f}"
        if donation.cover_fee
        else "",
        # What the donor typed on our page. Stripe's own page may ask only for a postal code,
        # so its customer_details.address can be partial; this is the full address.
        "donor_first_name": donation.first_name,
        "donor_last_name": donation.last_name,
        "donor_address_line1": donation.address_line1,
        "donor_address_line2": donation.address_line2,
        "donor_city": donation.city,
        "donor_state": donation.region,
        "donor_postal_code": donation.postal_code,
        "donor_country": donation.country,
    }
    return {key: value[:500] for key, value in values.items() if value}


def checkout_params(*, donation: DonationRequest, site_url: str) -> dict[str, Any]:
    """The Checkout Session request, in payment mode (once) or subscription mode (monthly)."""
    metadata = checkout_metadata(donation)
    with translation.override(donation.language):
        product: dict[str, Any] = {
            "name": _("Monthly donation") if donation.monthly else _("Donation")
        }
        if donation.tribute and donation.tribute_name:
            product["description"] = (
                _("In honor of %(name)s")
                if donation.tribute == "honour"
                else _("In memory of %(name)s")
            ) % {"name": donation.tribute_name}
    price: dict[str, Any] = {
        "currency": "usd",
        "unit_amount": int((donation.amount_charged * 100).to_integral_value()),
        "product_data": product,
    }
    params: dict[str, Any] = {
        "line_items": [{"price_data": price, "quantity": 1}],
        "customer_email": donation.email,
        "locale": donation.language,
        "metadata": metadata,
        "success_url": f"{site_url}/donate/thanks/?session_id={{CHECKOUT_SESSION_ID}}",
        "cancel_url": f"{site_url}/donate/?"
        + "&".join(p for p in (donation.return_query, "cancelled=1") if p),
    }
    if donation.billing_address_on_stripe:
        params["billing_address_collection"] = "required"
    if donation.monthly:
        price["recurring"] = {"interval": "month"}
        params["mode"] = "subscription"
        params["subscription_data"] = {"metadata": metadata}
    else:
        params["mode"] = "payment"
        params["submit_type"] = "donate"
        params["payment_intent_data"] = {"metadata": metadata}
    return params


def idempotency_key(*, donation: DonationRequest, params: dict[str, Any]) -> str:
    """One key per rendered form and what was asked of Stripe. A double submit of the same form
    gets the same session; a donor who goes back and changes the amount gets a new one, where
    reusing the key with other parameters would make Stripe refuse the request."""
    digest = hashlib.sha256()
    digest.update(donation.nonce.encode())
    digest.update(json.dumps(params, sort_keys=True, default=str).encode())
    return f"donate-{digest.hexdigest()}"


@dataclass(frozen=True)
class StartedCheckout:
    url: str  # where to send the donor
    session_id: str  # remembered in the browser's session for the thanks page


def checkout_start(*, donation: DonationRequest, site_url: str) -> StartedCheckout:
    """Create the checkout session; return it with the address to send the donor to.

    Raises stripe_client.StripeUnavailable when Stripe refuses or cannot be reached.
    """
    params = checkout_params(donation=donation, site_url=site_url)
    key = idempotency_key(donation=donation, params=params)
    if local_checkout.is_enabled():
        session = local_checkout.session_create(params, idempotency_key=key)
    else:
        session = stripe_client.create_checkout_session(params, idempotency_key=key)
    return StartedCheckout(url=session["url"], session_id=session["id"])
