"""The database cache, for a site with no CACHE_URL (see config/settings.py)."""

import base64
import pickle
from typing import Any

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache with an atomic incr() that keeps the entry's expiry.

    django-ratelimit counts checkout attempts with add() then incr(). Django's own incr() is a
    get() then a set(): two web workers incrementing at once lose a count, and the set()
    restarts the expiry at the default 5 minutes, so an hour's window would forget its count
    after 5 quiet minutes. Here the row is locked (SELECT ... FOR UPDATE on PostgreSQL; on
    SQLite the IMMEDIATE transaction holds the write lock) and only its value is rewritten.
    """

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        column = connection.ops.quote_name("cache_key")
        value_column = connection.ops.quote_name("value")
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        db_key = self.make_and_validate_key(key, version=version)
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(f"SELECT {column} FROM {table} WHERE {column} = %s{lock}", [db_key])  # noqa: S608 - quoted names only
            value = self.get(key, self._missing_key, version=version)
            if value is self._missing_key:
                raise ValueError(f"Key '{key}' not found")
            new_value = value + delta
            encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol))
            cursor.execute(
                f"UPDATE {table} SET {value_column} = %s WHERE {column} = %s",  # noqa: S608
                [encoded.decode("latin1"), db_key],
            )
        return new_value
