"""The report pages' tables as plain rows: one builder per table, each taking a selector's
result. The page, the chart beside it and the CSV/XLSX export all show the same Table, so a
download always matches what the page shows. No contact details: names only, and only where
the page shows them (hidden names come from the selectors as 'Donor 1', 'Donor 2'...)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from reports.selectors.donors import DonorList, Level, Retention
from reports.selectors.over_time import MonthRow, YearRow
from reports.selectors.overview import Overview
from reports.selectors.recurring import RecurringFigures
from reports.selectors.sources import SourceRow


class Pct(Decimal):
    """A percentage (12.5 means 12.5%), shown with a % sign."""


@dataclass(frozen=True)
class Table:
    key: str  # the export's file name: /reports/<key>.csv
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)  # str, int, Decimal (money), Pct or None
    note: str = ""


def _pct(value: Decimal | None) -> Pct | None:
    return None if value is None else Pct(value)


def fy_label(year: int) -> str:
    return f"FY{year}"


OVERVIEW_ROWS = (
    ("gross", "Raised (money received)"),
    ("net", "Raised, net of refunds and fees"),
    ("refunds", "Refunds"),
    ("fees", "Card fees"),
    ("gifts", "Gifts"),
    ("donors", "Donors"),
    ("average_gift", "Average gift"),
    ("median_gift", "Median gift"),
    ("new_donors", "New donors"),
    ("recurring_revenue", "From monthly and yearly plans"),
    ("retention", "Retention (% of last year's donors who gave again)"),
)


def overview_table(overview: Overview) -> Table:
    rows = []
    for name, label in OVERVIEW_ROWS:
        figure = getattr(overview, name)
        if name == "retention":
            current, previous = _pct(figure.current), _pct(figure.previous)
            rows.append([label, current, previous, _pct(figure.change), None])
        else:
            rows.append([label, figure.current, figure.previous, figure.change])
            rows[-1].append(_pct(figure.change_percent))
    return Table(
        "overview",
        "Year to date against the same period last year",
        ["Figure", "This year to date", "Same period last year", "Change", "Change (%)"],
        rows,
        "Retention's change is in percentage points.",
    )


def month_table(rows: list[MonthRow], fiscal_year: int, through: datetime.date) -> Table:
    """Months after `through` (today) are blank for this year: not zero, not yet."""
    return Table(
        "by-month",
        f"Money received by month, {fy_label(fiscal_year)} and {fy_label(fiscal_year - 1)}",
        ["Month", fy_label(fiscal_year), fy_label(fiscal_year - 1), "Change"],
        [
            [r.month.strftime("%b"), r.giving.gross, r.last_year.gross]
            + [r.giving.gross - r.last_year.gross]
            if r.month <= through
            else [r.month.strftime("%b"), None, r.last_year.gross, None]
            for r in rows
        ],
    )


def year_table(rows: list[YearRow], today: datetime.date) -> Table:
    return Table(
        "by-year",
        "Money received by fiscal year",
        ["Fiscal year", "Received", "Refunds", "Fees", "Net", "Gifts", "Donors"],
        [
            [
                fy_label(r.fiscal_year) + (" (so far)" if r.period.end > today else ""),
                r.giving.gross,
                r.giving.refunds,
                r.giving.fees,
                r.giving.net,
                r.giving.gifts,
                r.giving.donors,
            ]
            for r in rows
        ],
    )


def mailed_table(key: str, title: str, rows: list[SourceRow]) -> Table:
    """Campaigns and appeals: with the mailings' recipients, response rate and cost."""
    return Table(
        key,
        title,
        ["Name", "Received", "Net", "Gifts", "Donors", "Average gift", "Recipients"]
        + ["Response rate (%)", "Cost per dollar raised"],
        [
            [r.label, r.giving.gross, r.giving.net, r.giving.gifts, r.giving.donors]
            + [r.giving.average_gift, r.recipients, _pct(r.response_rate), r.cost_per_dollar]
            for r in rows
        ],
    )


def source_table(key: str, title: str, rows: list[SourceRow]) -> Table:
    return Table(
        key,
        title,
        ["Name", "Received", "Net", "Gifts", "Donors", "Average gift"],
        [
            [r.label, r.giving.gross, r.giving.net, r.giving.gifts, r.giving.donors]
            + [r.giving.average_gift]
            for r in rows
        ],
    )


