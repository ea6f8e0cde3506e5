"""/u/<token>/: a page that asks, and RFC 8058 one-click from the mail client; a bad link
changes nothing."""

import pytest

from crm.models import ConsentEvent
from mailings.letters.merge_values import unsubscribe_token
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def test_opening_the_link_only_asks_and_the_button_unsubscribes(client):
    ana = SupporterFactory(email="ana@example.org", email_opt_in="opted_in")
    url = f"/u/{unsubscribe_token(ana.pk)}/"
    page = client.get(url)
    assert page.status_code == 200 and "ana@example.org" in page.content.decode()
    ana.refresh_from_db()
    assert not ana.do_not_email, "a GET (or a link scanner) changes nothing"
    done = client.post(url)
    assert "You are unsubscribed" in done.content.decode()
    ana.refresh_from_db()
    assert ana.do_not_email and ana.email_opt_in == "opted_out" and not ana.can_email
    [event] = ConsentEvent.objects.filter(supporter=ana, field="email_opt_in")
    assert (event.method, event.old_value, event.new_value) == (
        "unsubscribe",
        "opted_in",
        "opted_out",
    )


def test_one_click_from_the_mail_client_needs_no_cookie_or_csrf_token(client):
    from django.test import Client

    ana = SupporterFactory(email="ana@example.org")
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(f"/u/{unsubscribe_token(ana.pk)}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    ana.refresh_from_db()
    assert ana.do_not_email
    again = strict.post(f"/u/{unsubscribe_token(ana.pk)}/", {"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200
    assert ConsentEvent.objects.filter(supporter=ana, field="do_not_email").count() == 1


def test_a_forged_or_damaged_link_changes_nothing(client):
    ana = SupporterFactory(email="ana@example.org")
    token = unsubscribe_token(ana.pk)
    for bad in (token[:-3] + "abc", "nonsense", unsubscribe_token(999999)):
        response = client.post(f"/u/{bad}/")
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    ana.refresh_from_db()
    assert not ana.do_not_email


def test_the_page_speaks_the_supporters_language(client):
    maria = SupporterFactory(email="m@example.org", preferred_language="es")
    page = client.get(f"/u/{unsubscribe_token(maria.pk)}/").content.decode()
    assert '<html lang="es">' in page
