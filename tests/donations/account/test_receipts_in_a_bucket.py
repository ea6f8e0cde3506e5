"""With STORAGE_BUCKET set, issued receipts live in a private S3-compatible bucket (moto's
server stands in) and reach the donor through a short-lived signed link, never directly."""

import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.donations.account.conftest import pdf_text, receipt_of, sign_in

pytestmark = pytest.mark.django_db


def _get(url: str) -> tuple[int, bytes, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - the stand-in
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as refused:
        return refused.code, b"", {}


def test_a_receipt_is_written_to_the_bucket_and_read_back_through_a_signed_link(
    bucket, client, ana, ben
):
    receipt = receipt_of(ana)
    assert receipt.pdf.name in bucket.stored_keys(), "issued into the bucket"

    sign_in(client, "ana@example.org")
    response = client.get(f"/account/receipts/{receipt.number}/")
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    link = response["Location"]
    parts = urlsplit(link)
    assert link.startswith(bucket.url)
    query = parse_qs(parts.query)
    assert query["X-Amz-Expires"] == ["120"] and "X-Amz-Signature" in query

    status, body, headers = _get(link)
    assert status == 200
    assert f'filename="receipt-{receipt.number}.pdf"' in headers["Content-Disposition"]
    text = pdf_text(body)
    assert "Ana Ruiz" in text and "$120.00" in text and receipt.number in text

    unsigned = f"{parts.scheme}://{parts.netloc}{parts.path}"
    assert _get(unsigned)[0] == 403, "the bucket refuses a request without a signature"


def test_another_donors_receipt_gets_no_link(bucket, client, ana, ben):
    sign_in(client, "ana@example.org")
    response = client.get(f"/account/receipts/{receipt_of(ben).number}/")
    assert response.status_code == 404
    assert "Location" not in response


def test_an_issued_receipt_is_never_overwritten(bucket, ana):
    """A file saved under an existing receipt's name gets a name of its own."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    receipt = receipt_of(ana)
    before = bucket.client.get_object(Bucket="crm-files", Key=receipt.pdf.name)["Body"].read()
    saved_as = default_storage.save(receipt.pdf.name, ContentFile(b"%PDF-1.7 forged"))
    assert saved_as != receipt.pdf.name
    after = bucket.client.get_object(Bucket="crm-files", Key=receipt.pdf.name)["Body"].read()
    assert after == before
