"""The report area at /reports/: who may read it, that each page shows its selector's figures
(the selectors have their own independent tests), and that each table's CSV and XLSX hold the
page's rows, formulas neutralised, names hidden when asked and no contact details."""

import csv
import datetime
import html
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.models import Organisation
from core.money import money_text
from core.services import organisation_update
from donations.models import Gift
from reports import selectors
from reports.ledger import Period
from tests.reports.scenario import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scenario_day")]

PAGES = ["/reports/", "/reports/over-time/", "/reports/sources/", "/reports/donors/"]
PAGES += ["/reports/recurring/"]
TABLES = ["overview", "by-month", "by-year", "campaigns", "appeals", "funds", "methods"]
TABLES += ["channels", "retention", "gain-loss", "pyramid", "lybunt", "sybunt", "top-donors"]
TABLES += ["recurring"]
SO_FAR = Period(datetime.date(2025, 7, 1), TODAY)


def _text(response) -> str:
    """The page's text, tags and repeated spaces removed."""
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.replace("&#x27;", "'").replace("&amp;", "&").split())


def _csv(client, table: str, query: str = "") -> list[list[str]]:
    response = client.get(f"/reports/{table}.csv?fy=2026{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# Access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [*PAGES, "/reports/by-year.csv", "/reports/lybunt.xlsx"])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login") + "?next=")


@pytest.mark.parametrize("path", [*PAGES, "/reports/by-year.csv", "/reports/lybunt.xlsx"])
def test_an_account_without_a_role_gets_the_forbidden_page(client, outsider, path):
    client.force_login(outsider)
    response = client.get(path)
    assert response.status_code == 403
    assert b"You do not have permission" in response.content


def test_staff_without_the_staff_group_are_refused_too(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("x", is_staff=True))
    assert client.get("/reports/").status_code == 403


@pytest.mark.parametrize("persona", ["staff_client", "board_client"])
def test_staff_and_board_read_every_page_and_table(request, who, persona):
    client = request.getfixturevalue(persona)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Reports" in _text(response)
    for table in TABLES:
        assert client.get(f"/reports/{table}.csv").status_code == 200, table
        assert client.get(f"/reports/{table}.xlsx").status_code == 200, table


def test_a_report_view_changes_nothing_and_refuses_post(board_client, staff_client, who):
    gifts = list(Gift.objects.order_by("pk").values())
    for client in (board_client, staff_client):
        for path in [*PAGES, "/reports/by-year.csv"]:
            assert client.post(path, {"fy": "2026"}).status_code == 405, path
    assert list(Gift.objects.order_by("pk").values()) == gifts


def test_a_fiscal_year_not_on_record_is_said_on_the_page_and_refused_for_downloads(
    board_client, who
):
    for asked in ("1800", "abc", "2026x"):
        page = board_client.get(f"/reports/?fy={asked}")
        assert page.status_code == 200
        said = [str(m) for m in page.context["messages"]]
        assert len(said) == 1 and f"no figures for fiscal year '{asked}'" in said[0]
        assert "Showing FY" in said[0]
        assert said[0] in html.unescape(page.content.decode()), "shown on the page itself"
        for download in (f"/reports/board.pdf?fy={asked}", f"/reports/overview.csv?fy={asked}"):
            refused = board_client.get(download)
            assert refused.status_code == 400
            assert f"no figures for fiscal year '{asked}'" in refused.content.decode()
    assert not list(board_client.get("/reports/").context["messages"]), "no year asked: no word"


def test_unknown_pages_and_tables_are_not_found(board_client):
    assert board_client.get("/reports/nothing/").status_code == 404
    assert board_client.get("/reports/supporters.csv").status_code == 404


# Pages ----------------------------------------------------------------------------------------


