"""Bringing in a letter (mailings.letters.bring_in, `manage.py import_letter`): the two real
appeal letters in ../shared/seed-letters/, written to a Word file here (bold labels, bulleted and
numbered lists, headings, soft line breaks, tabs between signers) and as plain text, come out with
every line of the original in order in the email and in the printed PDF read back, and nothing
made up: no closing the letter never had, no subject from the staff-only name."""

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from core.models import Organisation
from mailings.emails.rendering import render_email
from mailings.letters.bring_in import recognized, text_from_file, text_from_paste
from mailings.letters.from_text import letter_from_text
from mailings.letters.merge_values import recipients
from mailings.letters.rendering import compile_letter
from mailings.models import Letter, LetterVersion
from mailings.printing.printed_letter import printed_letters_pdf
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db
SEED_LETTERS = Path(settings.BASE_DIR).parent / "shared" / "seed-letters"
LETTERS = sorted(SEED_LETTERS.glob("*.txt")) if SEED_LETTERS.is_dir() else []
HEADINGS = {"Your Impact", "Ms. R’s Story"}
BULLET = re.compile(r"^\s*•\s+")
NUMBERED = re.compile(r"^\s*\d+\.\s+")


def word_file(text: str, path: Path) -> Path:
    """The letter as staff would have it in Word: one Word paragraph per paragraph of the text,
    its lines soft line breaks; labels bold, bullets and numbers as Word lists, headings."""
    document = docx.Document()
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
        if all(BULLET.match(line) for line in lines):
            for line in lines:
                document.add_paragraph(BULLET.sub("", line), style="List Bullet")
        elif NUMBERED.match(lines[0]):
            item = document.add_paragraph(style="List Number")
            item.add_run(NUMBERED.sub("", lines[0])).bold = True
            for line in lines[1:]:
                item.add_run().add_break()
                item.add_run(line)
        elif len(lines) == 1 and lines[0] in HEADINGS:
            document.add_heading(lines[0], level=2)
        elif len(lines) == 1 and lines[0].endswith(":") and len(lines[0]) < 60:
            document.add_paragraph().add_run(lines[0]).bold = True
        else:
            word = document.add_paragraph()
            for i, line in enumerate(lines):
                if i:
                    word.add_run().add_break()
                word.add_run(re.sub(r"\s{3,}", "\t", line))  # signers side by side: a tab
    document.save(path)
    return path


def words(text: str) -> str:
    """Text as read: Markdown marks, bullets and list numbers out, whitespace as one space."""
    text = re.sub(r"\*\*|^#+\s|(?<=\s)#+\s", "", text, flags=re.MULTILINE)
    text = re.sub(r"(^|\s)(•|\d+\.)\s", r"\1", text)
    return " ".join(text.split())


def assert_every_line_in_order(original: str, composed: str, where: str) -> None:
    composed, at = words(composed), 0
    for line in filter(None, (line.strip() for line in original.splitlines())):
        cells = [words(cell) for cell in re.split(r"\s{3,}", line)]
        found = composed.find(cells[0], at)
        if found < 0 and len(cells[0]) < 70 and ", " in cells[0]:  # 'Name, Title': two lines
            name, title = cells[0].split(", ", 1)
            found = composed.find(name, at)
            found = composed.find(title, found) if found >= 0 else -1
        assert found >= 0, f"{where}: missing or out of order: {cells[0]!r}"
        at = found
        for cell in cells[1:]:  # a second signer's column: after the line's first cell
            assert composed.find(cell, at) >= 0, f"{where}: missing {cell!r}"


def pdf_text(pdf: bytes, *, furniture: set[str]) -> str:
    """The printed letter read back, without what every page carries around the letter (the
    window's addresses, the date, the footer) so a paragraph split by a page reads whole. A line
    ending in a hyphen is joined without a space: the PDF breaks lines there, never inside words."""
    organisation = Organisation.current().name
    lines = [
        line.strip()
        for page in PdfReader(io.BytesIO(pdf)).pages
        for line in page.extract_text().splitlines()
    ]
    kept = [
        line for line in lines
        if line not in furniture | {organisation}
        and not re.fullmatch(r"\w+ \d{1,2}, \d{4}", line)  # the date
        and not re.search(r" · Page \d+$", line)
    ]  # fmt: skip
    return re.sub(r"-\n", "-", "\n".join(kept))


