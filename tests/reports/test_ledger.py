import datetime

import pytest

from reports import ledger
from reports.ledger import Period
from tests.reports.scenario import D, build, money

pytestmark = pytest.mark.django_db


def test_fiscal_year_from_july(july_book):
    assert ledger.fiscal_year_of(D(2025, 7, 1)) == 2026
    assert ledger.fiscal_year_of(D(2025, 6, 30)) == 2025
    assert ledger.fiscal_year(2026) == Period(D(2025, 7, 1), D(2026, 6, 30))
    assert ledger.year_to_date(D(2026, 3, 15)) == Period(D(2025, 7, 1), D(2026, 3, 15))
    assert ledger.same_period_last_year(D(2026, 3, 15)) == Period(D(2024, 7, 1), D(2025, 3, 15))


def test_calendar_fiscal_year_and_leap_day(january_book):
    assert ledger.fiscal_year(2024) == Period(D(2024, 1, 1), D(2024, 12, 31))
    assert ledger.same_period_last_year(D(2024, 2, 29)) == Period(D(2023, 1, 1), D(2023, 2, 28))


def test_a_refund_across_the_year_boundary_counts_in_each_year(july_book):
    dan = july_book.person()
    row = july_book.give(dan, 500, D(2025, 6, 15), fee="14.80")  # FY2025's last month
    july_book.refund(row, 500, D(2025, 7, 10))  # FY2026
    july_book.give(dan, 40, D(2025, 6, 30))  # FY2025's last day
    july_book.give(dan, 25, D(2025, 7, 1))  # FY2026's first day
    fy25, fy26 = ledger.raised(ledger.fiscal_year(2025)), ledger.raised(ledger.fiscal_year(2026))
    assert (fy25.gross, fy25.refunds, fy25.fees, fy25.net) == (540, 0, money("14.80"),
                                                               money("525.20"))  # fmt: skip
    assert (fy26.gross, fy26.refunds, fy26.fees, fy26.net) == (25, 500, 0, -475)
    # The refunded gift is no gift: FY2025 has one gift, the last day's.
    assert ledger.period_figures([ledger.fiscal_year(2025)])[0]["gifts"] == 1


def test_raised_matches_the_rows_in_every_month(july_book):
    build(july_book)
    for year in range(2022, 2027):
        for month in range(1, 13):
            start = D(year, month, 1)
            end = D(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)
            got = ledger.raised(Period(start, end))
            gross = july_book.gross(start, end)
            refunds = july_book.refunds(start, end)
            fees = july_book.fees(start, end)
            assert (got.gross, got.refunds, got.fees) == (gross, refunds, fees), start
            assert got.net == gross - refunds - fees


def test_change_is_absolute_and_percent_and_none_from_zero():
    assert ledger.change(150, 100) == (50, 50)
    assert ledger.change(money("1.00"), money("3.00")) == (money("-2.00"), money("-66.7"))
    assert ledger.change(10, 0) == (10, None)
    assert ledger.change(None, 5) == (None, None)
