"""Stripe payouts (the money that reached the bank) and the balance transactions in each: the
gifts, refunds, disputes and fees that make up its amount."""

from django.db import models


class Payout(models.Model):
    class Status(models.TextChoices):
        PAID = "paid", "Paid (reached the bank)"
        FAILED = "failed", "Failed (returned to the Stripe balance)"

    stripe_payout_id = models.CharField(max_length=255, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="usd")
    arrival_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices)
    failure_message = models.CharField(max_length=500, blank=True)
    lines_total = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The net of every balance transaction in the payout, added up.",
    )
    difference = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The payout's amount less its lines' total; zero when it adds up.",
    )
    reconciled = models.BooleanField(
        default=False, help_text="Its lines add up to its amount to the cent."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-arrival_date", "-pk"]
        indexes = [
            # The journal export: paid payouts by arrival date.
            models.Index(fields=["status", "arrival_date"], name="payout_status_arrival"),
        ]

    def __str__(self) -> str:
        return f"Payout {self.stripe_payout_id} {self.amount} {self.currency.upper()}"


class PayoutLine(models.Model):
    """One balance transaction in a payout; a charge or refund of a gift points at the gift."""

    payout = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="lines")
    balance_transaction_id = models.CharField(max_length=255, unique=True)
    # Stripe's type: charge, payment, refund, payment_refund, adjustment (disputes),
    # stripe_fee, ... kept as given; reporting_category groups them (charge, refund, dispute, fee).
    type = models.CharField(max_length=40)
    reporting_category = models.CharField(max_length=40, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    fee = models.DecimalField(max_digits=12, decimal_places=2)
    net = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="usd")
    source_id = models.CharField(max_length=255, blank=True)
    charge_id = models.CharField(
        max_length=255, blank=True, help_text="The charge a refund or dispute is of."
    )
    description = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(null=True, blank=True)
    gift = models.ForeignKey(
        "donations.Gift",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payout_lines",
    )

    class Meta:
        ordering = ["payout", "created", "pk"]

    def __str__(self) -> str:
        return f"{self.type} {self.balance_transaction_id}"
