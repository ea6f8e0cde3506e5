"""The board packet: every report page for a fiscal year in one PDF, read back as text with
pdftotext; the same access rules as the pages; names hidden on asking."""

import datetime
import subprocess

import pytest

from core.money import money_text
from reports import pages, selectors

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scenario_day")]


def _pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="board-report-FY2026.pdf"'
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", "-", "-"],
        input=response.content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return " ".join(text.split())


def test_the_packet_holds_every_page_of_the_year(board_client, who):
    text = _pdf_text(board_client.get("/reports/board.pdf?fy=2026"))
    found = selectors.overview(datetime.date(2026, 3, 15))
    assert "Board report, FY2026" in text
    assert f"{money_text(found.gross.current).split('.')[0]}" in text
    assert money_text(found.net.current) in text and money_text(found.gross.previous) in text
    for heading in ("Giving over time", "Where it came from", "Donors", "Recurring gifts"):
        assert heading in text
    year = pages.year(2026, datetime.date(2026, 3, 15))
    charts = [c for build in (pages.over_time, pages.sources, pages.donors)
              for c in build(year).charts.values()]  # fmt: skip
    assert len(charts) == 6
    for chart in charts:  # each chart with its title and takeaway in words
        assert " ".join(chart.title.split()) in text
        assert " ".join(chart.takeaway.split()) in text
    top = selectors.top_donors(2026, limit=10)
    assert top[0].name in text and money_text(top[0].total) in text
    lybunt = selectors.lybunt(2026)
    assert f"LYBUNT: {lybunt.count} donors, {money_text(lybunt.total)}" in text
    assert "Page 1 of" in text


def test_the_packet_hides_names_when_asked(board_client, who):
    top = selectors.top_donors(2026, limit=10)
    text = _pdf_text(board_client.get("/reports/board.pdf?fy=2026&names=hidden"))
    assert top[0].name not in text and "Donor 1" in text
    assert "Donors' names are hidden." in text


def test_the_packet_follows_the_pages_access_rules(outsider, staff, who):
    from django.test import Client

    visitor = Client()
    assert visitor.get("/reports/board.pdf").status_code == 302  # to sign-in
    visitor.force_login(outsider)
    assert visitor.get("/reports/board.pdf").status_code == 403
    visitor.force_login(staff)
    assert visitor.get("/reports/board.pdf?fy=2026").status_code == 200
    assert visitor.post("/reports/board.pdf").status_code == 405
