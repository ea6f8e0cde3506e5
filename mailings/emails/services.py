"""Unsubscribing from appeal emails (from a link or a mail client's one-click button)."""

from django.db import transaction

from crm.models import ConsentEvent, Supporter
from crm.services import consent_record_changes, consent_snapshot


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
