"""Donors by fiscal year: retention and gain/loss with the Fundraising Effectiveness Project's
definitions, LYBUNT and SYBUNT, the donor pyramid and top donors.

All of it reads donations.models.DonorYearTotal, one row per supporter and fiscal year that
the ledger keeps equal to the gifts on every write (and regroups on a merge or a new fiscal
year start): 100,000 donors' years rather than 1,000,000 gifts. Its rules are the ledger's
(reports.ledger): a donor 'gave in' a year when a counted gift was received in it
(gift_count > 0); a year's dollars are the money received in it less refunds dated in it, so
a refund in Y of a Y-1 gift lowers the donor's Y total (and may make an upgrade a downgrade).
Merged supporters have one set of rows, the survivor's.

Indexes used: one_total_per_year (supporter, fiscal_year) for the per-donor probes of earlier
years, year_total_by_year (fiscal_year, supporter) for one year's donors.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum

from core.models import Organisation
from crm.models import Supporter
from donations.models import ZERO, DonorYearTotal

YEARS = DonorYearTotal._meta.db_table
CATEGORIES = ("new", "recaptured", "upgraded", "same", "downgraded", "lapsed")


@dataclass(frozen=True)
class Category:
    donors: int = 0
    this_year: Decimal = ZERO  # the category's donors' total in Y
    last_year: Decimal = ZERO  # and in Y-1

    @property
    def change(self) -> Decimal:
        return self.this_year - self.last_year


@dataclass(frozen=True)
class Rate:
    numerator: Decimal | int
    denominator: Decimal | int

    @property
    def percent(self) -> Decimal | None:
        if not self.denominator:
            return None
        return (Decimal(self.numerator) * 100 / Decimal(self.denominator)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Retention:
    fiscal_year: int
    donors: int  # gave in Y
    last_year_donors: int  # gave in Y-1
    overall: Rate  # Y-1 donors who gave in Y / Y-1 donors
    new_donor: Rate  # of Y-1 donors whose first gift was in Y-1
    repeat_donor: Rate  # of Y-1 donors who had given before Y-1
    dollars: Rate  # retained donors' Y dollars / all Y-1 donors' Y-1 dollars
    categories: dict[str, Category] = field(default_factory=dict)


@dataclass(frozen=True)
class DonorRow:
    supporter_id: int
    name: str
    total: Decimal
    last_fiscal_year: int | None = None  # SYBUNT: the last year they gave in


@dataclass(frozen=True)
class DonorList:
    count: int
    total: Decimal
    rows: list[DonorRow]


@dataclass(frozen=True)
class Level:
    lower: Decimal | None  # None: below the lowest level (small gifts, or refunds outweighing)
    upper: Decimal | None  # the next level's lower bound, exclusive; None for the top
    donors: int
    total: Decimal


def _money(value) -> Decimal:
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(Decimal("0.01"))


def retention(fiscal_year: int) -> Retention:
    """One query: each donor of Y or Y-1 is given a category, then categories are summed."""
    y, y1 = fiscal_year, fiscal_year - 1
    # Whether a donor gave before Y-1 is one more aggregate of the same pass over the year
    # totals: an EXISTS per donor cost 70,000 index probes (twice: in the category and in
    # the grouping), and the planner, guessing a few hundred donors, sorted them on disk.
    sql = f"""
        WITH d AS (
            SELECT supporter_id,
                MAX(CASE WHEN fiscal_year = %s AND gift_count > 0 THEN 1 ELSE 0 END) AS gave_y,
                MAX(CASE WHEN fiscal_year = %s AND gift_count > 0 THEN 1 ELSE 0 END) AS gave_y1,
                MAX(CASE WHEN fiscal_year < %s AND gift_count > 0 THEN 1 ELSE 0 END)
                    AS gave_before,
                SUM(CASE WHEN fiscal_year = %s THEN total ELSE 0 END) AS total_y,
                SUM(CASE WHEN fiscal_year = %s THEN total ELSE 0 END) AS total_y1
            FROM {YEARS} WHERE fiscal_year <= %s GROUP BY supporter_id
        )
        SELECT CASE
                WHEN gave_y = 1 AND gave_y1 = 0 AND gave_before = 0 THEN 'new'
                WHEN gave_y = 1 AND gave_y1 = 0 THEN 'recaptured'
                WHEN gave_y = 1 AND total_y > total_y1 THEN 'upgraded'
                WHEN gave_y = 1 AND total_y = total_y1 THEN 'same'
                WHEN gave_y = 1 THEN 'downgraded'
                ELSE 'lapsed' END AS category,
            gave_before, COUNT(*), SUM(total_y), SUM(total_y1)
        FROM d WHERE gave_y = 1 OR gave_y1 = 1 GROUP BY 1, 2
    """  # noqa: S608 - table name from the model, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [y, y1, y1, y, y1, y])
        rows = cursor.fetchall()
    categories = {name: Category() for name in CATEGORIES}
    # Y-1 donors split by whether they had given before Y-1: [retained, all].
    first_timers, repeaters = [0, 0], [0, 0]
    for name, gave_before, donors, total_y, total_y1 in rows:
        before = categories[name]
        categories[name] = Category(
            before.donors + donors,
            before.this_year + _money(total_y),
            before.last_year + _money(total_y1),
        )
        if name in ("upgraded", "same", "downgraded", "lapsed"):
            group = repeaters if gave_before else first_timers
            group[1] += donors
            group[0] += donors if name != "lapsed" else 0
    retained = [categories[name] for name in ("upgraded", "same", "downgraded")]
    last_year_donors = first_timers[1] + repeaters[1]
    return Retention(
        fiscal_year=y,
        donors=sum(categories[name].donors for name in CATEGORIES if name != "lapsed"),
        last_year_donors=last_year_donors,
        overall=Rate(first_timers[0] + repeaters[0], last_year_donors),
        new_donor=Rate(*first_timers),
        repeat_donor=Rate(*repeaters),
        dollars=Rate(
            sum((c.this_year for c in retained), ZERO),
            sum((c.last_year for c in [*retained, categories["lapsed"]]), ZERO),
        ),
        categories=categories,
    )


def _gave(**years) -> Exists:
    return Exists(
        DonorYearTotal.objects.filter(
            supporter_id=OuterRef("supporter_id"), gift_count__gt=0, **years
        )
    )


def _names(ids: list[int], hide: bool) -> dict[int, str]:
    if hide:
        return {}
    return {pk: str(s) for pk, s in Supporter.objects.in_bulk(ids).items()}


def _listed(rows: list[tuple], hide_names: bool) -> list[DonorRow]:
    """rows: (supporter_id, total, last_fiscal_year); a hidden name reads 'Donor n'."""
    names = _names([row[0] for row in rows], hide_names)
    return [
        DonorRow(sid, names.get(sid, f"Donor {n}"), _money(total), year)
        for n, (sid, total, year) in enumerate(rows, start=1)
    ]


def lybunt(fiscal_year: int, *, limit: int | None = None, hide_names: bool = False) -> DonorList:
    """Gave Last Year But Unfortunately Not This year: gave in Y-1, not in Y; each with their
    Y-1 total, largest first."""
    found = DonorYearTotal.objects.filter(fiscal_year=fiscal_year - 1, gift_count__gt=0).filter(
        ~_gave(fiscal_year=fiscal_year)
    )
    summary = found.aggregate(count=Count("pk"), total=Sum("total"))  # one pass for both
    rows = found.order_by("-total", "supporter_id").values_list(
        "supporter_id", "total", "fiscal_year"
    )
    rows = list(rows[:limit] if limit is not None else rows)
    return DonorList(summary["count"], _money(summary["total"]), _listed(rows, hide_names))


def sybunt(fiscal_year: int, *, limit: int | None = None, hide_names: bool = False) -> DonorList:
    """Some Year But Unfortunately Not This year: gave in some year before Y-1 and in neither
    Y-1 nor Y (the LYBUNT apart); each with their total over the years before Y-1 and the
    last year they gave in, largest first."""
    earlier = fiscal_year - 1
    found = (
        DonorYearTotal.objects.filter(fiscal_year__lt=earlier)
        .filter(~_gave(fiscal_year__in=[earlier, fiscal_year]))
        .values("supporter_id")
        .annotate(given=Sum("total"), last=Max("fiscal_year", filter=Q(gift_count__gt=0)))
        .filter(last__isnull=False)
    )
    # Count and total in one pass over the grouped donors (each one's years before Y-1 are
    # exactly their `given`), not a count and a second read of their years.
    summary = found.aggregate(count=Count("supporter_id"), total=Sum("given"))
    rows = found.order_by("-given", "supporter_id").values_list("supporter_id", "given", "last")
    rows = list(rows[:limit] if limit is not None else rows)
    return DonorList(summary["count"], _money(summary["total"]), _listed(rows, hide_names))


def pyramid(fiscal_year: int, levels: list[int] | None = None) -> list[Level]:
    """Donors of the year by their year total, one row per level (lower bounds, any order;
    by default the organisation's giving levels, set by staff), plus a first row for donors
    below the lowest level; one query."""
    if levels is None:
        levels = Organisation.current().giving_levels
    bounds = sorted(Decimal(level) for level in levels)
    cases = " ".join(f"WHEN total >= %s THEN {index}" for index in reversed(range(len(bounds))))
    sql = (
        f"SELECT CASE {cases} ELSE -1 END AS level, COUNT(*), SUM(total) "  # noqa: S608
        f"FROM {YEARS} WHERE fiscal_year = %s AND gift_count > 0 GROUP BY 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*reversed(bounds), fiscal_year])
        found = {row[0]: (row[1], _money(row[2])) for row in cursor.fetchall()}
    uppers = [*bounds[1:], None]
    rows = [Level(None, bounds[0] if bounds else None, *found.get(-1, (0, ZERO)))]
    rows += [
        Level(lower, upper, *found.get(index, (0, ZERO)))
        for index, (lower, upper) in enumerate(zip(bounds, uppers, strict=True))
    ]
    return rows


def top_donors(fiscal_year: int, *, limit: int = 10, hide_names: bool = False) -> list[DonorRow]:
    """The year's largest donors by year total; hidden names read 'Donor 1', 'Donor 2'..."""
    rows = (
        DonorYearTotal.objects.filter(fiscal_year=fiscal_year, gift_count__gt=0)
        .order_by("-total", "supporter_id")
        .values_list("supporter_id", "total", "fiscal_year")[:limit]
    )
    return _listed(list(rows), hide_names)
