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
    # What the ESP's tracking webhooks told us (core.outbox.tracking): the first time of each.
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

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


class OutboxEvent(models.Model):
    """One tracking event from the ESP, kept once: the ESP may post an event twice."""

    dedupe_key = models.CharField(max_length=100, unique=True)
    message = models.ForeignKey(
        OutboxMessage, null=True, on_delete=models.SET_NULL, related_name="events"
    )
    event_type = models.CharField(max_length=20)  # anymail's: delivered, bounced, opened…
    at = models.DateTimeField()
    click_url = models.URLField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.event_type} at {self.at:%Y-%m-%d %H:%M}"


class Suppression(models.Model):
    """An address never to be mailed again (or never sent appeals), kept as a hash of the
    address, so it holds after the supporter is deleted, merged or imported afresh."""

    class Scope(models.TextChoices):
        ALL = "all", "No email at all"  # a hard bounce, a spam complaint
        APPEALS = "appeals", "No appeals"  # unsubscribed: receipts still go

    class Reason(models.TextChoices):
        BOUNCED = "bounced", "Hard bounce"
        COMPLAINED = "complained", "Spam complaint"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        MANUAL = "manual", "Added by staff"

    email_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=8, choices=Scope.choices)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    source = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.get_scope_display()})"
