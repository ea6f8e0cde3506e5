"""Unsubscribing (from the page at /u/<token>/ or a mail client's one-click button): from
appeals only, or from all email. Each choice is a consent change on the supporter and an entry on
the suppression list with the matching scope, so it also holds for the address itself."""

from django.db import transaction
from django.utils import timezone

from core.models import OutboxMessage, Suppression
from core.outbox.suppression import suppression_add
from crm.models import ConsentEvent, Supporter
from crm.services import consent_record_changes, consent_snapshot

Scope = Suppression.Scope


@transaction.atomic
def supporter_unsubscribe(
    *, supporter_id: int, source: str, scope: str = Scope.APPEALS, message_id: int | None = None
) -> Supporter | None:
    """Stop appeals (scope APPEALS: receipts and thank-yous still go) or every email (ALL).
    Safe to repeat: a second click changes nothing and records nothing. None when the
    supporter no longer exists (merged or removed)."""
    if scope not in Scope.values:
        raise ValueError(f"unknown unsubscribe scope {scope!r}")
    supporter = Supporter.objects.select_for_update().filter(pk=supporter_id).first()
    if supporter is None:
        return None
    if message_id is not None:
        # The email the link came in (an appeal's): its mailing's results count it, once.
        OutboxMessage.objects.filter(pk=message_id, unsubscribed_at__isnull=True).update(
            unsubscribed_at=timezone.now()
        )
    before = consent_snapshot(supporter)
    supporter.email_opt_in = Supporter.EmailOptIn.OPTED_OUT
    if scope == Scope.ALL:
        supporter.do_not_email = True
    if consent_snapshot(supporter) != before:
        supporter._change_reason = (
            "Unsubscribed from all email by the donor"
            if scope == Scope.ALL
            else "Unsubscribed from appeals by the donor"
        )
        supporter.save()
        consent_record_changes(
            supporter=supporter,
            before=before,
            method=ConsentEvent.Method.UNSUBSCRIBE,
            source=source,
        )
    if supporter.email:
        suppression_add(
            email=supporter.email,
            scope=scope,
            reason=Suppression.Reason.UNSUBSCRIBED,
            source=source[:200],
        )
    return supporter
