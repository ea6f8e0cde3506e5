"""A signatory's title as staff typed it for each language: the Spanish version of a letter
prints the Spanish title (by email and on paper), the English the English; a Spanish email
comes from the Spanish sender name."""

import io

import pytest
from pypdf import PdfReader

from core.models import Organisation
from mailings.emails.rendering import render_email
from mailings.letters.merge_values import recipients
from mailings.letters.rendering import compile_letter
from mailings.models import LetterSignatory, Mailing, Signatory
from mailings.printing.printed_letter import printed_letter, printed_letters_pdf
from mailings.sending.composer import mailing_sender
from tests.factories import SupporterFactory
from tests.mailings.letters import letter_with_versions

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter():
    letter = letter_with_versions(en={}, es={"subject": "Una carta", "body": "Le escribimos."})
    rosa = Signatory.objects.create(
        name="Rosa Diaz", title="Executive Director", title_es="Directora ejecutiva"
    )
    LetterSignatory.objects.create(letter=letter, signatory=rosa, position=0)
    return letter


@pytest.mark.parametrize(
    ("language", "title", "other"),
    [
        ("es", "Directora ejecutiva", "Executive Director"),
        ("en", "Executive Director", "Directora"),
    ],
)
def test_the_letter_prints_the_signatorys_title_in_its_language(letter, language, title, other):
    donor = SupporterFactory(first_name="Ana", email="ana@example.org", preferred_language=language)
    [recipient] = recipients(letter, [donor])
    compiled = compile_letter(letter)[recipient.language]
    email = render_email(compiled, recipient.values, organisation=Organisation.current())
    pdf = printed_letters_pdf([(compiled, recipient.values, donor)], letter=letter)
    paper = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    for text in (email.text, email.html, paper):
        assert "Rosa Diaz" in text and title in text and other not in text
    assert printed_letter(compiled, recipient.values, donor).signatories[0].title == title


def test_a_spanish_version_comes_from_the_spanish_sender_name(letter):
    organisation = Organisation.current()
    organisation.default_sender = "Immigrant Justice Project <giving@example.org>"
    organisation.default_sender_es = "Proyecto de Justicia Inmigrante <giving@example.org>"
    organisation.save()
    mailing = Mailing(letter=letter)
    assert mailing_sender(mailing, organisation, "es") == organisation.default_sender_es
    assert mailing_sender(mailing, organisation, "en") == organisation.default_sender
    mailing.sender = "Rosa Diaz <rosa@example.org>"  # a mailing's own sender wins
    assert mailing_sender(mailing, organisation, "es") == mailing.sender
