"""What donors were sent about their gifts: receipts (numbered) and year-end statements."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import Supporter
from donations.models.ledger import Gift


class ReceiptCounter(models.Model):
    """The last receipt number issued in a year; locked while a number is taken."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Receipt(models.Model):
    """A tax receipt as issued. Never changed: a refund or correction issues a new version."""

    class Reason(models.TextChoices):
        ORIGINAL = "original", _("Original")
        REFUND = "refund", _("After a refund")
        CORRECTION = "correction", _("Correction")

    gift = models.ForeignKey(Gift, on_delete=models.PROTECT, related_name="receipts")
    number = models.CharField(max_length=20, unique=True)
    version = models.PositiveSmallIntegerField(default=1)
    reason = models.CharField(max_length=10, choices=Reason.choices, default="original")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    snapshot = models.JSONField(help_text="Everything printed, as printed.")
    pdf = models.FileField(upload_to="receipts/%Y/")
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["gift", "version"], name="one_receipt_per_version")
        ]

    def __str__(self) -> str:
        return f"Receipt {self.number}"


class StatementSend(models.Model):
    """A year-end statement that went out (donations.acknowledgements.statement_runs): emailed, or
    printed for
    the post. The unique key is the send-once rule; a correction is sent on purpose and may
    repeat."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        POST = "post", "Post"

    supporter = models.ForeignKey(
        Supporter, on_delete=models.PROTECT, related_name="statement_sends"
    )
    year = models.PositiveSmallIntegerField(help_text="The fiscal year the statement covers.")
    channel = models.CharField(max_length=5, choices=Channel.choices)
    sent_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    is_correction = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True, help_text="Why a correction was sent.")

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["supporter", "year", "channel"],
                condition=Q(is_correction=False),
                name="one_statement_per_donor_year_channel",
            )
        ]
        # The year's sends on the statements screen: statement_runs.statement_plan().
        indexes = [models.Index(fields=["year", "supporter"], name="statement_send_year")]

    def __str__(self) -> str:
        kind = "correction" if self.is_correction else "statement"
        return f"FY{self.year} {kind} to {self.supporter_id} by {self.channel}"


# Stripe payouts and their balance-transaction lines live in their own module (imported here
# so Django registers them with the app).
