"""Must show (issue 15): a sign-in link works once, for 30 minutes, only for its donor and its
purpose; asking reveals nothing about whether an address is on file; the limits answer in
plain words."""

import datetime
import re
import time

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import OutboxMessage
from donations.account import links
from donations.models import AccountLink
from tests.donations.account.conftest import link_in_outbox, path_of, receipt_of, sign_in

pytestmark = pytest.mark.django_db


def _signed_in_as(client) -> int | None:
    return (client.session.get("donor_account") or {}).get("supporter")


def test_asking_emails_a_link_in_the_donors_language_and_stores_only_its_hash(client, ana, ben):
    client.post("/account/", {"email": "  BEN@example.org "})
    message = OutboxMessage.objects.get(to_email="ben@example.org")
    assert message.kind == "account-sign-in"
    assert "enlace" in message.subject.lower()  # Ben reads Spanish
    url = link_in_outbox("ben@example.org")
    token = url.split("/sign-in/")[1].split("/")[0]
    link = AccountLink.objects.get()
    assert link.supporter == ben
    assert link.token_hash == links.token_hash(token) != token
    assert not AccountLink.objects.filter(token_hash__contains=token).exists()
    assert url.endswith("?lang=es")


def test_the_link_signs_in_its_own_donor_once(client, ana, ben):
    sign_in(client, "ana@example.org")
    assert _signed_in_as(client) == ana.pk
    page = client.get("/account/")
    assert b"Ana Ruiz" in page.content and b"$120.00" in page.content

    other = client.__class__()
    used = other.post(path_of(link_in_outbox("ana@example.org")))
    assert used.status_code == 410
    assert b"This link no longer works" in used.content
    assert _signed_in_as(other) is None


def test_opening_the_link_does_not_spend_it_only_pressing_sign_in_does(client, ana):
    client.post("/account/", {"email": "ana@example.org"})
    path = path_of(link_in_outbox("ana@example.org"))
    for _ in range(2):  # a mail scanner opening it first, then the donor
        assert client.get(path).status_code == 200
    assert _signed_in_as(client) is None
    client.post(path)
    assert _signed_in_as(client) == ana.pk


def test_the_link_expires_after_30_minutes(client, ana):
    client.post("/account/", {"email": "ana@example.org"})
    path = path_of(link_in_outbox("ana@example.org"))
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=29)):
        assert client.get(path).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        response = client.post(path)
    assert response.status_code == 410
    assert _signed_in_as(client) is None


def test_a_link_cannot_be_turned_to_another_donor_or_purpose(client, ana, ben):
    client.post("/account/", {"email": "ana@example.org"})
    path = path_of(link_in_outbox("ana@example.org"))
    token = path.split("/sign-in/")[1].split("/")[0]
    # Altered by one character, or used as an email confirmation: nothing opens.
    altered = path.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert client.post(altered).status_code == 410
    assert client.post(f"/account/email/confirm/{token}/").status_code == 409
    assert _signed_in_as(client) is None
    # Used, it signs in Ana and shows nothing of Ben's.
    client.post(path)
    page = client.get("/account/").content.decode()
    assert _signed_in_as(client) == ana.pk
    assert "Okafor" not in page and "$987.00" not in page and "ben@example.org" not in page


def test_a_new_sign_in_replaces_the_donor_the_session_was_bound_to(client, ana, ben):
    sign_in(client, "ana@example.org")
    key = client.session.session_key
    sign_in(client, "ben@example.org")
    assert _signed_in_as(client) == ben.pk
    assert client.session.session_key != key  # a fresh key at each sign-in


