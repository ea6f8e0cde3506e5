"""What Stripe sends and what the donate page refuses: the webhook inbox and the checkout
throttle's record of bursts."""

from django.db import models


class StripeEvent(models.Model):
    """Every webhook event, stored raw before anything else is done with it."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    livemode = models.BooleanField(default=False)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # Why a person must look at this event (a gift of no or an implausible amount); nothing
    # was recorded for it and Stripe was answered 200. Empty for every other event.
    attention = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # stripe_reprocess: failed and unprocessed events.
            models.Index(fields=["processed_at"], name="stripe_event_unprocessed"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class CheckoutThrottleEvent(models.Model):
    """A burst of checkout attempts that reached a limit (donations.online.limits): one row
    per limit and subject while attempts keep coming, for staff to see in the admin."""

    class Limit(models.TextChoices):
        IP = "ip", "Per IP address"
        EMAIL = "email", "Per email address"
        TOTAL = "total", "All donors together"

    limit = models.CharField(max_length=5, choices=Limit.choices)
    subject = models.CharField(
        max_length=254, blank=True, help_text="The IP address or email; empty for all donors."
    )
    rate = models.CharField(max_length=20, help_text="The limit then in force, e.g. 10/10m.")
    started_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField()
    refused = models.PositiveIntegerField(
        default=0, help_text="Attempts refused or sent to the captcha."
    )
    passed_captcha = models.PositiveIntegerField(
        default=0, help_text="Attempts let through after a captcha the provider accepted."
    )

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            # The open burst of one limit and subject: checkout_limits._record().
            models.Index(fields=["limit", "subject", "-last_attempt_at"], name="throttle_open")
        ]

    def __str__(self) -> str:
        return f"{self.get_limit_display()} {self.subject or ''} {self.started_at:%Y-%m-%d %H:%M}"
