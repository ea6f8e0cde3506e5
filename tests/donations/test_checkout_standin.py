"""With no STRIPE_SECRET_KEY the local test checkout stands in for Stripe: a donor completes a
gift, and the ledger is written by the real webhook from signed events."""

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from donations.models import Campaign, Fund, Gift, RecurringGift, StripeEvent
from tests.donations.donate_form import gift

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("address_asked")]


@pytest.fixture(autouse=True)
def test_mode(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = "whsec_local_test_mode"
    general = Fund.objects.create(name="General", code="general", is_default=True)
    Campaign.objects.create(name="Spring appeal", code="spring26", fund=general)


def start(client, **overrides) -> str:
    response = gift(client, url="/donate/?appeal=spring26", **overrides)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert re.fullmatch(r"/donate/test-checkout/[^/]+/", response["Location"])
    return response["Location"]


def test_a_monthly_gift_of_50_is_completed_end_to_end_through_the_real_webhook(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    checkout = start(client, frequency="month", amount="50")
    page = client.get(checkout).content.decode()
    assert "TEST MODE — no card is charged" in page
    assert "$50 per month" in page and "Pay (test)" in page
    assert 'href="http://127.0.0.1:8000/donate/?appeal=spring26&amp;cancelled=1"' in page

    with django_capture_on_commit_callbacks(execute=True):
        paid = client.post(checkout)
    assert paid.status_code == 302
    thanks = urlsplit(paid["Location"])
    assert thanks.path == "/donate/thanks/"
    assert re.fullmatch(r"session_id=cs_local_[0-9a-f]+", thanks.query)

    plan = RecurringGift.objects.get()
    assert plan.amount == Decimal("50.00") and plan.status == "active"
    assert plan.stripe_subscription_id.startswith("sub_local_")
    assert plan.next_charge_on is not None and plan.campaign.code == "spring26"
    first = Gift.objects.get()
    assert first.recurring == plan and first.amount == Decimal("50.00")
    assert first.status == "succeeded" and first.stripe_invoice_id.startswith("in_local_")
    donor = first.supporter
    assert donor.email == "maria.lopez@example.org" and donor.postal_code == "10451"
    events = StripeEvent.objects.order_by("pk")
    assert [e.type for e in events] == [
        "checkout.session.completed",
        "invoice.paid",
        "customer.subscription.updated",
    ]
    assert all(e.processed_at is not None and not e.error for e in events)
    [thank_you] = [m for m in mailoutbox if m.to == ["maria.lopez@example.org"]]
    assert "Thank you" in thank_you.subject

    page = client.get(f"{thanks.path}?{thanks.query}").content.decode()
    assert "Thank you!" in page


def test_a_gift_once_is_recorded_and_the_thanks_page_names_its_amount(client):
    checkout = start(
        client,
        amount="other",
        other_amount="75",
        cover_fee="on",
        tribute="honour",
        tribute_name="Rosa Ruiz",
    )
    paid = client.post(checkout)
    gift_row = Gift.objects.get()
    # (75 + 0.30) / 0.971 = 77.55
    assert gift_row.amount == Decimal("77.55") and gift_row.status == "succeeded"
    assert gift_row.recurring is None and gift_row.campaign.code == "spring26"
    assert gift_row.stripe_checkout_session_id.startswith("cs_local_")
    assert (gift_row.tribute, gift_row.tribute_name) == ("honour", "Rosa Ruiz")
    assert gift_row.supporter.city == "Bronx" and gift_row.supporter.region == "NY"
    thanks = urlsplit(paid["Location"])
    page = client.get(f"{thanks.path}?{thanks.query}").content.decode()
    assert "We have received your gift of $77.55." in page


def test_paying_twice_records_one_gift(client):
    checkout = start(client)
    first = client.post(checkout)
    second = client.post(checkout)
    assert first["Location"] == second["Location"]
    assert Gift.objects.count() == 1 and StripeEvent.objects.count() == 1


def test_a_spanish_donor_sees_the_test_checkout_in_spanish(client):
    client.get("/donate/?lang=es")
    checkout = start(client, frequency="month")
    page = client.get(checkout).content.decode()
    assert '<html lang="es">' in page
    assert "MODO DE PRUEBA" in page and "Pagar (prueba)" in page


def test_the_test_checkout_is_off_when_a_stripe_key_is_set(client, settings):
    checkout = start(client)
    settings.STRIPE_SECRET_KEY = "sk_live_x"
    assert client.get(checkout).status_code == 404
    assert client.post(checkout).status_code == 404
    assert Gift.objects.count() == 0


def test_an_altered_test_checkout_link_is_refused(client):
    checkout = start(client)
    altered = checkout.replace(checkout[-6:-1], "AAAAA")
    assert client.post(altered).status_code == 404
    assert Gift.objects.count() == 0 and StripeEvent.objects.count() == 0
