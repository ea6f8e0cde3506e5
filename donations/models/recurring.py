"""Recurring plans: a donor's monthly (or yearly) gift, charged by Stripe as a subscription.
Changed through donations.plans; kept in step by its subscription events."""

import datetime

from django.db import models
from django.db.models import Q

from core.history_records import LeanHistoricalRecords
from crm.models import Supporter


class RecurringGift(models.Model):
    class Interval(models.TextChoices):
        MONTH = "month", "Monthly"
        YEAR = "year", "Yearly"

    class Status(models.TextChoices):
        INCOMPLETE = "incomplete", "Waiting for first payment"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Payment failed, retrying"
        CANCELLED = "cancelled", "Cancelled"

    supporter = models.ForeignKey(Supporter, on_delete=models.PROTECT, related_name="plans")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="usd")
    interval = models.CharField(max_length=5, choices=Interval.choices, default="month")
    status = models.CharField(max_length=12, choices=Status.choices, default="incomplete")
    stripe_subscription_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_customer_id = models.CharField(max_length=255, blank=True)
    fund = models.ForeignKey("donations.Fund", null=True, blank=True, on_delete=models.PROTECT)
    campaign = models.ForeignKey(
        "donations.Campaign", null=True, blank=True, on_delete=models.PROTECT
    )
    started_on = models.DateField(null=True, blank=True)
    next_charge_on = models.DateField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    paused_until = models.DateField(
        null=True,
        blank=True,
        help_text="Nothing is charged before this day (Stripe's pause_collection.resumes_at).",
    )
    cancel_reason = models.TextField(
        blank=True, help_text="Why the donor stopped, in their words; Stripe keeps it too."
    )
    failure_notice_invoice_id = models.CharField(
        max_length=255, blank=True, help_text="Last invoice the donor was told had failed."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="plan_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency.upper()} {self.get_interval_display().lower()}"

    @property
    def paused_without_end(self) -> bool:
        """Paused at Stripe with no resume date (its dashboard allows it): paused_until is
        then date.max, until someone resumes it."""
        return self.paused_until == datetime.date.max
