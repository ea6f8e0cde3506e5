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

3. A save that changes none of the recorded fields (staff pressing Save on an untouched page)
   writes no history row, so "Recent changes" lists only real changes. A save given a change
   reason (a merge) is always recorded. Changes of the many-to-many fields need no check here:
   they are made after the save and recorded by their own signal, as the library does.
4. History written in bulk (an import: core.bulk and simple-history's bulk update) has no
   many-to-many snapshot; `snapshot_m2m` gives those rows the relation as the import left it,
   or the next save would read as a change of every tag the record has.
"""

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Max
from simple_history import utils
from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords

from core import bulk

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
    def post_save(self, instance: Any, created: bool, using: str | None = None, **kwargs: Any):
        if not created and not kwargs.get("raw", False) and self._unchanged(instance):
            return
        super().post_save(instance, created, using=using, **kwargs)

    def _unchanged(self, instance: Any) -> bool:
        """True when the latest history row already holds every recorded value of `instance`
        and no change reason asks for a row anyway. One indexed read, on updates only."""
        if utils.get_change_reason_from_object(instance):
            return False
        latest = (
            getattr(instance, self.manager_name).order_by("-history_date", "-history_id").first()
        )
        if latest is None:  # history began after the record: this row is its first
            return False
        return all(
            getattr(latest, field.attname) == getattr(instance, field.attname)
            for field in self.fields_included(instance)
        )

    def create_historical_record_m2ms(self, history_instance: Any, instance: Any) -> None:
        if history_instance.history_type == "+":
            return
        super().create_historical_record_m2ms(history_instance, instance)


def snapshot_m2m(model: type[models.Model], pks: Iterable[Any], manager_name: str = "history"):
    """Give the latest history row of each record in `pks` a snapshot of its many-to-many rows
    as they are now (replacing any). For history rows written in bulk, right after the
    relation rows were written in the same transaction."""
    history_model = getattr(model, manager_name).model
    m2m_fields = getattr(history_model, "_history_m2m_fields", [])
    pks = list(pks)
    if not pks or not m2m_fields:
        return
    pk_name = model._meta.pk.attname
    latest = dict(
        history_model.objects.filter(**{f"{pk_name}__in": pks})
        .values_list(pk_name)
        .annotate(last=Max("history_id"))
    )
    for field in m2m_fields:
        snapshot_model = HistoricalRecords.m2m_models[field]
        through = field.remote_field.through
        owner = through._meta.get_field(utils.get_m2m_field_name(field)).attname
        columns = [f.attname for f in through._meta.concrete_fields]
        links = through.objects.filter(**{f"{owner}__in": latest}).values(*columns)
        snapshot_model.objects.filter(history_id__in=latest.values()).delete()
        bulk.insert_rows(
            snapshot_model, [{**link, "history_id": latest[link[owner]]} for link in links]
        )