@pytest.fixture(params=["docx", "txt", "pasted"])
def brought_in(request, tmp_path):
    def bring_in(seed: Path) -> tuple[Letter, str]:
        text = seed.read_text(encoding="utf-8")
        path = tmp_path / f"{seed.stem}.{'docx' if request.param == 'docx' else 'txt'}"
        if request.param == "docx":
            word_file(text, path)
        elif request.param == "pasted":  # from Word: one paragraph a line, no blank lines
            lines = (line.replace("   ", "\t") for line in text.splitlines() if line.strip())
            path.write_bytes("\r\n".join(lines).replace(" ", "\u00a0", 3).encode("utf-8"))
        else:
            path.write_text(text, encoding="utf-8")
        out = io.StringIO()
        call_command("import_letter", str(path), "--name", f"Staff name {seed.stem}", stdout=out)
        return Letter.objects.get(name=f"Staff name {seed.stem}"), out.getvalue()

    bring_in.kind = request.param
    return bring_in


@pytest.mark.skipif(not LETTERS, reason=f"no seed letters at {SEED_LETTERS} (../shared absent)")
@pytest.mark.parametrize("seed", LETTERS, ids=lambda p: p.stem)
def test_a_seed_letter_brought_in_keeps_every_line_in_the_email_and_the_pdf(seed, brought_in):
    original = seed.read_text(encoding="utf-8")
    letter, printed = brought_in(seed)
    version = letter.versions.get()
    person = SupporterFactory(first_name="Ana", last_name="Ruiz", address_line1="3 Elm St",
                              city="Corona", region="NY", postal_code="11368")  # fmt: skip
    [recipient] = recipients(letter, [person])
    compiled = compile_letter(letter)["en"]
    email = render_email(compiled, recipient.values, organisation=Organisation.current())
    assert_every_line_in_order(original, email.text, f"{brought_in.kind} email")
    pdf = printed_letters_pdf([(compiled, recipient.values, person)], letter=letter)
    read_back = pdf_text(pdf, furniture={"Ana Ruiz", "3 Elm St", "CORONA, NY 11368"})
    assert_every_line_in_order(original, read_back, f"{brought_in.kind} PDF")

    # Nothing made up: the closing only if the letter has one, the subject never the name.
    assert version.closing == ("In solidarity," if "In solidarity," in original else "")
    if not version.closing:
        assert not re.search(r"sincerely|warmly|with gratitude", email.text, re.IGNORECASE)
    assert "Staff name" not in version.subject and "Staff name" not in email.subject
    assert version.subject == version.headline  # the headline, or empty for staff to write
    assert "Signers:" in printed and "Greeting:" in printed
    for signer in letter.signatories.all():
        assert signer.name in printed


@pytest.mark.skipif(not LETTERS, reason=f"no seed letters at {SEED_LETTERS} (../shared absent)")
def test_the_word_files_bold_lists_and_headings_stay_markdown_and_signers_are_whole(tmp_path):
    by_stem = {p.stem: p for p in LETTERS}
    for stem, path in by_stem.items():
        word_file(path.read_text(encoding="utf-8"), tmp_path / f"{stem}.docx")
        call_command("import_letter", str(tmp_path / f"{stem}.docx"), "--name", stem,
                     stdout=io.StringIO())  # fmt: skip
    anniversary = LetterVersion.objects.get(letter__name="anniversary-appeal-2016")
    assert "**Defense in the community:**" in anniversary.body
    assert "\n- Responding to emerging legal issues" in anniversary.body
    assert anniversary.headline == "Deport 2-3 million? Not without a fight."
    assert anniversary.banner.startswith("Do you or your loved one need legal advice?")
    assert anniversary.ps.startswith("Over coming months")
    assert anniversary.on_behalf_of.startswith("Andrew Wachtenheim")
    signers = [(s.name, s.title) for s in Letter.objects.get(name=stem).signatories.all()]
    sanctuary = LetterVersion.objects.get(letter__name="sanctuary-appeal")
    assert "1. **Advocating for the New York for All Act**" in sanctuary.body
    assert "## Your Impact" in sanctuary.body and sanctuary.closing == "In solidarity,"
    names = {
        letter.name: [(s.name, s.title) for s in letter.signatories.all()]
        for letter in Letter.objects.all()
    }
    assert names["sanctuary-appeal"] == [
        ("Marie Mark", "Executive Director, Immigrant Defense Project")
    ]
    assert names["anniversary-appeal-2016"] == [
        ("Alisa Wellek", "Executive Director"),
        ("Mizue Aizeki", "Deputy Director"),
    ]
    assert signers


