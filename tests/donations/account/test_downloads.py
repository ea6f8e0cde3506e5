"""Receipts and year-end statements downloaded from the account, read back as PDF text."""

import datetime

import pytest

from tests.donations.account.conftest import pdf_text, receipt_of, sign_in

pytestmark = pytest.mark.django_db


def test_the_donor_downloads_their_issued_receipt(client, ana):
    sign_in(client, "ana@example.org")
    number = receipt_of(ana).number
    response = client.get(f"/account/receipts/{number}/")
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="receipt-{number}.pdf"' in response["Content-Disposition"]
    text = pdf_text(b"".join(response.streaming_content))
    for expected in ("Immigrant Justice Project", "12-3456789", "$120.00", "Ana Ruiz", number):
        assert expected in text


def test_the_donor_downloads_last_years_statement_in_their_language(client, ben):
    sign_in(client, "ben@example.org")
    year = datetime.date.today().year - 1  # noqa: DTZ011
    page = client.get("/account/").content.decode()
    assert f"/account/statements/{year}/" in page
    response = client.get(f"/account/statements/{year}/")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Ben Okafor" in text and "$987.00" in text and str(year) in text
    assert "No se proporcionaron bienes ni servicios" in text  # Ben's language, Spanish


def test_the_gift_list_names_the_fund_in_the_pages_language(client, ben, fund):
    fund.name_es = "Fondo de defensa legal"
    fund.save()
    sign_in(client, "ben@example.org")
    spanish = client.get("/account/?lang=es").content.decode()
    english = client.get("/account/?lang=en").content.decode()
    assert "Fondo de defensa legal" in spanish and "Legal defense fund" not in spanish
    assert "Legal defense fund" in english and "Fondo de defensa legal" not in english


def test_a_couple_is_named_in_the_pages_language(client, ben):
    ben.partner_first_name, ben.partner_last_name = "Ada", "Okafor"
    ben.save()
    sign_in(client, "ben@example.org")
    assert "Ben and Ada Okafor" in client.get("/account/?lang=en").content.decode()
    spanish = client.get("/account/?lang=es").content.decode()
    assert "Ben y Ada Okafor" in spanish and " and " not in spanish.split("<main")[-1]
