"""The counting rules of every report, in one place.

- Money in (gross) is the amount of gifts whose money was received (donations.summary.RECEIVED:
  succeeded, partly refunded, disputed, and refunded), on the day received. A refund is a
  donations.models.Refund row and lowers the period of ITS date, so a June gift refunded in
  July counts in June's gross and lowers July's net; a fully refunded gift therefore adds to its
  own period's gross and its refund takes the same money away (in the same period when it was
  refunded at once). Counting only COUNTED gifts in gross would take a refund away twice.
- Fees are Stripe's fee of those gifts, in the period the gift was received (Stripe keeps its
  fee on a refund). Net = gross - refunds - fees.
- Gifts, donors, average and median gift count only COUNTED gifts (donations.summary.COUNTED):
  refunded, failed and pending gifts are never gifts and make nobody a donor.
- Donors are distinct supporter ids: a merge moves the merged record's gifts to the survivor
  (crm.services.supporters_merge), so a merged person counts once.
- Periods are closed date ranges [start, end]. Fiscal years are named by the calendar year
  they end in (core.models.Organisation.fiscal_year_of).
"""

import datetime
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Q, Sum

from core.models import Organisation
from donations.models import ZERO, DonorSummary, DonorYearTotal, Gift, Refund
from donations.summary import COUNTED, RECEIVED

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    def shifted_back(self, years: int = 1) -> "Period":
        return Period(years_before(self.start, years), years_before(self.end, years))


@dataclass(frozen=True)
class Raised:
    gross: Decimal
    refunds: Decimal
    fees: Decimal
    net: Decimal


def years_before(day: datetime.date, years: int = 1) -> datetime.date:
    """The same day `years` earlier; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def fiscal_year_of(day: datetime.date) -> int:
    return Organisation.current().fiscal_year_of(day)


def fiscal_year(year: int) -> Period:
    """First and last day of fiscal year `year`."""
    return Period(*Organisation.current().fiscal_year_bounds(year))


def year_to_date(today: datetime.date) -> Period:
    """From the first day of today's fiscal year to today."""
    return Period(fiscal_year(fiscal_year_of(today)).start, today)


def same_period_last_year(today: datetime.date) -> Period:
    """Last fiscal year from its first day to the same day a year before `today`."""
    return year_to_date(today).shifted_back()


def counted_gifts(period: Period):
    """COUNTED gifts received in the period (a QuerySet)."""
    return Gift.objects.filter(status__in=COUNTED, received_on__range=(period.start, period.end))


def raised(period: Period) -> Raised:
    """Gross received, refunds dated in the period, fees and net: two queries."""
    money = Gift.objects.filter(
        status__in=RECEIVED, received_on__range=(period.start, period.end)
    ).aggregate(gross=Sum("amount"), fees=Sum("fee"))
    refunds = Refund.objects.filter(refunded_on__range=(period.start, period.end)).aggregate(
        total=Sum("amount")
    )["total"]
    gross, fees, refunds = money["gross"] or ZERO, money["fees"] or ZERO, refunds or ZERO
    return Raised(gross=gross, refunds=refunds, fees=fees, net=gross - refunds - fees)


