"""Appeal letters (written once, in English and Spanish), their signatories, and mailings (a
letter plus an audience, printed or emailed)."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.languages import pick_language
from crm.models import Tag
from donations.models import Campaign
from mailings.letters.merge_template import check_template

LANGUAGES = [("en", "English"), ("es", "Spanish")]
# Fields of a language version that may hold merge fields; each is checked on save.
TEMPLATED_FIELDS = (
    "subject",
    "preheader",
    "banner",
    "headline",
    "salutation_line",
    "body",
    "closing",
    "on_behalf_of",
    "ps",
)


class Signatory(models.Model):
    name = models.CharField(max_length=120)
    title = models.CharField(max_length=120, blank=True, help_text="e.g. Executive Director")
    title_es = models.CharField(
        "title in Spanish",
        max_length=120,
        blank=True,
        help_text="Printed under the name in Spanish letters, e.g. Directora ejecutiva. "
        "Empty: the title.",
    )
    signature = models.ImageField(
        upload_to="signatures/",
        blank=True,
        help_text="A scan of the signature (PNG, ~600 px wide).",
    )

    class Meta:
        verbose_name_plural = "signatories"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.title}" if self.title else self.name

    def title_in(self, language: str | None) -> str:
        return pick_language(self, "title", language)


class Letter(models.Model):
    class AskBase(models.TextChoices):
        HIGHEST = "highest", "Their highest previous gift"
        LAST = "last", "Their last gift"

    class Purpose(models.TextChoices):
        APPEAL = "appeal", "Appeal (sent in mailings)"
        THANK_YOU = "thank_you", "Thank-you (chosen by the thank-you rules)"

    name = models.CharField(
        max_length=200, unique=True, help_text="For staff, e.g. 'Spring 2026 appeal'."
    )
    # A thank-you has no donate button, no reply slip and no unsubscribe footer (it is a
    # receipt's companion, not an appeal), and may use the gift's merge fields.
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.APPEAL)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="letters",
        help_text="Gifts through this letter's links are credited to this campaign.",
    )  # fmt: skip
    appeal_code = models.SlugField(
        max_length=40, blank=True,
        help_text="Printed on the reply slip and carried by every link; "
        "the campaign's code if left blank.",
    )  # fmt: skip
    ask_base = models.CharField(max_length=8, choices=AskBase.choices, default=AskBase.HIGHEST)
    ask_multipliers = models.CharField(
        max_length=60, default="1, 1.5, 2",
        help_text="Three numbers: each rung of the ask ladder is the base times one of them, "
        "rounded to an amount people give ($5 steps under $100, $25 under $500, $50 above).",
    )  # fmt: skip
    ask_floor = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("25"), validators=[MinValueValidator(1)],
        help_text="No rung is lower than this.",
    )  # fmt: skip
    default_asks = models.CharField(
        max_length=60, default="35, 50, 100",
        help_text="The ladder for people who never gave: three amounts.",
    )  # fmt: skip
    signatories = models.ManyToManyField(Signatory, through="LetterSignatory", blank=True)
    reply_slip = models.BooleanField(
        default=True, help_text="Print a tear-off reply slip with the ask ladder."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_appeal_code(self) -> str:
        return self.appeal_code or (self.campaign.code if self.campaign else "")

    def clean(self) -> None:
        from mailings.letters.asks import parse_amounts

        errors = {}
        for field, count in (("ask_multipliers", 3), ("default_asks", 3)):
            try:
                parse_amounts(getattr(self, field), count=count)
            except ValueError as exc:
                errors[field] = str(exc)
        if errors:
            raise ValidationError(errors)

    def version_for(self, language: str) -> "LetterVersion | None":
        """The supporter's language, English as fallback."""
        versions = {v.language: v for v in self.versions.all()}
        return versions.get(language) or versions.get("en") or next(iter(versions.values()), None)


