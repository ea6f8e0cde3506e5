"""/donate/thanks/?session_id=... restates the gift (amount, once or monthly, dedication) only
to the browser whose session started that Checkout session; any other browser, and any made-up
id, gets the general page, which names no amount and no one."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from donations.models import Campaign, Fund
from tests.donations.donate_form import gift

pytestmark = pytest.mark.django_db
GENERAL = "If you have just given, a thank-you email with your tax receipt will reach you"


@pytest.fixture(autouse=True)
def books(db):
    general = Fund.objects.create(name="General", code="general", is_default=True)
    Campaign.objects.create(name="Spring appeal", code="spring26", fund=general)


@pytest.fixture
def test_mode(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = "whsec_local_test_mode"


def paid_thanks_url(client, **choices) -> str:
    """Give through the local test checkout; return the thanks address Stripe sends back to."""
    started = gift(client, **choices)
    assert started.status_code == 302
    paid = client.post(started["Location"])
    assert paid.status_code == 302
    return paid["Location"]


def text_of(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    main = html[html.index("<h1") :]
    inline = re.sub(r"</?(a|strong|em|span)\b[^>]*>", "", main)
    return " ".join(re.sub(r"<[^>]+>", " ", inline).split())


def test_the_browser_that_gave_once_sees_its_gift_and_dedication(client, test_mode):
    url = paid_thanks_url(
        client, amount="other", other_amount="75", tribute="memory", tribute_name="Rosa Ruiz"
    )
    page = text_of(client.get(url))
    assert "We have received your gift of $75." in page
    assert "In memory of Rosa Ruiz" in page
    assert "A thank-you email with your tax receipt will reach you in a few minutes." in page
    assert "monthly" not in page and GENERAL not in page


def test_the_browser_that_gave_monthly_sees_it_is_monthly_with_its_account(client, test_mode):
    url = paid_thanks_url(client, frequency="month", amount="25")
    response = client.get(url)
    page = text_of(response)
    assert "Your monthly gift of $25 is set up." in page
    assert "a receipt will follow each month's gift" in page
    assert "You can change, pause or stop your monthly gift at any time from your account." in page
    assert 'href="/account/"' in response.content.decode()


def test_the_same_in_spanish(client, test_mode):
    client.get("/donate/?lang=es")
    url = paid_thanks_url(
        client, frequency="month", amount="25", tribute="honour", tribute_name="Rosa Ruiz"
    )
    page = text_of(client.get(url))
    assert "¡Gracias!" in page
    assert "Su donación mensual de $25 está en marcha." in page
    assert "En honor de Rosa Ruiz" in page
    assert "en cualquier momento desde su cuenta." in page


def test_another_browser_with_the_same_link_sees_the_general_page(client, test_mode):
    url = paid_thanks_url(client, amount="other", other_amount="75", tribute="honour",
                          tribute_name="Rosa Ruiz")  # fmt: skip
    page = text_of(Client().get(url))
    assert "Thank you!" in page and GENERAL in page
    assert "$" not in page and "Rosa" not in page and "received" not in page


@pytest.mark.parametrize(
    "query",
    ["?session_id=cs_test_made_up", "?session_id=", "", "?session_id=" + "x" * 5000],
)
def test_a_made_up_session_id_gets_the_general_page(client, test_mode, query):
    paid_thanks_url(client)  # this browser did give, under another id
    page = text_of(client.get(f"/donate/thanks/{query}"))
    assert GENERAL in page and "$" not in page


def test_with_stripe_the_session_id_is_remembered_at_checkout(client, stripe_api):
    """The real SDK against the stand-in: the id Stripe made is the one remembered, and the
    page restates the gift before the webhook has recorded it."""
    response = gift(client, frequency="once", amount="100")
    assert response.status_code == 302
    (request,) = stripe_api.session_requests
    (session_id,) = stripe_api.sessions
    success = request.form["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
    assert parse_qs(urlsplit(success).query) == {"session_id": [session_id]}

    page = text_of(client.get(urlsplit(success).path + "?" + urlsplit(success).query))
    assert "Your gift of $100 is on its way to us." in page
    assert GENERAL not in text_of(client.get(f"/donate/thanks/?session_id={session_id}"))
    assert GENERAL in text_of(Client().get(f"/donate/thanks/?session_id={session_id}"))


def test_a_browser_keeps_only_its_latest_checkouts(client, stripe_api):
    for amount in ("10", "20", "30", "40", "50", "100"):
        email = f"donor{amount}@example.org"
        assert gift(client, amount="other", other_amount=amount, email=email).status_code == 302
    first, *rest = stripe_api.sessions
    assert GENERAL in text_of(client.get(f"/donate/thanks/?session_id={first}"))
    assert "$100" in text_of(client.get(f"/donate/thanks/?session_id={rest[-1]}"))
