import statistics
from decimal import Decimal

import pytest

from reports.selectors.overview import overview
from tests.reports.scenario import TODAY, D, build, money

pytestmark = pytest.mark.django_db


def expected(book, start, end, base_start, base_end) -> dict:
    """Every overview figure for one period, in plain Python over the generated rows."""
    good = book.good(start, end)
    amounts = [r.amount for r in good]
    gross, refunds, fees = book.gross(start, end), book.refunds(start, end), book.fees(start, end)
    firsts = book.first_gift()
    base = book.donors(base_start, base_end)
    return {
        "gross": gross,
        "refunds": refunds,
        "fees": fees,
        "net": gross - refunds - fees,
        "gifts": len(good),
        "donors": len({r.person for r in good}),
        "average_gift": money(sum(amounts) / len(amounts)) if amounts else None,
        "median_gift": money(statistics.median(amounts)) if amounts else None,
        "new_donors": len({p for p, day in firsts.items() if start <= day <= end}),
        "recurring_revenue": sum((r.amount for r in good if r.recurring), Decimal(0)),
        "retention": (
            (Decimal(len(base & book.donors(start, end))) * 100 / len(base)).quantize(
                Decimal("0.1")
            )
            if base
            else None
        ),
    }


def test_every_figure_matches_an_independent_count(july_book):
    build(july_book)
    got = overview(TODAY)
    assert got.fiscal_year == 2026
    now = expected(july_book, D(2025, 7, 1), TODAY, D(2024, 7, 1), D(2025, 6, 30))
    before = expected(july_book, D(2024, 7, 1), D(2025, 3, 15), D(2023, 7, 1), D(2024, 6, 30))
    for name in now:
        figure = getattr(got, name)
        assert (figure.current, figure.previous) == (now[name], before[name]), name
        if now[name] is not None and before[name]:
            assert figure.change == now[name] - before[name], name
            percent = Decimal(now[name] - before[name]) * 100 / Decimal(before[name])
            assert figure.change_percent == percent.quantize(Decimal("0.1")), name


def test_the_edge_cases_land_where_they_should(july_book):
    who = build(july_book, crowd=0)
    got = overview(TODAY)
    # Dan's June gift refunded in July: the refund lowers this year, not last.
    assert got.refunds.current == 500 + 100 + 90  # dan, grace's part, judy's whole gift
    # Alice's gift on the first day counts; Ivan's tomorrow and Ken's 30 June do not.
    assert got.gross.current == 200 + 300 + 25 + 25 + 80 + 20 + 400 + 60 + 90
    # Counted gifts: no failed, pending or refunded one (frank, judy).
    assert got.gifts.current == 8
    # Donors: alice, carol, eve (both records, merged), grace, heidi.
    assert got.donors.current == 5
    # New: carol and grace; eve gave in 2023 under her other record; judy's gift was refunded.
    assert got.new_donors.current == 2
    assert got.recurring_revenue.current == 50
    # FY2025's donors: alice, bob, dan (last day), heidi, lena; alice and heidi came back.
    assert got.retention.current == Decimal("40.0")
    assert who["eve2"].pk not in {r.person for r in july_book.rows}


def test_nothing_last_year_gives_no_percent(january_book):
    person = january_book.person()
    january_book.give(person, 10, D(2026, 1, 1))
    january_book.settle()
    got = overview(D(2026, 2, 1))
    assert got.gross.current == 10 and got.gross.previous == 0
    assert got.gross.change == 10 and got.gross.change_percent is None
    assert got.average_gift.previous is None and got.average_gift.change is None
    assert got.retention.current is None
