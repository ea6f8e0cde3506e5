"""Core's models: the organisation's settings, the outbox every email leaves through, and the
background workers' heartbeats."""

from core.models.organisation import Organisation
from core.models.outbox import OutboxAttachment, OutboxEvent, OutboxMessage, Suppression
from core.models.workers import WorkerHeartbeat

__all__ = [
    "Organisation",
    "OutboxAttachment",
    "OutboxEvent",
    "OutboxMessage",
    "Suppression",
    "WorkerHeartbeat",
]
