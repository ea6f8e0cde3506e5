"""What each report page shows, for one fiscal year: its figures, tables and charts, built from
the selectors (reports.selectors) so views stay thin. The same builders give the CSV/XLSX
exports their tables (draw=False skips the charts)."""

import datetime
from dataclasses import dataclass, field

from donations.models import DonorYearTotal
from reports import charts, ledger, tables
from reports import selectors as s
from reports.charts import Chart
from reports.ledger import Period
from reports.tables import Table

LIST_ROWS = 50  # LYBUNT and SYBUNT rows shown (the totals count everyone)
TOP_DONORS = 10
FIVE_YEARS = 5


@dataclass(frozen=True)
class Year:
    """The fiscal year a page reports on, and the part of it that has happened."""

    fiscal_year: int
    today: datetime.date
    whole: Period
    so_far: Period  # the whole year, or its first day to today for the current year

    @property
    def current(self) -> bool:
        return self.so_far.end < self.whole.end

    @property
    def as_of(self) -> datetime.date:
        return self.so_far.end

    @property
    def label(self) -> str:
        return tables.fy_label(self.fiscal_year)

    @property
    def period_words(self) -> str:
        if self.current:
            return f"in {self.label} so far"
        return f"in {self.label}"


def available_years(today: datetime.date) -> list[int]:
    """Fiscal years with giving on record, newest first; at least the current one."""
    current = ledger.fiscal_year_of(today)
    first = DonorYearTotal.objects.order_by("fiscal_year").values_list("fiscal_year", flat=True)
    oldest = min(first.first() or current, current)
    return list(range(current, oldest - 1, -1))


def year(fiscal_year: int, today: datetime.date) -> Year:
    whole = ledger.fiscal_year(fiscal_year)
    return Year(fiscal_year, today, whole, Period(whole.start, min(today, whole.end)))


@dataclass
class Page:
    tables: dict[str, Table] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    # Keyed with underscores for the templates (page.tables.by_month); files use hyphens.
    def add(self, table: Table) -> None:
        self.tables[table.key.replace("-", "_")] = table

    def chart(self, chart: Chart) -> None:
        self.charts[chart.key.replace("-", "_")] = chart
        self.add(chart.table)


# What a board member may ask about each overview figure; figures where a rise is bad.
FIGURE_HELP = {
    "gross": "Every gift received, before refunds and card fees.",
    "net": "What the organization keeps: received, less refunds and card fees.",
    "gifts": "Gifts received; refunded, failed and pending ones are not counted.",
    "donors": "Different people who gave; a person with two records counts once.",
    "average_gift": "Money of the gifts divided by their number.",
    "median_gift": "Half the gifts were smaller than this, half larger.",
    "new_donors": "People whose first gift ever came in this period.",
    "recurring_revenue": "Gifts that came through monthly or yearly plans.",
    "retention": "Of last full year's donors, the share who have given again this year.",
    "refunds": "Money given back, counted on the day it was refunded.",
    "fees": "What the card processor kept.",
}
RISE_IS_BAD = ("refunds", "fees")


@dataclass(frozen=True)
class Shown:
    """One overview figure as the page shows it."""

    key: str
    label: str
    help: str
    current: object
    previous: object
    change: object
    percent: object
    direction: str  # up, down or flat: drawn as an arrow and words, not only a colour
    good: bool | None  # whether the change is welcome (None: no change)


def overview_figures(found) -> list[Shown]:
    table = tables.overview_table(found)
    shown = []
    for (key, _label), row in zip(tables.OVERVIEW_ROWS, table.rows, strict=True):
        label, current, previous, change, percent = row
        direction = "flat" if not change else ("up" if change > 0 else "down")
        good = None if direction == "flat" else (direction == "up") != (key in RISE_IS_BAD)
        label = {"gross": "Raised", "net": "Raised, net", "retention": "Retention"}.get(key, label)
        shown.append(
            Shown(key, label, FIGURE_HELP[key], current, previous, change, percent, direction, good)
        )
    return shown


