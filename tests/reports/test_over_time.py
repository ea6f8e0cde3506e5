import datetime

import pytest

from reports.selectors.over_time import giving_by_fiscal_year, giving_by_month
from tests.reports.scenario import D, build, money

pytestmark = pytest.mark.django_db


def month_end(first: datetime.date) -> datetime.date:
    return (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


def figures(book, start, end) -> tuple:
    """(gross, refunds, fees, net, gifts, donors), in plain Python over the rows."""
    gross, refunds, fees = book.gross(start, end), book.refunds(start, end), book.fees(start, end)
    good = book.good(start, end)
    return gross, refunds, fees, gross - refunds - fees, len(good), len({r.person for r in good})


def as_tuple(giving) -> tuple:
    return (giving.gross, giving.refunds, giving.fees, giving.net, giving.gifts, giving.donors)


def test_months_of_a_july_year_sit_beside_last_year(july_book):
    build(july_book)
    rows = giving_by_month(2026)
    assert [row.month for row in rows][:2] == [D(2025, 7, 1), D(2025, 8, 1)]
    assert rows[-1].month == D(2026, 6, 1) and rows[-1].last_year_month == D(2025, 6, 1)
    for row in rows:
        assert as_tuple(row.giving) == figures(july_book, row.month, month_end(row.month))
        before = row.last_year_month
        assert as_tuple(row.last_year) == figures(july_book, before, month_end(before))
    # Dan's June gift is in June 2025's gross, its refund in July 2025 (FY2026).
    assert rows[0].giving.refunds >= 500 and rows[-1].last_year.gross >= 540
    # Ken's gift on the year's last day is in June.
    assert rows[-1].giving.gross >= 30


def test_five_fiscal_years(july_book):
    build(july_book)
    rows = giving_by_fiscal_year(2026)
    assert [row.fiscal_year for row in rows] == [2022, 2023, 2024, 2025, 2026]
    for row in rows:
        start, end = july_book.fy_bounds(row.fiscal_year)
        assert (row.period.start, row.period.end) == (start, end)
        assert as_tuple(row.giving) == figures(july_book, start, end), row.fiscal_year
        good = july_book.good(start, end)
        assert good
        assert row.giving.average_gift == money(sum(r.amount for r in good) / len(good))


def test_calendar_years_and_empty_months(january_book):
    person = january_book.person()
    january_book.give(person, 10, D(2025, 1, 1))
    january_book.give(person, 20, D(2025, 12, 31))
    january_book.settle()  # a year's donors are read from the year totals, as build() leaves
    rows = giving_by_month(2025)
    assert [row.giving.gross for row in rows] == [10] + [0] * 10 + [20]
    assert all(row.last_year.gifts == 0 for row in rows)
    years = giving_by_fiscal_year(2025, count=2)
    assert [(row.fiscal_year, row.giving.gross, row.giving.donors) for row in years] == [
        (2024, 0, 0),
        (2025, 30, 1),
    ]


def test_months_without_donors_keep_every_other_figure(july_book):
    # The page's months show money only, so it skips the donors' distinct count.
    build(july_book)
    counted = giving_by_month(2026)
    uncounted = giving_by_month(2026, donors=False)
    assert all(row.giving.donors is None and row.last_year.donors is None for row in uncounted)
    for full, lean in zip(counted, uncounted, strict=True):
        assert as_tuple(lean.giving)[:5] == as_tuple(full.giving)[:5]
        assert as_tuple(lean.last_year)[:5] == as_tuple(full.last_year)[:5]