class LetterSignatory(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE)
    signatory = models.ForeignKey(Signatory, on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "signatory"], name="one_signature_each")
        ]

    def __str__(self) -> str:
        return str(self.signatory)


class LetterVersion(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(max_length=2, choices=LANGUAGES, default="en")
    subject = models.CharField(
        max_length=200, blank=True,
        help_text="Email subject line. Needed before the letter is emailed (not to print it).",
    )  # fmt: skip
    preheader = models.CharField(
        max_length=200, blank=True, help_text="The grey line email apps show after the subject."
    )
    banner = models.CharField(
        max_length=200, blank=True, help_text="Optional line across the top, e.g. a help line."
    )
    headline = models.CharField(max_length=200, blank=True)
    salutation_line = models.CharField(max_length=200, default="Dear {{ salutation }},")
    body = models.TextField(
        help_text="Markdown: blank line between paragraphs, **bold**, *italic*, '- ' for bullets, "
        "'1. ' for numbered lists, '> ' for a quote, '## ' for a heading, [text](link). "
        "Merge fields like {{ first_name }} and {% if last_gift_amount %}...{% endif %}."
    )
    closing = models.CharField(
        max_length=120, blank=True, default="With gratitude,",
        help_text="Leave empty for a letter that ends without one.",
    )  # fmt: skip
    on_behalf_of = models.TextField(
        blank=True,
        help_text="Optional, e.g. the names of the staff and board who join the signers.",
    )
    ps = models.TextField("P.S.", blank=True, help_text="Optional postscript (Markdown).")

    class Meta:
        ordering = ["letter", "language"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "language"], name="one_version_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.letter} ({self.get_language_display()})"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        for field in TEMPLATED_FIELDS:
            problems = check_template(getattr(self, field) or "")
            if problems:
                errors[field] = [str(p) for p in problems]
        if errors:
            raise ValidationError(errors)


class Mailing(models.Model):
    """A letter sent to an audience by email, by post, or by email and by post for those who
    cannot be emailed. Sent once: `mailings.sending` claims it before anything goes out."""

    class Channel(models.TextChoices):
        PRINT = "print", "Printed letters"
        EMAIL = "email", "Email"
        BOTH = "both", "Email, and print for those without email"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    class PrintStatus(models.TextChoices):
        NONE = "", "Not printed"
        QUEUED = "queued", "Waiting for the background worker"
        PRINTING = "printing", "Printing"
        DONE = "done", "Printed"
        FAILED = "failed", "Stopped"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True, help_text="Used by manage.py commands.")
    letter = models.ForeignKey(
        Letter, on_delete=models.PROTECT, related_name="mailings",
        limit_choices_to={"purpose": Letter.Purpose.APPEAL},
    )  # fmt: skip
    channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.PRINT)
    audience = models.ForeignKey(
        "mailings.Audience", null=True, blank=True, on_delete=models.PROTECT,
        related_name="mailings", help_text="Who gets it, worked out afresh when it is sent.",
    )  # fmt: skip
    audience_tags = models.ManyToManyField(
        Tag, blank=True,
        help_text="For printing from the command line without an audience: only supporters "
        "with any of these tags; none means everyone.",
    )  # fmt: skip
    sender = models.CharField(
        max_length=200,
        blank=True,
        help_text="From line: Name <address>. Empty: the organization's default sender.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    scheduled_for = models.DateTimeField(
        null=True, blank=True, help_text="Send at this time instead of at once."
    )
    cost = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True,
        help_text="What the mailing cost (printing, postage), for cost per dollar raised.",
    )  # fmt: skip
    # What the send found, kept as it was then: counts by channel and reason left out.
    snapshot = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The print-shop files of the print deliveries, made in the background (mailings.printing
    # .print_job); personal data, so served only to staff through the admin, never by URL.
    print_status = models.CharField(
        max_length=10, choices=PrintStatus.choices, default=PrintStatus.NONE, blank=True
    )
    print_done = models.PositiveIntegerField(default=0)  # letters laid out so far
    print_total = models.PositiveIntegerField(default=0)
    print_error = models.CharField(max_length=500, blank=True)
    # The run's last sign of life (claimed, or letters laid out): a run silent for longer than
    # PRINT_RUN_STALE_MINUTES belonged to a worker that stopped, and may be started again.
    print_heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    print_pdf = models.FileField(upload_to="mailings/print/", blank=True)
    print_list = models.FileField(upload_to="mailings/print/", blank=True)
    # The last run's letters whose address fails the envelope's tap test, each
    # {"supporter_id", "name", "reason"}: listed beside the download, to check before printing.
    print_window_problems = models.JSONField(default=list, blank=True, editable=False)

    # A subject test (mailings.sending.subject_test): a sample gets the letter's subject (A) or
    # subject B, and after the wait the better one goes to everyone else.
    class TestMetric(models.TextChoices):
        OPENS = "opens", "Opens"
        CLICKS = "clicks", "Clicks"

    subject_b = models.CharField(
        "second subject (English)", max_length=200, blank=True,
        help_text="To test two subject lines on a sample. Empty: no test.",
    )  # fmt: skip
    subject_b_es = models.CharField(
        "second subject (Spanish)", max_length=200, blank=True,
        help_text="Needed when the letter has a Spanish version.",
    )  # fmt: skip
    test_share = models.PositiveSmallIntegerField(
        "test share (%)", default=20, validators=[MinValueValidator(2), MaxValueValidator(50)],
        help_text="Of the email recipients, this share gets the test, half with each subject.",
    )  # fmt: skip
    test_hours = models.PositiveSmallIntegerField(
        "wait (hours)", default=4, validators=[MinValueValidator(1), MaxValueValidator(72)],
        help_text="How long the test runs before the winner goes to everyone else.",
    )  # fmt: skip
    test_metric = models.CharField(
        "winner by", max_length=6, choices=TestMetric.choices, default=TestMetric.OPENS,
        help_text="Opens come sooner; clicks mean more (Apple Mail counts every email as "
        "opened). A tie goes to the letter's own subject.",
    )  # fmt: skip
    test_winner = models.CharField(max_length=1, blank=True, editable=False)  # "a" or "b"
    test_decided_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def tests_subjects(self) -> bool:
        return bool(self.subject_b.strip())

    @property
    def test_decides_at(self) -> "datetime.datetime | None":
        """When a subject test's winner goes to the rest; None until the mailing is sent."""
        if self.started_at is None:
            return None
        return self.started_at + datetime.timedelta(hours=self.test_hours)

    def subject_b_for(self, language: str) -> str:
        return (self.subject_b_es if language == "es" else self.subject_b).strip()

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        for field in ("subject_b", "subject_b_es"):
            problems = check_template(getattr(self, field) or "")
            if problems:
                errors[field] = [str(p) for p in problems]
        if self.subject_b_es.strip() and not self.subject_b.strip():
            errors.setdefault("subject_b", []).append(
                "Write the English second subject too, or leave both empty."
            )
        if self.tests_subjects and self.channel == self.Channel.PRINT:
            errors.setdefault("subject_b", []).append(
                "A subject test needs email: choose a channel with email, or leave this empty."
            )
        if (
            self.tests_subjects
            and not self.subject_b_es.strip()
            and self.letter_id
            and self.letter.versions.filter(language="es").exists()
        ):
            errors.setdefault("subject_b_es", []).append(
                "The letter has a Spanish version: write its second subject too."
            )
        if errors:
            raise ValidationError(errors)


# Rooms keep their own models; imported here so Django finds them.
from mailings.audiences.models import Audience  # noqa: E402, F401
from mailings.revisions.models import LetterRevision  # noqa: E402, F401
from mailings.sending.models import Delivery, MailingLog  # noqa: E402, F401
from mailings.thanks.models import ThankYouRule  # noqa: E402, F401
