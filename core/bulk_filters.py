"""Filters for the many values an import looks up at once (a thousand emails, or names and
postal codes, a batch), each list sent as one JSON parameter.

A plain `__in` list costs a few µs a value in our process: Django prepares each value, and on
PostgreSQL psycopg rewrites every placeholder of the statement in Python (and a list sent as an
array is dumped value by value in Python too); on a first import that was ~15% of the time
spent in our process. A JSON text is made by json.dumps in C and read by the database:
- SQLite: `IN (SELECT value FROM json_each(?))`, which the planner still answers from the
  column's index.
- PostgreSQL: `IN (SELECT json_array_elements_text(%s::json))`, joined by hash or through the
  column's index. Not `= ANY(array)`: psycopg prepares a statement run twice on a connection,
  and PostgreSQL may then keep a generic plan that compares each row it reads with the
  array's values one by one (a thousand values against every stored supporter: a second a
  batch of a re-import).
- Other databases: the plain list.
"""

import json
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import F, Func, Lookup, Q, TextField
from django.db.models.expressions import RawSQL


def one_of(field_name: str, values: Iterable[str]) -> Q:
    """The filter `field_name IN values`, for a text column."""
    values = list(values)
    if connection.vendor == "postgresql":
        sql = "SELECT json_array_elements_text(%s::json)"
    elif connection.vendor == "sqlite":
        sql = "SELECT value FROM json_each(%s)"
    else:
        return Q(**{f"{field_name}__in": values})
    return Q(**{f"{field_name}__in": RawSQL(sql, [json.dumps(values)])})  # noqa: S611


def pairs_one_of(fields: tuple[str, str], pairs: Iterable[tuple[str, str]]) -> Any:
    """The filter `(first, second) IN pairs` for two text columns, such as a name and a postal
    code. On PostgreSQL the planner joins the pairs to an index on the two columns. Elsewhere
    a superset, each column one of its values: callers keep only the pairs they asked for."""
    pairs = set(pairs)
    first, second = fields
    if connection.vendor == "postgresql":
        both = Func(F(first), F(second), template="(%(expressions)s)", output_field=TextField())
        return _PairsInJson(both, pairs)
    return one_of(first, {a for a, _ in pairs}) & one_of(second, {b for _, b in pairs})


class _PairsInJson(Lookup):
    """`(a, b) IN (SELECT value->>0, value->>1 FROM json_array_elements(%s::json))`."""

    lookup_name = "pairs_in_json"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        pairs = json.dumps([list(pair) for pair in self.rhs])
        sql = f"{lhs} IN (SELECT value->>0, value->>1 FROM json_array_elements(%s::json))"  # noqa: S608
        return sql, [*lhs_params, pairs]
