"""/u/<token>/: a page that asks (appeals only, or all email) in the supporter's language, and
RFC 8058 one-click from the mail client (appeals only); a bad link changes nothing, and a test
email's link unsubscribes no one."""

from urllib.parse import urlsplit

import pytest
from django.test import Client

from core.models import Suppression
from core.outbox.suppression import email_hash, suppressed_among
from crm.models import ConsentEvent
from mailings.letters.merge_values import harmless_unsubscribe_url, unsubscribe_token
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def events(supporter) -> list[tuple[str, str, str, str]]:
    return sorted(
        (e.field, e.old_value, e.new_value, e.source)
        for e in ConsentEvent.objects.filter(supporter=supporter, method="unsubscribe")
    )


def test_opening_the_link_only_asks_and_offers_both_choices(client):
    ana = SupporterFactory(email="ana@example.org", email_opt_in="opted_in")
    page = client.get(f"/u/{unsubscribe_token(ana.pk)}/").content.decode()
    assert "ana@example.org" in page
    assert 'name="scope" value="appeals"' in page and 'name="scope" value="all"' in page
    assert "Appeals only" in page and "All email" in page
    ana.refresh_from_db()
    assert ana.email_opt_in == "opted_in" and not ana.do_not_email, "a GET changes nothing"
    assert not Suppression.objects.exists()


def test_appeals_only_stops_appeals_and_keeps_receipts(client):
    ana = SupporterFactory(email="Ana@Example.org", email_opt_in="opted_in")
    done = client.post(f"/u/{unsubscribe_token(ana.pk)}/", {"scope": "appeals"})
    assert "You are unsubscribed from appeals" in done.content.decode()
    ana.refresh_from_db()
    assert ana.email_opt_in == "opted_out" and not ana.do_not_email and not ana.can_email
    assert events(ana) == [
        ("email_opt_in", "opted_in", "opted_out", "Unsubscribe page: appeals only")
    ]
    [row] = Suppression.objects.all()
    assert (row.email_hash, row.scope, row.reason) == (
        email_hash("ana@example.org"),
        "appeals",
        "unsubscribed",
    )
    assert suppressed_among(["ana@example.org"], appeal=True)
    assert not suppressed_among(["ana@example.org"], appeal=False), "receipts still go"


def test_all_email_stops_everything_and_widens_an_earlier_appeals_only(client):
    ana = SupporterFactory(email="ana@example.org", email_opt_in="opted_in")
    url = f"/u/{unsubscribe_token(ana.pk)}/"
    client.post(url, {"scope": "appeals"})
    done = client.post(url, {"scope": "all"})
    assert "You will get no more email from us" in done.content.decode()
    ana.refresh_from_db()
    assert ana.do_not_email and ana.email_opt_in == "opted_out"
    assert events(ana) == [
        ("do_not_email", "False", "True", "Unsubscribe page: all email"),
        ("email_opt_in", "opted_in", "opted_out", "Unsubscribe page: appeals only"),
    ]
    [row] = Suppression.objects.all()
    assert row.scope == "all"
    assert suppressed_among(["ana@example.org"], appeal=False), "no email at all"
    # Asked again, the page says so.
    assert "You already get no email from us." in client.get(url).content.decode()


def test_one_click_from_the_mail_client_means_appeals_only_and_needs_no_csrf_token():
    ana = SupporterFactory(email="ana@example.org", email_opt_in="opted_in")
    strict = Client(enforce_csrf_checks=True)
    url = f"/u/{unsubscribe_token(ana.pk)}/"
    # Even a one-click POST that carries a scope field is appeals only.
    response = strict.post(url, {"List-Unsubscribe": "One-Click", "scope": "all"})
    assert response.status_code == 200
    ana.refresh_from_db()
    assert ana.email_opt_in == "opted_out" and not ana.do_not_email
    again = strict.post(url, {"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200
    assert events(ana) == [
        (
            "email_opt_in", "opted_in", "opted_out",
            "One-click button in the mail client: appeals only",
        )
    ]  # fmt: skip
    assert list(Suppression.objects.values_list("scope", flat=True)) == ["appeals"]


def test_a_forged_or_damaged_link_changes_nothing(client):
    ana = SupporterFactory(email="ana@example.org")
    token = unsubscribe_token(ana.pk)
    for bad in (token[:-3] + "abc", "nonsense", unsubscribe_token(999999)):
        response = client.post(f"/u/{bad}/", {"scope": "all"})
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    ana.refresh_from_db()
    assert not ana.do_not_email and not Suppression.objects.exists()


def test_a_test_emails_link_says_it_was_a_test_and_changes_nothing(client):
    ana = SupporterFactory(email="ana@example.org", email_opt_in="opted_in")
    url = urlsplit(harmless_unsubscribe_url()).path
    assert "This was a test email" in client.get(url).content.decode()
    for data in ({"scope": "all"}, {"List-Unsubscribe": "One-Click"}):
        response = client.post(url, data)
        assert response.status_code == 200
        assert "no one was unsubscribed" in response.content.decode()
    ana.refresh_from_db()
    assert ana.email_opt_in == "opted_in" and not ConsentEvent.objects.exists()
    assert not Suppression.objects.exists()


def test_the_page_speaks_the_supporters_language(client):
    maria = SupporterFactory(email="m@example.org", preferred_language="es")
    url = f"/u/{unsubscribe_token(maria.pk)}/"
    page = client.get(url).content.decode()
    assert '<html lang="es">' in page
    for text in (
        "¿Qué correos quiere dejar de recibir?", "Solo las campañas", "Todos los correos",
        "Para m@example.org, elija qué quiere dejar de recibir.", "Darse de baja",
    ):  # fmt: skip
        assert text in page, text
    for english in ("Appeals only", "All email", "Which emails"):
        assert english not in page
    assert "Se ha dado de baja de nuestras campañas" in client.post(url).content.decode()
    assert "No recibirá más correos" in client.post(url, {"scope": "all"}).content.decode()