def retention_table(found: Retention) -> Table:
    y = fy_label(found.fiscal_year)
    y1 = fy_label(found.fiscal_year - 1)
    return Table(
        "retention",
        f"Retention: {y1} donors who gave again in {y}",
        ["Measure", "Rate (%)", "Retained", "Out of"],
        [
            ["All donors", _pct(found.overall.percent)]
            + [found.overall.numerator, found.overall.denominator],
            [f"New donors (first gift in {y1})", _pct(found.new_donor.percent)]
            + [found.new_donor.numerator, found.new_donor.denominator],
            ["Repeat donors (gave before too)", _pct(found.repeat_donor.percent)]
            + [found.repeat_donor.numerator, found.repeat_donor.denominator],
            ["Dollars", _pct(found.dollars.percent)]
            + [found.dollars.numerator, found.dollars.denominator],
        ],
        "Dollars: what retained donors gave this year, out of what all last year's donors "
        "gave last year.",
    )


GAIN_LOSS_LABELS = {
    "new": "New (first gift ever)",
    "recaptured": "Recaptured (came back after a gap)",
    "upgraded": "Upgraded (gave more)",
    "same": "Same amount",
    "downgraded": "Downgraded (gave less)",
    "lapsed": "Lapsed (gave last year, not this year)",
}


def gain_loss_table(found: Retention) -> Table:
    y, y1 = fy_label(found.fiscal_year), fy_label(found.fiscal_year - 1)
    return Table(
        "gain-loss",
        f"Gain and loss of donors, {y} against {y1}",
        ["Donors who were", "Donors", f"Gave in {y}", f"Gave in {y1}", "Change"],
        [
            [GAIN_LOSS_LABELS[name], c.donors, c.this_year, c.last_year, c.change]
            for name, c in found.categories.items()
        ],
    )


def lybunt_table(found: DonorList, fiscal_year: int, shown: int) -> Table:
    y1 = fy_label(fiscal_year - 1)
    return Table(
        "lybunt",
        f"LYBUNT: gave in {y1} but not (yet) in {fy_label(fiscal_year)}",
        ["Donor", f"Gave in {y1}"],
        [[r.name, r.total] for r in found.rows[:shown]],
    )


def sybunt_table(found: DonorList, fiscal_year: int, shown: int) -> Table:
    before = fy_label(fiscal_year - 1)
    return Table(
        "sybunt",
        f"SYBUNT: gave some year before {before}, not since",
        ["Donor", f"Gave before {before}", "Last gave in"],
        [[r.name, r.total, fy_label(r.last_fiscal_year)] for r in found.rows[:shown]],
    )


def level_label(level: Level) -> str:
    def whole(amount: Decimal) -> str:
        return f"${amount:,.0f}"

    if level.lower is None:
        return f"Under {whole(level.upper)}" if level.upper is not None else "All"
    if level.upper is None:
        return f"{whole(level.lower)} and up"
    top = level.upper - 1  # levels are whole dollars: $250 up to $999.99 reads $250-$999
    return whole(level.lower) if top <= level.lower else f"{whole(level.lower)}-{whole(top)}"


def pyramid_table(levels: list[Level], fiscal_year: int) -> Table:
    total = sum((level.total for level in levels), Decimal(0))
    rows = []
    for level in reversed(levels):  # largest first, as a pyramid reads
        if level.lower is None and not level.donors:
            continue  # nobody below the lowest level: no row to explain
        share = (level.total * 100 / total).quantize(Decimal("0.1")) if total else None
        rows.append([level_label(level), level.donors, level.total, _pct(share)])
    return Table(
        "pyramid",
        f"Donor pyramid: {fy_label(fiscal_year)} donors by what they gave in the year",
        ["Giving level", "Donors", "Total given", "Share of dollars (%)"],
        rows,
    )


def top_donors_table(rows: list, fiscal_year: int) -> Table:
    return Table(
        "top-donors",
        f"Top donors of {fy_label(fiscal_year)}",
        ["Rank", "Donor", "Gave in the year"],
        [[n, r.name, r.total] for n, r in enumerate(rows, start=1)],
    )


def recurring_table(found: RecurringFigures, period_label: str) -> Table:
    return Table(
        "recurring",
        "Monthly and yearly plans",
        ["Measure", "Plans", "Monthly amount"],
        [
            ["Active now", found.active, found.monthly_recurring_revenue],
            ["Payment failed, being retried now", found.past_due, None],
            [f"Started {period_label}", found.started, found.started_monthly],
            [f"Cancelled {period_label}", found.cancelled, found.cancelled_monthly],
            [f"Plans with a failed payment {period_label}", found.plans_with_failed_payments]
            + [None],
        ],
        f"{found.failed_payments} failed payment(s) {period_label}. A yearly plan counts "
        "as a twelfth of its amount a month.",
    )
