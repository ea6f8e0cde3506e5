"""Donor summaries: each supporter's giving, recomputed from their gifts after every write.

Counted gifts are those whose money the organisation holds or expects to keep: succeeded,
partly refunded, and disputed (until the dispute is lost). A gift counts at its amount less
refunds, so a full refund removes it from every figure.

Fiscal-year totals follow the calendar of the money: a gift adds to the year it was received
and each of its refunds (donations.models.Refund) takes away from the year it was made, so a
January refund of a December gift lowers January's year, and a year may end below zero.

The rows are written with upserts (INSERT ... ON CONFLICT DO UPDATE) after a lock on the
supporters' rows, so two events for one donor committing together neither collide on the
primary key nor leave a summary that misses the other's gift.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from itertools import islice

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Exists, OuterRef, Q

from core.models import Organisation
from crm.models import Supporter
from donations import reference
from donations.models import ZERO, DonorSummary, DonorYearTotal, Gift, RecurringGift, Refund

COUNTED = (Gift.Status.SUCCEEDED, Gift.Status.PARTIALLY_REFUNDED, Gift.Status.DISPUTED)
# Gifts whose money came in at some point: a fully refunded one still adds to the year it was
# received, as its refund takes away from the year of the refund.
RECEIVED = (*COUNTED, Gift.Status.REFUNDED)
LIVE_PLANS = (RecurringGift.Status.ACTIVE, RecurringGift.Status.PAST_DUE)
CHUNK = 2000
CENT = Decimal("0.01")
GIFTS = Gift._meta.db_table
REFUNDS = Refund._meta.db_table
SUPPORTERS = Supporter._meta.db_table
PLANS = RecurringGift._meta.db_table
SUMMARIES = DonorSummary._meta.db_table
YEARS = DonorYearTotal._meta.db_table


def first_counted_gift() -> Q:
    """A gift that is its donor's first counted gift ever (the same day: the first entered);
    for 'first-time donor' flags. The supporter-and-date index answers the subquery."""
    earlier = Gift.objects.filter(supporter_id=OuterRef("supporter_id"), status__in=COUNTED).filter(
        Q(received_on__lt=OuterRef("received_on"))
        | Q(received_on=OuterRef("received_on"), pk__lt=OuterRef("pk"))
    )
    return Q(status__in=COUNTED) & ~Exists(earlier)


@transaction.atomic(savepoint=False)  # callers' transactions suffice; a savepoint costs a trip
def donor_summaries_refresh(*, supporter_ids: Iterable[int]) -> None:
    """Recompute the summaries and fiscal-year totals of these supporters from their gifts."""
    # Only the fiscal year's first month is needed, not a fresh read of the settings row.
    organisation = Organisation(fiscal_year_start_month=reference.fiscal_year_start_month())
    ids = iter(sorted(set(supporter_ids)))
    while chunk := list(islice(ids, CHUNK)):
        _refresh_chunk(chunk, organisation)


def donor_summaries_rebuild() -> int:
    """Every supporter who ever gave or had a plan; for imports and fiscal-year changes."""
    ids = set(Gift.objects.values_list("supporter_id", flat=True).distinct())
    ids |= set(RecurringGift.objects.values_list("supporter_id", flat=True).distinct())
    ids |= set(DonorSummary.objects.values_list("supporter_id", flat=True))
    donor_summaries_refresh(supporter_ids=ids)
    return len(ids)


def _refresh_chunk(ids: list[int], organisation: Organisation) -> None:
    # Plain SQL rather than the ORM: the Stripe webhook runs this for every event, and query
    # building and model instances were a fifth of its time. The arithmetic stays in Python.
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        _lock_supporters(cursor, ids, marks)
        # One read for the three things the refresh needs (one trip instead of three on the
        # webhook's path): the gifts in date order, who has a live plan, and the fiscal years
        # stored now (those no longer given in are deleted after the upsert).
        cursor.execute(
            f"SELECT 0, id, supporter_id, received_on, amount, amount_refunded FROM {GIFTS} "  # noqa: S608
            f"WHERE supporter_id IN ({marks}) AND status IN (%s, %s, %s, %s) "
            f"UNION ALL SELECT 1, 0, supporter_id, NULL, NULL, NULL FROM {PLANS} "
            f"WHERE supporter_id IN ({marks}) AND status IN (%s, %s) "
            f"UNION ALL SELECT 2, fiscal_year, supporter_id, NULL, NULL, NULL FROM {YEARS} "
            f"WHERE supporter_id IN ({marks}) "
            "ORDER BY 1, 3, 4, 2",
            [*ids, *RECEIVED, *ids, *LIVE_PLANS, *ids],
        )
        rows = cursor.fetchall()
        gifts = [row[1:] for row in rows if row[0] == 0]
        with_plan = {row[2] for row in rows if row[0] == 1}
        stored_years = {(row[2], row[1]) for row in rows if row[0] == 2}
        refunds = _refunds(cursor, [row[0] for row in gifts if _money(row[4]) > 0])

        summaries: dict[int, list] = {}
        years: dict[tuple[int, int], list] = defaultdict(lambda: [ZERO, 0])
        for gift_id, supporter_id, received_on, amount, refunded in gifts:
            gross, refunded = _money(amount), _money(refunded)
            day = _date(received_on)
            received_year = years[(supporter_id, organisation.fiscal_year_of(day))]
            received_year[0] += gross
            # Each refund leaves the year it was made in; any refund without a dated row
            # (none should remain after migration 0013) leaves the gift's own year.
            undated = refunded
            for refunded_on, refund in refunds.get(gift_id, ()):
                years[(supporter_id, organisation.fiscal_year_of(refunded_on))][0] -= refund
                undated -= refund
            received_year[0] -= max(undated, ZERO)
            value = gross - refunded
            if value <= 0:
                continue
            received_year[1] += 1
            row = summaries.get(supporter_id)
            if row is None:  # first_on, first, last_on, last, highest, lifetime, count, plan
                row = summaries[supporter_id] = [day, value, day, value, value, ZERO, 0, False]
            row[2], row[3] = day, value
            row[4] = max(row[4], value)
            row[5] += value
            row[6] += 1
        for supporter_id in with_plan:
            summaries.setdefault(supporter_id, [None, None, None, None, ZERO, ZERO, 0, False])
            summaries[supporter_id][7] = True
        # A year whose gifts were all refunded within it is no year of giving.
        years = {key: value for key, value in years.items() if value[0] or value[1]}
        _write(cursor, ids, summaries, years, stale=stored_years - set(years))


def given_in_year(total: Decimal | None) -> Decimal | None:
    """What a donor is told they gave in a fiscal year: the year's total, never below zero.

    The stored year total is the ledger and stays exact: a January refund of a December gift
    can take a year below zero. A donor-facing "this year you gave" never prints that; a year
    whose refunds outweigh its gifts reads as nothing given (None, as a year with no gifts)."""
    if total is None or total <= ZERO:
        return None
    return total


def _lock_supporters(cursor: CursorWrapper, ids: list[int], marks: str) -> None:
    """Wait for any other transaction refreshing these supporters, so the gifts read next
    include its committed ones. NO KEY UPDATE, in id order: it does not conflict with the
    KEY SHARE lock a new gift takes on its supporter, and two refreshes never deadlock.
    SQLite has one writer at a time, so there is nothing to wait for."""
    if connection.vendor == "postgresql":
        cursor.execute(
            f"SELECT id FROM {SUPPORTERS} WHERE id IN ({marks}) "  # noqa: S608
            "ORDER BY id FOR NO KEY UPDATE",
            ids,
        )


def _refunds(cursor: CursorWrapper, gift_ids: list[int]) -> dict[int, list[tuple]]:
    """The dated refunds of the gifts that have any, read only when some gift has one."""
    found: dict[int, list[tuple]] = defaultdict(list)
    for start in range(0, len(gift_ids), CHUNK):
        chunk = gift_ids[start : start + CHUNK]
        cursor.execute(
            f"SELECT gift_id, refunded_on, amount FROM {REFUNDS} "  # noqa: S608
            f"WHERE gift_id IN ({', '.join(['%s'] * len(chunk))})",
            chunk,
        )
        for gift_id, refunded_on, amount in cursor.fetchall():
            found[gift_id].append((_date(refunded_on), _money(amount)))
    return found


def _write(
    cursor: CursorWrapper, ids: list[int], summaries: dict, years: dict, *, stale: set[tuple]
) -> None:
    """Upsert what exists and delete only what no longer does: no moment without a row, and
    no insert that another transaction's row can collide with."""
    if summaries:
        cursor.executemany(
            f"INSERT INTO {SUMMARIES} (supporter_id, first_gift_on, first_gift_amount, "  # noqa: S608
            "last_gift_on, last_gift_amount, highest_gift, lifetime_total, gift_count, "
            "has_active_plan) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (supporter_id) DO UPDATE SET first_gift_on = excluded.first_gift_on, "
            "first_gift_amount = excluded.first_gift_amount, "
            "last_gift_on = excluded.last_gift_on, last_gift_amount = excluded.last_gift_amount, "
            "highest_gift = excluded.highest_gift, lifetime_total = excluded.lifetime_total, "
            "gift_count = excluded.gift_count, has_active_plan = excluded.has_active_plan",
            [(sid, *row) for sid, row in summaries.items()],
        )
    gone = [sid for sid in ids if sid not in summaries]
    if gone:
        cursor.execute(
            f"DELETE FROM {SUMMARIES} WHERE supporter_id IN ({', '.join(['%s'] * len(gone))})",  # noqa: S608
            gone,
        )
    if years:
        cursor.executemany(
            f"INSERT INTO {YEARS} (supporter_id, fiscal_year, total, gift_count) "  # noqa: S608
            "VALUES (%s, %s, %s, %s) ON CONFLICT (supporter_id, fiscal_year) "
            "DO UPDATE SET total = excluded.total, gift_count = excluded.gift_count",
            [(sid, fy, total, count) for (sid, fy), (total, count) in years.items()],
        )
    if stale:
        cursor.executemany(
            f"DELETE FROM {YEARS} WHERE supporter_id = %s AND fiscal_year = %s",  # noqa: S608
            sorted(stale),
        )


def _money(value: object) -> Decimal:
    # SQLite hands numbers back as int or float; two decimals is what was stored.
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(CENT)


def _date(value: object) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
