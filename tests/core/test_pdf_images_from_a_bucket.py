"""With files in a bucket (STORAGE_BUCKET), letters still print the logo and signatures: the
PDF fetcher reads them through the storage by name. Receipts in the bucket stay out of reach,
and no signed link is ever written into a document."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from core.models import Organisation
from core.pdf import RefusedResource, SafeURLFetcher
from donations.acknowledgements.receipts import receipt_issue
from donations.models import Fund, Gift
from mailings.letters.merge_values import recipients
from mailings.letters.rendering import compile_letter
from mailings.models import Signatory
from mailings.printing.printed_letter import printed_letters_pdf
from tests.core.test_pdf_fetcher_scope import PNG, image_count, letter_with_body, text_of
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def letterhead(bucket) -> Signatory:
    organisation = Organisation.current()
    organisation.name = "Immigrant Justice Project"
    organisation.logo.save("logo.png", ContentFile(PNG))
    signatory = Signatory.objects.create(name="Dana Ruiz", title="Executive Director")
    signatory.signature.save("dana.png", ContentFile(PNG))
    assert {organisation.logo.name, signatory.signature.name} <= set(bucket.stored_keys())
    return signatory


def test_a_letter_prints_the_logo_and_signature_kept_in_the_bucket(letterhead):
    letter = letter_with_body("Dear friend, thank you.\n\nWith you, always.", letterhead)
    person = SupporterFactory(first_name="Ana", address_line1="1 Elm St")
    [recipient] = recipients(letter, [person])
    pdf = printed_letters_pdf(
        [(compile_letter(letter)["en"], recipient.values, person)], letter=letter
    )
    assert image_count(pdf) == 2
    assert "thank you" in text_of(pdf)
    assert b"X-Amz-Signature" not in pdf


def test_a_receipt_in_the_bucket_is_refused_to_documents(letterhead):
    gift = Gift.objects.create(
        supporter=SupporterFactory(first_name="Rosa", last_name="Quintanilla"),
        amount=Decimal("4321.00"),
        method="cheque",
        received_on=datetime.date(2026, 3, 2),
        fund=Fund.objects.create(name="General operating", code="general", is_default=True),
    )
    receipt = receipt_issue(gift=gift)
    fetcher = SafeURLFetcher()
    for refused in (
        f"https://pdf.invalid/media/{receipt.pdf.name}",
        f"https://pdf.invalid/media/signatures/../{receipt.pdf.name}",
        f"https://pdf.invalid/media/signatures/%2e%2e/{receipt.pdf.name}",
        "https://pdf.invalid/media/signatures/missing.png",
    ):
        with pytest.raises(RefusedResource):
            fetcher.fetch(refused)
    assert fetcher.fetch(f"https://pdf.invalid/media/{letterhead.signature.name}").read() == PNG
