"""Filters for the many values an import looks up at once (a thousand emails, or names and
postal codes, a batch), each list sent as one parameter.

A plain `__in` list costs a few µs a value in our process: Django prepares each value, and on
PostgreSQL psycopg rewrites every placeholder of the statement in Python; on a first import
that was ~15% of the time spent in our process. So:
- SQLite: `IN (SELECT value FROM json_each(?))`, which the planner still answers from the
  column's index.
- PostgreSQL: `IN (SELECT unnest(%s))`, the list sent as one array. Not `= ANY(%s)`: psycopg
  prepares a statement run twice on a connection, and PostgreSQL may then keep a generic plan
  that compares each row it reads with the array's values one by one (a thousand values
  against every stored supporter: a second a batch). An unnested array is joined instead,
  by hash or through the column's index.
- Other databases: the plain list.
"""

import json
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import CharField, F, Func, Lookup, Q, TextField
from django.db.models.expressions import RawSQL


def one_of(field_name: str, values: Iterable[Any]) -> Any:
    """The filter `field_name IN values`."""
    values = list(values)
    if connection.vendor == "postgresql":
        return _InArray(F(field_name), values)
    if connection.vendor == "sqlite":
        rhs = RawSQL("SELECT value FROM json_each(%s)", [json.dumps(values)])  # noqa: S611
        return Q(**{f"{field_name}__in": rhs})
    return Q(**{f"{field_name}__in": values})


def pairs_one_of(fields: tuple[str, str], pairs: Iterable[tuple[str, str]]) -> Any:
    """The filter `(first, second) IN pairs` for two text fields, such as a name and a postal
    code. On PostgreSQL the pairs go as two arrays unnested side by side, which the planner
    joins to an index on the two columns. Elsewhere a superset, each field one of its values:
    callers keep only the pairs they asked for."""
    pairs = set(pairs)
    first, second = fields
    if connection.vendor == "postgresql":
        both = Func(F(first), F(second), template="(%(expressions)s)", output_field=TextField())
        return _PairsInArrays(both, pairs)
    return one_of(first, {a for a, _ in pairs}) & one_of(second, {b for _, b in pairs})


class _InArray(Lookup):
    """`column IN (SELECT unnest(%s::type[]))`, the list given to psycopg as one array."""

    lookup_name = "in_array"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        # The cast types an empty list too; text rather than varchar(n), which would cut.
        is_text = isinstance(field, CharField | TextField)
        array_type = "text" if is_text else field.db_type(connection)
        return f"{lhs} IN (SELECT unnest(%s::{array_type}[]))", [*lhs_params, self.rhs]


class _PairsInArrays(Lookup):
    """`(a, b) IN (SELECT * FROM unnest(%s::text[], %s::text[]))`."""

    lookup_name = "pairs_in_arrays"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        firsts = [a for a, _ in self.rhs]
        seconds = [b for _, b in self.rhs]
        sql = f"{lhs} IN (SELECT * FROM unnest(%s::text[], %s::text[]))"  # noqa: S608 - columns
        return sql, [*lhs_params, firsts, seconds]