def headline(found, y: Year) -> str:
    """The overview in one sentence, for a reader with a minute."""
    gross, donors = found.gross, found.donors
    when = "so far this year" if y.current else f"in {y.label}"
    words = f"{charts.money_words(gross.current)} raised {when}"
    if gross.change_percent is not None:
        direction = "up" if gross.change > 0 else "down"
        against = "the same point last year" if y.current else "the year before"
        if gross.change:
            words += f", {direction} {abs(gross.change_percent):.0f}% on {against}"
    words += f", from {donors.current:,} donor{'s' if donors.current != 1 else ''}"
    if found.retention.current is not None:
        words += f"; {found.retention.current:.0f}% of last year's donors have given again"
    return words + "."


def overview(y: Year, *, draw: bool = True, hide_names: bool = False) -> Page:
    page = Page()
    found = s.overview(y.as_of)
    page.extra["overview"] = found
    page.extra["figures"] = overview_figures(found)
    page.extra["headline"] = headline(found, y)
    page.add(tables.overview_table(found))
    return page


def over_time(y: Year, *, draw: bool = True, hide_names: bool = False) -> Page:
    page = Page()
    months = s.giving_by_month(y.fiscal_year, donors=False)  # the months show money only
    years = s.giving_by_fiscal_year(y.fiscal_year, FIVE_YEARS)
    if draw:
        page.chart(charts.by_month(months, y.fiscal_year, y.as_of))
        page.chart(charts.by_year(years, y.today))
    else:
        page.add(tables.month_table(months, y.fiscal_year, y.as_of))
        page.add(tables.year_table(years, y.today))
    return page


SOURCES = (
    ("campaigns", "By campaign", s.by_campaign),
    ("appeals", "By appeal code", s.by_appeal),
    ("funds", "By fund", s.by_fund),
    ("methods", "By payment method", s.by_method),
    ("channels", "By channel", s.by_channel),
)


def sources(y: Year, *, draw: bool = True, hide_names: bool = False) -> Page:
    page = Page()
    for key, title, selector in SOURCES:
        rows = selector(y.so_far)
        if key in ("campaigns", "appeals"):
            table = tables.mailed_table(key, title, rows)
            if draw and key == "campaigns":
                page.chart(charts.by_source(key, "Money received by campaign", rows, table))
            else:
                page.add(table)
        elif draw and key == "channels":
            page.chart(charts.by_source(key, "Money received by channel", rows))
        else:
            page.add(tables.source_table(key, title, rows))
    return page


def donors(y: Year, *, draw: bool = True, hide_names: bool = False) -> Page:
    page = Page()
    found = s.retention(y.fiscal_year)
    page.extra["retention"] = found
    page.add(tables.retention_table(found))
    levels = s.pyramid(y.fiscal_year)
    lybunt = s.lybunt(y.fiscal_year, limit=LIST_ROWS, hide_names=hide_names)
    sybunt = s.sybunt(y.fiscal_year, limit=LIST_ROWS, hide_names=hide_names)
    page.extra |= {"lybunt": lybunt, "sybunt": sybunt}
    if draw:
        page.chart(charts.gain_loss(found))
        page.chart(charts.pyramid(levels, y.fiscal_year))
    else:
        page.add(tables.gain_loss_table(found))
        page.add(tables.pyramid_table(levels, y.fiscal_year))
    page.add(tables.lybunt_table(lybunt, y.fiscal_year, LIST_ROWS))
    page.add(tables.sybunt_table(sybunt, y.fiscal_year, LIST_ROWS))
    top = s.top_donors(y.fiscal_year, limit=TOP_DONORS, hide_names=hide_names)
    page.add(tables.top_donors_table(top, y.fiscal_year))
    return page


def recurring(y: Year, *, draw: bool = True, hide_names: bool = False) -> Page:
    page = Page()
    found = s.recurring(y.so_far)
    page.extra["recurring"] = found
    page.add(tables.recurring_table(found, y.period_words))
    return page


# slug -> (nav label, builder); the order is the nav's.
PAGES = {
    "overview": ("Overview", overview),
    "over-time": ("Giving over time", over_time),
    "sources": ("Where it came from", sources),
    "donors": ("Donors", donors),
    "recurring": ("Recurring", recurring),
}
# Each exportable table and the page that shows it.
TABLE_PAGES = {
    "overview": "overview",
    "by-month": "over-time",
    "by-year": "over-time",
    **{key: "sources" for key, _title, _selector in SOURCES},
    "retention": "donors",
    "gain-loss": "donors",
    "pyramid": "donors",
    "lybunt": "donors",
    "sybunt": "donors",
    "top-donors": "donors",
    "recurring": "recurring",
}
