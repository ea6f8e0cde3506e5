"""Admin > Outbox: staff see every email and what became of it, and may send a failed one
again; board members read it and change nothing."""

import pytest

from core.models import OutboxMessage
from core.outbox.queue import outbox_queue

pytestmark = pytest.mark.django_db
URL = "/admin/core/outboxmessage/"


@pytest.fixture
def failed():
    message = outbox_queue(kind="thank-you", to="ana@example.org", subject="Thanks", text="x")
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.FAILED, attempts=8, last_error="Gave up after 8 attempts."
    )
    return message


def test_staff_see_the_outbox_and_send_a_failed_message_again(staff_client, failed, sent_mail):
    page = staff_client.get(URL).content.decode()
    assert "ana@example.org" in page and "Failed" in page
    staff_client.post(URL, {"action": "send_again", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.status == OutboxMessage.Status.QUEUED and failed.attempts == 0
    [message] = sent_mail()
    assert message.to == ["ana@example.org"]


def test_the_board_reads_the_outbox_but_cannot_send(board_client, failed):
    page = board_client.get(URL)
    assert page.status_code == 200 and "ana@example.org" in page.content.decode()
    assert 'name="action"' not in page.content.decode()
    board_client.post(URL, {"action": "send_again", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.status == OutboxMessage.Status.FAILED
