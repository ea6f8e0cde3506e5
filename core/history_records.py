"""django-simple-history's HistoricalRecords, minus work it repeats on every save.

1. Every `instance.history` access (the library makes one on each save, to write the
   history row) builds a new manager class with `Manager.from_queryset`, which walks the
   queryset class with `inspect.getmembers`. The class is the same each time, so it is
   built once per (manager, queryset) pair and reused.
2. For a record with many-to-many fields, the library snapshots the relation after each
   save: it re-reads the record's excluded fields and then its m2m rows. A record being
   created cannot have m2m rows yet (they are added after it has a primary key, and that
   addition is recorded as a change of its own), so for a creation both reads are skipped.

Both matter for supporters and gifts created by the Stripe webhook, where every millisecond
is on the donor's wait and on the server's CPU.
"""

from typing import Any

from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords

_manager_classes: dict[tuple[type, type, str | None], type] = {}


class HistoryManagerBuiltOnce(HistoryManager):
    @classmethod
    def from_queryset(cls, queryset_class: type, class_name: str | None = None) -> type:
        key = (cls, queryset_class, class_name)
        built = _manager_classes.get(key)
        if built is None:
            built = _manager_classes[key] = super().from_queryset(queryset_class, class_name)
        return built


class LeanHistoricalRecords(HistoricalRecords):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("history_manager", HistoryManagerBuiltOnce)
        super().__init__(*args, **kwargs)


class CreationAwareHistoricalRecords(LeanHistoricalRecords):
    def create_historical_record_m2ms(self, history_instance: Any, instance: Any) -> None:
        if history_instance.history_type == "+":
            return
        super().create_historical_record_m2ms(history_instance, instance)
