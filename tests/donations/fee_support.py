"""What the fee and payout tests share: a default fund, Stripe's balance API as a local
stand-in reached by the real SDK, and a checkout posted as a signed webhook event."""

import pytest

from donations.models import Fund, Gift
from tests.donations.stripe_events import event, post, stripe_object
from tests.stripe_balance_standin import BalanceStandIn


@pytest.fixture
def general_fund(db):
    return Fund.objects.create(name="General operating", code="general", is_default=True)


@pytest.fixture
def balance_api(settings):
    with BalanceStandIn() as api:
        settings.STRIPE_API_BASE = api.url
        settings.STRIPE_SECRET_KEY = "sk_test_standin"
        yield api


def charge_of(charge_id: str, intent: str, *, amount: int) -> dict:
    return {"id": charge_id, "object": "charge", "amount": amount, "payment_intent": intent}


def checkout(client, n: int, *, amount: int, email: str) -> Gift:
    session = stripe_object(
        "checkout_session_payment",
        id=f"cs_test_{n}",
        payment_intent=f"pi_test_{n}",
        amount_total=amount,
        amount_subtotal=amount,
        customer_details={"email": email, "name": f"Donor {n}", "address": None},
    )
    assert post(client, event("checkout.session.completed", session)).status_code == 200
    return Gift.objects.get(stripe_checkout_session_id=f"cs_test_{n}")


def after_commit(callbacks) -> None:
    """What the webhook's transaction.on_commit queued, run as a real commit would."""
    for callback in callbacks:
        callback()
