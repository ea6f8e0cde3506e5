from decimal import Decimal

import pytest

from core.models import Organisation
from core.services import organisation_update
from crm.models import Supporter
from reports.selectors.donors import lybunt, pyramid, retention, sybunt, top_donors
from reports.tables import pyramid_table
from tests.reports.scenario import build

pytestmark = pytest.mark.django_db
Y = 2026


def gave(book, person, year) -> bool:
    return person in book.donors(*book.fy_bounds(year))


def people(book) -> set[int]:
    return {r.person for r in book.rows}


def gave_before(book, person, year) -> bool:
    return any(gave(book, person, y) for y in range(2015, year))


def categories(book, year) -> dict[int, str]:
    """Each donor of Y or Y-1 in its FEP category, in plain Python."""
    found = {}
    for p in people(book):
        now, last = gave(book, p, year), gave(book, p, year - 1)
        if now and not last:
            found[p] = "recaptured" if gave_before(book, p, year - 1) else "new"
        elif now and last:
            this, prior = book.year_total(p, year), book.year_total(p, year - 1)
            found[p] = "upgraded" if this > prior else "same" if this == prior else "downgraded"
        elif last:
            found[p] = "lapsed"
    return found


def percent(part, whole):
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")) if whole else None


def test_hand_placed_donors_fall_in_their_categories(july_book):
    who = build(july_book, crowd=0)
    got = retention(Y)
    mine = categories(july_book, Y)
    assert mine[who["alice"].pk] == "upgraded"
    assert mine[who["heidi"].pk] == "same"
    assert mine[who["lena"].pk] == "downgraded"
    assert mine[who["bob"].pk] == mine[who["dan"].pk] == "lapsed"  # dan's refund is in Y
    assert mine[who["eve"].pk] == "recaptured"  # via her merged record's gifts
    assert {who[n].pk for n in ("carol", "grace", "ivan", "ken")} == {
        p for p, c in mine.items() if c == "new"
    }
    assert who["judy"].pk not in mine and who["frank"].pk not in mine
    counts = {name: got.categories[name].donors for name in got.categories}
    assert counts == {
        "new": 4, "recaptured": 1, "upgraded": 1, "same": 1, "downgraded": 1, "lapsed": 2
    }  # fmt: skip
    assert got.categories["lapsed"].last_year == 50 + 540
    assert got.categories["lapsed"].this_year == -500  # dan's refund of his June gift
    assert got.overall.percent == Decimal("60.0")  # 3 of alice, bob, dan, heidi, lena


def test_retention_and_gain_loss_match_plain_python(july_book):
    build(july_book)
    for year in (2024, 2025, 2026):
        got = retention(year)
        mine = categories(july_book, year)
        for name, category in got.categories.items():
            members = [p for p, c in mine.items() if c == name]
            assert category.donors == len(members), (year, name)
            assert category.this_year == sum(
                (july_book.year_total(p, year) for p in members), Decimal(0)
            ), (year, name)
            assert category.last_year == sum(
                (july_book.year_total(p, year - 1) for p in members), Decimal(0)
            ), (year, name)
        last = [p for p in people(july_book) if gave(july_book, p, year - 1)]
        kept = [p for p in last if gave(july_book, p, year)]
        first_timers = [p for p in last if not gave_before(july_book, p, year - 1)]
        repeaters = [p for p in last if gave_before(july_book, p, year - 1)]
        assert got.last_year_donors == len(last)
        assert got.donors == len([p for p in people(july_book) if gave(july_book, p, year)])
        assert got.overall.percent == percent(len(kept), len(last))
        assert got.new_donor.percent == percent(
            len([p for p in first_timers if p in kept]), len(first_timers)
        )
        assert got.repeat_donor.percent == percent(
            len([p for p in repeaters if p in kept]), len(repeaters)
        )
        kept_dollars = sum((july_book.year_total(p, year) for p in kept), Decimal(0))
        last_dollars = sum((july_book.year_total(p, year - 1) for p in last), Decimal(0))
        assert got.dollars.percent == percent(kept_dollars, last_dollars)


