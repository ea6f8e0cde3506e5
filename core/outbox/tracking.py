"""What the ESP tells us after sending, through anymail's tracking webhook (mounted at
/anymail/postmark/tracking/, checked with ANYMAIL WEBHOOK_SECRET): each event is kept once,
dated on its message, and a hard bounce, a complaint or an unsubscribe puts the address on the
suppression list at once. Apps listen for events (a mailing's counts, a supporter's consent)
through `listen`; core imports no app."""

import hashlib
import json
from collections.abc import Callable

from anymail.signals import AnymailTrackingEvent
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import OutboxEvent, OutboxMessage, Suppression
from core.outbox.suppression import suppression_add

# event type -> the message's timestamp it sets (the first time)
STAMPS = {
    "delivered": "delivered_at",
    "opened": "opened_at",
    "clicked": "clicked_at",
    "bounced": "bounced_at",
    "complained": "complained_at",
    "unsubscribed": "unsubscribed_at",
}
# (message or None, event type, the recipient's address) after an event is first recorded
Listener = Callable[[OutboxMessage | None, str, str], None]
_LISTENERS: list[Listener] = []


def listen(listener: Listener) -> None:
    _LISTENERS.append(listener)


def tracking_event_receive(*, event: AnymailTrackingEvent, esp_name: str) -> bool:
    """Record one event; False when it was seen before (the ESP posted it again)."""
    message = _message_for(event)
    at = event.timestamp or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                OutboxEvent.objects.create(
                    dedupe_key=_dedupe_key(event, esp_name),
                    message=message,
                    event_type=event.event_type,
                    at=at,
                    click_url=(event.click_url or "")[:2000],
                )
        except IntegrityError:
            return False
        if message is not None and (stamp := STAMPS.get(event.event_type)):
            OutboxMessage.objects.filter(pk=message.pk, **{f"{stamp}__isnull": True}).update(
                **{stamp: at}
            )
        recipient = event.recipient or (message.to_email if message else "")
        if recipient:
            _suppress(event, recipient, esp_name)
        for listener in _LISTENERS:
            listener(message, event.event_type, recipient)
    return True


def _message_for(event: AnymailTrackingEvent) -> OutboxMessage | None:
    outbox_id = (event.metadata or {}).get("outbox_id", "")
    if str(outbox_id).isdigit():
        found = OutboxMessage.objects.filter(pk=int(outbox_id)).first()
        if found is not None:
            return found
    if event.message_id:
        return OutboxMessage.objects.filter(esp_message_id=event.message_id).first()
    return None


def _dedupe_key(event: AnymailTrackingEvent, esp_name: str) -> str:
    """The ESP's own event id where it gives one (Postmark: bounces and complaints), else a
    hash of the event as posted: a repeat post is the same bytes, a second open is not."""
    if event.event_id:
        return f"{esp_name}:{event.event_type}:{event.event_id}"[:100]
    raw = json.dumps(event.esp_event, sort_keys=True, default=str)
    return f"{esp_name}:{hashlib.sha256(raw.encode()).hexdigest()}"


def _suppress(event: AnymailTrackingEvent, recipient: str, esp_name: str) -> None:
    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    if event.event_type == "bounced":
        # A soft bounce (a full mailbox) is not a reason to stop; Postmark says which it is.
        if raw and not (raw.get("Inactive") or raw.get("Type") == "HardBounce"):
            return
        suppression_add(
            email=recipient, scope=Suppression.Scope.ALL, reason=Suppression.Reason.BOUNCED,
            source=f"{esp_name}: {event.description or event.mta_response or 'hard bounce'}"[:200],
        )  # fmt: skip
    elif event.event_type == "complained":
        suppression_add(
            email=recipient, scope=Suppression.Scope.ALL, reason=Suppression.Reason.COMPLAINED,
            source=f"{esp_name}: spam complaint",
        )  # fmt: skip
    elif event.event_type == "unsubscribed":
        suppression_add(
            email=recipient, scope=Suppression.Scope.APPEALS,
            reason=Suppression.Reason.UNSUBSCRIBED, source=f"{esp_name}: unsubscribed",
        )  # fmt: skip