def test_overview_shows_each_figure_with_its_change(board_client, who):
    response = board_client.get("/reports/")
    found = selectors.overview(TODAY)
    html = response.content.decode()
    for key in ("gross", "net", "gifts", "donors", "new_donors"):
        figure = getattr(found, key)
        box = html.split(f'data-figure="{key}"', 1)[1].split('<div class="figure"', 1)[0]
        shown = money_text(figure.current) if key in ("gross", "net") else str(figure.current)
        assert f'<div class="n">{shown}</div>' in box, key
        # The change in words and arrow, never by colour alone.
        word = "▲ Up" if figure.change > 0 else "▼ Down" if figure.change < 0 else "No change"
        assert word in box, key
    assert "FY2026 runs from July 1, 2025 to June 30, 2026" in _text(response)
    # The one-sentence summary, worked out here from the same figures.
    percent = abs(found.gross.change_percent)
    direction = "up" if found.gross.change > 0 else "down"
    assert (
        f"${found.gross.current:,.0f} raised so far this year, {direction} {percent:.0f}% on "
        f"the same point last year, from {found.donors.current} donors; "
        f"{found.retention.current:.0f}% of last year's donors have given again."
    ) in _text(response)


def test_the_fiscal_year_picker_shows_a_whole_past_year(board_client, who):
    response = board_client.get("/reports/?fy=2025")
    found = selectors.overview(datetime.date(2025, 6, 30))
    text = _text(response)
    assert "Reports: overview, FY2025" in text
    assert money_text(found.gross.current) in text
    assert '<option value="2025" selected>' in response.content.decode()
    # A year with no data, or nonsense, falls back to the current year.
    assert "overview, FY2026" in _text(board_client.get("/reports/?fy=1999"))
    assert "overview, FY2026" in _text(board_client.get("/reports/?fy=abc"))


def test_giving_over_time_shows_the_months_and_years_beside_their_charts(board_client, who):
    text = _text(board_client.get("/reports/over-time/?fy=2026"))
    for row in selectors.giving_by_month(2026):
        if row.month <= TODAY:
            assert f"{row.month:%b} {money_text(row.giving.gross)}" in text
    for row in selectors.giving_by_fiscal_year(2026):
        assert money_text(row.giving.net) in text
    assert "Money received by month, FY2026 against the year before" in text
    assert "So far (Jul–Mar)" in text
    assert text.count("data:image/svg+xml;base64,") == 0  # in the src, not the text
    html = board_client.get("/reports/over-time/").content.decode()
    assert html.count('src="data:image/svg+xml;base64,') == 2


def test_where_it_came_from_shows_each_breakdown(board_client, who):
    text = _text(board_client.get("/reports/sources/"))
    for selector in (selectors.by_appeal, selectors.by_fund, selectors.by_method):
        for row in selector(SO_FAR):
            assert f"{row.label} {money_text(row.giving.gross)}" in text, row.label
    for row in selectors.by_channel(SO_FAR):
        assert f"{row.label} {money_text(row.giving.gross)}" in text
    assert "Spring appeal brought in the most" in text


def test_donors_page_shows_retention_lists_pyramid_and_top_donors(board_client, who):
    text = _text(board_client.get("/reports/donors/"))
    found = selectors.retention(2026)
    assert f"{found.overall.numerator} of FY2025's {found.overall.denominator} donors" in text
    lybunt, sybunt = selectors.lybunt(2026), selectors.sybunt(2026)
    assert f"{lybunt.count} donor{'s' if lybunt.count != 1 else ''} who gave" in text
    assert money_text(lybunt.total) in text and money_text(sybunt.total) in text
    for row in lybunt.rows:
        assert f"{row.name} {money_text(row.total)}" in text
    top = selectors.top_donors(2026, limit=10)
    assert f"1 {top[0].name} {money_text(top[0].total)}" in text
    assert "Gain and loss of donors, FY2026 against FY2025" in text
    assert "LYBUNT" in text and "Last Year But Unfortunately Not This year" in text


