"""The printed letter read back from the PDF: where the address lands (for the envelope
window), one letter per sheet, page numbers, duplex, the reply slip, and the letter's parts."""

import io
import re
from dataclasses import dataclass

import pytest
from PIL import Image
from pypdf import PdfReader

from core.models import Organisation
from mailings.printing.letter_pdf import (
    PrintedLetter,
    ReplySlip,
    Signatory,
    letters_html,
    letters_pdf,
    links_written_out,
)

pytestmark = pytest.mark.django_db
INCH = 72
MM = 72 / 25.4
# DejaVu Sans reaches 0.93 em above the baseline (accented capitals) and 0.24 em below.
ASCENT, DESCENT = 0.93, 0.24
ADDRESS = ("3 Elm Street, Apt 2B", "Corona, NY 11368")


@dataclass(frozen=True)
class Run:
    """A run of text as drawn: its left edge and glyph top and bottom, in points from the
    page's top-left corner."""

    text: str
    x: float
    top: float
    bottom: float


def letter(name: str, *, paragraphs: int = 3, language: str = "en", **extra) -> PrintedLetter:
    values = {
        "language": language,
        "date_text": "November 23, 2026",
        "addressee": name,
        "address_lines": ADDRESS,
        "banner": "Need legal advice? Call 212-555-0100.",
        "headline": "We are still here",
        "salutation_line": f"Dear {name.split()[0]},",
        "body_html": "<p>This year brought more calls to our help line than any before it.</p>"
        * paragraphs
        + "<p>The last paragraph of the body.</p>",
        "closing": "With thanks,",
        "signatories": (Signatory("Rosa Diaz", "Executive Director"),
                        Signatory("Sam Lee", "Deputy Director")),
        "on_behalf_of": "The staff and board",
        "ps": "Every gift is <strong>matched</strong> this month.",
        "reply_slip": ReplySlip(name=name, address_lines=ADDRESS, asks=("$50", "$75", "$100"),
                                appeal_code="spring26"),
        "supporter_id": 7,
    }  # fmt: skip
    return PrintedLetter(**{**values, **extra})


def pages_of(pdf: bytes) -> list:
    return list(PdfReader(io.BytesIO(pdf)).pages)


def texts_of(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in pages_of(pdf)]


def runs(page) -> list[Run]:
    found = []
    height = float(page.mediabox.height)

    def visit(text, cm, tm, font_dict, font_size):  # noqa: ANN001
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            baseline = height - (tm[4] * cm[1] + tm[5] * cm[3] + cm[5])
            size = font_size * abs(tm[3] * cm[3])
            found.append(Run(text.strip(), x, baseline - ASCENT * size, baseline + DESCENT * size))

    page.extract_text(visitor_text=visit)
    return found


def topmost(page, text: str) -> Run:
    return min((run for run in runs(page) if run.text == text), key=lambda run: run.top)


@pytest.fixture
def organisation():
    organisation = Organisation.current()
    organisation.name = "Harbor Justice Project"
    organisation.address = "40 Rector Street\nNew York, NY 10006"
    organisation.website = "https://harbor.example"
    return organisation


@pytest.mark.parametrize(
    "address", [ADDRESS, ("Unit 4", *ADDRESS), ("Unit 4", *ADDRESS, "UNITED STATES")]
)
def test_the_address_shows_through_a_number_10_window(organisation, address):
    pdf = letters_pdf([letter("Ana Ruiz", paragraphs=1, address_lines=address)],
                      organisation=organisation, paper="letter")  # fmt: skip
    page = pages_of(pdf)[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)
    # Window 4 1/2 x 1 1/8 in, 7/8 in from the envelope's left and 1/2 in from its bottom; the
    # folded sheet resting on the bottom shows 2.042-3.167 in from its top, 0.875-5.375 in
    # across. USPS DMM 601.6.3 asks for 1/8 in clear around the address.
    window_top, window_bottom, clear = 2.042 * INCH, 3.167 * INCH, INCH / 8
    lines = [topmost(page, line) for line in ("Ana Ruiz", *address)]
    for run in lines:
        assert run.top >= window_top + clear and run.bottom <= window_bottom - clear, run
        assert 0.875 * INCH + clear <= run.x <= 1.05 * INCH, run
    if len(address) <= 3:  # up to four lines: still inside when the insert rides up 3/16 in
        assert lines[0].top >= window_top + clear + 3 / 16 * INCH, lines[0]
    assert topmost(page, "November 23, 2026").x > 5.375 * INCH, "the date stays out of sight"


