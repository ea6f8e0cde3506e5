"""The envelope: the address placed for the organization's window envelope, the tap-test
verdict for each letter (checked against the address as read back from the real PDF with
pdftotext and the envelope makers' own numbers), the page count and the one-line spill
warning, the window drawn in the preview only, the print run's list of letters whose address
would hide, and custom measurements refused with a clear message."""

import subprocess
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core.exceptions import ValidationError

from core.models import Organisation
from mailings.letters.merge_values import recipients
from mailings.letters.rendering import compile_letter
from mailings.printing.envelopes import envelope_for
from mailings.printing.letter_pdf import PrintedLetter, Signatory, letters_pdf_measured
from mailings.printing.print_check import letter_checks, print_check
from mailings.printing.print_run import print_run
from tests.factories import SupporterFactory
from tests.mailings.test_household_letters import print_mailing

pytestmark = pytest.mark.django_db
IN, MM = 72.0, 72 / 25.4
CLEAR = IN / 8  # USPS DMM 601.6.3
STREET = ("3 Elm Street", "Corona, CA 92879")
ADDRESSES = {  # lines, with the addressee's
    3: STREET,
    4: ("Apt 4", *STREET),
    6: ("Attn: Gift Office", "Building B", "Apt 4", *STREET),
}
# The makers' numbers, written here apart from the code: envelope width and height, address
# window width, height, from the left and from the bottom, the folded sheet's top panel,
# the sheet's width.
SPECS = {
    "number10": (9.5 * IN, 4.125 * IN, (4.5 * IN, 1.125 * IN, 0.875 * IN, 0.5 * IN),
                 11 / 3 * IN, 8.5 * IN),
    "number10_double": (9.5 * IN, 4.125 * IN, (4 * IN, 1 * IN, 0.625 * IN, 1 * IN),
                        11 / 3 * IN, 8.5 * IN),
    "din_dl": (220 * MM, 110 * MM, (90 * MM, 45 * MM, 20 * MM, 15 * MM), 105 * MM, 210 * MM),
    # Measured by the organization: a taller window, a letter folded with a 3.9 in top panel.
    "custom": (9.5 * IN, 4.125 * IN, (4.5 * IN, 1.25 * IN, 0.875 * IN, 0.5 * IN),
               3.9 * IN, 8.5 * IN),
}  # fmt: skip
# What the tap test finds, by envelope and lines: a #10 window cannot keep even three lines
# of 10 pt type 1/8 in clear when the sheet slides its full 0.46 in (the window always shows
# only 0.67 in of it); DIN's field holds four lines but not six.
EXPECTED = {
    ("number10", 3): "The first line hides when the sheet slides up 0.38 in",
    ("number10", 4): "The first line hides when the sheet slides up 0.22 in",
    ("number10", 6): "Six lines are taller than the window",
    ("number10_double", 3): "The first line hides when the sheet slides up 0.26 in",
    ("number10_double", 4): "The first line hides when the sheet slides up 0.10 in",
    ("number10_double", 6): "Six lines are taller than the window",
    ("din_dl", 3): "Passes the tap test",
    ("din_dl", 4): "Passes the tap test",
    ("din_dl", 6): "The last line hides when the sheet rests on the envelope's bottom",
    ("custom", 3): "Passes the tap test",
    ("custom", 4): "Passes the tap test",
    ("custom", 6): "The first line hides when the sheet slides up 0.03 in",
}
CUSTOM = {
    "envelope": "custom", "envelope_unit": "in", "envelope_width": Decimal("9.5"),
    "envelope_height": Decimal("4.125"), "window_width": Decimal("4.5"),
    "window_height": Decimal("1.25"), "window_left": Decimal("0.875"),
    "window_bottom": Decimal("0.5"), "fold_panel_height": Decimal("3.9"),
}  # fmt: skip


def organisation_with(envelope: str) -> Organisation:
    organisation = Organisation.current()
    organisation.name = "Harbor Justice Project"
    organisation.address = "40 Rector Plaza\nNew York, NY 10006"
    organisation.paper_size = "a4" if envelope == "din_dl" else "letter"
    for name, value in (CUSTOM if envelope == "custom" else {"envelope": envelope}).items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    return organisation


def a_letter(address: tuple[str, ...], **extra) -> PrintedLetter:
    fields = {"language": "en", "date_text": "November 23, 2026", "addressee": "Ana Ruiz",
              "address_lines": address, "salutation_line": "Dear friend,",
              "body_html": "<p>Thank you for standing with us this year.</p>"}  # fmt: skip
    return PrintedLetter(**(fields | extra))


