"""The ESP's tracking webhook: Postmark's real-shaped events posted to
/anymail/postmark/tracking/ with basic auth, kept once each, dated on their message; hard
bounces and complaints stop all email to the address, unsubscribes stop appeals, and the
suppression outlives the supporter record."""

import base64
import json
from pathlib import Path

import pytest
from django.test import Client

from core.models import OutboxEvent, OutboxMessage, Suppression
from core.outbox.queue import outbox_queue
from crm.models import ConsentEvent, Supporter
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db
URL = "/anymail/postmark/tracking/"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "postmark"
AUTH = "Basic " + base64.b64encode(b"postmark:hook-secret").decode()


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "postmark:hook-secret"}


def payload(name: str, **changes: object) -> dict:
    return {**json.loads((FIXTURES / f"{name}.json").read_text()), **changes}


def post(client, event: dict, auth: str = AUTH):
    return client.post(
        URL, data=json.dumps(event), content_type="application/json", HTTP_AUTHORIZATION=auth
    )


def sent_message(to: str, *, appeal: bool = False, esp_id: str = "") -> OutboxMessage:
    message = outbox_queue(
        kind="appeal" if appeal else "thank-you", to=to, subject="Hello", text="Hello",
        priority=OutboxMessage.Priority.BULK if appeal else OutboxMessage.Priority.TRANSACTIONAL,
    )  # fmt: skip
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENT, esp_message_id=esp_id
    )
    return message


def test_a_delivery_is_dated_on_its_message_once_however_often_it_is_posted(client):
    message = sent_message("recipient@example.com")
    event = payload("delivery", Metadata={"outbox_id": str(message.pk)})
    assert post(client, event).status_code == 200
    assert post(client, event).status_code == 200, "the ESP may post it again"
    message.refresh_from_db()
    assert message.delivered_at is not None and message.delivered_at.year == 2014
    assert OutboxEvent.objects.filter(message=message, event_type="delivered").count() == 1


def test_opens_and_clicks_find_their_message_by_the_esps_id(client):
    message = sent_message("recipient@example.com", esp_id="f4830d10-9c35-4f0c-bca3-3d9b459821f8")
    post(client, payload("open"))
    post(client, payload("click"))
    message.refresh_from_db()
    assert message.opened_at and message.clicked_at
    click = OutboxEvent.objects.get(event_type="clicked")
    assert click.click_url == "https://example.com/click/me"


def test_a_hard_bounce_stops_all_email_to_the_address_even_for_a_new_record(client, sent_mail):
    bouncer = SupporterFactory(email="bounce@example.com")
    post(client, payload("hard_bounce"))
    assert Suppression.objects.get().get_reason_display() == "Hard bounce"
    bouncer.delete()
    SupporterFactory(email="bounce@example.com")  # imported again a year later
    thanks = outbox_queue(kind="thank-you", to="bounce@example.com", subject="Thanks", text="x")
    assert sent_mail() == []
    thanks.refresh_from_db()
    assert thanks.status == OutboxMessage.Status.CANCELLED
    assert thanks.last_error == "Not sent: Hard bounce."
    assert not Suppression.objects.filter(email_hash__contains="bounce").exists(), "hashed"


def test_a_soft_bounce_is_not_a_reason_to_stop(client):
    post(client, payload("hard_bounce", Type="SoftBounce", TypeCode=4096, Inactive=False, ID=7))
    assert not Suppression.objects.exists()


def test_a_complaint_stops_all_email_and_opts_the_supporter_out(client):
    donor = SupporterFactory(email="spam@example.com", email_opt_in=Supporter.EmailOptIn.OPTED_IN)
    post(client, payload("spam_complaint"))
    donor.refresh_from_db()
    assert donor.do_not_email and donor.email_opt_in == Supporter.EmailOptIn.OPTED_OUT
    assert ConsentEvent.objects.filter(supporter=donor, method="bounce").count() == 2
    assert Suppression.objects.get().scope == Suppression.Scope.ALL


def test_an_unsubscribe_at_the_esp_stops_appeals_but_not_receipts(client, sent_mail):
    post(client, payload("subscription_change"))
    assert Suppression.objects.get().scope == Suppression.Scope.APPEALS
    appeal = outbox_queue(
        kind="appeal", to="john@example.com", subject="Spring", text="x",
        priority=OutboxMessage.Priority.BULK,
    )  # fmt: skip
    outbox_queue(kind="thank-you", to="john@example.com", subject="Thanks", text="x")
    assert [m.subject for m in sent_mail()] == ["Thanks"]
    appeal.refresh_from_db()
    assert appeal.status == OutboxMessage.Status.CANCELLED


def test_an_event_without_the_secret_changes_nothing(client, settings):
    assert post(client, payload("hard_bounce"), auth="Basic d3Jvbmc6d3Jvbmc=").status_code == 400
    settings.ANYMAIL = {}
    assert post(client, payload("hard_bounce")).status_code == 403
    assert not Suppression.objects.exists() and not OutboxEvent.objects.exists()


def test_staff_find_a_suppressed_address_by_typing_it(staff_client):
    post(Client(), payload("hard_bounce"))  # the ESP, not a signed-in person
    page = staff_client.get("/admin/core/suppression/?q=Bounce@Example.com").content.decode()
    assert "Postmark: The server was unable to deliver" in page and "1 suppression" in page
    page = staff_client.get("/admin/core/suppression/?q=other@example.com").content.decode()
    assert "0 suppressions" in page
