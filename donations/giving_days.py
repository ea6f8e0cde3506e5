"""The days' totals (donations.models.GivingDay): read in dollars, and folded, each day's rows
summed into one.

On PostgreSQL the triggers add rows, one per statement and day that changed a gift's money,
so that no transaction waits for another's; a day's figures are the sum of its rows either
way. The reader (reports.ledger.raised_by_period) folds them once they have piled up:
PILED_UP more rows than days in what it read. SQLite's triggers keep one row a day already."""

from decimal import Decimal

from django.db import connection, transaction

from donations.models import GivingDay

PILED_UP = 2000  # extra rows a reader tolerates before folding (a millisecond of summing)
_LOCK = 0x6769_7669  # 'givi': one fold at a time (PostgreSQL advisory lock)
TABLE = GivingDay._meta.db_table
FIGURES = ["gross_cents", "fee_cents", "gifts", "counted_gifts", "counted_cents"]
COLUMNS = ", ".join(["day", *FIGURES])
SUMS = ", ".join(f"SUM({name})" for name in FIGURES)


def giving_days_fold() -> int:
    """Sum each day's rows into one; returns the number of days folded. Rows another
    transaction adds meanwhile are left as they are, to be folded next time."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK])
            if not cursor.fetchone()[0]:
                return 0  # another fold is running: it does the same work
            # One statement: what is deleted is exactly what is summed back (RETURNING), so a
            # row committed meanwhile is neither lost nor counted twice.
            cursor.execute(
                f"WITH folded AS (DELETE FROM {TABLE} WHERE day IN "  # noqa: S608
                f"(SELECT day FROM {TABLE} GROUP BY day HAVING COUNT(*) > 1) "
                f"RETURNING {COLUMNS}) "
                f"INSERT INTO {TABLE} ({COLUMNS}) SELECT day, {SUMS} FROM folded GROUP BY day"
            )
            return cursor.rowcount
        # SQLite: one writer at a time, so reading then deleting is safe.
        cursor.execute(
            f"SELECT day, {SUMS} FROM {TABLE} GROUP BY day HAVING COUNT(*) > 1"  # noqa: S608
        )
        days = cursor.fetchall()
        for day, *_ in days:
            cursor.execute(f"DELETE FROM {TABLE} WHERE day = %s", [day])  # noqa: S608
        cursor.executemany(
            f"INSERT INTO {TABLE} ({COLUMNS}) VALUES ({', '.join(['%s'] * 6)})",  # noqa: S608
            days,
        )
        return len(days)


def fold_if_piled_up(extra_rows: int) -> None:
    """For a reader that met `extra_rows` rows beyond one a day: fold them once more than
    PILED_UP have piled up, so reading stays a read of a few hundred rows a year."""
    if extra_rows > PILED_UP:
        giving_days_fold()


def from_cents(cents: int | None) -> Decimal:
    """A sum of the table's cents in dollars (None, no rows: 0.00)."""
    return Decimal(cents or 0).scaleb(-2)
