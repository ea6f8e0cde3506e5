"""The counting rules of every report, in one place.

- Money in (gross) is the amount of gifts whose money was received (donations.summary.RECEIVED:
  succeeded, partly refunded, disputed, and refunded), on the day received. A refund is a
  donations.models.Refund row and lowers the period of ITS date, so a June gift refunded in
  July counts in June's gross and lowers July's net; a fully refunded gift therefore adds to its
  own period's gross and its refund takes the same money away (in the same period when it was
  refunded at once). Counting only COUNTED gifts in gross would take a refund away twice.
- Fees are Stripe's fee of those gifts, in the period the gift was received (Stripe keeps its
  fee on a refund). Net = gross - refunds - fees.
- Gifts, donors, average and median gift count only COUNTED gifts (donations.summary.COUNTED):
  refunded, failed and pending gifts are never gifts and make nobody a donor.
- Donors are distinct supporter ids: a merge moves the merged record's gifts to the survivor
  (crm.services.supporters_merge), so a merged person counts once.
- Periods are closed date ranges [start, end]. Fiscal years are named by the calendar year
  they end in (core.models.Organisation.fiscal_year_of).
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from core.models import Organisation
from donations import giving_days
from donations.models import ZERO, DonorSummary, DonorYearTotal, Gift, GivingDay, Refund
from donations.summary import COUNTED, RECEIVED

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    def shifted_back(self, years: int = 1) -> "Period":
        return Period(years_before(self.start, years), years_before(self.end, years))


@dataclass(frozen=True)
class Raised:
    gross: Decimal
    refunds: Decimal
    fees: Decimal
    net: Decimal


def years_before(day: datetime.date, years: int = 1) -> datetime.date:
    """The same day `years` earlier; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def fiscal_year_of(day: datetime.date) -> int:
    return Organisation.current().fiscal_year_of(day)


def fiscal_year(year: int) -> Period:
    """First and last day of fiscal year `year`."""
    return Period(*Organisation.current().fiscal_year_bounds(year))


def year_to_date(today: datetime.date) -> Period:
    """From the first day of today's fiscal year to today."""
    return year_to_date_and_last(today)[1]


def same_period_last_year(today: datetime.date) -> Period:
    """Last fiscal year from its first day to the same day a year before `today`."""
    return year_to_date_and_last(today)[2]


def year_to_date_and_last(today: datetime.date) -> tuple[int, Period, Period]:
    """Today's fiscal year, its first day to today, and the same period a year before: what
    the staff home and the overview compare, reading the organisation once."""
    organisation = Organisation.current()
    year = organisation.fiscal_year_of(today)
    this = Period(organisation.fiscal_year_bounds(year)[0], today)
    return year, this, this.shifted_back()


def raised(period: Period) -> Raised:
    """Gross received, refunds dated in the period, fees and net: two queries."""
    return raised_by_period([period])[0]


def raised_by_period(periods: list[Period]) -> list[Raised]:
    """Raised in each period, two queries for all of them: the money received, from the days'
    totals (donations.models.GivingDay: a few hundred rows a year, kept equal to the gifts by
    the database), then the refunds. The staff home's year to date reads this; the overview
    (period_figures) sums the gifts themselves by the same rules and the same refunds query,
    grouped by amount for its medians, so the two pages always show the same money."""
    sums = {}
    for n, p in enumerate(periods):
        inside = Q(day__range=(p.start, p.end))
        sums |= {
            f"gross{n}": Sum("gross_cents", filter=inside),
            f"fees{n}": Sum("fee_cents", filter=inside),
        }
    money = GivingDay.objects.filter(_in_some_period(periods, "day")).aggregate(
        **sums, rows=Count("pk"), days=Count("day", distinct=True)
    )
    giving_days.fold_if_piled_up(money["rows"] - money["days"])
    refunds = _refunds_by_period(periods)
    return [
        _raised(
            giving_days.from_cents(money[f"gross{n}"]),
            refunds[f"refunds{n}"],
            giving_days.from_cents(money[f"fees{n}"]),
        )
        for n, _ in enumerate(periods)
    ]


def _raised(gross: Decimal | None, refunds: Decimal | None, fees: Decimal | None) -> Raised:
    gross, refunds, fees = gross or ZERO, refunds or ZERO, fees or ZERO
    return Raised(gross=gross, refunds=refunds, fees=fees, net=gross - refunds - fees)


