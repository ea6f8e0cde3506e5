"""A thank-you is queued in the outbox in the transaction that marks the gift thanked, so an
ESP error delays it and a retry sends it, exactly once; nothing is lost between the two."""

import base64
import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core.models import OutboxMessage
from core.outbox.sending import outbox_send_due
from donations.acknowledgements.emails import thank_you_send
from donations.models import Fund, Gift
from donations.services import GiftEntry, gift_record
from tests.factories import SupporterFactory
from tests.postmark_standin import TOKEN, PostmarkStandIn

pytestmark = pytest.mark.django_db


@pytest.fixture
def postmark(settings):
    with PostmarkStandIn() as standin:
        settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
        settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": TOKEN, "POSTMARK_API_URL": standin.url}
        yield standin


@pytest.fixture
def gift(db):
    Fund.objects.create(name="General", code="general", is_default=True)
    donor = SupporterFactory(first_name="Ana", last_name="Ruiz", email="ana@example.org")
    return gift_record(
        entry=GiftEntry(
            supporter=donor,
            amount=Decimal("120.00"),
            received_on=datetime.date(2026, 3, 2),
            method=Gift.Method.CHEQUE,
        )
    )


def test_a_thank_you_whose_send_fails_is_retried_and_sent_once(postmark, gift):
    postmark.answer = 500
    assert thank_you_send(gift_id=gift.pk)
    gift.refresh_from_db()
    assert gift.acknowledgement == Gift.Acknowledgement.THANKED
    [message] = OutboxMessage.objects.all()
    assert message.kind == "thank-you" and message.status == OutboxMessage.Status.QUEUED

    outbox_send_due()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED, "the ESP failed: waiting to retry"
    assert postmark.accepted == []

    postmark.answer = "ok"
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    outbox_send_due()
    outbox_send_due()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and message.attempts == 2
    [sent] = postmark.accepted
    assert sent["To"] == "ana@example.org" and "$120 to" in sent["TextBody"]
    [receipt] = sent["Attachments"]
    assert receipt["Name"].startswith("receipt-")
    assert base64.b64decode(receipt["Content"]).startswith(b"%PDF")
    assert thank_you_send(gift_id=gift.pk) is False, "thanked once"
    assert OutboxMessage.objects.count() == 1


def test_a_thank_you_that_cannot_be_queued_leaves_the_gift_waiting(postmark, gift, monkeypatch):
    from donations.acknowledgements import emails

    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(emails, "outbox_queue", broken)
    with pytest.raises(OSError):
        thank_you_send(gift_id=gift.pk)
    gift.refresh_from_db()
    assert gift.acknowledgement == Gift.Acknowledgement.PENDING
    assert not gift.receipts.exists()
