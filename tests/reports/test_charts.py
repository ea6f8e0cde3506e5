"""Charts: each is an SVG that stands alone (text kept as text, nothing fetched), with a title,
a takeaway worked out from its data and its data table; one is rendered through core.pdf and
read back as text."""

import datetime
import re
import subprocess
import xml.etree.ElementTree as ET
from decimal import Decimal

from reports import charts
from reports.grouped import Giving
from reports.ledger import Period
from reports.selectors.donors import Category, Level, Rate, Retention
from reports.selectors.over_time import MonthRow, YearRow
from reports.selectors.sources import SourceRow

D = datetime.date
SVG = "{http://www.w3.org/2000/svg}"


def _months(this: list[int], last: list[int]) -> list[MonthRow]:
    starts = [D(2025 + (m + 6) // 12, (m + 6) % 12 + 1, 1) for m in range(12)]  # Jul..Jun
    return [
        MonthRow(day, Giving(gross=Decimal(a)), day.replace(year=day.year - 1), Giving(gross=b))
        for day, a, b in zip(starts, this, last, strict=True)
    ]


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 - our own output; well-formed XML, or this raises
    return ["".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")]


def assert_self_contained(svg: str) -> None:
    assert svg.startswith("<svg")
    # Every reference points inside the SVG (namespaces and metadata are not fetched).
    assert re.findall(r'(?:href|src)="([^"]*)"', svg) == [
        ref for ref in re.findall(r'(?:href|src)="([^"]*)"', svg) if ref.startswith("#")
    ]
    assert re.findall(r"url\(([^)]*)\)", svg) == [
        ref for ref in re.findall(r"url\(([^)]*)\)", svg) if ref.startswith("#")
    ]
    assert "@import" not in svg
    assert "<image" not in svg  # no raster pictures: text stays text


def test_by_month_compares_the_months_so_far_with_last_year():
    rows = _months([100] * 12, [Decimal(80)] * 12)
    chart = charts.by_month(rows, 2026, D(2025, 9, 15))  # July to September have happened
    assert chart.takeaway == "So far (Jul–Sep): $300, up 25% on the same months last year."
    assert chart.title == "Money received by month, FY2026 against the year before"
    assert_self_contained(chart.svg)
    texts = _texts(chart.svg)
    assert "Jul" in texts and "Jun" in texts
    assert "FY2026 (bars)" in texts and "FY2025 (dashed line)" in texts
    # The data table: twelve months, those to come left blank rather than shown as zero.
    assert chart.table.headers == ["Month", "FY2026", "FY2025", "Change"]
    assert chart.table.rows[0] == ["Jul", Decimal(100), Decimal(80), Decimal(20)]
    assert chart.table.rows[3] == ["Oct", None, Decimal(80), None]


def test_a_whole_year_is_compared_with_the_year_before():
    rows = _months([50] * 12, [Decimal(100)] * 12)
    chart = charts.by_month(rows, 2026, D(2026, 6, 30))
    assert chart.takeaway == "FY2026 received $600, down 50% on FY2025."


def test_by_year_names_the_best_full_year_while_the_current_one_runs():
    years = [
        YearRow(y, Period(D(y - 1, 7, 1), D(y, 6, 30)), Giving(gross=Decimal(g)))
        for y, g in [(2022, 10), (2023, 900), (2024, 400), (2025, 500), (2026, 120)]
    ]
    chart = charts.by_year(years, D(2026, 3, 15))
    assert chart.takeaway == "FY2026 so far: $120; the best full year shown is FY2023 with $900."
    assert [row[0] for row in chart.table.rows][-1] == "FY2026 (so far)"
    assert "$900" in _texts(chart.svg)
    assert_self_contained(chart.svg)


def test_by_source_names_the_largest_named_source_not_the_unattributed_money():
    rows = [
        SourceRow(None, "No campaign", Giving(gross=Decimal(600))),
        SourceRow(7, "=Spring appeal", Giving(gross=Decimal(300))),
        SourceRow(8, "Gala", Giving(gross=Decimal(100))),
    ]
    chart = charts.by_source("campaigns", "Money received by campaign", rows)
    assert chart.takeaway == "=Spring appeal brought in the most: $300, 30% of the money received."
    assert "=Spring appeal" in _texts(chart.svg)
    assert [row[0] for row in chart.table.rows] == ["No campaign", "=Spring appeal", "Gala"]


def test_pyramid_reads_money_labels_as_money():
    levels = [
        Level(None, Decimal(1), 0, Decimal(0)),
        Level(Decimal(1), Decimal(250), 30, Decimal(1500)),
        Level(Decimal(250), Decimal(1000), 5, Decimal(1500)),
        Level(Decimal(1000), None, 1, Decimal(2000)),
    ]
    chart = charts.pyramid(levels, 2026)
    assert chart.takeaway == (
        "1 donor at $1,000 and up gave 40% of the year's dollars; 36 donors in all."
    )
    texts = _texts(chart.svg)
    assert "$250-$999" in texts and "$1-$249" in texts  # not typeset as TeX
    assert [row[0] for row in chart.table.rows] == ["$1,000 and up", "$250-$999", "$1-$249"]


def test_gain_loss_counts_gains_against_losses():
    categories = {
        "new": Category(4, Decimal(400), Decimal(0)),
        "recaptured": Category(1, Decimal(50), Decimal(0)),
        "upgraded": Category(2, Decimal(300), Decimal(200)),
        "same": Category(1, Decimal(10), Decimal(10)),
        "downgraded": Category(1, Decimal(5), Decimal(50)),
        "lapsed": Category(7, Decimal(0), Decimal(700)),
    }
    found = Retention(2026, 9, 11, Rate(4, 11), Rate(0, 0), Rate(4, 11), Rate(1, 2), categories)
    chart = charts.gain_loss(found)
    assert chart.takeaway == (
        "Gained 5 donors (new or back after a gap) and lost 7 who gave last year: -2 overall."
    )
    assert "-7" in _texts(chart.svg)  # lapsed drawn below zero, labelled, not only coloured
    lapsed = chart.table.rows[-1]
    assert lapsed[1:] == [7, Decimal(0), Decimal(700), Decimal(-700)]


def test_a_chart_renders_in_a_pdf_through_the_pdf_seam(tmp_path):
    from core.pdf import render_pdf

    chart = charts.by_month(_months([100] * 12, [Decimal(80)] * 12), 2026, D(2025, 9, 15))
    html = (
        f"<h1>{chart.title}</h1><p>{chart.takeaway}</p>"
        f'<img src="{chart.data_uri}" style="width:16cm" alt="">'
    )
    path = tmp_path / "chart.pdf"
    path.write_bytes(render_pdf(html))
    text = subprocess.run(  # noqa: S603
        ["/usr/bin/pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    text = " ".join(text.split())  # lines wrapped by the layout joined again
    assert chart.title in text
    assert chart.takeaway in text
    # Text from inside the SVG: the picture itself was drawn, with its words as text.
    assert "FY2025 (dashed line)" in text
    assert "Jul" in text.split(chart.takeaway, 1)[1]