def pdftotext_words(pdf: bytes, tmp_path: Path, page: int) -> list[tuple[str, float, ...]]:
    """(word, left, top, right, bottom) in points, as poppler reads the page."""
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(  # noqa: S603 - our own file
        ["/usr/bin/pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    page_xml = ElementTree.fromstring(html)  # noqa: S314 - poppler's reading of our own PDF
    words = page_xml.iter("{http://www.w3.org/1999/xhtml}word")
    return [(w.text, *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax"))) for w in words]


def address_read_back(words: list, lines: tuple[str, ...]) -> tuple[tuple[float, ...], int]:
    """The address block's extent and line count on the page: its words, above the greeting."""
    greeting = min(w[2] for w in words if w[0] == "Dear")
    tokens = {token for line in lines for token in line.split()}
    mine = [w for w in words if w[0] in tokens and w[4] <= greeting and w[1] < 5.5 * IN]
    extent = (min(w[1] for w in mine), min(w[2] for w in mine),
              max(w[3] for w in mine), max(w[4] for w in mine))  # fmt: skip
    return extent, len({round(w[2]) for w in mine})


def tap_test_from_specs(key: str, block: tuple[float, ...]) -> bool:
    """Whether the block keeps 1/8 in clear of the window at the four extremes of the play."""
    width, height, (w_width, w_height, w_left, w_bottom), panel, sheet = SPECS[key]
    play_x, play_y = width - sheet, height - panel
    window_top = height - w_bottom - w_height  # from the envelope's top edge
    left, top, right, bottom = block
    return (
        top - CLEAR >= window_top - 0.01  # sheet slid up against the envelope's top
        and bottom + CLEAR <= window_top + w_height - play_y + 0.01  # resting on the bottom
        and left - CLEAR >= w_left - 0.01  # against the left side
        and right + CLEAR <= w_left + w_width - play_x + 0.01  # against the right side
    )


@pytest.mark.parametrize("key", list(SPECS))
def test_the_tap_test_verdict_for_three_four_and_six_lines(key, tmp_path):
    organisation = organisation_with(key)
    letters = [a_letter(address) for address in ADDRESSES.values()]
    measured = letters_pdf_measured(letters, organisation=organisation,
                                    paper=organisation.paper_size)  # fmt: skip
    checks = letter_checks(measured, count=3, envelope=envelope_for(organisation))
    for page, (count, address), check in zip((1, 2, 3), ADDRESSES.items(), checks, strict=True):
        verdict = check.envelope_verdict
        block, lines = address_read_back(
            pdftotext_words(measured.pdf, tmp_path, page), ("Ana Ruiz", *address)
        )
        assert lines == verdict.lines == count
        assert verdict.reason.startswith(EXPECTED[key, count]), (key, count, verdict.reason)
        assert verdict.ok == tap_test_from_specs(key, block) == verdict.reason.startswith("Pass")
        # The verdict's room above and to the left is the block as drawn, to a tenth of a point.
        width, height, (_, w_height, w_left, w_bottom), panel, _ = SPECS[key]
        assert verdict.clearances["top"] == pytest.approx(
            block[1] - (height - w_bottom - w_height), abs=0.1
        )
        assert verdict.clearances["left"] == pytest.approx(block[0] - w_left, abs=0.1)
        assert check.pages == 1 and not check.spill_warning


def test_a_block_that_fits_is_centred_where_the_window_always_shows(tmp_path):
    organisation = organisation_with("custom")
    measured = letters_pdf_measured([a_letter(ADDRESSES[4])], organisation=organisation)
    block, _ = address_read_back(pdftotext_words(measured.pdf, tmp_path, 1),
                                 ("Ana Ruiz", *ADDRESSES[4]))  # fmt: skip
    # Always in view: from the window's top with the sheet slid up (2.375 in) to its bottom
    # with the sheet resting on the envelope's bottom (3.625 - 0.225 in).
    above, below = block[1] - 2.375 * IN, 3.4 * IN - block[3]
    assert above == pytest.approx(below, abs=0.5) and above > CLEAR


def test_the_number_10_window_keeps_the_city_and_zip_line_clear_at_rest(tmp_path):
    organisation = organisation_with("number10")
    measured = letters_pdf_measured([a_letter(ADDRESSES[6])], organisation=organisation)
    words = pdftotext_words(measured.pdf, tmp_path, 1)
    zip_line = next(w for w in words if w[0] == "92879")
    # The window's bottom edge with the sheet resting on the envelope's bottom: 3 5/8 in
    # below the envelope's top, less the 0.458 in the sheet sits below it: 3.167 in.
    window_bottom_at_rest = (4.125 - 0.5 - (4.125 - 11 / 3)) * IN
    assert zip_line[4] + CLEAR <= window_bottom_at_rest
    assert zip_line[4] + CLEAR + 2 > window_bottom_at_rest, "kept low: the name rides up"


def checked_letter(paragraphs: int, *, ps: str = "") -> tuple:
    """A letter of one-line paragraphs, checked, with its PDF."""
    organisation = Organisation.current()
    body = "".join(f"<p>Line {n} of what we did together.</p>" for n in range(paragraphs))
    letter = a_letter(STREET, body_html=body, closing="", ps=ps)
    measured = letters_pdf_measured([letter], organisation=organisation)
    [check] = letter_checks(measured, count=1, envelope=envelope_for(organisation))
    return check, measured.pdf


def test_the_page_count_and_a_letter_that_runs_one_line_onto_a_new_sheet(tmp_path):
    organisation_with("number10")
    long, pdf = checked_letter(30)
    over = len([w for w in pdftotext_words(pdf, tmp_path, 2) if w[0] == "Line"])
    assert (long.pages, long.spill_warning) == (2, ""), "a real second page: no warning"
    assert over > 2
    # As many one-line paragraphs fewer as ran over, but one: a single line runs onto page 2.
    one_over, pdf = checked_letter(30 - over + 1)
    assert len([w for w in pdftotext_words(pdf, tmp_path, 2) if w[0] == "Line"]) == 1
    assert one_over.spill_warning == "Runs one line onto page 2; shorten by a line."
    # Taking the advice brings it back onto one sheet.
    fits, _ = checked_letter(30 - over)
    assert (fits.pages, fits.spill_warning) == (1, "")


def test_the_spill_warning_counts_the_room_the_last_lines_need(tmp_path):
    organisation_with("number10")
    ps = "Gifts are matched in May."
    cuts = {"a line": 1, "two lines": 2, "three lines": 3}
    # The last paragraph travels with the P.S., which has space above it: the lines to cut
    # are the room they need, not the lines that ran over.
    _, pdf = checked_letter(30, ps=ps)
    over = len([w for w in pdftotext_words(pdf, tmp_path, 2) if w[0] == "Line"])
    for paragraphs in range(30 - over + 2, 30 - over - 4, -1):
        check, pdf = checked_letter(paragraphs, ps=ps)
        if check.spill_warning.startswith("Runs "):  # longer: 'Only the last two lines...'
            break
    else:
        pytest.fail("no length runs a line or two over")
    on_page_two = [w[0] for w in pdftotext_words(pdf, tmp_path, 2) if w[0] in ("Line", "P.S.")]
    assert on_page_two == ["Line", "P.S."]
    prefix = "Runs two lines onto page 2; shorten by "
    assert check.spill_warning.startswith(prefix), check.spill_warning
    cut = cuts[check.spill_warning.removeprefix(prefix).rstrip(".")]
    shortened, _ = checked_letter(paragraphs - cut, ps=ps)
    assert (shortened.pages, shortened.spill_warning) == (1, "")
    if cut > 1:  # and no fewer would do
        assert checked_letter(paragraphs - cut + 1, ps=ps)[0].pages == 2


def test_the_preview_draws_the_window_and_the_print_run_does_not(tmp_path):
    organisation_with("number10")
    mailing = print_mailing()
    ana = SupporterFactory(
        first_name="Ana", last_name="Ruiz", address_line1="3 Elm Street", city="Corona",
        region="CA", postal_code="92879", country="US",
    )  # fmt: skip
    [recipient] = recipients(mailing.letter, [ana])
    compiled = compile_letter(mailing.letter)["en"]
    check = print_check(compiled, recipient.values, ana, mailing.letter)
    assert (check.pages, check.spill_warning) == (1, "")
    assert check.envelope_verdict.reason.startswith("The first line hides when the sheet slides")
    drawn = " ".join(w[0] for w in pdftotext_words(check.pdf_bytes, tmp_path, 1))
    assert "Envelope window (preview only): dashed, letter resting at the bottom" in drawn

    run = print_run(mailing, out=tmp_path / "run.pdf", workers=1, supporters=[ana.pk])
    printed = " ".join(w[0] for w in pdftotext_words((tmp_path / "run.pdf").read_bytes(),
                                                      tmp_path, 1))  # fmt: skip
    assert "CORONA, CA 92879" in printed and "Envelope window" not in printed
    [problem] = run.window_problems
    assert (problem.supporter_id, problem.reason) == (ana.pk, check.envelope_verdict.reason)
    listed = (tmp_path / "run.window.csv").read_text()
    assert "Address in the window" in listed and "The first line hides" in listed


def test_the_preview_page_shows_the_verdict_and_pages(staff_client):
    organisation_with("din_dl")
    mailing = print_mailing()
    ana = SupporterFactory(address_line1="Calle Mayor 12", city="Madrid", postal_code="28013",
                           country="ES")  # fmt: skip
    url = f"/admin/mailings/letter/{mailing.letter.pk}/preview/?supporter={ana.pk}"
    page = staff_client.get(url).content.decode()
    assert '<strong id="printed-pages">1 page</strong>' in page
    assert "✓ Address in the window:" in page and "Passes the tap test" in page
    assert "DL window envelope, DIN 5008 on A4" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"envelope_width": None}, "envelope_width",
         "Enter the envelope's width to use a custom envelope."),
        ({"window_height": Decimal("-1")}, "window_height",
         "Enter the window's height as a length larger than zero."),
        ({"envelope_width": Decimal("8.25")}, "envelope_width",
         "A US Letter sheet is 8.5 in wide: it does not fit an envelope 8.25 in wide."),
        ({"window_height": Decimal("0.2")}, "window_height",
         "The folded letter can slide 0.225 in up and down in this envelope and the window "
         "is only 0.2 in tall"),
        ({"window_left": Decimal("6")}, "window_width",
         "The window runs past the envelope's right edge"),
        ({"fold_panel_height": Decimal("2")}, "fold_panel_height",
         "has a top panel of at least a third of it (3.667 in)"),
        ({"fold_panel_height": Decimal("4.5")}, "fold_panel_height",
         "The folded letter (4.5 in tall) does not fit an envelope 4.125 in tall."),
    ],
)  # fmt: skip
def test_bad_custom_measurements_are_refused_with_a_clear_message(changes, field, message):
    organisation = Organisation.current()
    for name, value in (CUSTOM | changes).items():
        setattr(organisation, name, value)
    with pytest.raises(ValidationError) as refused:
        organisation.full_clean()
    assert any(message in text for text in refused.value.message_dict[field]), refused.value


