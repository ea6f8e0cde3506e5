"""Core's models: the organisation's settings, and the outbox every email leaves through."""

from core.models.organisation import Organisation
from core.models.outbox import OutboxAttachment, OutboxEvent, OutboxMessage, Suppression

__all__ = ["Organisation", "OutboxAttachment", "OutboxEvent", "OutboxMessage", "Suppression"]
