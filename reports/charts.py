"""Report charts drawn on the server as SVG with matplotlib, so the page and the board packet
PDF show the same picture. Each chart has a title, a one-line takeaway worked out from the data,
and its data table (reports.tables) for screen readers, print and download.

The SVG is self-contained (text kept as text in DejaVu Sans, nothing fetched) and is shown as a
data: URI image, which both browsers and WeasyPrint (core.pdf allows data: URIs) read as is."""

import base64
import io
import threading
from dataclasses import dataclass
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")  # no display; must come before pyplot
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from reports.selectors.donors import Level, Retention  # noqa: E402
from reports.selectors.over_time import MonthRow, YearRow  # noqa: E402
from reports.selectors.sources import SourceRow  # noqa: E402
from reports.tables import (  # noqa: E402
    GAIN_LOSS_LABELS,
    Table,
    fy_label,
    gain_loss_table,
    level_label,
    month_table,
    pyramid_table,
    source_table,
    year_table,
)

THIS_YEAR, LAST_YEAR, LOSS = "#205067", "#9aa5ad", "#a33a2a"
STYLE = {
    "svg.fonttype": "none",  # text stays text: readable, searchable, smaller
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "reports",  # ids the same on every render (stable output)
    "text.parse_math": False,  # '$1,000 to $4,999' is money, not TeX
}
# pyplot's state is global; rcParams are read while drawing, so one chart at a time.
_drawing = threading.Lock()


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    takeaway: str
    svg: str
    table: Table

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def _dollars(value: float, _position: object = None) -> str:
    if abs(value) >= 1000:
        return f"${value / 1000:,.0f}k" if abs(value) >= 10000 else f"${value / 1000:,.1f}k"
    return f"${value:,.0f}"


def _svg(figure: Figure) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = out.getvalue()
    return text[text.index("<svg") :]  # no XML prolog or DOCTYPE: fits in HTML too


def _figure(height: float = 3.2) -> tuple[Figure, object]:
    figure, axes = plt.subplots(figsize=(7.2, height), layout="constrained")
    axes.grid(axis="y", color="#e4e4e4", linewidth=0.8)
    axes.set_axisbelow(True)
    return figure, axes


def _change_words(now: Decimal, before: Decimal, against: str) -> str:
    if not before:
        return f"nothing to compare with in {against}" if not now else f"none in {against}"
    percent = (now - before) * 100 / before
    if abs(percent) < Decimal("0.5"):
        return f"about the same as {against}"
    return f"{'up' if percent > 0 else 'down'} {abs(percent):.0f}% on {against}"


def money_words(amount: Decimal) -> str:
    return f"${amount:,.0f}"


def by_month(rows: list[MonthRow], fiscal_year: int, through) -> Chart:
    """Twelve months of `fiscal_year` as bars, last year's as a dashed line over them; the
    takeaway compares the months up to `through` (today, for the current year)."""
    table = month_table(rows, fiscal_year, through)
    done = [r for r in rows if r.month <= through]
    now = sum((r.giving.gross for r in done), Decimal(0))
    before = sum((r.last_year.gross for r in done), Decimal(0))
    months = f"{done[0].month:%b}–{done[-1].month:%b}" if done else ""
    if len(done) == len(rows):
        takeaway = f"{fy_label(fiscal_year)} received {money_words(now)}, "
        takeaway += _change_words(now, before, fy_label(fiscal_year - 1)) + "."
    elif done:
        takeaway = f"So far ({months}): {money_words(now)}, "
        takeaway += _change_words(now, before, "the same months last year") + "."
    else:
        takeaway = "The year has not started yet."
    with _drawing, plt.rc_context(STYLE):
        figure, axes = _figure()
        x = range(len(rows))
        labels = [r.month.strftime("%b") for r in rows]
        bars = axes.bar(
            x,
            [float(r.giving.gross) if r.month <= through else 0 for r in rows],
            color=THIS_YEAR,
            width=0.6,
        )
        (line,) = axes.plot(
            x,
            [float(r.last_year.gross) for r in rows],
            color="#555",
            linestyle="--",
            marker="o",
            markersize=4,
        )
        axes.legend(
            [bars, line],
            [fy_label(fiscal_year) + " (bars)", fy_label(fiscal_year - 1) + " (dashed line)"],
            frameon=False,
            loc="upper left",
        )
        axes.set_xticks(list(x), labels)
        axes.yaxis.set_major_formatter(FuncFormatter(_dollars))
        svg = _svg(figure)
    title = f"Money received by month, {fy_label(fiscal_year)} against the year before"
    return Chart("by-month", title, takeaway, svg, table)


def by_year(rows: list[YearRow], today) -> Chart:
    table = year_table(rows, today)
    last = rows[-1]
    partial = last.period.end > today
    complete = [r for r in rows if r.period.end <= today]
    if partial:
        takeaway = f"{fy_label(last.fiscal_year)} so far: {money_words(last.giving.gross)}"
        if complete:
            best = max(complete, key=lambda r: r.giving.gross)
            takeaway += (
                f"; the best full year shown is {fy_label(best.fiscal_year)} "
                f"with {money_words(best.giving.gross)}."
            )
        else:
            takeaway += "."
    else:
        before = rows[-2].giving.gross if len(rows) > 1 else Decimal(0)
        takeaway = f"{fy_label(last.fiscal_year)}: {money_words(last.giving.gross)}, "
        takeaway += _change_words(last.giving.gross, before, fy_label(last.fiscal_year - 1))
        takeaway += "."
    with _drawing, plt.rc_context(STYLE):
        figure, axes = _figure()
        labels = [row[0].replace(" (so far)", "\n(so far)") for row in table.rows]
        colors = [THIS_YEAR] * len(rows)
        bars = axes.bar(labels, [float(r.giving.gross) for r in rows], color=colors, width=0.6)
        if partial:
            bars[-1].set_hatch("//")
            bars[-1].set_facecolor("white")
            bars[-1].set_edgecolor(THIS_YEAR)
        axes.bar_label(bars, labels=[_dollars(float(r.giving.gross)) for r in rows], padding=2)
        axes.yaxis.set_major_formatter(FuncFormatter(_dollars))
        svg = _svg(figure)
    return Chart("by-year", "Money received in the last five fiscal years", takeaway, svg, table)