def test_lybunt_and_sybunt(july_book):
    who = build(july_book)
    everyone = people(july_book)
    lapsed = {p for p in everyone if gave(july_book, p, Y - 1) and not gave(july_book, p, Y)}
    some_year = {
        p
        for p in everyone
        if gave_before(july_book, p, Y - 1) and not gave(july_book, p, Y - 1)
        and not gave(july_book, p, Y)
    }  # fmt: skip
    got = lybunt(Y)
    assert {row.supporter_id for row in got.rows} == lapsed and got.count == len(lapsed)
    assert {who["bob"].pk, who["dan"].pk} <= lapsed
    assert got.total == sum((july_book.year_total(p, Y - 1) for p in lapsed), Decimal(0))
    assert [row.total for row in got.rows] == sorted((r.total for r in got.rows), reverse=True)
    assert got.rows[0].name == str(Supporter.objects.get(pk=got.rows[0].supporter_id))
    got = sybunt(Y, limit=3)
    assert got.count == len(some_year) and who["mia"].pk in some_year
    assert who["eve"].pk not in some_year  # she came back this year
    before = {p: sum((july_book.year_total(p, y) for y in range(2015, Y - 1)), Decimal(0))
              for p in some_year}  # fmt: skip
    assert got.total == sum(before.values(), Decimal(0))
    assert len(got.rows) == 3
    assert [row.total for row in got.rows] == sorted(before.values(), reverse=True)[:3]
    row = next(r for r in sybunt(Y).rows if r.supporter_id == who["mia"].pk)
    assert (row.total, row.last_fiscal_year) == (75, 2024)


def test_pyramid_with_default_and_staff_levels(july_book):
    build(july_book)
    totals = [july_book.year_total(p, Y) for p in people(july_book) if gave(july_book, p, Y)]
    for levels in ([1, 250, 1000, 5000], [100, 10]):
        got = pyramid(Y, levels) if levels != [1, 250, 1000, 5000] else pyramid(Y)
        bounds = sorted(Decimal(x) for x in levels)
        edges = [None, *bounds]
        assert [row.lower for row in got] == edges
        for row, upper in zip(got, [*bounds, None], strict=True):
            lower = row.lower if row.lower is not None else Decimal("-1e12")
            inside = [t for t in totals if t >= lower and (upper is None or t < upper)]
            assert (row.donors, row.total, row.upper) == (len(inside), sum(inside), upper)
        assert sum(row.donors for row in got) == len(totals)


def test_pyramid_uses_the_levels_staff_set(july_book):
    build(july_book)
    levels = {"giving_levels": [20, 75, 400]}
    organisation_update(organisation=Organisation.current(), changes=levels)
    totals = [july_book.year_total(p, Y) for p in people(july_book) if gave(july_book, p, Y)]
    # Counted here level by level, from the top: each donor in the highest level reached.
    expected = {400: [], 75: [], 20: [], None: []}
    for total in totals:
        level = next((bound for bound in (400, 75, 20) if total >= bound), None)
        expected[level].append(total)
    got = pyramid(Y)  # no levels given: the organisation's
    assert [(row.lower, row.upper) for row in got] == [
        (None, 20), (20, 75), (75, 400), (400, None),
    ]  # fmt: skip
    for row in got:
        inside = expected[None if row.lower is None else int(row.lower)]
        assert (row.donors, row.total) == (len(inside), sum(inside, Decimal(0))), row.lower
    assert all(expected.values())  # the scenario puts somebody in every level
    labels = [row[0] for row in pyramid_table(got, Y).rows]
    assert labels == ["$400 and up", "$75-$399", "$20-$74", "Under $20"]


def test_top_donors_with_names_hidden(july_book):
    build(july_book)
    expected = sorted(
        ((july_book.year_total(p, Y), p) for p in people(july_book) if gave(july_book, p, Y)),
        key=lambda item: (-item[0], item[1]),
    )[:5]
    shown = top_donors(Y, limit=5)
    assert [(r.total, r.supporter_id) for r in shown] == expected
    assert shown[0].name == str(Supporter.objects.get(pk=expected[0][1]))
    hidden = top_donors(Y, limit=5, hide_names=True)
    assert [r.name for r in hidden] == ["Donor 1", "Donor 2", "Donor 3", "Donor 4", "Donor 5"]
