"""Issue 10, finding 3: a letter's PDF must not carry another donor's receipt.

A letter may show the logo, signature scans and static files; the PDF fetcher serves nothing
else from MEDIA_ROOT (receipts least of all), and no PDF embeds files, whatever a
`<link rel="attachment">` or `<a rel="attachment">` in the letter asks for."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from pypdf import PdfReader

from core.models import Organisation
from core.pdf import MEDIA_FOLDERS_FOR_DOCUMENTS, RefusedResource, SafeURLFetcher
from donations.acknowledgements.receipts import receipt_issue
from donations.models import Fund, Gift, Receipt
from mailings.letters.merge_values import recipients
from mailings.letters.rendering import compile_letter
from mailings.models import Letter, LetterSignatory, LetterVersion, Signatory
from mailings.printing.letter_pdf import PrintedLetter, letters_pdf
from mailings.printing.letter_pdf import Signatory as PrintedSignatory
from mailings.printing.printed_letter import printed_letters_pdf
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

# A 1x1 red PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d7"
    "63f8cfc000000301010018dd8db00000000049454e44ae426082"
)


def attack(receipt_url: str) -> str:
    # Both forms WeasyPrint turns into embedded files, written as merge-tag literals: the
    # tags are set aside before the sanitiser runs, so on main they reached the PDF intact.
    return (
        f'{{{{ "<link rel=attachment href={receipt_url}>" }}}}'
        f"{{{{ \"<a rel='attachment' href='{receipt_url}'>your receipt</a>\" }}}}"
    )


@pytest.fixture
def receipt(settings, tmp_path) -> Receipt:
    """Another donor's real receipt, issued through donations.acknowledgements.receipts into
    MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    gift = Gift.objects.create(
        supporter=SupporterFactory(first_name="Rosa", last_name="Quintanilla"),
        amount=Decimal("4321.00"),
        method="cheque",
        cheque_number="7781",
        received_on=datetime.date(2026, 3, 2),
        fund=Fund.objects.create(name="General operating", code="general", is_default=True),
    )
    issued = receipt_issue(gift=gift)
    assert (settings.MEDIA_ROOT / issued.pdf.name).is_file()
    assert issued.pdf.url.startswith("/media/receipts/")
    return issued


@pytest.fixture
def letterhead(receipt) -> Signatory:
    """The organisation's logo and a signature scan, uploaded as staff upload them."""
    organisation = Organisation.current()
    organisation.name = "Immigrant Justice Project"
    organisation.logo.save("logo.png", ContentFile(PNG))
    signatory = Signatory.objects.create(name="Dana Ruiz", title="Executive Director")
    signatory.signature.save("dana.png", ContentFile(PNG))
    return signatory


def letter_with_body(body: str, signatory: Signatory) -> Letter:
    # Saved without the composer's save-time check, as a letter stored before it would be:
    # the PDF seam is the last guard and must hold on its own.
    letter = Letter.objects.create(name="Spring appeal", appeal_code="spring26")
    LetterVersion.objects.create(letter=letter, language="en", subject="Spring", body=body)
    LetterSignatory.objects.create(letter=letter, signatory=signatory)
    return letter


