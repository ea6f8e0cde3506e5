"""The one module that imports `stripe`: signature checks and the few API calls we make.

Tests meet Stripe here: signed events posted to the real webhook, and API calls sent by the
real SDK to a local stand-in (settings.STRIPE_API_BASE).
"""

import json
import time
from typing import Any

import stripe
from django.conf import settings

# How far a signature's timestamp may be from now, either way. Stripe's SDK checks only the
# past; a timestamp ahead of now would make a captured request replayable until then.
SIGNATURE_TOLERANCE_SECONDS = 300


class InvalidWebhook(Exception):
    """A webhook body that is not a genuine, fresh Stripe event."""


def verify_event(payload: bytes, signature_header: str) -> dict[str, Any]:
    """Check the Stripe-Signature header against the raw body and return the event as a dict.

    verify_header costs microseconds; construct_event would also build StripeObjects
    (~0.5 ms) that the handlers do not need.
    """
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"),
            signature_header,
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=SIGNATURE_TOLERANCE_SECONDS,
        )
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidWebhook(str(exc)) from None
    signed_at = _signed_at(signature_header)
    if signed_at is None or signed_at > time.time() + SIGNATURE_TOLERANCE_SECONDS:
        raise InvalidWebhook("The signature's timestamp is in the future.")
    if not isinstance(event, dict) or not event.get("id") or event.get("object") != "event":
        raise InvalidWebhook("The body is not a Stripe event.")
    return event


def _signed_at(signature_header: str) -> int | None:
    """The t= of a Stripe-Signature header (already verified), as Unix time."""
    for item in signature_header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _client() -> stripe.StripeClient:
    base = settings.STRIPE_API_BASE or stripe.DEFAULT_API_BASE
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": base},
        max_network_retries=2,
    )


def retrieve_subscription(subscription_id: str) -> dict[str, Any]:
    return _client().v1.subscriptions.retrieve(subscription_id).to_dict()


def retrieve_checkout_session(session_id: str) -> dict[str, Any]:
    return _client().v1.checkout.sessions.retrieve(session_id).to_dict()


def list_events(*, created_since: int, starting_after: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"created": {"gte": created_since}, "limit": 100}
    if starting_after:
        params["starting_after"] = starting_after
    return _client().v1.events.list(params).to_dict()


def sign_payload(payload: bytes, *, secret: str, timestamp: int) -> str:
    """A Stripe-Signature header for `payload`, as Stripe computes it. Used by the local test
    checkout (which posts real events to the real webhook) and by tests."""
    signed = f"{timestamp}.{payload.decode('utf-8')}"
    signature = stripe.WebhookSignature._compute_signature(signed, secret)
    return f"t={timestamp},v1={signature}"


class StripeUnavailable(Exception):
    """Stripe refused or could not be reached; nothing was created and nothing was charged."""


def create_checkout_session(params: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]:
    """Create a hosted Checkout Session. The same key with the same params returns the session
    made the first time (Stripe keeps keys for 24 hours), so a double submit makes one."""
    try:
        session = _client().v1.checkout.sessions.create(
            params, options={"idempotency_key": idempotency_key}
        )
    except stripe.StripeError as exc:
        raise StripeUnavailable(str(exc)) from exc
    return session.to_dict()


# --- Fees and payouts (donations.deposits.payouts) ------------------------------------------------


def retrieve_balance_transaction(transaction_id: str) -> dict[str, Any]:
    """A charge's balance transaction: its gross, Stripe's fee and the net."""
    try:
        return _client().v1.balance_transactions.retrieve(transaction_id).to_dict()
    except stripe.StripeError as exc:
        raise StripeUnavailable(str(exc)) from exc


def retrieve_payment_intent_balance(payment_intent_id: str) -> dict[str, Any]:
    """A payment intent with its latest charge and that charge's balance transaction expanded:
    one read from a checkout session's payment intent id to the fee."""
    try:
        intent = _client().v1.payment_intents.retrieve(
            payment_intent_id, {"expand": ["latest_charge.balance_transaction"]}
        )
    except stripe.StripeError as exc:
        raise StripeUnavailable(str(exc)) from exc
    return intent.to_dict()


def list_payout_balance_transactions(
    payout_id: str, *, starting_after: str | None = None
) -> dict[str, Any]:
    """One page of the balance transactions a payout paid out, each with its source (charge,
    refund, dispute) expanded so a line can be matched to its gift without another read."""
    params: dict[str, Any] = {"payout": payout_id, "limit": 100, "expand": ["data.source"]}
    if starting_after:
        params["starting_after"] = starting_after
    try:
        return _client().v1.balance_transactions.list(params).to_dict()
    except stripe.StripeError as exc:
        raise StripeUnavailable(str(exc)) from exc


# --- Monthly plans the donor or staff change (donations.plans) ----------------------------------


def _subscriptions_call(call: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    try:
        return call(*args, **kwargs).to_dict()
    except stripe.StripeError as exc:
        raise StripeUnavailable(str(exc)) from exc


def subscription_read(subscription_id: str) -> dict[str, Any]:
    """The subscription as Stripe holds it now: its item, price and product to change."""
    return _subscriptions_call(_client().v1.subscriptions.retrieve, subscription_id)


def subscription_price_change(
    subscription_id: str,
    *,
    item_id: str,
    product: str,
    currency: str,
    interval: str,
    unit_amount: int,
) -> dict[str, Any]:
    """A new amount from the next charge on: the item gets a new inline price of the same
    product, and nothing is prorated (no surprise charge or credit for the month under way)."""
    params = {
        "items": [
            {
                "id": item_id,
                "price_data": {
                    "currency": currency,
                    "product": product,
                    "unit_amount": unit_amount,
                    "recurring": {"interval": interval},
                },
            }
        ],
        "proration_behavior": "none",
    }
    return _subscriptions_call(_client().v1.subscriptions.update, subscription_id, params)


def subscription_pause(subscription_id: str, *, resumes_at: int) -> dict[str, Any]:
    """Collect nothing until `resumes_at` (Unix time): the invoices meanwhile are voided."""
    params = {"pause_collection": {"behavior": "void", "resumes_at": resumes_at}}
    return _subscriptions_call(_client().v1.subscriptions.update, subscription_id, params)


def subscription_resume(subscription_id: str) -> dict[str, Any]:
    """Collect again from the next invoice (an empty pause_collection unsets it)."""
    params = {"pause_collection": ""}
    return _subscriptions_call(_client().v1.subscriptions.update, subscription_id, params)


def subscription_cancel(subscription_id: str, *, comment: str) -> dict[str, Any]:
    """Cancel at once, nothing prorated or invoiced, keeping the donor's reason with Stripe."""
    params: dict[str, Any] = {}
    if comment:
        params["cancellation_details"] = {"comment": comment}
    return _subscriptions_call(_client().v1.subscriptions.cancel, subscription_id, params)


def card_update_session(customer_id: str, *, return_url: str, locale: str) -> dict[str, Any]:
    """A Stripe Billing customer portal session that goes straight to updating the card."""
    params = {
        "customer": customer_id,
        "return_url": return_url,
        "locale": locale,
        "flow_data": {"type": "payment_method_update"},
    }
    return _subscriptions_call(_client().v1.billing_portal.sessions.create, params)