def test_an_envelope_for_the_other_paper_is_refused_in_the_admin(staff_client):
    organisation = Organisation.current()
    url = f"/admin/core/organisation/{organisation.pk}/change/"
    form = staff_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    response = staff_client.post(url, {**data, "logo": "", "envelope": "din_dl"})
    assert response.status_code == 200
    assert "This envelope takes A4 paper, and the paper size is US Letter" in (
        response.content.decode()
    )
    assert Organisation.current().envelope == "number10"
    response = staff_client.post(
        url, {**data, "logo": "", **{k: str(v) for k, v in CUSTOM.items()}}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert envelope_for(Organisation.current()).window.height == 1.25 * IN


def test_a_last_page_with_only_the_letters_ending_is_a_spill_too(tmp_path):
    """The sign-off moves as one block and takes the last paragraph with it: four or five
    lines, more than a spill of running text, and still a sheet spent on the last line,
    'With gratitude' and a name."""
    organisation = organisation_with("number10")
    signers = (Signatory("Marisol Vega", "Executive Director", ""),)

    def checked(paragraphs: int):
        body = "".join(f"<p>Line {n} of what we did together.</p>" for n in range(paragraphs))
        letter = a_letter(STREET, body_html=body, signatories=signers)
        measured = letters_pdf_measured([letter], organisation=organisation)
        [check] = letter_checks(measured, count=1, envelope=envelope_for(organisation))
        return check, measured.pdf

    for paragraphs in range(10, 40):
        check, pdf = checked(paragraphs)
        if check.pages == 2:
            break
    else:
        pytest.fail("no length pushes the sign-off over")
    page_two = [w[0] for w in pdftotext_words(pdf, tmp_path, 2)]
    assert page_two.count("Line") == 1 and {"gratitude,", "Vega"} <= set(page_two), page_two
    prefix = "Only the last line of the letter and the sign-off go onto page 2; shorten by "
    assert check.spill_warning.startswith(prefix), check.spill_warning
    cut = {"a line": 1, "two lines": 2, "three lines": 3, "four lines": 4, "five lines": 5}[
        check.spill_warning.removeprefix(prefix).rstrip(".")
    ]
    assert checked(paragraphs - cut)[0].pages == 1, "the advice brings it back onto page 1"
    # A real second page (more than the ending): no warning.
    longer, pdf = checked(paragraphs + 9)
    words = [w[0] for w in pdftotext_words(pdf, tmp_path, 2)]
    assert words.count("Line") > 2, (paragraphs, " ".join(words))
    assert (longer.pages, longer.spill_warning) == (2, "")
