"""The public donate page against a local stand-in of Stripe's API, through the real SDK."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from crm.models import Supporter
from donations.models import Campaign, Fund
from donations.online.tokens import make_donate_token, read_donate_token
from tests.donations.donate_form import gift, rendered_nonce

# These pages ask for the address (the organisation setting; off by default, as in
# test_donate_page_choices.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("address_asked")]


@pytest.fixture(autouse=True)
def ledger(db):
    general = Fund.objects.create(name="General", code="general", is_default=True)
    Campaign.objects.create(name="Spring appeal", code="spring26", fund=general)


def only_session(stripe_api) -> dict:
    [request] = stripe_api.session_requests
    return request.form


def test_the_page_renders_in_english(client):
    response = client.get("/donate/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in page
    for amount in ("$25", "$50", "$100", "$250", "Other"):
        assert f">{amount}</label>" in page
    assert '<label for="id_email">Email</label>' in page
    assert "Continue to payment" in page
    assert 'href="#main"' in page, "a skip link"
    assert "<script src" not in page and "<link" not in page, "no external assets"


def test_the_page_renders_in_spanish_and_the_choice_is_remembered(client):
    response = client.get("/donate/?lang=es")
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert "Continuar al pago" in page and "Correo electrónico" in page
    assert response.cookies["django_language"].value == "es"
    assert '<html lang="es">' in client.get("/donate/").content.decode()
    assert '<html lang="en">' in client.get("/donate/?lang=en").content.decode()


def test_a_spanish_browser_gets_the_spanish_page(client):
    page = client.get("/donate/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").content.decode()
    assert '<html lang="es">' in page and "Haga una donación a" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": None}, "Choose an amount, or type another amount."),
        ({"amount": "other", "other_amount": "3"}, "The smallest gift we can take online is $5."),
        ({"amount": "other", "other_amount": "250000"}, "Online gifts can be up to $100,000."),
        ({"amount": "other", "other_amount": "lots"}, "Enter the amount in dollars"),
        ({"email": "maria@"}, "Enter an email address like name@example.com."),
        ({"email": ""}, "Enter your email address, so we can send your receipt."),
        ({"first_name": ""}, "Enter your first name."),
        ({"postal_code": "1045"}, "Enter a 5-digit ZIP code, for example 10001."),
        ({"region": "Nueva York"}, "Enter the two-letter state code"),
        ({"tribute": "memory"}, "Enter the name of the person you are honoring or remembering."),
    ],
)
def test_bad_input_is_explained_in_plain_words_and_nothing_goes_to_stripe(
    client, stripe_api, overrides, message
):
    response = gift(client, **overrides)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "Please check these details" in page
    assert 'aria-invalid="true"' in page or 'aria-describedby="id_amount_error"' in page
    assert stripe_api.requests == []


def test_errors_are_in_spanish_on_the_spanish_page(client, stripe_api):
    client.get("/donate/?lang=es")
    page = gift(client, amount="other", other_amount="3").content.decode()
    assert "La donación mínima en línea es de $5." in page
    assert stripe_api.requests == []


def test_a_filled_in_hidden_field_marks_a_bot_and_nothing_is_sent(client, stripe_api):
    response = gift(client, website="http://spam.example")
    assert response.status_code == 200
    assert "Your gift could not be sent" in response.content.decode()
    assert stripe_api.requests == []


def test_a_gift_once_goes_to_stripe_checkout_in_payment_mode(client, stripe_api):
    response = gift(client, url="/donate/?appeal=spring26", anonymous="on")
    session = only_session(stripe_api)
    [created] = stripe_api.sessions.values()
    assert response.status_code == 302 and response["Location"] == created["url"]
    assert created["url"].startswith("https://checkout.stripe.test/c/pay/cs_test_")
    assert session["mode"] == "payment" and session["submit_type"] == "donate"
    [item] = session["line_items"]
    assert item["quantity"] == "1"
    assert item["price_data"]["unit_amount"] == "5000"
    assert item["price_data"]["currency"] == "usd"
    assert item["price_data"]["product_data"]["name"] == "Donation"
    assert "recurring" not in item["price_data"]
    assert session["customer_email"] == "maria.lopez@example.org"
    assert session["locale"] == "en"
    assert session["success_url"] == (
        "http://127.0.0.1:8000/donate/thanks/?session_id={CHECKOUT_SESSION_ID}"
    )
    assert session["cancel_url"] == "http://127.0.0.1:8000/donate/?appeal=spring26&cancelled=1"
    metadata = session["metadata"]
    assert metadata["appeal_code"] == "spring26" and metadata["language"] == "en"
    assert metadata["anonymous"] == "true" and "supporter_id" not in metadata
    assert metadata["donor_postal_code"] == "10451" and metadata["donor_last_name"] == "López"
    assert "interval" not in metadata and "tribute" not in metadata
    assert session["payment_intent_data"]["metadata"] == metadata
    headers = stripe_api.session_requests[0].headers
    assert headers["Authorization"] == "Bearer sk_test_x"
    assert headers["Idempotency-Key"].startswith("donate-")


def test_a_monthly_gift_uses_subscription_mode_with_a_monthly_price(client, stripe_api):
    response = gift(client, frequency="month", amount="other", other_amount="$1,250.50")
    session = only_session(stripe_api)
    assert response.status_code == 302
    assert session["mode"] == "subscription"
    price = session["line_items"][0]["price_data"]
    assert price["unit_amount"] == "125050" and price["recurring"] == {"interval": "month"}
    assert price["product_data"]["name"] == "Monthly donation"
    assert session["subscription_data"]["metadata"] == session["metadata"]
    assert session["metadata"]["interval"] == "month"
    assert "payment_intent_data" not in session and "submit_type" not in session


def test_covering_the_fee_adds_it_to_the_charge(client, stripe_api):
    gift(client, amount="50", cover_fee="on")
    session = only_session(stripe_api)
    # (50 + 0.30) / (1 - 0.029) = 51.80
    assert session["line_items"][0]["price_data"]["unit_amount"] == "5180"
    assert session["metadata"]["gift_amount"] == "50.00"
    assert session["metadata"]["fee_covered"] == "1.80"


def test_a_double_submit_of_the_same_form_makes_one_session(client, stripe_api):
    nonce = rendered_nonce(client)
    first = gift(client, nonce=nonce)
    second = gift(client, nonce=nonce)
    assert first["Location"] == second["Location"]
    assert len(stripe_api.sessions) == 1
    keys = {r.headers["Idempotency-Key"] for r in stripe_api.session_requests}
    assert len(stripe_api.session_requests) == 2 and len(keys) == 1


def test_the_same_form_resent_with_another_amount_makes_a_new_session(client, stripe_api):
    nonce = rendered_nonce(client)
    first = gift(client, nonce=nonce, amount="50")
    second = gift(client, nonce=nonce, amount="100")
    assert second.status_code == 302 and first["Location"] != second["Location"]
    assert len(stripe_api.sessions) == 2


def test_two_visits_make_two_sessions(client, stripe_api):
    gift(client)
    gift(client)
    assert len(stripe_api.sessions) == 2


def test_a_dedication_goes_into_the_metadata(client, stripe_api):
    gift(
        client,
        tribute="memory",
        tribute_name="Rosa Ruiz",
        tribute_notify_name="Ana Ruiz",
        tribute_notify_email="ana@example.org",
    )
    session = only_session(stripe_api)
    assert session["metadata"]["tribute"] == "memory"
    assert session["metadata"]["tribute_name"] == "Rosa Ruiz"
    assert session["metadata"]["tribute_notify_email"] == "ana@example.org"
    product = session["line_items"][0]["price_data"]["product_data"]
    assert product["description"] == "In memory of Rosa Ruiz"


def test_a_spanish_gift_asks_stripe_for_a_spanish_page(client, stripe_api):
    client.get("/donate/?lang=es")
    gift(client)
    session = only_session(stripe_api)
    assert session["locale"] == "es" and session["metadata"]["language"] == "es"
    assert session["line_items"][0]["price_data"]["product_data"]["name"] == "Donación"


def test_when_stripe_refuses_the_donor_is_told_and_can_try_again(client, stripe_api):
    stripe_api.fail_next = (400, "invalid_request_error", "Something is wrong")
    response = gift(client)
    assert response.status_code == 200
    assert "We could not reach our card processor, so nothing was charged." in (
        response.content.decode()
    )
    assert 'value="Maria"' in response.content.decode(), "what they typed is kept"


def letter_link(supporter: Supporter) -> str:
    token = make_donate_token(supporter.pk, "spring26", [Decimal("40"), 80, "160"])
    return f"/donate/?t={token}"


@pytest.fixture
def ana(db) -> Supporter:
    return Supporter.objects.create(
        first_name="Ana",
        last_name="Ruiz",
        email="ana.ruiz@example.org",
        address_line1="3 Elm St",
        city="Corona",
        region="NY",
        postal_code="11368",
    )


def test_a_letters_link_fills_in_the_donor_and_asks_its_amounts(client, ana):
    page = client.get(letter_link(ana)).content.decode()
    assert 'value="Ana"' in page and 'value="ana.ruiz@example.org"' in page
    assert "3 Elm St" not in page and "11368" not in page and "Corona" not in page
    assert "We have your address on file" in page
    for amount in ("$40", "$80", "$160"):
        assert f">{amount}</label>" in page
    assert ">$25</label>" not in page
    assert "This link has expired" not in page


def test_a_gift_through_a_letters_link_is_linked_to_the_donor_and_the_appeal(
    client, stripe_api, ana
):
    url = letter_link(ana)
    response = gift(
        client,
        url=url,
        amount="80",
        first_name="Ana",
        last_name="Ruiz",
        email="Ana.Ruiz@example.org",
    )
    assert response.status_code == 302
    metadata = only_session(stripe_api)["metadata"]
    assert metadata["supporter_id"] == str(ana.pk) and metadata["appeal_code"] == "spring26"
    assert only_session(stripe_api)["line_items"][0]["price_data"]["unit_amount"] == "8000"


def test_a_forwarded_letter_link_used_by_someone_else_is_not_credited_to_the_letters_donor(
    client, stripe_api, ana
):
    gift(client, url=letter_link(ana), amount="40", email="friend@example.org")
    metadata = only_session(stripe_api)["metadata"]
    assert "supporter_id" not in metadata and metadata["appeal_code"] == "spring26"


def test_an_expired_link_shows_a_gentle_message_and_fills_in_nothing(client, ana):
    url = letter_link(ana)
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=91)):
        page = client.get(url).content.decode()
    assert "This link has expired; you can still give below." in page
    assert "ana.ruiz@example.org" not in page and 'value="Ana"' not in page
    assert ">$25</label>" in page


def test_an_altered_link_shows_the_same_message(client, ana):
    token = make_donate_token(ana.pk, "spring26", [40])
    page = client.get(f"/donate/?t={token[:-2]}xx").content.decode()
    assert "This link has expired; you can still give below." in page
    assert "ana.ruiz@example.org" not in page


def test_a_token_reads_back_and_expires():
    token = make_donate_token(7, "spring26", [25, "50.50"])
    read = read_donate_token(token)
    assert read.supporter_id == 7 and read.appeal_code == "spring26"
    assert read.ask_amounts == (Decimal("25"), Decimal("50.50"))
    assert read_donate_token(token, max_age=-1) is None
    assert read_donate_token("not-a-token") is None


def test_a_cancelled_checkout_says_nothing_was_charged(client):
    page = client.get("/donate/?cancelled=1").content.decode()
    assert "Your payment was cancelled and nothing was charged." in page


def test_cancelling_returns_to_the_same_personal_link_and_appeal(client, stripe_api, ana):
    url = letter_link(ana)
    gift(client, url=url, amount="80", email="ana.ruiz@example.org")
    cancel = only_session(stripe_api)["cancel_url"]
    assert cancel.endswith("&cancelled=1") and "appeal=spring26" not in cancel.split("t=")[0]
    page = client.get(cancel.removeprefix("http://127.0.0.1:8000")).content.decode()
    assert "Your payment was cancelled and nothing was charged." in page
    assert 'value="ana.ruiz@example.org"' in page and ">$80</label>" in page
