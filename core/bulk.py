"""Fast multi-row inserts for imports.

Django's bulk_create prepares every value through the field/compiler machinery, which costs
about 3 µs a value: with history rows, ~200 µs a supporter, five times what a 10,000 rows/s
import can spend. These helpers send plain Python values (PostgreSQL: COPY, as the rows are
built; SQLite: the driver's executemany), and reserve primary keys up front so related rows
(history, tags, consent) can point at new rows without reading them back. Only for rows built
by our own code from validated values.
"""

import gc
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from itertools import chain
from operator import itemgetter
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys for `model`; call inside the transaction that inserts them."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence is looked up once: inside the SELECT, pg_get_serial_sequence would
            # run for every id (six times the cost of the ids themselves).
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk_column])
            sequence = cursor.fetchone()[0]
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor == "sqlite":
            # The write lock is held from BEGIN (transaction_mode IMMEDIATE), so no other
            # writer can take these ids; sqlite_sequence also remembers deleted rows' ids.
            if not connection.in_atomic_block:
                raise RuntimeError("reserve_ids needs an open transaction on SQLite.")
            cursor.execute(f'SELECT COALESCE(MAX("{pk_column}"), 0) FROM "{table}"')  # noqa: S608
            highest = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(highest, row[0] if row else 0) + 1
            return list(range(start, start + count))
    raise NotImplementedError(f"reserve_ids does not support {connection.vendor}")


@transaction.atomic
def insert_rows(model: type[models.Model], rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert dicts keyed by field attname (e.g. 'supporter_id'); an absent auto primary key
    is assigned by the database. Every row has the first row's keys. Returns the number of
    rows inserted.

    On PostgreSQL the rows go to COPY as `rows` yields them: give a generator and the server
    stores the first rows while the next ones are still being built (two cores at work)."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    fields = [
        f
        for f in model._meta.concrete_fields
        if f.attname in first or not (f.primary_key and isinstance(f, models.AutoField))
    ]
    now = timezone.now()
    defaults = {
        f.attname: now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_default()
        for f in fields
        if f.attname not in first
    }
    if connection.vendor == "postgresql":
        return _copy_rows(model, fields, defaults, chain([first], rows))
    rows = [first, *rows]
    # A nullable column no row fills is left to the database (NULL): a None is the slowest
    # value sqlite3 binds (it looks for an adapter first, raising and catching an error).
    fields = [
        f
        for f in fields
        if not (
            f.null
            and f.db_default is models.NOT_PROVIDED
            and defaults.get(f.attname) is None
            and all(row.get(f.attname) is None for row in rows)
        )
    ]
    names = [f.attname for f in fields]
    sql = 'INSERT INTO "{}" ({}) VALUES ({})'.format(  # noqa: S608 - names from our models
        model._meta.db_table,
        ", ".join(f'"{f.column}"' for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    pick = _picker(names)
    if any(name in defaults for name in names):
        params = [pick({**defaults, **row}) for row in rows]
    else:
        params = list(map(pick, rows))
    converting = [(i, adapt) for i, f in enumerate(fields) if (adapt := _adapter(f)) is not None]
    if converting:
        # Column by column, each distinct value converted once: an import's rows share a
        # moment, a few flags and amounts.
        columns = list(zip(*params, strict=True))
        for index, adapt in converting:
            columns[index] = _converted(columns[index], adapt, fields[index])
        params = list(zip(*columns, strict=True))
    with connection.cursor() as cursor:
        for start in range(0, len(params), 2000):
            cursor.executemany(sql, params[start : start + 2000])
    return len(params)


def _copy_rows(
    model: type[models.Model],
    fields: list[models.Field],
    defaults: dict[str, Any],
    rows: Iterator[Mapping[str, Any]],
) -> int:
    """PostgreSQL's bulk path, COPY: one statement, the rows sent as they come."""
    pick = _picker([f.attname for f in fields])
    if defaults:
        rows = ({**defaults, **row} for row in rows)
    values = map(pick, rows)
    converting = [(i, adapt) for i, f in enumerate(fields) if (adapt := _adapter(f)) is not None]
    if converting:
        values = (_row_converted(row, converting) for row in values)
    columns_sql = ", ".join(f'"{f.column}"' for f in fields)
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f'COPY "{model._meta.db_table}" ({columns_sql}) FROM STDIN') as copy,
    ):
        write_row = copy.write_row
        for row in values:
            write_row(row)
            count += 1
    return count


def _picker(names: list[str]) -> Any:
    """A row's values in `names` order, picked in C; a one-field row still gives a tuple."""
    return itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)


def _row_converted(row: tuple, converting: list[tuple[int, Any]]) -> tuple:
    row = list(row)
    for index, adapt in converting:
        row[index] = adapt(row[index])
    return tuple(row)


def _converted(column: tuple, adapt: Any, field: models.Field) -> tuple:
    if isinstance(field, models.BooleanField | models.DateField):  # DateTimeField is one
        # Equal values convert alike (moments, days, flags): each distinct one once.
        done = {value: adapt(value) for value in set(column)}
        return tuple(map(done.__getitem__, column))
    return tuple(map(adapt, column))


