"""The two real appeal letters in ../shared/seed-letters/, turned into letters through the
product's own API (mailings.letters.services.letter_create_from_text) and rendered for three
different supporters as email and as PDF."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from core.models import Organisation
from mailings.emails.rendering import render_email
from mailings.letters.checks import letter_email_problems
from mailings.letters.from_text import letter_from_text
from mailings.letters.merge_values import recipients
from mailings.letters.rendering import compile_letter
from mailings.letters.services import letter_create_from_text
from mailings.printing.printed_letter import printed_letters_pdf
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db
SEED_LETTERS = Path(settings.BASE_DIR).parent / "shared" / "seed-letters"
LETTERS = sorted(SEED_LETTERS.glob("*.txt")) if SEED_LETTERS.is_dir() else []


@pytest.fixture
def three_supporters():
    return [
        SupporterFactory(first_name="Ana", last_name="Ruiz", address_line1="3 Elm St",
                         city="Corona", region="NY", postal_code="11368"),
        SupporterFactory(first_name="Kwame", last_name="Mensah", address_line1="80 Pine Ave",
                         city="Newark", region="NJ", postal_code="07102"),
        SupporterFactory(first_name="Li", last_name="Wei", partner_first_name="Mei",
                         address_line1="12 Canal St", city="New York", region="NY",
                         postal_code="10013"),
    ]  # fmt: skip


@pytest.mark.skipif(not LETTERS, reason=f"no seed letters at {SEED_LETTERS} (../shared absent)")
@pytest.mark.parametrize("path", LETTERS, ids=lambda p: p.stem)
def test_a_seed_letter_becomes_a_letter_and_renders_for_three_supporters(path, three_supporters):
    text = path.read_text(encoding="utf-8")
    letter = letter_create_from_text(name=path.stem, text=text, appeal_code="seed")
    version = letter.versions.get()
    assert version.body and letter.signatories.exists()
    people = recipients(letter, three_supporters)
    compiled = compile_letter(letter)["en"]
    organisation = Organisation.current()
    last_paragraph_words = text.strip().split("\n\n")[2].split()[:6]
    for recipient in people:
        email = render_email(compiled, recipient.values, organisation=organisation)
        assert version.salutation_line in email.text
        assert " ".join(last_paragraph_words) in " ".join(email.text.split())
        assert "{{" not in email.html + email.text
        for signer in letter.signatories.all():
            assert signer.name in email.text
    pdf = printed_letters_pdf([(compiled, r.values, r.supporter) for r in people], letter=letter)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    text_all = "\n".join(pages)
    assert "{{" not in text_all
    for person in three_supporters:
        assert person.address_line1 in text_all and person.postal_code in text_all


@pytest.mark.skipif(not LETTERS, reason=f"no seed letters at {SEED_LETTERS} (../shared absent)")
@pytest.mark.parametrize("path", LETTERS, ids=lambda p: p.stem)
def test_every_line_of_a_seed_letter_is_kept_and_nothing_is_made_up(path):
    text = path.read_text(encoding="utf-8")
    letter = letter_create_from_text(name=f"Staff name {path.stem}", text=text)
    version = letter.versions.get()
    person = SupporterFactory(first_name="Ana", address_line1="3 Elm St")
    [recipient] = recipients(letter, [person])
    email = render_email(
        compile_letter(letter)["en"], recipient.values, organisation=Organisation.current()
    )
    composed = " ".join(email.text.split())
    for line in filter(None, (line.strip() for line in text.splitlines())):
        for cell in re.split(r"\s{3,}", line):  # signers side by side: each column
            words = " ".join(re.sub(r"^(•|\d+\.)\s+", "", cell).split())
            assert words in composed, words
    assert "Staff name" not in version.subject and "Staff name" not in email.subject
    has_closing = "In solidarity," in text
    assert version.closing == ("In solidarity," if has_closing else "")
    if version.headline:
        assert version.subject == version.headline
    else:  # no subject in the text: left for staff, and the preview says so
        assert version.subject == ""
        assert any("no subject line yet" in p for p in letter_email_problems(letter))


def test_lines_under_a_signers_name_join_the_title_and_a_subject_line_is_the_subject():
    text = (
        "Subject: Our spring news\n\nDear friend,\n\nWe had a good year.\n\n"
        "Marie Mark, Executive Director\nImmigrant Defense Project\n"
    )
    plain = letter_from_text(text)
    assert plain.subject == "Our spring news" and plain.closing == ""
    assert plain.signatories == [("Marie Mark", "Executive Director, Immigrant Defense Project")]
    two = letter_from_text(
        "Dear friend,\nWe had a good year.\n\nWith thanks,\n\n"
        "Ana Ruiz          Li Wei\nDirector          Treasurer\nHarbor Project    Harbor Board\n"
    )
    assert two.body == "We had a good year." and two.closing == "With thanks,"
    assert two.signatories == [
        ("Ana Ruiz", "Director, Harbor Project"),
        ("Li Wei", "Treasurer, Harbor Board"),
    ]
