"""The suppression list: addresses that bounced hard or complained get no email at all, and
addresses that unsubscribed get no appeals. Kept as a SHA-256 of the address, so it outlives
the supporter record and holds when the same person is imported again."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from core.models import OutboxMessage, Suppression
from core.outbox.addresses import email_hash

Scope = Suppression.Scope


def suppression_add(*, email: str, scope: str, reason: str, source: str = "") -> bool:
    """Suppress an address; a wider scope replaces a narrower one. True when it changed."""
    key = email_hash(email)
    try:
        with transaction.atomic():
            Suppression.objects.create(email_hash=key, scope=scope, reason=reason, source=source)
            return True
    except IntegrityError:
        if scope == Scope.ALL:
            return bool(
                Suppression.objects.filter(email_hash=key, scope=Scope.APPEALS).update(
                    scope=scope, reason=reason, source=source
                )
            )
        return False


def suppressed_among(emails: Iterable[str], *, appeal: bool) -> dict[str, str]:
    """Of these addresses, those not to be sent this kind of message, with the reason."""
    by_hash = {email_hash(e): e for e in emails}
    scopes = [Scope.ALL, Scope.APPEALS] if appeal else [Scope.ALL]
    rows = Suppression.objects.filter(email_hash__in=by_hash, scope__in=scopes)
    return {by_hash[row.email_hash]: row.get_reason_display() for row in rows}


def is_appeal(message: OutboxMessage) -> bool:
    return message.priority == OutboxMessage.Priority.BULK
