"""A monthly donor is thanked as one: the first thank-you says the gift is monthly, when the
next charge is and where to manage it; each later installment's receipt email says it is one.
Events are posted signed to the real webhook; emails are read back from the Postmark stand-in
through the real anymail backend, in English and in Spanish."""

import copy

import pytest

from core.models import Organisation
from core.outbox.sending import outbox_send_due
from donations.models import Campaign, Fund, Gift, RecurringGift
from tests.donations.stripe_events import event, post, stripe_object
from tests.postmark_standin import TOKEN, PostmarkStandIn

pytestmark = pytest.mark.django_db


@pytest.fixture
def postmark(settings):
    with PostmarkStandIn() as standin:
        settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
        settings.ANYMAIL = {"POSTMARK_API_URL": standin.url, "POSTMARK_SERVER_TOKEN": TOKEN}
        settings.SITE_URL = "https://give.example.org"
        yield standin


@pytest.fixture(autouse=True)
def books(db):
    general = Fund.objects.create(name="General", code="general", is_default=True)
    Campaign.objects.create(name="Spring appeal", code="spring26", fund=general)
    Organisation.objects.update_or_create(pk=1, defaults={"name": "Immigrant Justice Project"})


def monthly_gift(client, capture, *, language="en", invoice_id="in_test_1", period_end=None):
    """The webhook events of a monthly plan's payment, the thank-you run after they commit."""
    metadata = {"appeal_code": "spring26", "interval": "month", "language": language}
    session = stripe_object("checkout_session_subscription", metadata=metadata)
    invoice = stripe_object("invoice_paid", id=invoice_id)
    invoice["parent"]["subscription_details"]["metadata"] = metadata
    if invoice_id != "in_test_1":
        invoice["billing_reason"] = "subscription_cycle"
        invoice["status_transitions"]["paid_at"] += 31 * 86400
    if period_end:
        invoice["lines"]["data"][0]["period"]["end"] = period_end
    with capture(execute=True):
        assert post(client, event("checkout.session.completed", session)).status_code == 200
        assert post(client, event("invoice.paid", copy.deepcopy(invoice))).status_code == 200
    outbox_send_due()


def thank_yous(postmark):
    return [m for m in postmark.accepted if m["To"] == "ana.ruiz@example.org"]


def test_the_first_thank_you_says_monthly_the_next_charge_and_the_account(
    client, postmark, django_capture_on_commit_callbacks
):
    monthly_gift(client, django_capture_on_commit_callbacks)

    (mail,) = thank_yous(postmark)
    assert mail["Subject"] == "Thank you for your monthly gift to Immigrant Justice Project"
    text = " ".join(mail["TextBody"].split())
    assert "Thank you for your monthly gift of $50 to Immigrant Justice Project." in text
    # invoice_paid.json's period ends 2026-02-01 12:00 UTC: February 1 in New York.
    assert "Your next monthly gift of $50 will be charged on February 1, 2026." in text
    assert (
        "You can change, pause or stop your monthly gift at any time from your account "
        "(https://give.example.org/account/)" in text
    )
    assert "Your receipt (" in text and "installment" not in text
    html = mail["HtmlBody"]
    assert '<a href="https://give.example.org/account/"' in html
    assert "will be charged on February 1, 2026." in html
    assert mail["Attachments"][0]["Name"].startswith("receipt-")


def test_a_later_installment_says_it_is_one(client, postmark, django_capture_on_commit_callbacks):
    monthly_gift(client, django_capture_on_commit_callbacks)
    monthly_gift(
        client, django_capture_on_commit_callbacks, invoice_id="in_test_2", period_end=1772366400
    )

    assert Gift.objects.filter(recurring=RecurringGift.objects.get()).count() == 2
    first, later = thank_yous(postmark)
    assert later["Subject"] == (
        "Your monthly gift to Immigrant Justice Project: this month's receipt"
    )
    text = " ".join(later["TextBody"].split())
    assert (
        "Thank you for this month's installment of your monthly gift to Immigrant Justice "
        "Project: $50." in text
    )
    assert "Your next monthly gift of $50 will be charged on March 1, 2026." in text
    assert "Your receipt for this installment (" in text
    assert "https://give.example.org/account/" in text
    assert "this month's installment" not in first["TextBody"]


def test_a_spanish_monthly_donor_is_thanked_in_spanish(
    client, postmark, django_capture_on_commit_callbacks
):
    monthly_gift(client, django_capture_on_commit_callbacks, language="es")
    monthly_gift(
        client,
        django_capture_on_commit_callbacks,
        language="es",
        invoice_id="in_test_2",
        period_end=1772366400,
    )

    first, later = thank_yous(postmark)
    assert first["Subject"] == "Gracias por su donación mensual a Immigrant Justice Project"
    text = " ".join(first["TextBody"].split())
    assert "Gracias por su donación mensual de $50 a Immigrant Justice Project." in text
    assert "Su próxima donación mensual de $50 se cargará el 1 de febrero de 2026." in text
    assert "desde su cuenta (https://give.example.org/account/)" in text
    later_text = " ".join(later["TextBody"].split())
    assert "cuota de este mes" in later_text
    assert "Adjuntamos su recibo de esta cuota (" in later_text


def test_a_gift_once_is_thanked_as_before(client, postmark, django_capture_on_commit_callbacks):
    session = stripe_object("checkout_session_payment")
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, event("checkout.session.completed", session)).status_code == 200
    outbox_send_due()
    (mail,) = postmark.accepted
    # The donor's first gift: the thank-you rules choose the welcome letter.
    assert mail["Subject"] == ("Welcome, and thank you for your gift to Immigrant Justice Project")
    assert "monthly" not in mail["TextBody"] and "/account/" not in mail["TextBody"]