def test_asking_answers_alike_whether_or_not_the_address_is_on_file(client, ana, settings):
    # The production queue: the page writes a task row and the worker does the rest.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def ask(email: str) -> tuple[int, str, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            response = client.post("/account/", {"email": email})
        # The per-response CSP nonce is the only thing allowed to differ.
        body = re.sub(r'nonce="[^"]+"', "", response.content.decode())
        headers = sorted(k for k in response.headers if k != "Content-Security-Policy")
        shape = [re.sub(r"'[^']*'|\d+", "?", q["sql"]) for q in queries]
        return response.status_code, body + str(headers) + str(sorted(response.cookies)), shape

    ask("first@example.org")  # the client address's count starts; each email's starts below
    known = ask("ana@example.org")
    unknown = ask("nobody@example.org")
    assert known[0] == unknown[0] == 200
    assert known[1] == unknown[1]
    assert "If that address is on file, a link is on its way." in known[1]
    # The same statements, one task row each: nothing in the request looks the address up.
    assert known[2] == unknown[2]
    assert not OutboxMessage.objects.exists()

    # The worker then emails only the address on file.
    for result in DBTaskResult.objects.all():
        result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
    assert list(OutboxMessage.objects.values_list("to_email", flat=True)) == ["ana@example.org"]


def test_asking_too_often_for_one_address_is_refused_in_plain_words(client, ana, settings):
    settings.ACCOUNT_LINK_RATE_PER_EMAIL = "3/15m"
    for _ in range(3):
        assert client.post("/account/", {"email": "ana@example.org"}).status_code == 200
    refused = client.post("/account/", {"email": "ana@example.org"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    text = refused.content.decode()
    assert "Several sign-in links were asked for in a short time" in text
    assert "You can ask for a new link in about" in text
    assert OutboxMessage.objects.filter(to_email="ana@example.org").count() == 3
    # An unknown address is refused the same way: the limit tells nothing either.
    for _ in range(3):
        client.post("/account/", {"email": "nobody@example.org"})
    assert client.post("/account/", {"email": "nobody@example.org"}).status_code == 429


def test_one_address_asking_for_many_emails_is_limited(client, ana, settings):
    settings.ACCOUNT_LINK_RATE_PER_IP = "5/h"
    for n in range(5):
        assert client.post("/account/", {"email": f"guess{n}@example.org"}).status_code == 200
    refused = client.post("/account/", {"email": "ana@example.org"})
    assert refused.status_code == 429
    assert not OutboxMessage.objects.filter(to_email="ana@example.org").exists()


def test_the_refusal_is_in_spanish_for_a_spanish_page(client, settings):
    settings.ACCOUNT_LINK_RATE_PER_EMAIL = "1/h"
    client.post("/account/?lang=es", {"email": "x@example.org"})
    refused = client.post("/account/?lang=es", {"email": "x@example.org"})
    assert refused.status_code == 429
    assert 'lang="es"' in refused.content.decode()
    assert "Inténtelo de nuevo más tarde" in refused.content.decode()


def test_a_bad_email_is_asked_again_and_sends_nothing(client):
    response = client.post("/account/", {"email": "not an email"})
    assert response.status_code == 400
    assert b"Enter an email address like name@example.com." in response.content
    assert not OutboxMessage.objects.exists()


def test_the_session_ends_after_idle_time_and_on_sign_out(client, ana, settings):
    settings.ACCOUNT_IDLE_MINUTES = 30
    sign_in(client, "ana@example.org")
    with time_machine.travel(time.time() + 29 * 60, tick=False):
        assert b"Your gifts" in client.get("/account/").content  # activity keeps it open
    with time_machine.travel(time.time() + 29 * 60 + 31 * 60, tick=False):
        page = client.get("/account/")
    assert b"Email me a sign-in link" in page.content
    assert _signed_in_as(client) is None

    sign_in(client, "ana@example.org")
    client.post("/account/sign-out/")
    assert _signed_in_as(client) is None
    number = receipt_of(ana).number
    assert client.get(f"/account/receipts/{number}/").status_code == 302


def test_the_link_email_leaves_through_the_outbox_with_text_and_html(client, ben, sent_mail):
    client.post("/account/", {"email": "ben@example.org"})
    (mail,) = sent_mail()
    assert mail.to == ["ben@example.org"]
    assert mail.subject == "Su enlace para entrar en Immigrant Justice Project"
    url = link_in_outbox("ben@example.org")
    assert url in mail.body and "durante 30 minutos" in mail.body
    ((html, mime),) = mail.alternatives
    assert mime == "text/html" and f'href="{url}"' in html and 'lang="es"' in html
