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
