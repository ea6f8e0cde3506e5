"""The outbox: every email the product sends is first a row here, written in the same
transaction as the reason for it (a gift thanked, a statement run, an appeal sent), then sent
by a background task through django-anymail (core.outbox). So an ESP error or a crash can
delay an email but never lose it, and no email goes out twice."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        # The ESP may or may not have taken it (the connection dropped after the request went
        # out, or a worker stopped mid-send): never re-sent blindly; checked with the ESP.
        UNKNOWN = "unknown", "Outcome unknown"
        REJECTED = "rejected", "Refused by the ESP"  # the recipient is inactive or invalid
        FAILED = "failed", "Failed"  # permanent: a bad request, or retries exhausted
        CANCELLED = "cancelled", "Cancelled"

    class Priority(models.IntegerChoices):
        BULK = 0, "Appeal"
        TRANSACTIONAL = 10, "Transactional"  # a donor waits for it: never behind an appeal

    kind = models.CharField(max_length=40, help_text="What it is: thank-you, statement, appeal…")
    priority = models.SmallIntegerField(choices=Priority.choices, default=Priority.TRANSACTIONAL)
    to_email = models.CharField(max_length=254)
    from_email = models.CharField(max_length=300)
    reply_to = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    text_body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # A message composed when it is sent (an appeal renders per donor in the worker, not at
    # snapshot): the composer registered under this name (core.outbox.composers) fills in
    # from, subject and bodies from `ref`, the id of its source row (a mailing's delivery).
    composer = models.CharField(max_length=40, blank=True)
    ref = models.BigIntegerField(null=True, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    esp_message_id = models.CharField(max_length=100, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [
            # The workers' claim: due queued messages, transactional first, oldest first.
            models.Index(
                fields=["-priority", "next_attempt_at", "id"],
                name="outbox_due",
                condition=Q(status="queued"),
            ),
            # The sweep: messages a worker holds, and outcomes still to be checked.
            models.Index(
                fields=["status", "claimed_at"],
                name="outbox_held",
                condition=Q(status__in=["sending", "unknown"]),
            ),
            # Tracking events find their message by the ESP's id.
            models.Index(fields=["esp_message_id"], name="outbox_esp_id"),
            models.Index(fields=["composer", "ref"], name="outbox_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_email} ({self.get_status_display()})"


class OutboxAttachment(models.Model):
    """A file sent with a message (a receipt, a statement), kept until the message is sent."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, default="application/pdf")
    file = models.FileField(upload_to="outbox/%Y/%m/")

    def __str__(self) -> str:
        return self.name
