"""The board overview: this fiscal year to date against the same period last year.

Counting rules are reports.ledger's. About a dozen queries, each an aggregate over one period's
gifts (index gift_received_on) or refunds (refund_refunded_on); the new-donor and retention
figures probe gift_supporter_date per donor.
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


def _period_figures(period: Period) -> dict:
    money = ledger.raised(period)
    gifts = ledger.gift_figures(period)
    average = (gifts["total"] / gifts["gifts"]).quantize(CENT) if gifts["gifts"] else None
    return {
        "gross": money.gross,
        "refunds": money.refunds,
        "fees": money.fees,
        "net": money.net,
        "gifts": gifts["gifts"],
        "donors": gifts["donors"],
        "average_gift": average,
        "median_gift": ledger.median_gift(period),
        "new_donors": ledger.new_donors(period),
        "recurring_revenue": gifts["recurring"],
    }


def retention_rate(base: Period, later: Period) -> Decimal | None:
    """Percent (one decimal) of `base`'s donors who gave in `later`; None without donors."""
    retained, donors = ledger.donors_retained(base, later)
    if not donors:
        return None
    return (Decimal(retained) * 100 / donors).quantize(Decimal("0.1"))


def overview(today: datetime.date) -> Overview:
    year = ledger.fiscal_year_of(today)
    period = ledger.year_to_date(today)
    previous_period = ledger.same_period_last_year(today)
    current = _period_figures(period)
    previous = _period_figures(previous_period)
    # Retention: last full fiscal year's donors who gave again this year to date; a year
    # earlier, the year before that's donors who gave in last year's same period.
    current["retention"] = retention_rate(ledger.fiscal_year(year - 1), period)
    previous["retention"] = retention_rate(ledger.fiscal_year(year - 2), previous_period)
    return Overview(
        fiscal_year=year,
        period=period,
        previous_period=previous_period,
        **{name: _figure(current[name], previous[name]) for name in current},
    )
