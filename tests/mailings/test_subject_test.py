"""A/B subject lines: a sample gets the letter's subject (A) or the second subject (B), half
each; the rest waits; when the wait is over the subject with more opens (or clicks, as set) goes
to the rest, automatically and once; staff may decide early. Opens arrive as Postmark's
real-shaped tracking events posted to the tracking webhook."""

import base64
import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from core.models import OutboxMessage
from mailings.audiences.models import Audience
from mailings.models import Mailing, MailingLog
from mailings.sending.composer import COMPOSER
from mailings.sending.models import Delivery
from mailings.sending.selectors import mailing_results, mailing_status_refresh
from mailings.sending.services import SendRefused, mailing_plan, mailing_send
from mailings.sending.subject_test import (
    subject_test_decide,
    subject_test_results,
    subject_tests_due_decide,
)
from tests.factories import SupporterFactory
from tests.mailings.letters import letter_with_versions

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "postmark"
AUTH = "Basic " + base64.b64encode(b"postmark:hook-secret").decode()


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "postmark:hook-secret"}


@pytest.fixture
def supporters(db):
    return [
        SupporterFactory(first_name=f"Donor{n}", email=f"donor{n}@example.org") for n in range(120)
    ]


def mailing_with_test(**fields) -> Mailing:
    fields = {
        "name": "Spring appeal", "slug": "spring", "channel": Mailing.Channel.EMAIL,
        "subject_b": "{{ first_name }}, one question before spring", "test_share": 50,
        "test_hours": 4, **fields,
    }  # fmt: skip
    mailing = Mailing(
        letter=fields.pop("letter", None) or letter_with_versions(),
        audience=Audience.objects.get_or_create(name="Everyone", criteria={})[0],
        **fields,
    )
    mailing.full_clean()
    mailing.save()
    return mailing


def track(client, message: OutboxMessage, kind: str) -> None:
    """Postmark's open or click event for this message, as its webhook posts it."""
    event = json.loads((FIXTURES / f"{kind}.json").read_text())
    event["MessageID"] = message.esp_message_id or f"esp-{message.pk}"
    event["Metadata"] = {"outbox_id": str(message.pk)}
    response = client.post(
        "/anymail/postmark/tracking/",
        data=json.dumps(event),
        content_type="application/json",
        HTTP_AUTHORIZATION=AUTH,
    )
    assert response.status_code == 200


def messages_of(mailing: Mailing, variant: str) -> list[OutboxMessage]:  # the sample's
    refs = Delivery.objects.filter(mailing=mailing, subject_variant=variant).values("pk")
    return list(OutboxMessage.objects.filter(composer=COMPOSER, ref__in=refs))


def test_a_sample_gets_each_subject_and_the_rest_waits(supporters, sent_mail):
    spring = mailing_with_test()
    plan = mailing_plan(spring)
    assert (plan.test.per_subject, plan.test.rest) == (30, 60)
    mailing_send(mailing=spring, user=None)
    emails = Delivery.objects.filter(mailing=spring, channel="email")
    assert emails.filter(subject_variant="a").count() == 30
    assert emails.filter(subject_variant="b").count() == 30
    assert emails.filter(subject_variant="").count() == 60
    # Only the sample is queued and sent; each subject is merged for its donor.
    sent = sent_mail()
    assert len(sent) == 60
    b_people = set(emails.filter(subject_variant="b").values_list("email", flat=True))
    for message in sent:
        first_name = message.to[0].split("@")[0].replace("donor", "Donor")
        if message.to[0] in b_people:
            assert message.subject == f"{first_name}, one question before spring"
        else:
            assert message.subject == f"A spring letter for {first_name}"
    # All the sample is sent, but the mailing is not done: the rest waits for the winner.
    assert mailing_status_refresh(spring).status == Mailing.Status.SENDING
    found = mailing_results(spring)
    assert (found.emails, found.pending, found.awaiting_test, found.done) == (120, 0, 60, False)
    log = list(MailingLog.objects.filter(mailing=spring).values_list("action", flat=True))
    assert log[-1].startswith("Subject test: 30 get A and 30 get B; the winner by opens")


