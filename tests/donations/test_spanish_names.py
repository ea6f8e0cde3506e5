"""What staff type once per language reaches a Spanish reader in Spanish: the fund's name on
the receipt and the statement, and the sender's name on the statement email; an English reader,
or a blank Spanish field, gets the English."""

import datetime
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from core.models import Organisation
from donations.acknowledgements.receipts import receipt_issue
from donations.acknowledgements.statements import (
    statement_email,
    statement_gifts,
    statement_pdf,
)
from donations.models import Fund, Gift
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )


@pytest.fixture(autouse=True)
def organisation(settings, tmp_path) -> Organisation:
    settings.MEDIA_ROOT = tmp_path / "media"
    organisation, _ = Organisation.objects.update_or_create(
        pk=1,
        defaults={
            "name": "Immigrant Justice Project",
            "default_sender": "Immigrant Justice Project <giving@example.org>",
            "default_sender_es": "Proyecto de Justicia Inmigrante <giving@example.org>",
        },
    )
    return organisation


def gift_from(language: str, fund: Fund) -> Gift:
    donor = SupporterFactory(email="ana@example.org", preferred_language=language)
    return Gift.objects.create(
        supporter=donor,
        amount=Decimal("75"),
        method="cheque",
        received_on=datetime.date(2026, 3, 2),
        fund=fund,
    )


@pytest.mark.parametrize(
    ("language", "spanish_name", "shown"),
    [
        ("es", "Defensa legal", "Defensa legal"),
        ("es", "", "Legal defense"),  # not given: the English
        ("en", "Defensa legal", "Legal defense"),
    ],
)
def test_the_receipt_and_statement_name_the_fund_in_the_readers_language(
    language, spanish_name, shown
):
    fund = Fund.objects.create(name="Legal defense", name_es=spanish_name, code="legal")
    gift = gift_from(language, fund)
    receipt = receipt_issue(gift=gift)
    receipt.pdf.open("rb")
    receipt_text = text_of(receipt.pdf.read())
    receipt.pdf.close()
    entries = statement_gifts(fiscal_year=2026, supporter_ids=[gift.supporter_id])
    statement_text = text_of(
        statement_pdf(supporter=gift.supporter, gifts=entries[gift.supporter_id], fiscal_year=2026)
    )
    for text in (receipt_text, statement_text):
        assert shown in text
        if shown != "Defensa legal":
            assert "Defensa legal" not in text


@pytest.mark.parametrize(
    ("language", "sender"),
    [
        ("es", "Proyecto de Justicia Inmigrante <giving@example.org>"),
        ("en", "Immigrant Justice Project <giving@example.org>"),
    ],
)
def test_the_statement_email_comes_from_the_sender_named_for_the_language(language, sender):
    donor = SupporterFactory(email="ana@example.org", preferred_language=language)
    message = statement_email(supporter=donor, pdf=b"%PDF-1.4", fiscal_year=2026)
    assert message.from_email == sender


def test_a_blank_spanish_sender_falls_back_to_the_english_one(organisation):
    organisation.default_sender_es = ""
    organisation.save()
    assert organisation.sender_for("es") == "Immigrant Justice Project <giving@example.org>"