def test_the_pyramid_shows_the_levels_staff_set(board_client, who):
    organisation_update(organisation=Organisation.current(), changes={"giving_levels": [50, 500]})
    levels = selectors.pyramid(2026)
    assert [level.lower for level in levels] == [None, 50, 500]
    rows = _csv(board_client, "pyramid")
    shown = [level for level in reversed(levels) if level.lower is not None or level.donors]
    labels = {50: "$50-$499", 500: "$500 and up", None: "Under $50"}
    assert [row[:3] for row in rows[1:]] == [
        [labels[level.lower and int(level.lower)], str(level.donors), f"{level.total:.2f}"]
        for level in shown
    ]
    text = _text(board_client.get("/reports/donors/"))
    assert "$500 and up" in text and "$50-$499" in text and "$5,000 and up" not in text


def test_hide_names_hides_them_on_the_page_and_in_its_downloads(board_client, who):
    top = selectors.top_donors(2026, limit=10)
    text = _text(board_client.get("/reports/donors/?names=hidden"))
    assert top[0].name not in text
    assert f"1 Donor 1 {money_text(top[0].total)}" in text
    rows = _csv(board_client, "top-donors", "&names=hidden")
    assert rows[1][:2] == ["1", "Donor 1"]
    assert all(not name.startswith(r.name) for r in top for _n, name, *_ in rows[1:])
    lybunt = _csv(board_client, "lybunt", "&names=hidden")
    assert [r[0] for r in lybunt[1:]] == [f"Donor {n}" for n in range(1, len(lybunt))]


def test_recurring_page_shows_the_plans(board_client, who):
    found = selectors.recurring(SO_FAR)
    text = _text(board_client.get("/reports/recurring/"))
    assert f"Active plans {found.active}" in text
    assert f"Monthly recurring revenue {money_text(found.monthly_recurring_revenue)}" in text


# Exports --------------------------------------------------------------------------------------


def test_the_csv_holds_the_pages_table(board_client, who):
    rows = _csv(board_client, "by-year")
    assert rows[0] == ["Fiscal year", "Received", "Refunds", "Fees", "Net", "Gifts", "Donors"]
    expected = [
        [f"FY{r.fiscal_year}" + (" (so far)" if r.fiscal_year == 2026 else "")]
        + [str(v) for v in (r.giving.gross, r.giving.refunds, r.giving.fees, r.giving.net)]
        + [str(r.giving.gifts), str(r.giving.donors)]
        for r in selectors.giving_by_fiscal_year(2026)
    ]
    assert rows[1:] == expected


def test_the_xlsx_holds_the_same_rows_as_numbers(board_client, who):
    response = board_client.get("/reports/lybunt.xlsx?fy=2026")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Donor", "Gave in FY2025")
    lybunt = selectors.lybunt(2026, limit=50)
    assert all(isinstance(total, int | float) for _name, total in values[1:])  # numbers
    assert [(name, Decimal(str(total))) for name, total in values[1:]] == [
        (r.name, r.total) for r in lybunt.rows
    ]


def test_a_formula_in_a_name_is_written_as_text(board_client, who, july_book):
    sly = july_book.person(first_name="=HYPERLINK(", last_name="evil)")
    july_book.give(sly, 90000, datetime.date(2026, 1, 2))
    july_book.settle()
    rows = _csv(board_client, "top-donors")
    assert rows[1][1].startswith("'=HYPERLINK(")
    sheet = load_workbook(
        io.BytesIO(board_client.get("/reports/top-donors.xlsx?fy=2026").content)
    ).active
    cell = sheet.cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value.startswith("'=HYPERLINK(")


def test_no_export_holds_contact_details(staff_client, who):
    for table in TABLES:
        content = staff_client.get(f"/reports/{table}.csv?fy=2026").content.decode()
        assert "@" not in content, table  # no emails
        assert "Main St" not in content and "10001" not in content, table


def test_the_pages_keep_scripts_locked_down_while_allowing_the_admins_styles(board_client):
    policy = board_client.get("/reports/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert "'unsafe-inline'" in directives["style-src"]  # admin templates' inline styles
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "data:" in directives["img-src"]  # the charts
