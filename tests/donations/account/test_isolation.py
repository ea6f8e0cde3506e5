"""A session for one donor never shows another donor's data: ids typed into URLs, receipt
numbers guessed, statement years of someone else's giving."""

import datetime

import pytest

from donations.models import Receipt
from tests.donations.account.conftest import receipt_of, sign_in

pytestmark = pytest.mark.django_db


def test_another_donors_receipt_number_is_not_found(client, ana, ben):
    sign_in(client, "ana@example.org")
    assert client.get(f"/account/receipts/{receipt_of(ana).number}/").status_code == 200
    response = client.get(f"/account/receipts/{receipt_of(ben).number}/")
    assert response.status_code == 404
    assert b"%PDF" not in response.content


def test_guessing_receipt_numbers_reaches_only_the_donors_own(client, ana, ben):
    sign_in(client, "ana@example.org")
    year = datetime.date.today().year  # noqa: DTZ011 - numbering follows the local year
    mine = {receipt_of(ana).number}
    for n in range(1, 20):
        number = f"{year}-{n:06d}"
        status = client.get(f"/account/receipts/{number}/").status_code
        assert status == (200 if number in mine else 404), number
    assert Receipt.objects.count() == 2


def test_a_statement_year_only_another_donor_gave_in_is_not_found(client, ana, ben, fund):
    from tests.donations.account.conftest import make_gift

    year = datetime.date.today().year  # noqa: DTZ011
    make_gift(ben, fund, "50.00", datetime.date(year - 3, 5, 5))
    sign_in(client, "ana@example.org")
    assert client.get(f"/account/statements/{year - 1}/").status_code == 200
    assert client.get(f"/account/statements/{year - 3}/").status_code == 404
    assert client.get(f"/account/statements/{year}/").status_code == 404  # not ended yet


def test_the_account_page_shows_only_the_signed_in_donors_rows(client, ana, ben):
    sign_in(client, "ben@example.org")
    page = client.get("/account/").content.decode()
    assert "$987.00" in page and receipt_of(ben).number in page
    assert "$120.00" not in page and receipt_of(ana).number not in page
    assert "ana@example.org" not in page and "Ruiz" not in page


def test_a_preference_form_cannot_name_another_donor(client, ana, ben):
    sign_in(client, "ana@example.org")
    client.post(
        "/account/address/",
        {
            "address-address_line1": "9 Elm St",
            "address-city": "Albany",
            "address-region": "NY",
            "address-postal_code": "12207",
            "address-country": "US",
            "supporter": ben.pk,
            "supporter_id": ben.pk,
        },
    )
    ana.refresh_from_db()
    ben.refresh_from_db()
    assert ana.address_line1 == "9 Elm St"
    assert ben.address_line1 != "9 Elm St"


def test_without_a_session_nothing_is_served(client, ana):
    for url in (
        f"/account/receipts/{receipt_of(ana).number}/",
        f"/account/statements/{datetime.date.today().year - 1}/",  # noqa: DTZ011
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/account/"
    response = client.post("/account/language/", {"language-language": "es"})
    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.preferred_language == "en"


def test_a_session_whose_supporter_was_removed_is_signed_out(client, ana):
    sign_in(client, "ana@example.org")
    session = client.session
    session["donor_account"] = {**session["donor_account"], "supporter": 999999}
    session.save()
    page = client.get("/account/")
    assert b"Email me a sign-in link" in page.content
