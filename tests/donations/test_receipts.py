import datetime
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from core.models import Organisation
from donations.acknowledgements.receipts import irs_statements, receipt_issue
from donations.models import Fund, Gift, Receipt
from tests.donations.stripe_events import event, post, stripe_object
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def pdf_text(receipt: Receipt) -> str:
    receipt.pdf.open("rb")
    data = receipt.pdf.read()
    receipt.pdf.close()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture(autouse=True)
def organisation(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    Fund.objects.create(name="General operating", code="general", is_default=True)
    organisation = Organisation.current()
    organisation.name = "Immigrant Justice Project"
    organisation.tax_id = "12-3456789"
    organisation.address = "40 Rector Street, New York, NY 10006"
    organisation.save()
    return organisation


def gift(**overrides) -> Gift:
    values = {
        "supporter": SupporterFactory(first_name="Maria", last_name="Lopez"),
        "amount": Decimal("300.00"),
        "method": "cheque",
        "cheque_number": "1042",
        "received_on": datetime.date(2026, 3, 2),
        "fund": Fund.objects.get(),
    }
    return Gift.objects.create(**{**values, **overrides})


def test_a_receipt_carries_number_organisation_tax_id_amount_date_and_irs_statement():
    receipt = receipt_issue(gift=gift())
    text = pdf_text(receipt)
    year = datetime.date.today().year  # noqa: DTZ011 - numbering follows the local year
    assert receipt.number == f"{year}-000001"
    for expected in (
        "Immigrant Justice Project",
        "12-3456789",
        "$300.00",
        "March 2, 2026",
        "Maria Lopez",
        "Check no. 1042",
        receipt.number,
        "No goods or services were provided",
    ):
        assert expected in text, expected


def test_issuing_again_returns_the_same_receipt():
    one = gift()
    assert receipt_issue(gift=one) == receipt_issue(gift=one)
    assert Receipt.objects.count() == 1


def test_a_refund_issues_a_new_version_and_keeps_the_old_one():
    one = gift()
    first = receipt_issue(gift=one)
    first_pdf = first.pdf.name
    one.amount_refunded, one.status = Decimal("100.00"), "partially_refunded"
    one.save()
    second = receipt_issue(gift=one)
    assert (second.version, second.reason, second.amount) == (2, "refund", Decimal("200.00"))
    assert second.number != first.number
    assert f"replaces {first.number}" in pdf_text(second)
    first.refresh_from_db()
    assert first.pdf.name == first_pdf and first.amount == Decimal("300.00")


def test_quid_pro_quo_disclosure_over_75_dollars():
    statements = irs_statements(
        amount=Decimal("150"),
        benefit_value=Decimal("60"),
        benefit_description="gala dinner",
        organisation_name="IJP",
    )
    assert "valued at $60.00" in statements[0]
    assert "deductible for federal income tax purposes" in statements[1]
    assert "$90.00" in statements[1]


def test_an_online_gift_is_thanked_once_with_its_receipt_attached(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    payload = event("checkout.session.completed", stripe_object("checkout_session_payment"))
    with django_capture_on_commit_callbacks(execute=True):
        post(client, payload)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, payload)
    assert Receipt.objects.count() == 1
    [message] = mailoutbox
    assert message.to == ["maria.lopez@example.org"]
    assert "thank you for your gift" in message.subject  # "Welcome, and ...": a first gift
    assert "Thank you for your gift of $50 to" in message.body
    name, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")
    assert Gift.objects.get().acknowledgement == "thanked"


def test_a_spanish_speaking_donor_is_thanked_in_spanish(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    session = stripe_object("checkout_session_payment")
    session["metadata"]["language"] = "es"
    with django_capture_on_commit_callbacks(execute=True):
        post(client, event("checkout.session.completed", session))
    [message] = mailoutbox
    assert message.subject == "Bienvenido/a, y gracias por su donación a Immigrant Justice Project"
    assert "Gracias por su donación de $50 a" in message.body
    html = message.alternatives[0][0]
    assert "Con gratitud," in html and "Thank you" not in html


def test_a_refund_after_thanks_reissues_the_receipt(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, event("checkout.session.completed", stripe_object("checkout_session_payment")))
    with django_capture_on_commit_callbacks(execute=True):
        post(client, event("charge.refunded", stripe_object("charge_refunded")))
    versions = list(Receipt.objects.order_by("version").values_list("version", "amount"))
    assert versions == [(1, Decimal("50.00")), (2, Decimal("0.00"))]


def test_a_spanish_speaking_donor_gets_the_receipt_in_spanish():
    donor = SupporterFactory(first_name="María", last_name="López", preferred_language="es")
    receipt = receipt_issue(gift=gift(supporter=donor))
    text = pdf_text(receipt)
    for expected in (
        "Recibo oficial de donación",
        f"Recibo número {receipt.number}",
        "2 de marzo de 2026",
        "Cheque n.º 1042",
        "$300.00",  # dollars keep US formatting
        "Número de identificación fiscal (EIN) 12-3456789",
        "No se proporcionaron bienes ni servicios a cambio de esta contribución.",
        "Estimado/a María:",  # no title to say which
    ):
        assert expected in text, expected
    assert "Official donation receipt" not in text and "Thank you" not in text


def test_a_refund_version_in_spanish_says_what_it_replaces():
    donor = SupporterFactory(first_name="María", last_name="López", preferred_language="es")
    first = receipt_issue(gift=gift(supporter=donor))
    refunded = Gift.objects.get(pk=first.gift_id)
    refunded.amount_refunded, refunded.status = Decimal("100.00"), "partially_refunded"
    refunded.save()
    second = receipt_issue(gift=refunded)
    text = " ".join(pdf_text(second).split())
    assert f"versión 2: tras un reembolso, sustituye a {first.number}" in text
    assert "Reembolsado $100.00" in text and "$200.00" in text
