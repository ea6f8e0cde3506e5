"""Stock and in-kind gifts are receipted as IRS Publication 1771 asks: the receipt describes the
property and states no value; the value staff record stays in the ledger for reports."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from core.models import Organisation
from donations.acknowledgements.receipts import receipt_issue
from donations.acknowledgements.statement_runs import statements_email
from donations.models import DonorSummary, Fund, Gift, Receipt
from donations.services import GiftEntry, gift_record
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

DOLLARS = re.compile(r"\$\s*\d")


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def receipt_text(receipt: Receipt) -> str:
    receipt.pdf.open("rb")
    data = receipt.pdf.read()
    receipt.pdf.close()
    return pdf_text(data)


@pytest.fixture(autouse=True)
def organisation(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    Fund.objects.create(name="General operating", code="general", is_default=True)
    organisation = Organisation.current()
    organisation.name = "Immigrant Justice Project"
    organisation.tax_id = "12-3456789"
    organisation.address = "40 Rector Street, New York, NY 10006"
    organisation.fiscal_year_start_month = 1
    organisation.save()
    return organisation


def in_kind(supporter=None, **extra) -> Gift:
    return gift_record(
        entry=GiftEntry(
            supporter=supporter or SupporterFactory(first_name="Maria", last_name="Lopez"),
            amount=Decimal("1250.00"),
            received_on=datetime.date(2026, 3, 2),
            method=Gift.Method.IN_KIND,
            **{"in_kind_description": "Three laptops (Dell Latitude 5440), new in box", **extra},
        )
    )


def stock(supporter=None, **extra) -> Gift:
    values = {
        "supporter": supporter or SupporterFactory(first_name="Ana", last_name="Ruiz"),
        "amount": Decimal("18734.50"),
        "received_on": datetime.date(2026, 3, 9),
        "method": Gift.Method.STOCK,
        "stock_ticker": " aapl ",
        "stock_shares": Decimal("100"),
        "given_on": datetime.date(2026, 3, 6),
        **extra,
    }
    return gift_record(entry=GiftEntry(**values))


def test_an_in_kind_receipt_describes_the_gift_and_states_no_value():
    gift = in_kind()
    text = receipt_text(receipt_issue(gift=gift))
    assert "Three laptops (Dell Latitude 5440), new in box" in text
    assert "does not state a value" in text and "IRS Publication 1771" in text
    assert "No goods or services were provided" in text
    assert not DOLLARS.search(text), text
    assert "1,250" not in text and "1250" not in text
    # The recorded value is kept for reports.
    assert DonorSummary.objects.get(supporter=gift.supporter).lifetime_total == Decimal("1250")


def test_a_stock_receipt_shows_ticker_shares_and_date_given_and_no_value():
    gift = stock()
    assert (gift.stock_ticker, gift.stock_shares) == ("AAPL", Decimal("100"))
    text = receipt_text(receipt_issue(gift=gift))
    for expected in ("AAPL", "Number of shares 100", "Date given March 6, 2026", "Stock"):
        assert expected in text, expected
    assert "does not state a value" in text
    assert not DOLLARS.search(text), text
    assert "18,734" not in text and "18734" not in text


def test_the_same_receipts_in_spanish():
    donor = SupporterFactory(first_name="María", last_name="López", preferred_language="es")
    text = receipt_text(receipt_issue(gift=in_kind(donor)))
    assert "Three laptops (Dell Latitude 5440), new in box" in text
    assert "Descripción de los bienes" in text
    assert "Publicación 1771 del IRS" in text and "no indica un valor" in text
    assert not DOLLARS.search(text), text
    text = receipt_text(receipt_issue(gift=stock(donor)))
    for expected in ("AAPL", "Número de acciones 100", "Fecha de la donación 6 de marzo de 2026"):
        assert expected in text, expected
    assert "no indica un valor" in text
    assert not DOLLARS.search(text), text


def test_a_corrected_description_issues_a_corrected_receipt():
    gift = in_kind()
    first = receipt_issue(gift=gift)
    assert receipt_issue(gift=gift) == first
    gift.in_kind_description = "Four laptops (Dell Latitude 5440), new in box"
    gift.save()
    second = receipt_issue(gift=gift)
    assert (second.version, second.reason) == (2, "correction")
    assert "Four laptops" in receipt_text(second)


def test_the_year_end_statement_lists_property_without_value_outside_the_cash_total(sent_mail):
    donor = SupporterFactory(first_name="Maria", last_name="Lopez", email="m@example.org")
    Gift.objects.create(
        supporter=donor,
        amount=Decimal("300.00"),
        method="cheque",
        received_on=datetime.date(2026, 2, 1),
        fund=Fund.objects.get(),
    )
    in_kind(donor)
    stock(donor)

    run = statements_email(fiscal_year=2026)

    assert run.sent == 1
    [message] = sent_mail()
    text = pdf_text(message.attachments[0][1])
    assert "Total of gifts of money $300.00" in text
    assert "Three laptops (Dell Latitude 5440), new in box" in text
    assert "100 shares of AAPL" in text and "March 6, 2026" in text
    assert re.findall(r"\$\s*[\d,]+\.\d\d", text) == ["$300.00", "$300.00"]
    assert "1,250" not in text and "18,734" not in text
    assert "does not state a value" in text


def test_a_spanish_statement_of_property_alone_shows_no_money(sent_mail):
    donor = SupporterFactory(
        first_name="María", last_name="López", email="m@example.org", preferred_language="es"
    )
    stock(donor, in_kind_description="Apple Inc., acciones ordinarias")
    statements_email(fiscal_year=2026)
    text = pdf_text(sent_mail()[0].attachments[0][1])
    assert "100 acciones de AAPL (Apple Inc., acciones ordinarias)" in text
    assert "Donaciones de bienes" in text
    assert not DOLLARS.search(text), text


def test_the_thank_you_email_describes_the_gift_without_value(
    sent_mail, django_capture_on_commit_callbacks
):
    from donations.acknowledgements.emails import thank_you_send

    gift = stock(SupporterFactory(email="ana@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        assert thank_you_send(gift_id=gift.pk)
    [message] = sent_mail()
    assert "Thank you for your gift to Immigrant Justice Project: 100 shares of AAPL." in (
        message.body
    )
    assert not DOLLARS.search(message.body)
    assert not DOLLARS.search(message.alternatives[0][0])


def test_a_printed_thank_you_letter_describes_the_gift_without_value():
    from donations.acknowledgements.queue import letters_pdf

    donor = SupporterFactory(
        email="", address_line1="5 Main St", city="Queens", postal_code="11368"
    )
    pdf, count = letters_pdf([in_kind(donor).pk])
    text = pdf_text(pdf)
    assert count == 1
    assert "Thank you for your gift to Immigrant Justice Project: Three laptops" in text
    assert "does not state a value" in text
    assert not DOLLARS.search(text), text


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"stock_ticker": ""}, {"stock_ticker"}),
        ({"stock_shares": None}, {"stock_shares"}),
        ({"stock_shares": Decimal("0")}, {"stock_shares"}),
        ({"stock_ticker": "", "stock_shares": None}, {"stock_ticker", "stock_shares"}),
        ({"stock_ticker": "apple inc"}, {"stock_ticker"}),
        ({"given_on": datetime.date(2026, 3, 10)}, {"given_on"}),
    ],
)
def test_a_stock_gift_without_ticker_or_shares_is_refused(overrides, fields):
    with pytest.raises(ValidationError) as error:
        stock(**overrides)
    assert set(error.value.message_dict) == fields
    assert Gift.objects.count() == 0


def test_an_in_kind_gift_needs_a_description():
    with pytest.raises(ValidationError) as error:
        in_kind(in_kind_description=" ")
    assert "in_kind_description" in error.value.message_dict
