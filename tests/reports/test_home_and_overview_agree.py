"""The staff home's 'this fiscal year so far' and the report overview show the same money, as
both pages render it, and that money is what plain Python over the test's own rows gives
(tests.reports.conftest.Book, written apart from reports/): refunds on their own date,
refunded and failed gifts' money as the ledger counts it, fees with their gift."""

import datetime
import re

import pytest

from core.money import money_text
from tests.reports.scenario import TODAY, build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scenario_day")]

D = datetime.date
THIS = (D(2025, 7, 1), TODAY)  # FY2026 so far
LAST = (D(2024, 7, 1), D(2025, 3, 15))  # FY2025 to the same day


def _home(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert match, name
    return match.group(1).strip()


def _overview(html: str, key: str) -> tuple[str, str]:
    """(this year, last year) of one overview figure as the page shows them."""
    block = re.search(rf'data-figure="{key}">(.*?)<p class="help">', html, re.S)
    assert block, key
    now = re.search(r'<div class="n">([^<]*)</div>', block.group(1)).group(1).strip()
    before = re.search(r"Last year: ([^<]*)</div>", block.group(1)).group(1).strip()
    return now, before


def test_the_staff_home_and_the_overview_show_the_same_year_to_date(july_book, staff_client):
    build(july_book, crowd=12)
    who = july_book.person
    # 1. Given in FY2025 after its same point, partly refunded in FY2026: the refund lowers
    #    this year, the gift stays in last year's full year (not in its year to date).
    across = july_book.give(who(), 600, D(2025, 6, 28), fee="17.70", method="card")
    july_book.refund(across, 250, D(2025, 7, 2))
    # 2. Given in FY2024, refunded within last year's year to date.
    old = july_book.give(who(), 120, D(2024, 6, 30))
    july_book.refund(old, 20, D(2024, 7, 2))
    # 3. Refunded in full in this year to date: its money in, then out again.
    whole = july_book.give(who(), 90, D(2025, 8, 8), fee="2.91", method="card")
    july_book.refund(whole, 90, D(2025, 8, 9))
    # 4. Never money: failed and pending gifts; and a gift the day after last year's point.
    july_book.give(who(), 5000, D(2025, 9, 1), status="failed")
    july_book.give(who(), 700, D(2024, 9, 1), status="pending")
    july_book.give(who(), 45, D(2025, 3, 16))
    july_book.settle()

    home = staff_client.get("/admin/").content.decode()
    overview = staff_client.get("/reports/?fy=2026").content.decode()

    for (start, end), side in ((THIS, 0), (LAST, 1)):
        gross = july_book.gross(start, end)
        refunds = july_book.refunds(start, end)
        fees = july_book.fees(start, end)
        expected = {
            "gross": gross,
            "refunds": refunds,
            "fees": fees,
            "net": gross - refunds - fees,
        }
        prefix = "year" if side == 0 else "year-last"
        shown_home = {
            "gross": _home(home, "year-raised" if side == 0 else "year-last"),
            "refunds": _home(home, f"{prefix}-refunds"),
            "fees": _home(home, f"{prefix}-fees"),
            "net": _home(home, f"{prefix}-net"),
        }
        for key, amount in expected.items():
            assert shown_home[key] == money_text(amount), (key, side)
            assert _overview(overview, key)[side] == money_text(amount), (key, side)
    # The refund across the boundary is in this year's refunds, not last year's.
    assert july_book.refunds(*THIS) >= 250 + 90
    change = july_book.gross(*THIS) - july_book.gross(*LAST)
    assert _home(home, "year-change") == ("+" if change > 0 else "") + money_text(change)
