"""Writes for mailings: unsubscribing (from a link or a mail client's one-click button)."""

from django.db import transaction

from crm.models import ConsentEvent, Supporter
from crm.services import consent_record_changes, consent_snapshot
from mailings.models import Letter, LetterSignatory, LetterVersion, Signatory


@transaction.atomic
def supporter_unsubscribe(*, supporter_id: int, source: str) -> Supporter | None:
    """Stop appeal emails to this supporter. Safe to repeat: a second click changes nothing
    and records nothing. None when the supporter no longer exists (merged or removed)."""
    supporter = Supporter.objects.select_for_update().filter(pk=supporter_id).first()
    if supporter is None:
        return None
    if supporter.do_not_email and supporter.email_opt_in == Supporter.EmailOptIn.OPTED_OUT:
        return supporter
    before = consent_snapshot(supporter)
    supporter.do_not_email = True
    supporter.email_opt_in = Supporter.EmailOptIn.OPTED_OUT
    supporter._change_reason = "Unsubscribed by the donor"
    supporter.save()
    consent_record_changes(
        supporter=supporter, before=before, method=ConsentEvent.Method.UNSUBSCRIBE, source=source
    )
    return supporter


@transaction.atomic
def letter_create_from_text(
    *, name: str, text: str, language: str = "en", appeal_code: str = ""
) -> Letter:
    """A new letter from one staff already have as plain text (see mailings.plaintext). The
    version is checked like any other, so text that looks like a merge tag is refused."""
    from mailings.plaintext import letter_from_text

    plain = letter_from_text(text)
    letter = Letter.objects.create(name=name, appeal_code=appeal_code)
    version = LetterVersion(
        letter=letter,
        language=language,
        subject=(plain.headline or plain.banner or name)[:200],
        banner=plain.banner[:200],
        headline=plain.headline[:200],
        salutation_line=plain.salutation_line[:200],
        body=plain.body,
        closing=(plain.closing or "With gratitude,")[:120],
        on_behalf_of=plain.on_behalf_of,
        ps=plain.ps,
    )
    version.full_clean()
    version.save()
    for position, (signer, title) in enumerate(plain.signatories):
        signatory, _ = Signatory.objects.get_or_create(name=signer[:120], title=title[:120])
        LetterSignatory.objects.create(letter=letter, signatory=signatory, position=position)
    return letter
