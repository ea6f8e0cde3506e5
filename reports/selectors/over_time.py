"""Giving over time: by month of a fiscal year with the year before beside it, and by fiscal
year. Counting rules are reports.ledger's; each selector is two grouped queries: the money
from the days' totals (reports.grouped.money_grouped; the gifts themselves when a month's
donors are asked for), refunds by refund_refunded_on. A year's donors are counted from the
donors' year totals (reports.ledger.donors_by_fiscal_year)."""

import datetime
from dataclasses import dataclass, replace

from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import TruncMonth

from reports import grouped, ledger
from reports.grouped import Giving
from reports.ledger import Period


@dataclass(frozen=True)
class MonthRow:
    month: datetime.date  # first day of the month in the fiscal year asked for
    giving: Giving
    last_year_month: datetime.date
    last_year: Giving


@dataclass(frozen=True)
class YearRow:
    fiscal_year: int
    period: Period
    giving: Giving


def _month_starts(period: Period) -> list[datetime.date]:
    months, day = [], period.start.replace(day=1)
    while day <= period.end:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


def giving_by_month(fiscal_year: int, *, donors: bool = True) -> list[MonthRow]:
    """The twelve months of `fiscal_year`, each beside the same month a year earlier; with
    donors=False each month's donors are not counted (None), which spares sorting two
    years of gifts."""
    this, last = ledger.fiscal_year(fiscal_year), ledger.fiscal_year(fiscal_year - 1)
    both = Period(last.start, this.end)
    if donors:
        found = grouped.giving_grouped(
            both, TruncMonth("received_on"), TruncMonth("refunded_on"), donors=True
        )
    else:  # money only: the days' totals answer it
        found = grouped.money_grouped(both, TruncMonth("day"), TruncMonth("refunded_on"))
    found = {_as_date(key): value for key, value in found.items()}
    empty = Giving(donors=0 if donors else None)
    return [
        MonthRow(
            month=month,
            giving=found.get(month, empty),
            last_year_month=before,
            last_year=found.get(before, empty),
        )
        for month, before in zip(_month_starts(this), _month_starts(last), strict=True)
    ]


def giving_by_fiscal_year(last_year: int, count: int = 5) -> list[YearRow]:
    """Fiscal years `last_year - count + 1` to `last_year`, oldest first."""
    years = {year: ledger.fiscal_year(year) for year in range(last_year - count + 1, last_year + 1)}

    def bucket(field: str) -> Case:
        return Case(
            *(
                When(**{f"{field}__range": (p.start, p.end)}, then=Value(year))
                for year, p in years.items()
            ),
            output_field=IntegerField(),
        )

    span = Period(years[min(years)].start, years[last_year].end)
    found = grouped.money_grouped(span, bucket("day"), bucket("refunded_on"))
    donors = ledger.donors_by_fiscal_year(list(years))
    return [
        YearRow(year, period, replace(found.get(year, Giving()), donors=donors[year]))
        for year, period in years.items()
    ]


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value
