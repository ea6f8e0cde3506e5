"""Organisation settings: one row, edited in the admin, read by receipts, letters and reports."""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core import envelope_measurements, giving_levels
from core.languages import pick_language


class Organisation(models.Model):
    class PaperSize(models.TextChoices):
        LETTER = "letter", "US Letter"
        A4 = "a4", "A4"

    name = models.CharField(max_length=200, default="Our Organization")
    logo = models.ImageField(upload_to="organisation/", blank=True)
    # Help texts are plain text (the admin escapes them: core.admin.OrganisationAdmin), so an
    # example in angle brackets is shown, not read by the browser as a tag.
    address = models.TextField(
        blank=True,
        help_text=(
            "Postal address as printed on letters and receipts, one line each, e.g.\n"
            "220 Broadway, Suite 1400\nNew York, NY 10038"
        ),
    )
    tax_id = models.CharField(
        "tax id (EIN)", max_length=40, blank=True, help_text="Printed on every receipt."
    )
    website = models.URLField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    hotline = models.CharField(max_length=200, blank=True, help_text="e.g. a legal help line.")
    default_sender = models.CharField(
        max_length=200,
        blank=True,
        help_text=(
            "The From line of email to donors: a name, then the address in angle brackets, "
            "e.g. Immigrant Justice Project <giving@example.org>. Empty: the site's "
            "default sender."
        ),
    )
    default_sender_es = models.CharField(
        "default sender (Spanish)",
        max_length=200,
        blank=True,
        help_text=(
            "The From line of email to donors who read Spanish, e.g. Proyecto de Justicia "
            "Inmigrante <giving@example.org>. Empty: the English one above."
        ),
    )
    donate_page_asks_address = models.BooleanField(
        "ask donors for their address",
        default=False,
        help_text=(
            "Ask for a postal address on the donate page. Leave off unless you need it for the "
            "gift (to mail receipts, or a state's rules): Stripe's payment page already takes "
            "the card's billing address, and a shorter form is finished more often."
        ),
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="1 = January (calendar year), 7 = July ...",
    )
    paper_size = models.CharField(max_length=6, choices=PaperSize.choices, default="letter")
    # The presets' measurements and the tap test: mailings.printing.envelopes.
    envelope = models.CharField(
        "window envelope",
        max_length=20,
        choices=envelope_measurements.ENVELOPE_CHOICES,
        default="number10",
        help_text=(
            "The window envelope your printed letters go in. Each letter's address is placed "
            "for its window, and the letter preview draws the window and says whether the "
            "address stays in view, 1/8 inch clear of the window's edges, however the folded "
            "letter slides inside (the post office's tap test). US Letter paper goes in a #10 "
            "envelope, A4 in a DL one. For any other envelope choose Custom and measure it: "
            "a ruler on the envelope's face, flap on top."
        ),
    )
    envelope_unit = models.CharField(
        "unit of the measurements",
        max_length=2,
        choices=envelope_measurements.UNIT_CHOICES,
        default="in",
        help_text="Inches as decimals (1 1/8 is 1.125), or millimeters.",
    )
    envelope_width = models.DecimalField(
        max_digits=8, decimal_places=4, null=True, blank=True,
        help_text="Custom envelope: its width, edge to edge (#10: 9.5 in).",
    )  # fmt: skip
    envelope_height = models.DecimalField(
        max_digits=8, decimal_places=4, null=True, blank=True,
        help_text="Custom envelope: its height, bottom edge to the flap's fold (#10: 4.125 in).",
    )  # fmt: skip
    window_width = models.DecimalField(
        "address window width", max_digits=8, decimal_places=4, null=True, blank=True,
        help_text="Custom envelope: the width of the window the address shows through.",
    )  # fmt: skip
    window_height = models.DecimalField(
        "address window height", max_digits=8, decimal_places=4, null=True, blank=True,
        help_text="Custom envelope: the window's height.",
    )  # fmt: skip
    window_left = models.DecimalField(
        "window from the left", max_digits=8, decimal_places=4, null=True, blank=True,
        help_text="Custom envelope: from the envelope's left edge to the window's left edge.",
    )  # fmt: skip
    window_bottom = models.DecimalField(
        "window from the bottom", max_digits=8, decimal_places=4, null=True, blank=True,
        help_text="Custom envelope: from the envelope's bottom edge to the window's bottom edge.",
    )  # fmt: skip
    fold_panel_height = models.DecimalField(
        "top panel of the folded letter",
        max_digits=8,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=(
            "Custom envelope: from the top of the sheet to the first fold, as your folding "
            "machine or print shop folds it. A sheet folded in even thirds: 3.667 in on US "
            "Letter, 99 mm on A4 (105 mm when folded at DIN 5008's marks)."
        ),
    )
    giving_levels = models.JSONField(
        default=giving_levels.default_levels,
        validators=[giving_levels.validate],
        help_text=(
            "The donor pyramid's levels: the smallest year total of each level, in whole "
            "dollars, smallest first, separated by a comma and a space. 2 to 8 levels, e.g. "
            "1, 250, 1,000, 5,000 gives $1-$249, $250-$999, $1,000-$4,999 and $5,000 and up."
        ),
    )

    class Meta:
        verbose_name = "organization settings"
        verbose_name_plural = "organization settings"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        envelope_measurements.check(self)

    @classmethod
    def current(cls) -> "Organisation":
        organisation, _ = cls.objects.get_or_create(pk=1)
        return organisation

    def sender_for(self, language: str) -> str:
        """The From line for a donor reading `language` (the English one when no other)."""
        return pick_language(self, "default_sender", language)

    def fiscal_year_of(self, day: datetime.date) -> int:
        """The fiscal year a day falls in, named by the calendar year it ends in."""
        if self.fiscal_year_start_month == 1:
            return day.year
        return day.year + 1 if day.month >= self.fiscal_year_start_month else day.year

    def fiscal_year_bounds(self, year: int) -> tuple[datetime.date, datetime.date]:
        """First and last day of fiscal year `year`."""
        month = self.fiscal_year_start_month
        start = datetime.date(year if month == 1 else year - 1, month, 1)
        end = datetime.date(start.year + 1, month, 1) - datetime.timedelta(days=1)
        return start, end