def test_pasted_text_from_word_or_google_docs_reads_like_typed_text():
    pasted = (
        "Our\u00a0news\u2028for you\n\nDear\u00a0friend,\r\n\r\n"
        "We had a \u201cgood\u201d year.\u200b\n\n\u25cf One\n\u25cf Two\n\n"
        "Ana Ruiz\tLi Wei\nDirector\tTreasurer\n"
    )
    text = text_from_paste(pasted)
    assert "\u00a0" not in text and "\u200b" not in text and "\t" not in text
    plain = letter_from_text(text)
    assert (plain.banner, plain.headline) == ("", "Our news for you")  # a soft break: one line
    assert plain.salutation_line == "Dear friend," and plain.closing == ""
    assert plain.body == "We had a \u201cgood\u201d year.\n\n- One\n- Two"
    assert plain.signatories == [("Ana Ruiz", "Director"), ("Li Wei", "Treasurer")]


def test_markdown_brought_in_keeps_its_marks():
    text = text_from_file(
        "letter.md",
        b"# Spring\n\nDear friend,\n\n## What we did\n\n1. Court\n2. Hotline\n\n"
        b"**Thank you** for it all.\n\nAna Ruiz, Director\n",
    )
    plain = letter_from_text(text)
    assert plain.headline == "Spring" and plain.subject == ""
    assert plain.body == "## What we did\n\n1. Court\n2. Hotline\n\n**Thank you** for it all."
    assert plain.signatories == [("Ana Ruiz", "Director")]


def _zip_not_word() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a Word document")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("letter.docx", b"Dear friend,\n\nThis is text, not Word.", "is not a Word file"),
        ("letter.docx", _zip_not_word(), "could not be read as a Word file"),
        ("letter.txt", b"   \n\n", "is empty"),
        ("letter.txt", b"\x00\x01\x02binary\x00" * 50, "is not a text file"),
        ("letter.pdf", b"%PDF-1.4 ...", "bring in a Word file"),
        ("letter.txt", b"Dear friend,\n\nHello {% load evil %} there.\n\nAna Ruiz\n", "Nothing"),
        ("missing.txt", None, "Cannot read"),
    ],
    ids=["text-as-docx", "zip-not-word", "empty", "binary", "pdf", "merge-tag", "missing"],
)
def test_a_bad_file_is_refused_clearly_and_nothing_is_created(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message) as refused:
        call_command("import_letter", str(path), "--name", "Refused", stdout=io.StringIO())
    assert "Nothing was brought in" in str(refused.value) or message == "Cannot read"
    assert not Letter.objects.exists() and not LetterVersion.objects.exists()


def test_staff_bring_in_a_word_file_from_the_letter_list(staff_client, tmp_path):
    listing = staff_client.get(reverse("admin:mailings_letter_changelist"))
    assert reverse("admin:mailings_letter_bring_in") in listing.content.decode()
    path = word_file(
        "Our spring news\n\nDear friend,\n\nWe had a good year.\n\n"
        "• Court wins\n• A hotline\n\nAna Ruiz, Director\nHarbor Project\n",
        tmp_path / "spring.docx",
    )
    with path.open("rb") as upload:
        response = staff_client.post(
            reverse("admin:mailings_letter_bring_in"),
            {"name": "Spring 2027", "language": "en", "file": upload},
            follow=True,
        )
    letter = Letter.objects.get(name="Spring 2027")
    version = letter.versions.get()
    assert response.redirect_chain[-1][0] == reverse(
        "admin:mailings_letter_change", args=[letter.pk]
    )
    assert "Recognized:" in response.content.decode()
    assert version.subject == "Our spring news" and version.closing == ""
    assert version.body == "We had a good year.\n\n- Court wins\n- A hotline"
    assert [(s.name, s.title) for s in letter.signatories.all()] == [
        ("Ana Ruiz", "Director, Harbor Project")
    ]


