"""The giving ledger: funds, campaigns, recurring plans, gifts and their dated refunds."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.history_records import LeanHistoricalRecords
from core.languages import pick_language
from crm.models import Supporter

ZERO = Decimal("0.00")


class Fund(models.Model):
    """A designation gifts are restricted to ('General operating', 'Legal defense')."""

    name = models.CharField(max_length=120, unique=True)
    name_es = models.CharField(
        "name in Spanish",
        max_length=120,
        blank=True,
        help_text="Shown to donors who read Spanish (receipts, statements). Empty: the name.",
    )
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

    def name_in(self, language: str | None) -> str:
        return pick_language(self, "name", language)

    @property
    def localized_name(self) -> str:
        """The name in the language of the page or email being made (for templates)."""
        return self.name_in(translation.get_language())


class Campaign(models.Model):
    name = models.CharField(max_length=200)
    name_es = models.CharField(
        "name in Spanish",
        max_length=200,
        blank=True,
        help_text="Shown to donors who read Spanish. Empty: the name.",
    )
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

    def name_in(self, language: str | None) -> str:
        return pick_language(self, "name", language)

    @property
    def localized_name(self) -> str:
        """The name in the language of the page or email being made (for templates)."""
        return self.name_in(translation.get_language())


class Gift(models.Model):
    class Method(models.TextChoices):
        CARD = "card", _("Card")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CHEQUE = "cheque", _("Check")  # stored as "cheque"; US English shown
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
        HONOUR = "honour", _("In honor of")
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
    cheque_number = models.CharField("check number", max_length=40, blank=True)
    # Non-cash gifts (IRS Publication 1771): the receipt describes the property and states no
    # value; the amount staff record for a stock or in-kind gift is their estimate, for reports.
    in_kind_description = models.CharField(
        "description of the gift", max_length=300, blank=True,
        help_text="In-kind and stock gifts: what was given, as the receipt will describe it "
        "(e.g. '12 winter coats, new'). The receipt never states a value.",
    )  # fmt: skip
    stock_ticker = models.CharField(
        "ticker symbol", max_length=10, blank=True,
        help_text="Stock gifts: the symbol the shares trade under, e.g. AAPL or BRK.B.",
    )  # fmt: skip
    stock_shares = models.DecimalField(
        "number of shares", max_digits=14, decimal_places=4, null=True, blank=True,
        help_text="Stock gifts: as on the broker's transfer notice; fractions allowed.",
    )  # fmt: skip
    given_on = models.DateField(
        "date given", null=True, blank=True,
        help_text="Stock gifts: the day the shares left the donor's account (the date of the "
        "gift for tax purposes). Blank: the date received.",
    )  # fmt: skip
    status = models.CharField(max_length=20, choices=Status.choices, default="succeeded")
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    # Stripe's fee and what reached the balance, from the charge's balance transaction; empty
    # for gifts that never passed through Stripe (cheques, cash, in kind).
    fee = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    net = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    fund = models.ForeignKey(Fund, null=True, blank=True, on_delete=models.PROTECT)
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gifts",
        db_index=False,  # index gift_campaign below carries what a campaign's total sums
    )
    appeal_code = models.CharField(max_length=40, blank=True)
    recurring = models.ForeignKey(
        "donations.RecurringGift",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gifts",
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
    tribute_notify_address = models.TextField(
        blank=True, help_text="Where to mail a printed card when there is no email to notify."
    )
    tribute_show_amount = models.BooleanField(
        "include the amount in the notice",
        default=False,
        help_text="Off unless the donor asked: the notice says a gift was made, not how much.",
    )
    tribute_notify_language = models.CharField(
        "notice language",
        max_length=2,
        choices=[("en", "English"), ("es", "Spanish")],
        blank=True,
        help_text="Blank: the donor's language.",
    )
    # Sent once: set when the notice email was handed to the mail path or the printed card
    # was marked mailed. A notice with this set is never sent again.
    tribute_notified_at = models.DateTimeField("notice sent at", null=True, blank=True)
    tribute_notice_channel = models.CharField(
        "notice sent by",
        max_length=5,
        choices=[("email", "Email"), ("card", "Printed card")],
        blank=True,
    )
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
    # Where an imported gift came from (EveryAction's Transaction ID...): a re-import of that
    # system's file finds the gift by it and records nothing twice.
    source_system = models.CharField(max_length=60, blank=True)
    source_id = models.CharField("source id", max_length=100, blank=True)
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
            models.CheckConstraint(
                condition=Q(stock_shares__gt=0) | Q(stock_shares__isnull=True),
                name="gift_stock_shares_positive",
            ),
            # One gift per id in its source system; also the index a re-import's lookup reads.
            models.UniqueConstraint(
                fields=["source_system", "source_id"],
                condition=~Q(source_id=""),
                name="gift_source_id_unique",
            ),
        ]
        indexes = [
            # Donor summary and reports: a supporter's gifts by date. It carries status and id
            # so the staff home's first-gift test (donations.summary.first_counted_gift, one
            # probe per gift waiting for thanks) reads no table rows on PostgreSQL.
            models.Index(
                fields=["supporter", "received_on"],
                include=["status", "id"],
                name="gift_supporter_date",
            ),
            # Reports by period across all donors. On PostgreSQL it carries what the reports'
            # sums and counts read (reports.ledger.period_figures, the staff home's year to
            # date), so they are answered from the index alone, without the table's rows.
            models.Index(
                fields=["received_on"],
                include=["status", "amount", "fee", "supporter", "recurring"],
                name="gift_received_on",
            ),
            # A campaign's gifts, with what its raised total sums (the staff home, campaign
            # lists): read from the index alone.
            models.Index(
                fields=["campaign"],
                include=["status", "amount", "amount_refunded"],
                name="gift_campaign",
            ),
            # The acknowledgement queue; it carries what the staff home sums and checks of the
            # waiting gifts, so their count and total read the index alone.
            models.Index(
                fields=["acknowledgement", "status"],
                include=["amount", "amount_refunded", "received_on", "supporter", "id"],
                name="gift_ack_queue",
            ),
            # The queue's oldest gifts first (the staff home). Not a partial index on the
            # pending ones: statements are prepared (config/settings.py), and the generic plan
            # PostgreSQL settles on after a few runs cannot prove a partial index's condition
            # from a parameter, so it walked every gift by date (1 s at a million gifts).
            models.Index(
                fields=["acknowledgement", "received_on", "id"], name="gift_to_thank_by_date"
            ),
            # Tribute notices still to send (donations.acknowledgements.tribute_notices): few, so
            # partial.
            models.Index(
                fields=["received_on"],
                condition=~Q(tribute="") & Q(tribute_notified_at__isnull=True),
                name="gift_tribute_notice_queue",
            ),
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
    def is_non_cash(self) -> bool:
        """Property rather than money: receipted by description, never by value."""
        return self.method in NON_CASH_METHODS


NON_CASH_METHODS = (Gift.Method.STOCK, Gift.Method.IN_KIND)


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


class VoidedStripeRefund(models.Model):
    """A Stripe refund that failed or was canceled: the money never went back. Its Refund row,
    if one was recorded, is removed (donations.refunds.refund_void); this row remains so that
    an event listing the refund as pending, late or replayed, never records it again."""

    stripe_refund_id = models.CharField(max_length=255, unique=True)
    gift = models.ForeignKey(Gift, on_delete=models.PROTECT, related_name="voided_stripe_refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=20, help_text="Stripe's status: failed or canceled.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Stripe refund {self.stripe_refund_id} {self.status} (gift {self.gift_id})"