class Median(Aggregate):
    """PostgreSQL's median; Django adds FILTER (WHERE ...) when given a filter."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _median(amounts: list[Decimal]) -> Decimal | None:
    if not amounts:
        return None
    amounts, middle = sorted(amounts), len(amounts) // 2
    if len(amounts) % 2:
        return amounts[middle]
    return ((amounts[middle - 1] + amounts[middle]) / 2).quantize(CENT)


def _span(periods: list[Period]) -> tuple[datetime.date, datetime.date]:
    return min(p.start for p in periods), max(p.end for p in periods)


def period_figures(periods: list[Period], base_years: list[int] | None = None) -> list[dict]:
    """For each period: gross, refunds, fees, net, gifts, donors, counted_total, recurring
    (counted gifts through a plan), median_gift and new_donors; with `base_years` (one fiscal
    year per period) also base_donors (donors of that year) and retained (those of them who
    gave in the period). Four or five queries for all the periods together, one pass over the
    gifts of their span, whatever their number."""
    aggregates: dict = {}
    for n, p in enumerate(periods):
        inside = Q(received_on__range=(p.start, p.end))
        counted = inside & Q(status__in=COUNTED)
        if base_years:
            # The base year's donors from the ledger's year totals (a counted gift received
            # in it), hashed once by PostgreSQL and matched during the same pass.
            base = DonorYearTotal.objects.filter(fiscal_year=base_years[n], gift_count__gt=0)
            aggregates[f"retained{n}"] = Count(
                "supporter_id",
                distinct=True,
                filter=counted & Q(supporter_id__in=base.values("supporter_id")),
            )
        aggregates |= {
            f"gross{n}": Sum("amount", filter=inside),
            f"fees{n}": Sum("fee", filter=inside),
            f"gifts{n}": Count("pk", filter=counted),
            f"donors{n}": Count("supporter_id", distinct=True, filter=counted),
            f"counted_total{n}": Sum("amount", filter=counted),
            f"recurring{n}": Sum("amount", filter=counted & Q(recurring__isnull=False)),
        }
        if connection.vendor == "postgresql":  # in the same pass; SQLite has no percentile
            aggregates[f"median{n}"] = Median("amount", filter=counted)
    gifts = Gift.objects.filter(status__in=RECEIVED, received_on__range=_span(periods))
    found = gifts.aggregate(**aggregates)
    found |= Refund.objects.filter(refunded_on__range=_span(periods)).aggregate(
        **{
            f"refunds{n}": Sum("amount", filter=Q(refunded_on__range=(p.start, p.end)))
            for n, p in enumerate(periods)
        }
    )
    found |= DonorSummary.objects.filter(first_gift_on__range=_span(periods)).aggregate(
        **{
            f"new_donors{n}": Count("pk", filter=Q(first_gift_on__range=(p.start, p.end)))
            for n, p in enumerate(periods)
        }
    )
    if base_years:
        found |= DonorYearTotal.objects.filter(gift_count__gt=0).aggregate(
            **{
                f"base_donors{n}": Count("pk", filter=Q(fiscal_year=y))
                for n, y in enumerate(base_years)
            }
        )
    result = []
    for n, period in enumerate(periods):
        if connection.vendor == "postgresql":
            median = found[f"median{n}"]
            median = None if median is None else Decimal(str(median)).quantize(CENT)
        else:
            amounts = counted_gifts(period).values_list("amount", flat=True)
            median = _median(list(amounts))
        row = {name: found[f"{name}{n}"] for name in ("gifts", "donors", "new_donors")}
        for name in ("gross", "fees", "refunds", "counted_total", "recurring"):
            row[name] = found[f"{name}{n}"] or ZERO
        row["net"] = row["gross"] - row["refunds"] - row["fees"]
        row["median_gift"] = median
        if base_years:
            row["retained"], row["base_donors"] = found[f"retained{n}"], found[f"base_donors{n}"]
        result.append(row)
    return result


def change(current: Decimal | int | None, previous: Decimal | int | None) -> tuple:
    """(absolute change, percent change to one decimal); percent is None when previous is 0."""
    if current is None or previous is None:
        return None, None
    difference = current - previous
    if not previous:
        return difference, None
    percent = (Decimal(difference) * 100 / Decimal(previous)).quantize(Decimal("0.1"))
    return difference, percent


@dataclass(frozen=True)
class Giving:
    """One group's figures under the ledger's rules."""

    gross: Decimal = ZERO
    refunds: Decimal = ZERO
    fees: Decimal = ZERO
    gifts: int = 0  # counted gifts
    donors: int = 0  # distinct supporters with a counted gift
    counted_total: Decimal = ZERO  # amount of the counted gifts (for the average gift)

    @property
    def net(self) -> Decimal:
        return self.gross - self.refunds - self.fees

    @property
    def average_gift(self) -> Decimal | None:
        return (self.counted_total / self.gifts).quantize(CENT) if self.gifts else None


def giving_grouped(period: Period, gift_key, refund_key) -> dict:
    """The ledger's figures per group in two queries: gifts received in the period grouped by
    `gift_key` (a Gift field name or expression) and refunds dated in the period grouped by
    `refund_key` (the same thing seen from Refund, e.g. "gift__fund_id"). A refund falls in
    the group of its gift but in the period of its own date."""
    counted = Q(status__in=COUNTED)
    gifts = (
        Gift.objects.filter(status__in=RECEIVED, received_on__range=(period.start, period.end))
        .annotate(group=gift_key if not isinstance(gift_key, str) else F(gift_key))
        .values("group")
        .annotate(
            gross=Sum("amount"),
            fees=Sum("fee"),
            gifts=Count("pk", filter=counted),
            donors=Count("supporter_id", distinct=True, filter=counted),
            counted_total=Sum("amount", filter=counted),
        )
        .order_by()
    )
    refunds = (
        Refund.objects.filter(refunded_on__range=(period.start, period.end))
        .annotate(group=refund_key if not isinstance(refund_key, str) else F(refund_key))
        .values("group")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    found: dict = {}
    for row in gifts:
        found[row["group"]] = Giving(
            gross=row["gross"] or ZERO,
            fees=row["fees"] or ZERO,
            gifts=row["gifts"],
            donors=row["donors"],
            counted_total=row["counted_total"] or ZERO,
        )
    for row in refunds:
        before = found.get(row["group"], Giving())
        found[row["group"]] = replace(before, refunds=row["total"] or ZERO)
    return found
