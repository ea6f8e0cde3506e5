"""Tribute notices: the person a donor asked us to tell about a gift in honor or memory of
someone hears of it once, by email or by a printed card from the acknowledgement queue, in the
donor's language, and without the amount unless the donor chose to show it."""

import io
import json

import pytest
from pypdf import PdfReader

from core.models import Organisation
from donations.models import Campaign, Fund, Gift, StripeEvent
from donations.tasks import thank_donor
from tests.donations.donate_form import gift as donate
from tests.donations.stripe_events import event, post
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db
QUEUE = "/admin/donations/gift/to-thank/"
IN_MEMORY = {
    "tribute": "memory",
    "tribute_name": "Rosa Ruiz",
    "tribute_notify_name": "Elena Ruiz",
    "tribute_notify_email": "elena@example.org",
}


@pytest.fixture(autouse=True)
def test_mode(settings):
    """The local test checkout stands in for Stripe and reports through the real webhook."""
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = "whsec_local_test_mode"
    general = Fund.objects.create(name="General", code="general", is_default=True)
    Campaign.objects.create(name="Spring appeal", code="spring26", fund=general)
    organisation = Organisation.current()
    organisation.name = "Immigrant Justice Project"
    organisation.save()


def give_online(client, capture, **fields) -> Gift:
    """A donor gives $50 on the donate page and pays on the test checkout."""
    response = donate(client, url="/donate/?appeal=spring26", **fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    with capture(execute=True):
        assert client.post(response["Location"]).status_code == 302
    return Gift.objects.get()


def to(mailoutbox, address: str) -> list:
    return [message for message in mailoutbox if message.to == [address]]


def test_an_online_gift_in_memory_tells_the_named_person_once_without_the_amount(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    gift = give_online(client, django_capture_on_commit_callbacks, **IN_MEMORY)
    [notice] = to(mailoutbox, "elena@example.org")
    assert notice.subject == "A gift in memory of Rosa Ruiz"
    assert "Dear Elena Ruiz," in notice.body
    assert (
        "Maria López has made a gift to Immigrant Justice Project in memory of Rosa Ruiz."
        in notice.body
    )
    html = notice.alternatives[0][0]
    assert "In memory of Rosa Ruiz" in html
    for text in (notice.subject, notice.body, html):
        assert "$" not in text and "50" not in text
    [thank_you] = to(mailoutbox, "maria.lopez@example.org")
    assert "$50 to Immigrant Justice Project" in thank_you.body and thank_you.attachments
    gift.refresh_from_db()
    assert gift.tribute_notice_channel == "email" and gift.tribute_notified_at is not None
    assert gift.tribute_show_amount is False


def test_replaying_the_webhook_or_the_task_sends_nothing_twice(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    gift = give_online(client, django_capture_on_commit_callbacks, **IN_MEMORY)
    sent_at = gift.tribute_notified_at
    completed = StripeEvent.objects.get(type="checkout.session.completed")
    payload = json.dumps(completed.payload).encode()
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, payload).status_code == 200  # the same event again
        session = completed.payload["data"]["object"]
        assert post(client, event("checkout.session.completed", session)).status_code == 200
        thank_donor.enqueue(gift.pk)  # the task run a second time
    assert len(to(mailoutbox, "elena@example.org")) == 1
    assert len(to(mailoutbox, "maria.lopez@example.org")) == 1
    gift.refresh_from_db()
    assert gift.tribute_notified_at == sent_at and Gift.objects.count() == 1


def test_the_amount_is_shown_only_when_the_donor_chose_it(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    gift = give_online(
        client, django_capture_on_commit_callbacks, tribute_show_amount="on", **IN_MEMORY
    )
    assert gift.tribute_show_amount is True
    [notice] = to(mailoutbox, "elena@example.org")
    assert (
        "Maria López has made a gift of $50.00 to Immigrant Justice Project in memory of "
        "Rosa Ruiz." in notice.body
    )


def test_a_spanish_donor_s_notice_is_in_spanish(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    client.get("/donate/?lang=es")
    give_online(client, django_capture_on_commit_callbacks, **{**IN_MEMORY, "tribute": "honour"})
    [notice] = to(mailoutbox, "elena@example.org")
    assert notice.subject == "Una donación en honor de Rosa Ruiz"
    assert "Estimado/a Elena Ruiz:" in notice.body
    assert (
        "Maria López ha hecho una donación a Immigrant Justice Project en honor de Rosa Ruiz."
        in notice.body
    )
    assert "Con gratitud," in notice.body and "$" not in notice.body
    assert 'lang="es"' in notice.alternatives[0][0]


def test_an_anonymous_gift_is_from_a_friend(client, mailoutbox, django_capture_on_commit_callbacks):
    give_online(client, django_capture_on_commit_callbacks, anonymous="on", **IN_MEMORY)
    [notice] = to(mailoutbox, "elena@example.org")
    assert "A friend has made a gift to Immigrant Justice Project in memory" in notice.body
    assert "Maria" not in notice.body and "López" not in notice.body


def test_no_email_but_an_address_puts_a_card_in_the_queue_printed_once(
    client, staff_client, mailoutbox, django_capture_on_commit_callbacks
):
    gift = give_online(
        client,
        django_capture_on_commit_callbacks,
        **{**IN_MEMORY, "tribute_notify_email": ""},
        tribute_notify_address="40 Oak Ave\nYonkers, NY 10701",
    )
    assert to(mailoutbox, "elena@example.org") == [] and len(mailoutbox) == 1  # the thank-you
    page = staff_client.get(QUEUE).content.decode()
    assert f'name="tribute_gift" value="{gift.pk}"' in page
    assert "No email: print a card and mail it." in page

    response = staff_client.post(QUEUE, {"tribute_gift": [gift.pk], "action": "tribute_cards"})
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    [card] = reader.pages
    text = " ".join(card.extract_text().split())
    assert "In memory of Rosa Ruiz" in text and "Dear Elena Ruiz," in text
    assert "Elena Ruiz 40 Oak Ave Yonkers, NY 10701" in text
    assert "Maria López has made a gift to Immigrant Justice Project in memory of" in text
    assert "$" not in text and "50" not in text

    staff_client.post(QUEUE, {"tribute_gift": [gift.pk], "action": "tribute_mailed"})
    gift.refresh_from_db()
    assert gift.tribute_notice_channel == "card" and gift.tribute_notified_at is not None
    sent_at = gift.tribute_notified_at
    again = staff_client.post(
        QUEUE, {"tribute_gift": [gift.pk], "action": "tribute_mailed"}, follow=True
    )
    assert "0 tribute card(s) marked as mailed" in again.content.decode()
    gift.refresh_from_db()
    assert gift.tribute_notified_at == sent_at
    assert f'name="tribute_gift" value="{gift.pk}"' not in staff_client.get(QUEUE).content.decode()


@pytest.fixture
def recorded_by_staff(staff_client):
    """A cheque recorded on the admin's gift form with a dedication and whom to tell."""
    donor = SupporterFactory(first_name="Ana", last_name="Ruiz", email="ana@example.org")
    form = staff_client.get("/admin/donations/gift/add/").context["adminform"].form
    data = {
        **{k: v for k, v in form.initial.items() if v is not None and k in form.fields},
        "supporter": donor.pk, "amount": "120.00", "currency": "usd",
        "received_on": "2026-03-02", "method": "cheque", "status": "succeeded",
        "amount_refunded": "0", "benefit_value": "0", "acknowledgement": "pending",
        "tribute": "honour", "tribute_name": "Luis Ruiz", "tribute_notify_name": "Luis Ruiz",
        "tribute_notify_email": "luis@example.org", "tribute_show_amount": "on",
        "tribute_notify_language": "es",
    }  # fmt: skip
    response = staff_client.post("/admin/donations/gift/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Gift.objects.get(supporter=donor)


def test_staff_record_a_notice_sent_with_the_thank_you_in_the_language_they_chose(
    staff_client, recorded_by_staff, mailoutbox, django_capture_on_commit_callbacks
):
    gift = recorded_by_staff
    assert gift.tribute_show_amount and gift.tribute_notify_language == "es"
    assert f'name="tribute_gift" value="{gift.pk}"' in staff_client.get(QUEUE).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(QUEUE, {"gift": [gift.pk], "action": "email"})
        staff_client.post(QUEUE, {"tribute_gift": [gift.pk], "action": "tribute_email"})
    [notice] = to(mailoutbox, "luis@example.org")
    assert notice.subject == "Una donación en honor de Luis Ruiz"
    assert "Ana Ruiz ha hecho una donación de $120.00 a Immigrant Justice Project" in notice.body
    assert len(to(mailoutbox, "ana@example.org")) == 1  # the donor's thank-you, in English
    gift.refresh_from_db()
    assert gift.tribute_notice_channel == "email"


def test_the_staff_form_wants_a_dedication_before_whom_to_tell(staff_client):
    donor = SupporterFactory()
    response = staff_client.post(
        "/admin/donations/gift/add/",
        {"supporter": donor.pk, "amount": "10", "currency": "usd", "received_on": "2026-03-02",
         "method": "cash", "status": "succeeded", "amount_refunded": "0", "benefit_value": "0",
         "acknowledgement": "pending", "tribute_notify_email": "x@example.org"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Choose in honor of or in memory of, or clear the names." in response.content.decode()
    assert not Gift.objects.exists()


def test_board_members_see_the_notices_but_cannot_send_them(client, board, staff):
    donor = SupporterFactory(email="")
    gift = Gift.objects.create(
        supporter=donor, amount=50, method="cash", received_on="2026-03-02", **IN_MEMORY
    )
    client.force_login(board)
    assert f'value="{gift.pk}"' in client.get(QUEUE).content.decode()
    refused = client.post(QUEUE, {"tribute_gift": [gift.pk], "action": "tribute_email"})
    assert refused.status_code == 403
    gift.refresh_from_db()
    assert gift.tribute_notified_at is None