def embedded_files(pdf: bytes) -> list[str]:
    """Every embedded file: the document's EmbeddedFiles tree and file-attachment notes."""
    reader = PdfReader(io.BytesIO(pdf))
    found = list(reader.attachments)
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            if annotation.get_object().get("/Subtype") == "/FileAttachment":
                found.append("annotation")
    return found


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def image_count(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_letter_pdf_embeds_no_receipt_but_keeps_logo_and_signature(receipt, letterhead):
    body = f"Dear friend, thank you.\n\n{attack(receipt.pdf.url)}\n\nWith you, always."
    letter = letter_with_body(body, letterhead)
    person = SupporterFactory(first_name="Ana", address_line1="1 Elm St")
    [recipient] = recipients(letter, [person])
    compiled = compile_letter(letter)["en"]

    pdf = printed_letters_pdf([(compiled, recipient.values, person)], letter=letter)

    assert embedded_files(pdf) == []
    assert b"/EmbeddedFile" not in pdf and b"/FileAttachment" not in pdf
    text = text_of(pdf)
    assert "thank you" in text and "With you, always." in text
    # The receipt's own words (its donor and amount) are nowhere in the letter.
    assert "Quintanilla" not in text
    assert "4,321" not in text
    assert image_count(pdf) == 2, "the logo and the signature are still printed"


def test_the_pdf_seam_drops_attachments_even_past_the_sanitiser(receipt, letterhead):
    raw = PrintedLetter(
        language="en", date_text="today", addressee="Ana", address_lines=("1 Elm St",),
        body_html=(
            f'<p>Still here</p><link rel="attachment" href="{receipt.pdf.url}">'
            f'<a rel="attachment" href="{receipt.pdf.url}">your receipt</a>'
            '<a rel="attachment" href="/media/signatures/dana.png">a signature</a>'
            '<link rel="attachment" href="data:text/plain,embedded">'
        ),
        signatories=(PrintedSignatory("Dana Ruiz", "", letterhead.signature.url),),
    )  # fmt: skip
    pdf = letters_pdf([raw], organisation=Organisation.current())
    assert embedded_files(pdf) == []
    assert "Still here" in text_of(pdf)
    assert "Quintanilla" not in text_of(pdf)
    assert image_count(pdf) == 2


def test_the_fetcher_serves_the_logo_signatures_and_static_files_only(
    receipt, letterhead, settings, tmp_path
):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    (settings.STATIC_ROOT / "mark.png").write_bytes(PNG)
    (settings.MEDIA_ROOT / "imports").mkdir()
    (settings.MEDIA_ROOT / "imports" / "donors.csv").write_text("email\nrosa@example.org\n")
    (settings.MEDIA_ROOT / "stray.png").write_bytes(PNG)
    fetcher = SafeURLFetcher()
    organisation = Organisation.current()

    for allowed in (organisation.logo.url, letterhead.signature.url, "/static/mark.png"):
        assert fetcher.fetch(f"https://pdf.invalid{allowed}").read() == PNG

    for refused in (
        receipt.pdf.url,
        f"/media/signatures/../{receipt.pdf.name}",
        f"/media/signatures/%2e%2e/{receipt.pdf.name}",
        f"/media/signatures//../{receipt.pdf.name}",
        f"/media//{receipt.pdf.name}",
        "/media/imports/donors.csv",
        "/media/stray.png",
    ):
        with pytest.raises(RefusedResource):
            fetcher.fetch(f"https://pdf.invalid{refused}")


def test_a_signatures_folder_linked_to_the_receipts_serves_no_receipt(receipt, settings):
    # A symlink cannot turn an allowed folder into a door to the receipts.
    (settings.MEDIA_ROOT / "signatures").symlink_to(settings.MEDIA_ROOT / "receipts")
    year_and_name = receipt.pdf.name.split("/", 1)[1]
    with pytest.raises(RefusedResource):
        SafeURLFetcher().fetch(f"https://pdf.invalid/media/signatures/{year_and_name}")


def test_media_kept_inside_a_static_directory_still_hides_receipts(receipt, settings):
    # MEDIA_ROOT nested in a static root must not reopen the receipts through /static/.
    settings.STATIC_ROOT = settings.MEDIA_ROOT.parent
    with pytest.raises(RefusedResource):
        SafeURLFetcher().fetch(f"https://pdf.invalid/static/media/{receipt.pdf.name}")


def test_the_allowed_folders_are_where_the_logo_and_signatures_are_uploaded():
    upload_folders = {
        Organisation._meta.get_field("logo").upload_to,
        Signatory._meta.get_field("signature").upload_to,
    }
    assert set(MEDIA_FOLDERS_FOR_DOCUMENTS) == upload_folders
    assert Receipt._meta.get_field("pdf").upload_to.split("/")[0] + "/" not in upload_folders