@transaction.atomic
def insert_history_copies(
    model: type[models.Model],
    pairs: Iterable[tuple[int, int]],
    stamps: Mapping[str, Any],
) -> int:
    """One history row (django-simple-history's model of `model`) for each (pk, history_id)
    pair, copied by the database from the record as stored: INSERT ... SELECT, so the
    record's values are neither built nor sent a second time. `stamps` gives the history
    fields (history_date, history_type, history_change_reason, history_user_id). Returns the
    number of rows written."""
    pairs = list(pairs)
    if not pairs:
        return 0
    history_model = model.history.model
    table, source = history_model._meta.db_table, model._meta.db_table
    pk_column = model._meta.pk.column
    stamped = [f for f in history_model._meta.concrete_fields if f.attname in stamps]
    tracked = {f.attname for f in model._meta.concrete_fields}
    copied = [
        f
        for f in history_model._meta.concrete_fields
        if f.attname in tracked and f.attname not in stamps
    ]  # the history fields not stamped (a reason, a user) are left empty
    missing = {"history_date", "history_type"} - {f.attname for f in stamped}
    if missing:
        raise ValueError(f"insert_history_copies needs {sorted(missing)} in stamps.")
    adapters = [_adapter(f) for f in stamped]
    stamp_params = [
        adapt(stamps[f.attname]) if adapt else stamps[f.attname]
        for f, adapt in zip(stamped, adapters, strict=True)
    ]
    history_pk = history_model._meta.pk.column
    columns = ", ".join(f'"{f.column}"' for f in [*copied, *stamped])
    selected = ", ".join(f'r."{model._meta.get_field(f.attname).column}"' for f in copied)
    placeholders = ", ".join(_typed_placeholder(f) for f in stamped)
    pks = [pk for pk, _ in pairs]
    history_ids = [history_id for _, history_id in pairs]
    offset = history_ids[0] - pks[0]
    with connection.cursor() as cursor:
        if pks == list(range(pks[0], pks[0] + len(pks))) and all(h - p == offset for p, h in pairs):
            # Both ranges without gaps (always so on SQLite, see reserve_ids): one statement.
            cursor.execute(
                f'INSERT INTO "{table}" ({columns}, "{history_pk}") '  # noqa: S608
                f'SELECT {selected}, {placeholders}, r."{pk_column}" + %s '
                f'FROM "{source}" r WHERE r."{pk_column}" BETWEEN %s AND %s',
                [*stamp_params, offset, pks[0], pks[-1]],
            )
            return len(pairs)
        # Ids another transaction interleaved (PostgreSQL sequences): pairs a chunk at a time.
        for start in range(0, len(pairs), 400):
            chunk = pairs[start : start + 400]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(
                f"WITH m(pk, history_id) AS (VALUES {values}) "  # noqa: S608
                f'INSERT INTO "{table}" ({columns}, "{history_pk}") '
                f"SELECT {selected}, {placeholders}, m.history_id "
                f'FROM m JOIN "{source}" r ON r."{pk_column}" = m.pk',
                [*(value for pair in chunk for value in pair), *stamp_params],
            )
    return len(pairs)


def _typed_placeholder(field: models.Field) -> str:
    """A parameter in a SELECT list has no type on PostgreSQL (a NULL user id would be text):
    say the column's type. Text needs none, and SQLite takes values as they come."""
    if connection.vendor != "postgresql" or isinstance(field, models.CharField):
        return "%s"
    return f"%s::{field.db_type(connection)}"


def _adapter(field: models.Field) -> Any:
    """The few conversions a driver does not do the way Django stores the value (None
    stays None), or that make a value cheaper to send."""
    if isinstance(field, models.BooleanField):
        # sqlite3 binds an int at once, a bool only after looking for an adapter.
        return _int_or_none if connection.vendor == "sqlite" else None
    if isinstance(field, models.DateField):  # DateTimeField is one
        if connection.vendor == "postgresql":
            return None  # psycopg sends dates and moments as they are, as Django does there
        if isinstance(field, models.DateTimeField):
            return connection.ops.adapt_datetimefield_value
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        return lambda value: connection.ops.adapt_decimalfield_value(
            value, field.max_digits, field.decimal_places
        )
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def _int_or_none(value: Any) -> Any:
    return None if value is None else int(value)


# Pages SQLite keeps in memory while an import writes (KiB, as PRAGMA cache_size takes a
# negative number). Its default, 2 MB, is far less than the pages a large import changes (a
# 20,000-row file: ~25 MB of records and index pages): the rest are spilled to the WAL and
# read back as the indexes are updated again. Bench: ~12% less CPU for a first import.
IMPORT_CACHE_KIB = 64 * 1024


@contextmanager
def sqlite_cache_enlarged(kib: int = IMPORT_CACHE_KIB) -> Iterator[None]:
    """SQLite's page cache of this connection enlarged while a bulk write runs, then back to
    what it was; nothing on other databases. The write's safety is unchanged (journal and
    synchronous settings are left alone)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_resume = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cycle collector off while a large import builds its rows. Each collection
    walks every object still alive, and an import keeps tens of thousands of rows, dicts and
    records alive while it allocates more: a quarter of a 20,000-row import's time went there.
    The import makes no garbage cycles worth collecting early; nested and concurrent pauses
    count, and the collector is back on when the last one ends (if it was on before)."""
    global _gc_pauses, _gc_resume
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_resume = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_resume:
                gc.enable()
