"""Organisation settings: one row, edited in the admin, read by receipts, letters and reports."""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core import giving_levels
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