def test_after_the_wait_the_subject_with_more_opens_goes_to_the_rest_once(
    supporters, sent_mail, client
):
    spring = mailing_with_test()
    mailing_send(mailing=spring, user=None)
    sent_mail()
    for message in messages_of(spring, "b")[:9]:
        track(client, message, "open")
    for message in messages_of(spring, "a")[:4]:
        track(client, message, "open")
    spring.refresh_from_db()
    # Before its time nothing is decided, however often asked.
    assert subject_tests_due_decide(now=spring.started_at + timedelta(hours=3)) == 0
    assert Delivery.objects.filter(mailing=spring, subject_variant="").count() == 60

    later = spring.started_at + timedelta(hours=4, minutes=1)
    assert subject_tests_due_decide(now=later) == 1
    assert subject_tests_due_decide(now=later) == 0, "decided once"
    assert subject_test_decide(mailing_id=spring.pk, now=later, early=True) == ""
    spring.refresh_from_db()
    assert spring.test_winner == "b" and spring.test_decided_at == later
    rest = sent_mail()[60:]
    assert len(rest) == 60
    assert all(m.subject.endswith(", one question before spring") for m in rest)
    assert OutboxMessage.objects.filter(composer=COMPOSER).count() == 120, "nobody twice"
    a, b, rest = subject_test_results(spring, rest=True)
    assert (a.recipients, a.sent, a.opened) == (30, 30, 4)
    assert (b.recipients, b.sent, b.opened) == (30, 30, 9)
    assert (rest.variant, rest.recipients, rest.sent, rest.opened) == ("rest", 60, 60, 0)
    assert rest.subject == spring.subject_b
    assert mailing_status_refresh(spring).status == Mailing.Status.SENT
    assert MailingLog.objects.filter(
        mailing=spring, action="Subject B won (by opens: A 13%, B 30%); sent to the other 60"
    ).exists()


def test_by_clicks_and_a_tie_goes_to_the_letters_own_subject(supporters, sent_mail, client):
    spring = mailing_with_test(test_metric=Mailing.TestMetric.CLICKS)
    mailing_send(mailing=spring, user=None)
    sent_mail()
    for message in messages_of(spring, "b")[:5]:
        track(client, message, "open")  # more opens for B, but clicks decide
    for variant in ("a", "b"):
        for message in messages_of(spring, variant)[:2]:
            track(client, message, "click")
    for message in messages_of(spring, "a")[2:8]:
        track(client, message, "click")
    assert subject_test_decide(mailing_id=spring.pk, early=True) == "a"

    tie = mailing_with_test(slug="tie", letter=spring.letter)
    mailing_send(mailing=tie, user=None)
    assert subject_test_decide(mailing_id=tie.pk, early=True) == "a"
    assert MailingLog.objects.filter(mailing=tie, action__contains="a tie").exists()


def test_too_small_an_audience_is_refused_and_nothing_changes(db):
    for n in range(40):
        SupporterFactory(email=f"few{n}@example.org")
    spring = mailing_with_test()
    assert "needs at least 25 recipients per subject" in mailing_plan(spring).test_problem
    with pytest.raises(SendRefused, match="100 email recipients, and this audience has 40"):
        mailing_send(mailing=spring, user=None)
    spring.refresh_from_db()
    assert spring.status == Mailing.Status.DRAFT and spring.started_at is None
    assert not Delivery.objects.exists() and not OutboxMessage.objects.exists()


def test_the_second_subject_is_checked_like_the_letters(db):
    letter = letter_with_versions(en={}, es={})
    with pytest.raises(ValidationError) as refused:
        mailing_with_test(subject_b_es="", letter=letter)
    assert "Spanish version: write its second subject" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        Mailing(name="x", slug="x", letter=letter, subject_b="Hi {{ password }}").full_clean()
    assert "password" in str(refused.value)
    with pytest.raises(ValidationError, match="needs email"):
        mailing_with_test(channel=Mailing.Channel.PRINT, letter=letter, subject_b_es="Hola")


