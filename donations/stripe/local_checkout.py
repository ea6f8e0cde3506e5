"""The local test checkout: with no STRIPE_SECRET_KEY it stands in for Stripe's hosted Checkout,
so a person can complete a gift on a laptop (`make demo`) with no Stripe account.

It takes the very parameters that would be sent to Stripe, shows a page marked TEST MODE (no
card is asked for or charged), and on 'Pay (test)' builds the events Stripe would send, signs
them with STRIPE_WEBHOOK_SECRET and delivers them to the real webhook view. From the webhook on,
everything (signature check, inbox, handlers, thank-you email) is the production path.
"""

import calendar
import datetime
import hashlib
import io
import json
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.http import HttpResponseBase
from django.urls import reverse
from django.utils import translation
from simple_history.models import HistoricalRecords

from donations.stripe import client as stripe_client

SALT = "donations.local-checkout"
MAX_AGE_SECONDS = 24 * 60 * 60  # Stripe's own sessions expire after 24 hours
API_VERSION = "2025-10-29.clover"


class LocalCheckoutError(Exception):
    """The local test checkout is off (a Stripe key is set) or the webhook refused an event."""


@dataclass(frozen=True)
class PendingCheckout:
    session_id: str
    params: dict[str, Any]

    @property
    def metadata(self) -> dict[str, str]:
        return self.params.get("metadata") or {}

    @property
    def cents(self) -> int:
        return int(self.params["line_items"][0]["price_data"]["unit_amount"])

    @property
    def amount(self) -> Decimal:
        return Decimal(self.cents) / 100

    @property
    def monthly(self) -> bool:
        return self.params.get("mode") == "subscription"

    @property
    def cancel_url(self) -> str:
        return self.params["cancel_url"]

    @property
    def product_name(self) -> str:
        product = self.params["line_items"][0]["price_data"].get("product_data") or {}
        return " — ".join(p for p in (product.get("name"), product.get("description")) if p)


def is_enabled() -> bool:
    """Only on a laptop: settings read with DEBUG on, and no Stripe key. A production site
    (DEBUG off) never has it, whatever its keys say."""
    return settings.STRIPE_LOCAL_CHECKOUT_ALLOWED and not settings.STRIPE_SECRET_KEY


def _require_enabled() -> None:
    if not is_enabled():
        raise LocalCheckoutError(
            "The local test checkout is off: it runs only with DEBUG on and no STRIPE_SECRET_KEY."
        )


def session_create(params: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]:
    """Like Stripe's POST /v1/checkout/sessions: the same key gives the same session id."""
    _require_enabled()
    session_id = f"cs_local_{hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]}"
    # The pending session travels signed in its own address, so nothing is stored for
    # checkouts that are never completed.
    token = signing.dumps({"id": session_id, "params": params}, salt=SALT, compress=True)
    return {
        "id": session_id,
        "object": "checkout.session",
        "mode": params.get("mode"),
        "url": reverse("donations:test-checkout", args=[token]),
    }


