"""Styled error pages with DEBUG off (as the test client runs): a 404 in the staff area looks
like the admin and offers a supporter search and the main lists; a 404 on a donor page is a
donor page in the donor's language with the way back to giving; 403 likewise; the 500 page
needs nothing from the database and speaks both languages."""

import pytest
from django.test import RequestFactory

from core.errors import server_error
from core.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def organisation(db) -> Organisation:
    organisation = Organisation.current()
    organisation.name, organisation.phone = "Immigrant Justice Project", "(212) 555-0147"
    organisation.save()
    return organisation


def test_debug_is_off_here(settings):
    assert settings.DEBUG is False  # else Django shows its technical pages instead


def test_a_staff_404_looks_like_the_admin_and_leads_back(staff_client):
    response = staff_client.get("/admin/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "There is no page at this address" in page
    assert 'id="user-tools"' in page, "the admin's own header, with the user's links"
    assert 'action="/admin/crm/supporter/"' in page and 'name="q"' in page
    for link in ('href="/admin/"', 'href="/admin/donations/gift/"', 'href="/reports/"'):
        assert link in page


def test_a_report_404_is_a_staff_page_too(staff_client):
    response = staff_client.get("/reports/no-such-report/")
    assert response.status_code == 404
    assert "There is no page at this address" in response.content.decode()


def test_a_donor_404_is_a_donor_page(client):
    response = client.get("/donate/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We can't find this page" in page
    assert 'href="/donate/"' in page and 'href="/account/"' in page
    assert "Immigrant Justice Project" in page and "(212) 555-0147" in page
    assert "user-tools" not in page


def test_a_donor_404_speaks_spanish(client):
    response = client.get("/donate/no-such-page/?lang=es")
    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert "No encontramos esta página" in page and "Haga una donación" in page


def test_a_donor_404_follows_the_language_cookie(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = client.get("/account/no-such-page/").content.decode()
    assert "No encontramos esta página" in page


def test_a_board_member_refused_gets_the_staff_403(board_client):
    response = board_client.get("/admin/crm/supporter/export/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "You do not have permission to do this" in page and 'id="user-tools"' in page


def test_the_500_page_stands_alone_in_both_languages(django_assert_num_queries):
    request = RequestFactory().get("/donate/")
    request.csp_nonce = "n0nce"
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page and "Algo salió mal" in page
    assert '<style nonce="n0nce">' in page
