"""Each donor's giving summary and totals by fiscal year, kept equal to the ledger by
donations.summary."""

from django.db import models

from crm.models import Supporter
from donations.models.ledger import ZERO


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
            # LYBUNT/SYBUNT and 'gave this year' filters; on PostgreSQL it carries gift_count,
            # so a year's donors (gift_count > 0, reports.ledger) come from the index alone.
            models.Index(
                fields=["fiscal_year", "supporter"],
                include=["gift_count"],
                name="year_total_by_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supporter_id} FY{self.fiscal_year}: {self.total}"


class GivingDay(models.Model):
    """The money received on a day, or a change to it: gross and card fees of the gifts whose
    money came in (donations.summary.RECEIVED: a gift refunded later still counts on its
    day), in cents, and their number. A day's figures are the sum of its rows.

    Written by database triggers (migration donations 0025), whatever writes the gifts: a
    save, a bulk insert, a COPY, a queryset update or a delete. So the staff home's year to
    date and the reports' money by month and by year sum a few hundred rows a year instead
    of hundreds of thousands of gifts. On PostgreSQL
    each statement adds its own rows (an update of a shared row would make every gift of the
    day wait for the transaction before it to commit), and donations.giving_days folds a
    day's rows into one now and then; SQLite, which has one writer at a time, keeps one row
    a day. Cents keep the sums exact on SQLite too, where a decimal column holds a float.
    When RECEIVED changes, the triggers change with it (a new migration)."""

    day = models.DateField(db_index=True)
    gross_cents = models.BigIntegerField(default=0)
    fee_cents = models.BigIntegerField(default=0)
    gifts = models.IntegerField(default=0)
    # Of those, the counted gifts (donations.summary.COUNTED: not refunded in full), for the
    # reports' gift counts and averages.
    counted_gifts = models.IntegerField(default=0)
    counted_cents = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "giving day"

    def __str__(self) -> str:
        return f"{self.day}: {self.gifts} gifts, {self.gross_cents / 100:.2f}"