def by_source(
    key: str, title: str, rows: list[SourceRow], table: Table | None = None, limit: int = 8
) -> Chart:
    """Horizontal bars of money received, largest first (the first `limit`); `table` is the
    data table shown beside it (by default the plain source table)."""
    table = table or source_table(key, title, rows)
    shown = [r for r in rows if r.giving.gross][:limit]
    total = sum((r.giving.gross for r in rows), Decimal(0))
    named = [r for r in shown if r.key not in (None, "")]  # not 'No campaign'
    if named and total:
        top = named[0]
        share = top.giving.gross * 100 / total
        takeaway = (
            f"{top.label} brought in the most: {money_words(top.giving.gross)}, "
            f"{share:.0f}% of the money received."
        )
    elif total:
        takeaway = f"{money_words(total)} received, none of it through a {key[:-1]}."
    else:
        takeaway = "No money received in this period."
    with _drawing, plt.rc_context(STYLE):
        figure, axes = _figure(height=max(1.6, 0.45 * len(shown) + 0.8))
        axes.grid(axis="y", visible=False)
        axes.grid(axis="x", color="#e4e4e4", linewidth=0.8)
        labels = [r.label if len(r.label) <= 32 else r.label[:31] + "…" for r in shown]
        values = [float(r.giving.gross) for r in shown]
        bars = axes.barh(labels[::-1], values[::-1], color=THIS_YEAR, height=0.6)
        axes.bar_label(bars, labels=[_dollars(v) for v in values[::-1]], padding=3)
        axes.xaxis.set_major_formatter(FuncFormatter(_dollars))
        axes.margins(x=0.15)
        svg = _svg(figure)
    return Chart(key, title, takeaway, svg, table)


def pyramid(levels: list[Level], fiscal_year: int) -> Chart:
    table = pyramid_table(levels, fiscal_year)
    donors = sum(level.donors for level in levels)
    top = next((level for level in reversed(levels) if level.donors), None)
    total = sum((level.total for level in levels), Decimal(0))
    if top and total:
        share = top.total * 100 / total
        takeaway = (
            f"{top.donors} donor{'s' if top.donors != 1 else ''} at {level_label(top)} gave "
            f"{share:.0f}% of the year's dollars; {donors} donors in all."
        )
    else:
        takeaway = "No donors in this year yet."
    with _drawing, plt.rc_context(STYLE):
        figure, axes = _figure(height=max(1.8, 0.5 * len(table.rows) + 0.8))
        axes.grid(axis="y", visible=False)
        labels = [row[0] for row in table.rows][::-1]
        counts = [row[1] for row in table.rows][::-1]
        # Centred bars: the classic pyramid, widest (most donors) at the bottom.
        bars = axes.barh(labels, counts, left=[-c / 2 for c in counts], color=THIS_YEAR)
        axes.bar_label(bars, labels=[f"{c} donors" for c in counts], padding=4)
        axes.set_xticks([])
        axes.spines[["left", "bottom"]].set_visible(False)
        axes.margins(x=0.25)
        svg = _svg(figure)
    title = f"Donor pyramid: {fy_label(fiscal_year)} donors by giving level"
    return Chart("pyramid", title, takeaway, svg, table)


def gain_loss(found: Retention) -> Chart:
    table = gain_loss_table(found)
    c = found.categories
    gained = c["new"].donors + c["recaptured"].donors
    lost = c["lapsed"].donors
    net = gained - lost
    takeaway = (
        f"Gained {gained} donors (new or back after a gap) and lost {lost} "
        f"who gave last year: {'+' if net > 0 else ''}{net} overall."
    )
    with _drawing, plt.rc_context(STYLE):
        figure, axes = _figure()
        names = list(c)
        values = [-c[n].donors if n == "lapsed" else c[n].donors for n in names]
        short = {n: GAIN_LOSS_LABELS[n].split(" (")[0] for n in names}
        colors = [LOSS if n == "lapsed" else THIS_YEAR for n in names]
        bars = axes.bar([short[n] for n in names], values, color=colors, width=0.6)
        # Lapsed donors are drawn below zero and hatched, not only red.
        bars[names.index("lapsed")].set_hatch("//")
        axes.bar_label(bars, labels=[f"{v:+d}" if v < 0 else str(v) for v in values], padding=2)
        axes.axhline(0, color="#333", linewidth=0.8)
        axes.margins(y=0.15)  # room for the labels above and below the bars
        axes.set_ylabel("Donors")
        svg = _svg(figure)
    title = (
        f"Gain and loss of donors, {fy_label(found.fiscal_year)} "
        f"against {fy_label(found.fiscal_year - 1)}"
    )
    return Chart("gain-loss", title, takeaway, svg, table)
