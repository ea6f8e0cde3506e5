"""The printed letter read back from the PDF: where the address lands (for the envelope
window), one letter per sheet, page numbers, duplex, the reply slip, and the letter's parts."""

import io

import pytest
from pypdf import PdfReader

from core.models import Organisation
from mailings.letter_pdf import PrintedLetter, ReplySlip, Signatory, letters_pdf

pytestmark = pytest.mark.django_db
INCH = 72
MM = 72 / 25.4


def letter(name: str, *, paragraphs: int = 6, language: str = "en", **extra) -> PrintedLetter:
    values = {
        "language": language,
        "date_text": "November 23, 2026",
        "addressee": name,
        "address_lines": ("12 Main St", "Bronx, NY 10451"),
        "banner": "Need legal advice? Call 212-555-0100.",
        "headline": "Not without a fight",
        "salutation_line": f"Dear {name.split()[0]},",
        "body_html": "<h2>Our plan</h2>"
        + "<p>We write with news of the year. " * 1 + "Every gift counts.</p>" * paragraphs
        + "<ul><li>Court support</li><li>A stronger hotline</li></ul>"
        + "<ol><li>One</li><li>Two</li></ol><blockquote><p>A client's words.</p></blockquote>",
        "signatories": (Signatory("Rosa Diaz", "Executive Director"),
                        Signatory("Sam Lee", "Deputy Director")),
        "on_behalf_of": "The staff and board",
        "ps": "Every gift is matched this month.",
        "reply_slip": ReplySlip(name=name, address_lines=("12 Main St", "Bronx, NY 10451"),
                                asks=("$50", "$75", "$100"), appeal_code="spring26"),
        "supporter_id": 7,
    }  # fmt: skip
    return PrintedLetter(**{**values, **extra})


def pages_of(pdf: bytes) -> list:
    return PdfReader(io.BytesIO(pdf)).pages


def positions(page) -> dict[str, list[tuple[float, float]]]:
    """Where each text run is drawn: (x, y) in points from the page's bottom-left corner."""
    found: dict[str, list[tuple[float, float]]] = {}

    def visit(text, cm, tm, font_dict, font_size):  # noqa: ANN001
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.setdefault(text.strip(), []).append((x, y))

    page.extract_text(visitor_text=visit)
    return found


@pytest.fixture
def organisation():
    organisation = Organisation.current()
    organisation.name = "Immigrant Justice Project"
    organisation.address = "40 Rector Street\nNew York, NY 10006"
    return organisation


def test_the_address_shows_through_a_number_10_window(organisation):
    [page] = pages_of(letters_pdf([letter("Ana Ruiz", paragraphs=1)], organisation=organisation,
                                  paper="letter"))[:1]  # fmt: skip
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)
    spots = positions(page)
    height = 792
    for line in ("Ana Ruiz", "12 Main St", "Bronx, NY 10451"):
        # The window shows 2.5 in to 3.17 in from the top of the folded top panel, and starts
        # 7/8 in from the left, whichever way the letter slides in the envelope.
        inside = [(x / INCH, (height - y) / INCH) for x, y in spots[line]
                  if 2.45 <= (height - y) / INCH <= 3.17 and 0.875 <= x / INCH <= 1.2]  # fmt: skip
        assert inside, (line, spots[line])


def test_on_a4_the_address_sits_in_the_din_5008_field(organisation):
    page = pages_of(letters_pdf([letter("Ana Ruiz", paragraphs=1)], organisation=organisation,
                                paper="a4"))[0]  # fmt: skip
    assert round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842
    spots = positions(page)
    for line in ("Ana Ruiz", "12 Main St", "Bronx, NY 10451"):
        # The recipient zone of form B: 62.7 mm to 90 mm from the top, text from 20 mm left.
        inside = [(x, y) for x, y in spots[line]
                  if 62.7 <= (842 - y) / MM <= 90 and 20 <= x / MM <= 30]  # fmt: skip
        assert inside, (line, spots[line])


def test_each_letter_starts_a_sheet_and_page_numbers_start_again(organisation):
    pdf = letters_pdf([letter("Ana Ruiz", paragraphs=40), letter("Kwame Mensah", paragraphs=2),
                       letter("Li Wei", paragraphs=40)], organisation=organisation)  # fmt: skip
    texts = [page.extract_text() for page in pages_of(pdf)]
    starts = [i for i, text in enumerate(texts) if "Not without a fight" in text]
    assert len(starts) == 3 and starts[0] == 0
    for start, name in zip(starts, ("Ana Ruiz", "Kwame Mensah", "Li Wei"), strict=True):
        assert name in texts[start]
        assert "– 1 –" not in texts[start], "no number on a letter's first page"
    assert "– 2 –" in texts[1], "the second page of the first letter is page 2"
    third = texts[starts[2] + 1]
    assert "– 2 –" in third, "the count starts again for each letter"
    assert not any("{{" in text for text in texts)


def test_duplex_safe_starts_every_letter_on_a_front_side(organisation):
    letters = [letter("Ana Ruiz", paragraphs=1), letter("Kwame Mensah", paragraphs=1)]
    plain = pages_of(letters_pdf(letters, organisation=organisation))
    duplex = pages_of(letters_pdf(letters, organisation=organisation, duplex_safe=True))
    starts = [i for i, page in enumerate(duplex) if "Not without a fight" in page.extract_text()]
    assert all(i % 2 == 0 for i in starts), starts
    assert len(duplex) == len(plain) + 1, "one blank back page after the one-page letter"


def test_the_letter_has_all_its_parts_and_a_reply_slip(organisation):
    pdf = letters_pdf([letter("Ana Ruiz", paragraphs=2)], organisation=organisation)
    text = " ".join(" ".join(page.extract_text() for page in pages_of(pdf)).split())
    for part in ("Immigrant Justice Project", "November 23, 2026", "Need legal advice?",
                 "Dear Ana,", "Our plan", "Court support", "A client's words.", "Rosa Diaz",
                 "Deputy Director", "On behalf of: The staff and board", "P.S. Every gift",
                 "☐ $50", "☐ $75", "☐ $100", "spring26", "#7"):  # fmt: skip
        assert part in text, part


def test_a_spanish_letter_has_a_spanish_reply_slip(organisation):
    pdf = letters_pdf([letter("Ana Ruiz", language="es", paragraphs=1)], organisation=organisation)
    text = " ".join(page.extract_text() for page in pages_of(pdf))
    assert "Sí, ayudaré con una donación de:" in text and "P.D." in text
    assert "Yes, I will help" not in text
