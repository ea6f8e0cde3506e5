"""Sending a mailing: claimed once, its recipients snapshot into deliveries (one per
supporter and channel), each email composed per donor by the outbox's worker and sent once;
people who say no in between are not emailed; results count what happened and what it raised."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from core.models import OutboxMessage
from crm.models import Supporter
from donations.models import Fund, Gift
from donations.services import GiftEntry, gift_record
from mailings.audiences.models import Audience
from mailings.models import Mailing
from mailings.sending.models import Delivery
from mailings.sending.selectors import mailing_results, mailing_status_refresh
from mailings.sending.services import SendRefused, mailing_plan, mailing_send
from tests.factories import SupporterFactory
from tests.mailings.letters import letter_with_versions

pytestmark = pytest.mark.django_db
ADDRESS = {"address_line1": "1 Main St", "city": "Queens", "postal_code": "11368", "country": "US"}
ELSEWHERE = ADDRESS | {"address_line1": "9 Elm"}


def mailing(channel=Mailing.Channel.EMAIL, **criteria) -> Mailing:
    return Mailing.objects.create(
        name="Spring appeal", slug="spring", letter=letter_with_versions(), channel=channel,
        audience=Audience.objects.create(name="Everyone", criteria=criteria),
    )  # fmt: skip


@pytest.fixture
def people(db):
    return {
        "maria": SupporterFactory(first_name="Maria", email="maria@example.org", **ADDRESS),
        "jose": SupporterFactory(first_name="Jose", email="jose.r@gmail.com"),
        "copy": SupporterFactory(first_name="Jose", email="joser+news@gmail.com"),
        "nomail": SupporterFactory(first_name="Nell", email="", **ELSEWHERE),
        "gone": SupporterFactory(first_name="Ruth", email="ruth@example.org", deceased=True),
    }  # fmt: skip


def test_the_plan_says_who_gets_it_and_who_is_left_out_why(people):
    plan = mailing_plan(mailing())
    assert sorted(email for _, email in plan.email.recipients) == [
        "jose.r@gmail.com", "maria@example.org",
    ]  # fmt: skip
    assert plan.email.excluded == {"Deceased": 1, "No email address": 1, "Same email twice": 1}


def test_an_email_mailing_is_sent_once_each_composed_for_its_donor(people, sent_mail):
    spring = mailing()
    mailing_send(mailing=spring, user=None)
    with pytest.raises(SendRefused, match="sent once"):
        mailing_send(mailing=spring, user=None)
    assert Delivery.objects.filter(mailing=spring, channel="email").count() == 2
    messages = {m.to[0]: m for m in sent_mail()}
    assert sorted(messages) == ["jose.r@gmail.com", "maria@example.org"]
    assert messages["maria@example.org"].subject == "A spring letter for Maria"
    assert "List-Unsubscribe" in messages["maria@example.org"].extra_headers
    spring = mailing_status_refresh(spring)
    assert spring.status == Mailing.Status.SENT and spring.finished_at
    assert spring.snapshot["email"]["recipients"] == 2


def test_someone_who_opts_out_after_the_send_began_is_not_emailed(people, sent_mail):
    spring = mailing()
    mailing_send(mailing=spring, user=None)
    Supporter.objects.filter(pk=people["maria"].pk).update(do_not_email=True)
    assert [m.to[0] for m in sent_mail()] == ["jose.r@gmail.com"]
    stopped = OutboxMessage.objects.get(to_email="maria@example.org")
    assert stopped.status == OutboxMessage.Status.CANCELLED
    assert "Asked not to be emailed" in stopped.last_error
    assert mailing_results(spring).not_sent == 1


def test_email_and_print_for_those_who_cannot_be_emailed(people):
    both = mailing(channel=Mailing.Channel.BOTH)
    mailing_send(mailing=both, user=None)
    printed = Delivery.objects.filter(mailing=both, channel="print")
    assert [d.supporter.first_name for d in printed] == ["Nell"]
    assert mailing_results(both).recipients == 3


def test_results_count_what_happened_and_what_it_raised(people, sent_mail):
    Fund.objects.create(name="General", code="general", is_default=True)
    spring = mailing()
    spring.cost = Decimal("30.00")
    spring.save()
    mailing_send(mailing=spring, user=None)
    sent_mail()
    OutboxMessage.objects.filter(to_email="maria@example.org").update(
        delivered_at="2026-03-02T10:00Z", opened_at="2026-03-02T11:00Z"
    )
    gift_record(
        entry=GiftEntry(
            supporter=people["maria"], amount=Decimal("120"), method=Gift.Method.CHEQUE,
            received_on=timezone.localdate(), appeal_code="spring26",
        )
    )  # fmt: skip
    results = mailing_results(spring)
    assert (results.sent, results.delivered, results.opened) == (2, 1, 1)
    assert (results.gifts, results.donors, results.raised) == (1, 1, Decimal("120"))
    assert results.response_rate == 0.5 and results.cost_per_dollar == Decimal("0.25")


def test_a_mailing_without_an_audience_or_with_a_broken_letter_is_refused(people):
    spring = mailing()
    spring.audience = None
    with pytest.raises(SendRefused, match="Choose an audience"):
        mailing_send(mailing=spring, user=None)
    spring = Mailing.objects.get(pk=spring.pk)
    spring.letter.versions.update(subject="")
    with pytest.raises(SendRefused, match="the email has no subject line yet"):
        mailing_send(mailing=spring, user=None)
    assert not Delivery.objects.exists()
    assert Mailing.objects.get(pk=spring.pk).status == Mailing.Status.DRAFT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sends_at_once_start_one(people):
    spring = mailing()
    start = threading.Barrier(2, timeout=20)
    outcomes: list[str] = []

    def send() -> None:
        try:
            start.wait()
            mailing_send(mailing=Mailing.objects.get(pk=spring.pk), user=None)
            outcomes.append("sent")
        except SendRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "sent"]
    assert Delivery.objects.filter(mailing=spring).count() == 2
    assert OutboxMessage.objects.filter(kind="appeal").count() == 2


def test_a_mailing_that_reaches_nobody_is_refused_and_stays_a_draft(db):
    SupporterFactory(email="", first_name="Nell")
    nobody = mailing()
    with pytest.raises(SendRefused, match="Nobody in the audience can get this mailing"):
        mailing_send(mailing=nobody, user=None)
    nobody.refresh_from_db()
    assert nobody.status == Mailing.Status.DRAFT and not nobody.log.exists()


def test_an_unsubscribe_from_the_emails_own_link_counts_in_its_results(people, sent_mail, client):
    """The link (and the one-click header) names the message it came in, so the mailing's
    results count who used it; a second click counts nothing more."""
    spring = mailing()
    mailing_send(mailing=spring, user=None)
    email = next(m for m in sent_mail() if m.to == ["maria@example.org"])
    header = email.extra_headers["List-Unsubscribe"]
    path = "/u/" + header.split("/u/", 1)[1].split("/", 1)[0] + "/"
    assert path in email.body
    for _ in range(2):
        client.post(path, {"List-Unsubscribe": "One-Click"})
    results = mailing_results(spring)
    assert results.unsubscribed == 1
    assert Supporter.objects.get(pk=people["maria"].pk).email_opt_in == "opted_out"
    message = OutboxMessage.objects.get(to_email="maria@example.org")
    assert message.unsubscribed_at is not None
    assert OutboxMessage.objects.get(to_email="jose.r@gmail.com").unsubscribed_at is None