def _received(periods: list[Period]):
    """The money-in (RECEIVED) gifts of the periods: one range of index gift_received_on."""
    return Gift.objects.filter(
        _in_some_period(periods), status__in=RECEIVED, received_on__range=_span(periods)
    )


def _money_sum(n: int, period: Period) -> dict:
    inside = Q(received_on__range=(period.start, period.end))
    return {f"gross{n}": Sum("amount", filter=inside), f"fees{n}": Sum("fee", filter=inside)}


def _refunds_by_period(periods: list[Period]) -> dict:
    """refunds{n}: refunds dated in each period, whatever the day of their gift; one query."""
    return Refund.objects.filter(refunded_on__range=_span(periods)).aggregate(
        **{
            f"refunds{n}": Sum("amount", filter=Q(refunded_on__range=(p.start, p.end)))
            for n, p in enumerate(periods)
        }
    )


def _median_of_counts(counts: list[tuple[Decimal, int]]) -> Decimal | None:
    """The median of amounts given as (amount, how many times) in amount order: the middle
    one, or the mean of the middle two to the cent (half to even)."""
    total = sum(n for _, n in counts)
    if not total:
        return None
    wanted = sorted({(total - 1) // 2, total // 2})  # the middle one, or the middle two
    found, seen = [], 0
    for amount, n in counts:
        while wanted and wanted[0] < seen + n:
            found.append(amount)
            wanted.pop(0)
        seen += n
    return found[0] if len(found) == 1 else ((found[0] + found[1]) / 2).quantize(CENT)


def _span(periods: list[Period]) -> tuple[datetime.date, datetime.date]:
    return min(p.start for p in periods), max(p.end for p in periods)


def _in_some_period(periods: list[Period], field: str = "received_on") -> Q:
    inside = Q()
    for p in periods:
        inside |= Q(**{f"{field}__range": (p.start, p.end)})
    return inside


@contextmanager
def report_queries() -> Iterator[None]:
    """A transaction whose queries PostgreSQL plans for the reports' large reads:

    1. Each run planned for its own dates (plan_cache_mode): statements are prepared
       (config/settings.py), and after five runs PostgreSQL may keep a generic plan that does
       not know the dates and reads the ranges three times slower (0.1 s -> 0.35 s at a
       million gifts).
    2. Room to sort and hash in memory (work_mem, this transaction only): a year of gifts
       grouped with distinct donors sorted ~30 MB on disk at the default 4 MB.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # SET LOCAL, twice in one statement (is_local = true). JIT stays on: these
                # aggregate hundreds of thousands of rows, and compiling paid for itself.
                cursor.execute(
                    "SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
                    "set_config('work_mem', '64MB', true)"
                )
        yield


def period_figures(periods: list[Period], base_years: list[int] | None = None) -> list[dict]:
    """For each period: gross, refunds, fees, net, gifts, donors, counted_total, recurring
    (counted gifts through a plan), median_gift and new_donors; with `base_years` (one fiscal
    year per period) also base_donors (donors of that year) and retained (those of them who
    gave in the period). Five queries for all the periods together, whatever their number.

    The gifts of the periods are read twice, each time by one hash aggregation over the
    range of index gift_received_on (which carries the columns read, so no table row is
    fetched), with no sort: once grouped by amount (money, counts, and each period's amounts
    with how often they occur, from which the median is found here), once grouped by donor
    (who gave in which period, then counted against the base years' donors). Distinct counts
    and percentiles in one pass sorted their input once per figure, past memory."""
    with report_queries():
        return _period_figures(periods, base_years)


def _period_figures(periods: list[Period], base_years: list[int] | None) -> list[dict]:
    span = _span(periods)
    # The money is raised_by_period's (same gifts, same sums, same refunds), grouped by
    # amount here so that the counts and medians come from the same single pass.
    by_amount: dict = {}
    for n, p in enumerate(periods):
        counted = Q(received_on__range=(p.start, p.end)) & Q(status__in=COUNTED)
        by_amount |= _money_sum(n, p) | {
            f"gifts{n}": Count("amount", filter=counted),
            f"recurring{n}": Count("amount", filter=counted & Q(recurring__isnull=False)),
        }
    amounts = list(_received(periods).values("amount").annotate(**by_amount).order_by("amount"))
    found = _donors(periods, base_years)
    found |= _refunds_by_period(periods)
    found |= DonorSummary.objects.filter(first_gift_on__range=span).aggregate(
        **{
            f"new_donors{n}": Count("pk", filter=Q(first_gift_on__range=(p.start, p.end)))
            for n, p in enumerate(periods)
        }
    )
    result = []
    for n, _ in enumerate(periods):
        money = _raised(
            sum((r[f"gross{n}"] or ZERO for r in amounts), ZERO),
            found[f"refunds{n}"],
            sum((r[f"fees{n}"] or ZERO for r in amounts), ZERO),
        )
        row = {
            "gross": money.gross,
            "fees": money.fees,
            "refunds": money.refunds,
            "net": money.net,
            "gifts": sum(r[f"gifts{n}"] for r in amounts),
            "donors": found[f"donors{n}"],
            "counted_total": sum((r["amount"] * r[f"gifts{n}"] for r in amounts), ZERO),
            "recurring": sum((r["amount"] * r[f"recurring{n}"] for r in amounts), ZERO),
            "new_donors": found[f"new_donors{n}"],
            "median_gift": _median_of_counts([(r["amount"], r[f"gifts{n}"]) for r in amounts]),
        }
        if base_years:
            row["retained"], row["base_donors"] = found[f"retained{n}"], found[f"base{n}"]
        result.append(row)
    return result


def _donors(periods: list[Period], base_years: list[int] | None) -> dict:
    """donors{n} per period; with base years also base{n} (the year's donors, from the ledger's
    year totals: a counted gift received in it) and retained{n} (those who gave in period n).
    One query: each donor's periods by one hash aggregation over the gifts, and the base
    years' donors as a second branch of the same grouping."""
    cases, params = [], []
    for p in periods:
        cases.append("MAX(CASE WHEN received_on BETWEEN %s AND %s THEN 1 ELSE 0 END)")
        params += [p.start, p.end]
    anywhere = " OR ".join(["received_on BETWEEN %s AND %s"] * len(periods))
    marks = ", ".join(["%s"] * len(COUNTED))
    flags = ", ".join(f"{case} AS d{n}" for n, case in enumerate(cases))
    # Table names from the models, values as parameters.
    gifts_sql = (
        f"SELECT supporter_id, {flags} FROM {Gift._meta.db_table} "  # noqa: S608
        f"WHERE status IN ({marks}) AND received_on BETWEEN %s AND %s AND ({anywhere}) "
        "GROUP BY supporter_id"
    )
    params += [*(str(status) for status in COUNTED), *_span(periods)]
    params += [day for p in periods for day in (p.start, p.end)]
    outer, outer_params = [f"SUM(d{n})" for n in range(len(periods))], []
    if base_years:
        # IN over the base year's donors: PostgreSQL hashes each year's list once.
        years = DonorYearTotal._meta.db_table
        for n, year in enumerate(base_years):
            outer.append(
                f"SUM(CASE WHEN d{n} = 1 AND supporter_id IN (SELECT supporter_id "  # noqa: S608
                f"FROM {years} WHERE fiscal_year = %s AND gift_count > 0) THEN 1 ELSE 0 END)"
            )
            outer_params.append(year)
    sql = f"SELECT {', '.join(outer)} FROM ({gifts_sql}) AS by_donor"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*outer_params, *params])
        row = cursor.fetchone()
    n_periods = len(periods)
    found = {f"donors{n}": int(row[n] or 0) for n in range(n_periods)}
    if base_years:
        found |= {f"retained{n}": int(row[n_periods + n] or 0) for n in range(n_periods)}
        counts = donors_by_fiscal_year(base_years)
        found |= {f"base{n}": counts[year] for n, year in enumerate(base_years)}
    return found


def donors_by_fiscal_year(years: list[int]) -> dict[int, int]:
    """Each whole fiscal year's donors (a counted gift received in it), from the donors' year
    totals (donations.summary keeps them equal to the gifts: gift_count counts the year's
    gifts not refunded in full), by index year_total_by_year alone: a distinct count over the
    gifts sorted every gift of the years."""
    found = (
        DonorYearTotal.objects.filter(fiscal_year__in=years, gift_count__gt=0)
        .values("fiscal_year")
        .annotate(n=Count("supporter"))
        .order_by()
    )
    counts = dict(found.values_list("fiscal_year", "n"))
    return {year: counts.get(year, 0) for year in years}


def change(current: Decimal | int | None, previous: Decimal | int | None) -> tuple:
    """(absolute change, percent change to one decimal); percent is None when previous is 0."""
    if current is None or previous is None:
        return None, None
    difference = current - previous
    if not previous:
        return difference, None
    percent = (Decimal(difference) * 100 / Decimal(previous)).quantize(Decimal("0.1"))
    return difference, percent
