"""Writes for letters: a new letter from text staff already have."""

from django.db import transaction

from mailings.letters.from_text import letter_from_text
from mailings.models import Letter, LetterSignatory, LetterVersion, Signatory
from mailings.revisions.services import record_revision


@transaction.atomic
def letter_create_from_text(
    *, name: str, text: str, language: str = "en", appeal_code: str = ""
) -> Letter:
    """A new letter from one staff already have as plain text (see mailings.letters.from_text).
    The version is checked like any other, so text that looks like a merge tag is refused.
    The subject comes from the text (a 'Subject:' line, else the headline), never from the
    staff-only name: without one it stays empty and letter_email_problems says so."""
    plain = letter_from_text(text)
    letter = Letter.objects.create(name=name, appeal_code=appeal_code)
    version = LetterVersion(
        letter=letter,
        language=language,
        subject=(plain.subject or plain.headline)[:200],
        banner=plain.banner[:200],
        headline=plain.headline[:200],
        salutation_line=plain.salutation_line[:200],
        body=plain.body,
        closing=plain.closing[:120],
        on_behalf_of=plain.on_behalf_of,
        ps=plain.ps,
    )
    version.full_clean()
    version.save()
    for position, (signer, title) in enumerate(plain.signatories):
        signatory, _ = Signatory.objects.get_or_create(name=signer[:120], title=title[:120])
        LetterSignatory.objects.create(letter=letter, signatory=signatory, position=position)
    record_revision(letter, None, note="Brought in")
    return letter