def test_pasted_text_is_brought_in_and_bad_input_is_refused_with_nothing_made(staff_client):
    url = reverse("admin:mailings_letter_bring_in")
    pasted = "Dear\u00a0friend,\r\n\r\nWe had a good year.\r\n\r\nAna Ruiz\tLi Wei\r\n"
    staff_client.post(url, {"name": "Pasted", "language": "es", "text": pasted})
    assert Letter.objects.get(name="Pasted").versions.get().language == "es"
    refused = [
        ({"name": "None", "language": "en"}, "Choose a file or paste"),
        ({"name": "Both", "language": "en", "text": "Dear friend,",
          "file": SimpleUploadedFile("a.txt", b"Dear friend,")}, "not both"),
        ({"name": "Pdf", "language": "en",
          "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")}, "bring in a Word file"),
        ({"name": "Fake", "language": "en",
          "file": SimpleUploadedFile("a.docx", b"plain text")}, "is not a Word file"),
        ({"name": "Tag", "language": "en",
          "text": "Dear friend,\n\nHi {% load x %}."}, "Not brought in"),
    ]  # fmt: skip
    for data, message in refused:
        response = staff_client.post(url, data)
        assert response.status_code == 200 and message in response.content.decode(), message
    assert list(Letter.objects.values_list("name", flat=True)) == ["Pasted"]


def test_a_board_member_cannot_bring_in_a_letter(board_client):
    url = reverse("admin:mailings_letter_bring_in")
    listing = board_client.get(reverse("admin:mailings_letter_changelist"))
    assert listing.status_code == 200 and url not in listing.content.decode()
    assert board_client.get(url).status_code == 403
    response = board_client.post(url, {"name": "Board", "language": "en", "text": "Dear friend,"})
    assert response.status_code == 403 and not Letter.objects.exists()


def test_signers_in_a_word_table_and_bold_words_mid_sentence(tmp_path):
    document = docx.Document()
    document.add_paragraph("Dear friend,")
    said = document.add_paragraph("We won ")
    said.add_run("three cases ").bold = True
    said.add_run("this year & more.")
    document.add_paragraph("With thanks,")
    table = document.add_table(rows=1, cols=2)
    signers = [("Ana Ruiz", "Director"), ("Li Wei", "Treasurer")]
    for cell, (name, title) in zip(table.rows[0].cells, signers, strict=True):
        cell.text = name
        cell.add_paragraph(title)
    document.add_paragraph("P.S. Call us.")
    document.save(tmp_path / "thanks.docx")
    text = text_from_file("thanks.docx", (tmp_path / "thanks.docx").read_bytes())
    plain = letter_from_text(text)
    assert plain.body == "We won **three cases** this year & more."
    assert plain.closing == "With thanks," and plain.ps == "Call us."
    assert plain.signatories == [("Ana Ruiz", "Director"), ("Li Wei", "Treasurer")]


def test_a_name_already_taken_is_refused_and_nothing_changes(tmp_path, staff_client):
    path = tmp_path / "letter.txt"
    path.write_text("Dear friend,\n\nWe had a good year.\n\nAna Ruiz\n", encoding="utf-8")
    call_command("import_letter", str(path), "--name", "Spring", stdout=io.StringIO())
    with pytest.raises(CommandError, match="already a letter named “Spring”"):
        call_command("import_letter", str(path), "--name", "Spring", stdout=io.StringIO())
    with pytest.raises(CommandError, match="Give the letter a name"):
        call_command("import_letter", str(path), "--name", "  ", stdout=io.StringIO())
    response = staff_client.post(
        reverse("admin:mailings_letter_bring_in"),
        {"name": "Spring", "language": "en", "text": "Dear friend,\n\nHello."},
    )
    assert "already a letter named" in response.content.decode()
    assert Letter.objects.count() == 1 and LetterVersion.objects.count() == 1


def test_a_spanish_letter_is_brought_in_with_its_own_greeting(tmp_path):
    path = tmp_path / "carta.md"
    path.write_text(
        "Querida amiga,\n\nGracias por todo.\n\nCon gratitud,\n\nAna Ruiz, Directora\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_letter", str(path), "--name", "Carta", "--language", "es", stdout=out)
    version = LetterVersion.objects.get(letter__name="Carta")
    assert (version.language, version.salutation_line) == ("es", "Querida amiga,")
    assert version.body == "Gracias por todo." and version.closing == "Con gratitud,"
    plain = letter_from_text("Thanks for all of it.\n\nAna Ruiz\n")
    assert plain.salutation_line == "Dear {{ salutation }},"  # none in the text: said so
    assert "(none in the text" in dict(recognized(plain))["Greeting"]
