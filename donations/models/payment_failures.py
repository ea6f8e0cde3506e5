"""Failed payments of monthly and yearly plans, kept as they happen.

A plan's status says only whether its last payment failed (past due while Stripe retries); a
failed instalment makes no gift (Stripe retries the same invoice, and the gift is recorded
when it is paid). This row keeps that the payment failed, and when, for the recurring report
and the plan's own history."""

from django.db import models


class PaymentFailure(models.Model):
    plan = models.ForeignKey(
        "donations.RecurringGift", on_delete=models.CASCADE, related_name="payment_failures"
    )
    # One failed payment per invoice: Stripe's retries of it are the same payment.
    stripe_invoice_id = models.CharField(max_length=255, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    failed_on = models.DateField(help_text="The day the payment first failed.")
    attempts = models.PositiveIntegerField(default=1, help_text="Failed tries of this payment.")

    class Meta:
        ordering = ["-failed_on", "-pk"]
        indexes = [models.Index(fields=["failed_on"], name="payment_failure_day")]

    def __str__(self) -> str:
        return f"{self.plan} payment of {self.failed_on} failed"