def session_read(token: str) -> PendingCheckout | None:
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
        return PendingCheckout(session_id=str(data["id"]), params=dict(data["params"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def session_complete(pending: PendingCheckout) -> str:
    """Deliver the events of a paid session to the webhook; return where Stripe would send the
    donor next. Paying twice delivers the same event ids, which the inbox takes once."""
    _require_enabled()
    for payload in _events(pending, now=int(time.time())):
        body = json.dumps(payload).encode()
        signature = stripe_client.sign_payload(
            body, secret=settings.STRIPE_WEBHOOK_SECRET, timestamp=int(time.time())
        )
        response = _deliver(body, signature)
        if response.status_code != 200:
            raise LocalCheckoutError(
                f"The webhook answered {response.status_code} to {payload['type']}: "
                f"{response.content.decode(errors='replace')[:500]}"
            )
    return pending.params["success_url"].replace("{CHECKOUT_SESSION_ID}", pending.session_id)


def _deliver(body: bytes, signature: str) -> HttpResponseBase:
    """POST one signed event to /stripe/webhook/ in this process.

    It goes through Django's full request handling (every middleware, URL resolution, the real
    view and its signature check), as a request from Stripe would. It is not sent over HTTP:
    a single-threaded server would wait on itself. get_response() is used rather than calling
    the WSGI handler because the handler's request_started/finished signals would close this
    thread's database connection in the middle of the outer request.
    """
    site = urlsplit(settings.SITE_URL)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": reverse("donations:stripe-webhook"),
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_STRIPE_SIGNATURE": signature,
        "HTTP_USER_AGENT": "Stripe/1.0 (+https://stripe.com/docs/webhooks) local test checkout",
        "HTTP_HOST": site.netloc,
        "SERVER_NAME": site.hostname or "127.0.0.1",
        "SERVER_PORT": str(site.port or (443 if site.scheme == "https" else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": site.scheme or "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    # The inner request's middleware would otherwise change this thread's state for the rest
    # of the outer request: the active language, and the request simple_history records.
    outer_request = getattr(HistoricalRecords.context, "request", None)
    try:
        with translation.override(translation.get_language()):
            return WSGIHandler().get_response(WSGIRequest(environ))
    finally:
        if outer_request is not None:
            HistoricalRecords.context.request = outer_request


def _events(pending: PendingCheckout, *, now: int) -> list[dict[str, Any]]:
    """The events Stripe sends for a paid session, shaped as tests/fixtures/stripe/*.json."""
    suffix = pending.session_id.removeprefix("cs_local_")
    params, metadata, cents = pending.params, pending.metadata, pending.cents
    email = params.get("customer_email") or ""
    name = " ".join(
        p for p in (metadata.get("donor_first_name"), metadata.get("donor_last_name")) if p
    )
    # What the donor would type on Stripe's page: here, what they typed on ours.
    address = {
        "line1": metadata.get("donor_address_line1") or None,
        "line2": metadata.get("donor_address_line2") or None,
        "city": metadata.get("donor_city") or None,
        "state": metadata.get("donor_state") or None,
        "postal_code": metadata.get("donor_postal_code") or None,
        "country": metadata.get("donor_country") or "US",
    }
    customer_id = f"cus_local_{suffix}" if pending.monthly else None
    session = {
        "id": pending.session_id,
        "object": "checkout.session",
        "mode": params.get("mode"),
        "amount_subtotal": cents,
        "amount_total": cents,
        "currency": "usd",
        "created": now,
        "customer": customer_id,
        "customer_email": email or None,
        "customer_details": {
            "email": email,
            "name": name or None,
            "phone": None,
            "address": address,
            "tax_exempt": "none",
            "tax_ids": [],
        },
        "livemode": False,
        "locale": params.get("locale"),
        "metadata": metadata,
        "payment_intent": None if pending.monthly else f"pi_local_{suffix}",
        "payment_status": "paid",
        "status": "complete",
        "submit_type": params.get("submit_type"),
        "subscription": f"sub_local_{suffix}" if pending.monthly else None,
        "invoice": f"in_local_{suffix}" if pending.monthly else None,
        "success_url": params.get("success_url"),
        "cancel_url": params.get("cancel_url"),
        "url": None,
    }
    completed = _event(f"evt_local_{suffix}_1", "checkout.session.completed", session, now)
    if not pending.monthly:
        return [completed]

    period_end = _one_month_later(now)
    subscription_metadata = (params.get("subscription_data") or {}).get("metadata") or metadata
    invoice = {
        "id": f"in_local_{suffix}",
        "object": "invoice",
        "amount_due": cents,
        "amount_paid": cents,
        "amount_remaining": 0,
        "billing_reason": "subscription_create",
        "collection_method": "charge_automatically",
        "created": now,
        "currency": "usd",
        "customer": customer_id,
        "customer_address": address,
        "customer_email": email,
        "customer_name": name or None,
        "lines": {
            "object": "list",
            "data": [
                {
                    "id": f"il_local_{suffix}",
                    "object": "line_item",
                    "amount": cents,
                    "currency": "usd",
                    "description": pending.product_name,
                    "period": {"start": now, "end": period_end},
                }
            ],
            "has_more": False,
        },
        "livemode": False,
        "metadata": {},
        "parent": {
            "type": "subscription_details",
            "quote_details": None,
            "subscription_details": {
                "metadata": subscription_metadata,
                "subscription": f"sub_local_{suffix}",
            },
        },
        "status": "paid",
        "status_transitions": {"paid_at": now, "finalized_at": now},
    }
    subscription = {
        "id": f"sub_local_{suffix}",
        "object": "subscription",
        "customer": customer_id,
        "status": "active",
        "cancel_at_period_end": False,
        "canceled_at": None,
        "ended_at": None,
        "created": now,
        "currency": "usd",
        "items": {
            "object": "list",
            "data": [
                {
                    "id": f"si_local_{suffix}",
                    "object": "subscription_item",
                    "quantity": 1,
                    "current_period_start": now,
                    "current_period_end": period_end,
                    "price": {
                        "id": f"price_local_{suffix}",
                        "object": "price",
                        "currency": "usd",
                        "recurring": {"interval": "month", "interval_count": 1},
                        "unit_amount": cents,
                    },
                }
            ],
        },
        "livemode": False,
        "metadata": subscription_metadata,
    }
    return [
        completed,
        _event(f"evt_local_{suffix}_2", "invoice.paid", invoice, now),
        _event(f"evt_local_{suffix}_3", "customer.subscription.updated", subscription, now),
    ]


def _event(event_id: str, event_type: str, obj: dict[str, Any], now: int) -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "api_version": API_VERSION,
        "created": now,
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def _one_month_later(timestamp: int) -> int:
    start = datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    day = min(start.day, calendar.monthrange(year, month)[1])
    return int(start.replace(year=year, month=month, day=day).timestamp())