def test_spanish_readers_get_the_spanish_second_subject(sent_mail, db):
    for n in range(100):
        SupporterFactory(first_name=f"Ana{n}", email=f"ana{n}@example.org", preferred_language="es")
    letter = letter_with_versions(en={}, es={"subject": "Una carta para {{ first_name }}"})
    spring = mailing_with_test(letter=letter, subject_b_es="{{ first_name }}, una pregunta")
    mailing_send(mailing=spring, user=None)
    subjects = {m.subject.split(",")[-1] for m in sent_mail() if "," in m.subject}
    assert subjects == {" una pregunta"}


def test_staff_decide_early_from_the_results_page_board_members_only_read(
    supporters, sent_mail, client, board, staff
):
    spring = mailing_with_test()
    mailing_send(mailing=spring, user=None)
    client.force_login(staff)
    url = f"/admin/mailings/mailing/{spring.pk}/subject-test/decide/"
    response = client.post(url, follow=True)
    assert "emails has been sent yet, so there is nothing to compare" in response.content.decode()
    assert Mailing.objects.get(pk=spring.pk).test_winner == ""
    sent_mail()
    client.force_login(board)
    page = client.get(f"/admin/mailings/mailing/{spring.pk}/results/").content.decode()
    assert "Subject test" in page and "one question before spring" in page
    assert "Decide now" not in page
    assert client.post(url).status_code == 403
    assert Mailing.objects.get(pk=spring.pk).test_winner == ""

    client.force_login(staff)
    assert (
        "Decide now and send the winner"
        in client.get(f"/admin/mailings/mailing/{spring.pk}/results/").content.decode()
    )
    response = client.post(url, follow=True)
    assert "Subject A won" in response.content.decode()
    assert Mailing.objects.get(pk=spring.pk).test_winner == "a"
    assert len(sent_mail()) == 120


def test_send_mailing_command_says_how_the_test_splits(supporters, capsys):
    mailing_with_test()
    call_command("send_mailing", "spring")
    out = capsys.readouterr().out
    assert "subject test: 30 get A, 30 get B; the other 60 get the winner after 4 h" in out
    assert "60 emails queued" in out
    assert timezone.now() - Mailing.objects.get(slug="spring").started_at < timedelta(minutes=1)


def test_the_decision_is_queued_for_its_time_when_the_queue_can_wait(
    supporters, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    spring = mailing_with_test()
    with django_capture_on_commit_callbacks(execute=True):
        mailing_send(mailing=spring, user=None)
    spring.refresh_from_db()
    task = DBTaskResult.objects.get(task_path="mailings.tasks.mailing_subject_test_decide")
    assert task.run_after == spring.started_at + timedelta(hours=4)
    assert task.args_kwargs["args"] == [spring.pk]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_deciding_at_once_queue_the_rest_once(supporters):
    spring = mailing_with_test()
    mailing_send(mailing=spring, user=None)
    later = Mailing.objects.get(pk=spring.pk).started_at + timedelta(hours=5)
    start = threading.Barrier(2, timeout=20)
    winners: list[str] = []

    def decide() -> None:
        try:
            start.wait()
            winners.append(subject_test_decide(mailing_id=spring.pk, now=later))
        finally:
            connection.close()

    threads = [threading.Thread(target=decide) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(winners) == ["", "a"]
    assert OutboxMessage.objects.filter(composer=COMPOSER).count() == 120


def test_the_demo_shows_a_decided_subject_test(db):
    call_command("seed_demo", supporters=400, seed=3)
    sent = Mailing.objects.get(slug="demo-anniversary-email")
    a, b, rest = subject_test_results(sent, rest=True)
    assert sent.test_winner == "b" and a.recipients == b.recipients > 25
    assert b.open_rate > a.open_rate
    assert rest.recipients == sent.deliveries.filter(subject_variant="B").count() > 0
    assert sent.log.filter(action__startswith="Subject B won (by opens: A ").exists()