def test_on_a4_the_address_sits_in_the_din_5008_field(organisation):
    address = ("Calle Mayor 12", "28013 Madrid", "ESPAÑA")
    pdf = letters_pdf([letter("Ana Ruiz", paragraphs=1, address_lines=address, language="es")],
                      organisation=organisation, paper="a4")  # fmt: skip
    page = pages_of(pdf)[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    # Form B: the field is 45-90 mm from the top, 20-105 mm from the left; the recipient is
    # written downward from 62.7 mm, text starting 25 mm from the left edge.
    for line in ("Ana Ruiz", *address):
        run = topmost(page, line)
        assert run.top >= 62.7 * MM and run.bottom <= 90 * MM, run
        assert 24.5 * MM <= run.x <= 26 * MM, run
    # The return address is written upward from 62.7 mm, inside the 17.7 mm zone above it.
    sender = topmost(page, "40 Rector Street · New York, NY 10006")
    assert sender.top >= 45 * MM and sender.bottom <= 62.7 * MM + 0.5, sender


def test_each_letter_starts_a_sheet_with_its_own_name_and_page_numbers_start_again(
    organisation,
):
    names = ("Ana Ruiz", "Kwame Mensah", "Li Wei")
    pdf = letters_pdf([letter(names[0], paragraphs=40), letter(names[1], paragraphs=2),
                       letter(names[2], paragraphs=70)], organisation=organisation)  # fmt: skip
    texts = texts_of(pdf)
    starts = [i for i, text in enumerate(texts) if "We are still here" in text]
    assert len(starts) == 3 and starts[0] == 0
    for start, name in zip(starts, names, strict=True):
        assert f"Dear {name.split()[0]}," in texts[start] and name in texts[start]
        assert "Page " not in texts[start], "no number on a letter's first page"
    ends = [*starts[1:], len(texts)]
    for start, end, name in zip(starts, ends, names, strict=True):
        for number, text in enumerate(texts[start + 1 : end], start=2):
            assert f"{name} · November 23, 2026 · Page {number}" in text
    assert ends[2] - starts[2] >= 3, "the last letter runs to a third page"
    assert not any("{{" in text or "}}" in text for text in texts)


def test_duplex_safe_starts_every_letter_on_a_front_side(organisation):
    letters = [letter("Ana Ruiz", reply_slip=None), letter("Kwame Mensah", paragraphs=40),
               letter("Li Wei", paragraphs=20), letter("Mei Wei", reply_slip=None)]  # fmt: skip
    plain = texts_of(letters_pdf(letters, organisation=organisation))
    duplex = texts_of(letters_pdf(letters, organisation=organisation, duplex_safe=True))
    starts = [i for i, text in enumerate(plain) if "We are still here" in text]
    lengths = [end - start for start, end in zip(starts, [*starts[1:], len(plain)], strict=True)]
    assert any(n % 2 for n in lengths[:-1]) and any(n % 2 == 0 for n in lengths[:-1])
    duplex_starts = [i for i, text in enumerate(duplex) if "We are still here" in text]
    assert all(i % 2 == 0 for i in duplex_starts), "each letter on the front of a sheet"
    blanks = [i for i, text in enumerate(duplex) if text == ""]
    assert len(blanks) == sum(n % 2 for n in lengths[:-1]), "one blank back per odd letter"
    assert all(i + 1 in duplex_starts for i in blanks)
    assert len(duplex) == len(plain) + len(blanks)


def test_the_letter_has_all_its_parts_in_order(organisation):
    body = (
        "<h2>What comes next</h2><p>A year of <em>more</em> calls.</p>"
        "<ul><li>Advice in court</li><li>A longer help line</li></ul>"
        "<ol><li>First step</li><li>Second step</li></ol>"
        "<blockquote><p>A client said thank you.</p></blockquote>"
        "<p>The last paragraph of the body.</p>"
    )
    pdf = letters_pdf([letter("Ana Ruiz", body_html=body)], organisation=organisation)
    text = " ".join(texts_of(pdf))
    for part in ("Harbor Justice Project", "40 Rector Street", "harbor.example", "Ana Ruiz",
                 "Corona, NY 11368", "November 23, 2026"):  # fmt: skip
        assert part in text, part
    parts = ("Need legal advice?",
             "We are still here", "Dear Ana,", "What comes next", "Advice in court",
             "First step", "Second step", "A client said thank you.",
             "The last paragraph of the body.", "With thanks,", "Rosa Diaz", "Sam Lee",
             "Deputy Director", "On behalf of: The staff and board",
             "P.S. Every gift is matched this month.")  # fmt: skip
    where = [text.find(part) for part in parts]
    assert -1 not in where, [part for part, at in zip(parts, where, strict=True) if at < 0]
    assert where == sorted(where), "the parts come in the order of a letter"
    page = pages_of(pdf)[0]
    for number, item in (("1.", "First step"), ("2.", "Second step")):
        marker, line = topmost(page, number), topmost(page, item)
        assert marker.x < line.x and abs(marker.top - line.top) < 2, "numbered list"


def test_the_reply_slip_is_the_bottom_third_of_the_last_page(organisation):
    pdf = letters_pdf([letter("Ana Ruiz", paragraphs=20)], organisation=organisation)
    pages = pages_of(pdf)
    texts = texts_of(pdf)
    assert len(pages) >= 2 and not any("Yes, I will help" in text for text in texts[:-1])
    for part in ("Please return this slip with your gift", "☐ $50", "☐ $75", "☐ $100",
                 "☐ Other $", "☐ Make it a monthly gift", "Code: spring26 · #7",
                 "Please make checks payable to Harbor Justice Project.",
                 "Or give online at harbor.example", "Mail to:", "40 Rector Street"):  # fmt: skip
        assert part in texts[-1], part
    # Below the second fold (7 1/3 in): torn off along it, the slip fits a #9 reply envelope.
    cut = topmost(pages[-1], "✂ Please return this slip with your gift")
    assert cut.top >= 11 * INCH * 2 / 3, cut
    assert topmost(pages[-1], "P.S.").bottom < cut.top


def test_a_reply_slip_with_no_room_left_goes_whole_onto_a_page_of_its_own(organisation):
    # 42 paragraphs fill page 2 too far down for the slip to fit under the P.S.
    pdf = letters_pdf([letter("Ana Ruiz", paragraphs=42), letter("Li Wei")],
                      organisation=organisation)  # fmt: skip
    texts = texts_of(pdf)
    own = next(i for i, text in enumerate(texts) if "Code: spring26" in text)
    assert "P.S." in texts[own - 1] and "Yes, I will help" not in texts[own - 1]
    for part in ("Please return this slip", "☐ $100", "Mail to:", "Page 3"):
        assert part in texts[own], part
    assert "This year brought" not in texts[own] and "Li Wei" not in texts[own]
    assert topmost(pages_of(pdf)[own], "Yes, I will help with a gift of:").top > 7.4 * INCH
    assert "Dear Li," in texts[own + 1]


def test_every_reply_slip_stays_with_its_own_letter(organisation):
    # Letters ending at every height of their last page, each followed by the next letter.
    letters = [letter(f"Donor{i} Smith", paragraphs=n, supporter_id=100 + i)
               for i, n in enumerate(range(20, 46, 3))]  # fmt: skip
    current, seen = None, []
    for text in texts_of(letters_pdf(letters, organisation=organisation)):
        if match := re.search(r"Dear Donor(\d+),", text):
            current = int(match.group(1))
        seen += [(current, int(slip) - 100) for slip in re.findall(r"· #(\d+)", text)]
    assert seen == [(i, i) for i in range(len(letters))]


def test_a_letter_without_a_slip_or_extras_has_none(organisation):
    bare = letter("Ana Ruiz", reply_slip=None, banner="", headline="", on_behalf_of="", ps="",
                  signatories=(Signatory("Rosa Diaz", ""),))  # fmt: skip
    [text] = texts_of(letters_pdf([bare], organisation=organisation))
    for absent in ("Please return", "☐", "On behalf of", "P.S.", "Need legal", "Page "):
        assert absent not in text, absent
    assert "With thanks, Rosa Diaz" in text


def test_a_spanish_letter_has_a_spanish_reply_slip_and_page_numbers(organisation):
    spanish = letter("Ana Ruiz", language="es", paragraphs=30, date_text="23 de noviembre de 2026")
    texts = texts_of(letters_pdf([spanish], organisation=organisation, paper="a4"))
    text = " ".join(texts)
    for part in ("Devuelva este cupón con su donación", "Sí, ayudaré con una donación de:",
                 "☐ Otra cantidad $", "Deseo que mi donación sea mensual", "Código: spring26",
                 "En nombre de: The staff and board", "P.D.",
                 "Ana Ruiz · 23 de noviembre de 2026 · Página 2"):  # fmt: skip
        assert part in text, part
    for english in ("Yes, I will help", "Please return", "On behalf of", "P.S.", "Page 2"):
        assert english not in text, english
    assert 'lang="es"' in letters_html([spanish], organisation=organisation)


def test_a_two_page_letter_keeps_the_closing_with_the_signatures(organisation):
    # Bodies whose sign-off falls at the foot of page 1.
    for paragraphs in range(13, 18):
        texts = texts_of(letters_pdf([letter("Ana Ruiz", paragraphs=paragraphs, reply_slip=None)],
                                     organisation=organisation))  # fmt: skip
        assert len(texts) == 2
        [page] = [text for text in texts if "With thanks," in text]
        for part in ("The last paragraph of the body.", "Rosa Diaz", "Sam Lee", "Deputy Director"):
            assert part in page, (paragraphs, part)


def test_signatures_and_logo_are_drawn_from_uploaded_files(organisation, settings):
    folder = settings.MEDIA_ROOT / "signatures"
    folder.mkdir(parents=True)
    for name in ("a.png", "b.png", "logo.png"):
        Image.new("RGB", (120, 40), "navy").save(folder / name)
    organisation.logo.name = "signatures/logo.png"
    signed = letter("Ana Ruiz", reply_slip=None, signatories=(
        Signatory("Rosa Diaz", "Executive Director", "/media/signatures/a.png"),
        Signatory("Sam Lee", "Deputy Director", "/media/signatures/b.png")))  # fmt: skip
    [page] = pages_of(letters_pdf([signed], organisation=organisation))
    assert len(page.images) == 3


def test_links_are_written_out_for_the_reader_to_type(organisation):
    body = (
        '<p><a href="https://harbor.example/donate/?appeal=x&amp;y=1">Give online</a> or '
        '<a href="https://harbor.example/about">harbor.example/about</a>.</p>'
    )
    linked = letter("Ana Ruiz", body_html=body, reply_slip=None)
    pdf = letters_pdf([linked], organisation=organisation)
    [text] = texts_of(pdf)
    assert "Give online (harbor.example/donate/?appeal=x&y=1) or harbor.example/about." in text
    # The address is written out escaped, even if a raw '<' reached the attribute.
    written = links_written_out('<a href="https://x.example/<img src=x>">go</a>')
    assert written.endswith('<span class="url"> (x.example/&lt;img src=x&gt;)</span>')


def test_no_merge_tags_or_template_syntax_leak_into_the_document(organisation):
    html = letters_html([letter("Ana Ruiz"), letter("Li Wei", language="es")],
                        organisation=organisation)  # fmt: skip
    assert not re.search(r"{{|}}|{%|%}", html)
