"""The board overview: this fiscal year to date against the same period last year.

Counting rules are reports.ledger's (period_figures). Five queries: the gifts of both periods
grouped by amount (money, counts, medians) and by donor (donors, retention), each one hash
aggregation over a range of index gift_received_on; then refunds (refund_refunded_on), new
donors (donor summaries), last years' donors (year totals).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from reports import ledger
from reports.ledger import CENT, Period


@dataclass(frozen=True)
class Figure:
    current: Decimal | int | None
    previous: Decimal | int | None
    change: Decimal | int | None
    change_percent: Decimal | None  # None when the previous figure is 0 (or unknown)


@dataclass(frozen=True)
class Overview:
    fiscal_year: int
    period: Period
    previous_period: Period
    gross: Figure
    refunds: Figure
    fees: Figure
    net: Figure
    gifts: Figure
    donors: Figure
    average_gift: Figure
    median_gift: Figure
    new_donors: Figure
    recurring_revenue: Figure
    retention: Figure  # percent of last full fiscal year's donors who gave again this year


def _figure(current, previous) -> Figure:
    return Figure(current, previous, *ledger.change(current, previous))


def overview(today: datetime.date) -> Overview:
    year = ledger.fiscal_year_of(today)
    period = ledger.year_to_date(today)
    previous_period = ledger.same_period_last_year(today)
    # Retention: last full fiscal year's donors who gave again this year to date; a year
    # earlier, the year before that's donors who gave in last year's same period.
    current, previous = ledger.period_figures([period, previous_period], [year - 1, year - 2])
    for figures in (current, previous):
        total, gifts = figures.pop("counted_total"), figures["gifts"]
        figures["average_gift"] = (total / gifts).quantize(CENT) if gifts else None
        figures["recurring_revenue"] = figures.pop("recurring")
        retained, donors = figures.pop("retained"), figures.pop("base_donors")
        figures["retention"] = (
            (Decimal(retained) * 100 / donors).quantize(Decimal("0.1")) if donors else None
        )
    return Overview(
        fiscal_year=year,
        period=period,
        previous_period=previous_period,
        **{name: _figure(current[name], previous[name]) for name in current},
    )
