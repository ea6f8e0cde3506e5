"""The giving ledger: funds, campaigns, gifts, recurring plans, and Stripe's event inbox."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.history_records import LeanHistoricalRecords
from crm.models import Supporter

ZERO = Decimal("0.00")


class Fund(models.Model):
    """A designation gifts are restricted to ('General operating', 'Legal defense')."""

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=40, unique=True)
    description = models.CharField(max_length=300, blank=True)
    is_default = models.BooleanField(
        default=False, help_text="Gifts with no fund named go here (one fund at most)."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_fund"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    name = models.CharField(max_length=200)
    code = models.SlugField(
        "appeal code", max_length=40, unique=True, help_text="Printed on letters and in links."
    )
    goal = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    fund = models.ForeignKey(
        Fund, null=True, blank=True, on_delete=models.PROTECT, help_text="Default fund."
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(goal__gte=0) | Q(goal__isnull=True), name="campaign_goal_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on"))
                | Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True),
                name="campaign_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


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
    fund = models.ForeignKey(Fund, null=True, blank=True, on_delete=models.PROTECT)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT)
    started_on = models.DateField(null=True, blank=True)
    next_charge_on = models.DateField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
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


class Gift(models.Model):
    class Method(models.TextChoices):
        CARD = "card", _("Card")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CHEQUE = "cheque", _("Cheque")
        CASH = "cash", _("Cash")
        STOCK = "stock", _("Stock")
        IN_KIND = "in_kind", _("In kind")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        REFUNDED = "refunded", "Refunded"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        DISPUTED = "disputed", "Disputed"

    class Tribute(models.TextChoices):
        NONE = "", _("None")
        HONOUR = "honour", _("In honour of")
        MEMORY = "memory", _("In memory of")

    class Acknowledgement(models.TextChoices):
        PENDING = "pending", "To thank"
        THANKED = "thanked", "Thanked"
        NOT_NEEDED = "not_needed", "No thanks needed"

    supporter = models.ForeignKey(Supporter, on_delete=models.PROTECT, related_name="gifts")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="usd")
    received_on = models.DateField()
    method = models.CharField(max_length=14, choices=Method.choices)
    cheque_number = models.CharField(max_length=40, blank=True)
    in_kind_description = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default="succeeded")
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    fee = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    fund = models.ForeignKey(Fund, null=True, blank=True, on_delete=models.PROTECT)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="gifts"
    )
    appeal_code = models.CharField(max_length=40, blank=True)
    recurring = models.ForeignKey(
        RecurringGift, null=True, blank=True, on_delete=models.PROTECT, related_name="gifts"
    )
    stripe_checkout_session_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True
    )
    stripe_payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_charge_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_invoice_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    tribute = models.CharField(max_length=6, choices=Tribute.choices, blank=True)
    tribute_name = models.CharField(max_length=200, blank=True)
    tribute_notify_name = models.CharField(max_length=200, blank=True)
    tribute_notify_email = models.EmailField(blank=True)
    tribute_notify_address = models.TextField(blank=True)
    anonymous = models.BooleanField(default=False, help_text="Leave out of public donor lists.")
    benefit_value = models.DecimalField(
        "value of goods or services given",
        max_digits=12,
        decimal_places=2,
        default=ZERO,
        help_text="e.g. the dinner at a gala ticket; printed on the receipt (IRS quid pro quo).",
    )
    benefit_description = models.CharField(max_length=200, blank=True)
    acknowledgement = models.CharField(
        max_length=10, choices=Acknowledgement.choices, default="pending"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    deposit_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = LeanHistoricalRecords()

    class Meta:
        # Export lists donors' names and emails beside their gifts: staff only.
        permissions = [("export_gift", "Can export gifts with donors' personal data")]
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="gift_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=F("amount")),
                name="gift_refund_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(fee__gte=0) | Q(fee__isnull=True), name="gift_fee_not_negative"
            ),
        ]
        indexes = [
            # Donor summary and reports: a supporter's gifts by date.
            models.Index(fields=["supporter", "received_on"], name="gift_supporter_date"),
            # Reports by period across all donors.
            models.Index(fields=["received_on"], name="gift_received_on"),
            # The acknowledgement queue.
            models.Index(fields=["acknowledgement", "status"], name="gift_ack_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency.upper()} from {self.supporter} on {self.received_on}"

    @property
    def net_amount(self) -> Decimal:
        """What the gift is worth to the books: the amount less refunds (fees aside)."""
        if self.status in (self.Status.PENDING, self.Status.FAILED):
            return ZERO
        return self.amount - self.amount_refunded

    @property
    def net(self) -> Decimal | None:
        return None if self.fee is None else self.amount - self.fee


class Refund(models.Model):
    """Money given back on a gift (by Stripe, by staff, or a lost dispute), on the day it was
    given back: a January refund of a December gift lowers January's giving, not December's.
    The gift's amount_refunded and status are kept equal to these rows by donations.refunds."""

    gift = models.ForeignKey(Gift, on_delete=models.PROTECT, related_name="refunds")
    refunded_on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.CharField(max_length=300, blank=True)
    # Stripe's refund id (re_...), or the dispute's (du_...) for a lost dispute: an event
    # replayed or arriving late finds its refund already recorded.
    stripe_refund_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["refunded_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")
        ]
        indexes = [
            # Donor summaries and statements: refunds by the day they were made.
            models.Index(fields=["refunded_on"], name="refund_refunded_on"),
        ]

    def __str__(self) -> str:
        return f"Refund of {self.amount} on {self.refunded_on} (gift {self.gift_id})"


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


class DonorSummary(models.Model):
    """A supporter's giving, kept equal to their gifts by donations.summary on every write,
    so segments and reports can filter 100,000 supporters without touching 1,000,000 gifts."""

    derived_from_supporter_rows = True  # a merge recomputes it (see crm.signals)

    supporter = models.OneToOneField(
        Supporter, primary_key=True, on_delete=models.CASCADE, related_name="giving"
    )
    first_gift_on = models.DateField(null=True)
    first_gift_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    last_gift_on = models.DateField(null=True)
    last_gift_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    highest_gift = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    lifetime_total = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    gift_count = models.PositiveIntegerField(default=0)
    has_active_plan = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "donor summaries"
        indexes = [
            # Segments: lapsed donors, recent donors, by size.
            models.Index(fields=["last_gift_on"], name="summary_last_gift"),
            models.Index(fields=["lifetime_total"], name="summary_lifetime"),
        ]

    def __str__(self) -> str:
        return f"Giving of {self.supporter_id}"


class DonorYearTotal(models.Model):
    """Giving per supporter per fiscal year: 'this year' and 'last year' are rows, not columns,
    so they never go stale when the fiscal year turns."""

    derived_from_supporter_rows = True  # a merge recomputes it (see crm.signals)

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="year_totals")
    fiscal_year = models.PositiveSmallIntegerField()
    total = models.DecimalField(max_digits=14, decimal_places=2)
    gift_count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supporter", "fiscal_year"], name="one_total_per_year")
        ]
        indexes = [
            # LYBUNT/SYBUNT and 'gave this year' filters.
            models.Index(fields=["fiscal_year", "supporter"], name="year_total_by_year"),
        ]

    def __str__(self) -> str:
        return f"{self.supporter_id} FY{self.fiscal_year}: {self.total}"


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


class CheckoutThrottleEvent(models.Model):
    """A burst of checkout attempts that reached a limit (donations.checkout_limits): one row
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
