"""Plain-words history of a record, from django-simple-history's rows."""

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.text import capfirst
from simple_history import utils
from simple_history.models import ModelChange

from core.history_admin import ACTIONS, NOTHING, value_text, who_did_it
from crm.models import Supporter


@dataclass(frozen=True)
class Change:
    when: Any
    who: str
    action: str
    reason: str
    details: list[str]


def recent_changes(supporter: Supporter, *, limit: int = 10) -> list[Change]:
    # A few more rows than shown: rows that changed nothing and say why (written by saves of
    # untouched pages before such saves stopped being recorded) are left out.
    records = list(
        supporter.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit * 3 + 1
        ]
    )
    changes = []
    for index, record in enumerate(records[:-1] if len(records) > limit * 3 else records):
        previous = records[index + 1] if index + 1 < len(records) else record.prev_record
        details = []
        if previous is not None and record.history_type == "~":
            details = _details(record, previous)
            if not details and not record.history_change_reason:
                continue
        changes.append(
            Change(
                when=record.history_date,
                who=capfirst(who_did_it(record)),
                action=ACTIONS.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                details=details,
            )
        )
        if len(changes) == limit:
            break
    return changes


def _details(record: Any, previous: Any) -> list[str]:
    return [_line(change) for change in record.diff_against(previous).changes]


def _line(change: ModelChange) -> str:
    field = _field(change.field)
    if field is not None and field.many_to_many:
        old, new = _related_names(field, change.old), _related_names(field, change.new)
    elif field is not None and field.many_to_one:  # the household: its name, not its id
        old, new = _related_name(field, change.old), _related_name(field, change.new)
    else:
        old, new = value_text(field, change.old), value_text(field, change.new)
    label = capfirst(field.verbose_name) if field is not None else change.field
    return f"{label}: {old} → {new}"


def _field(name: str) -> models.Field | None:
    try:
        return Supporter._meta.get_field(name)
    except Exception:  # noqa: BLE001 - history may name a field since removed
        return None


def _related_name(field: models.Field, pk: Any) -> str:
    if pk in (None, ""):
        return NOTHING
    found = field.related_model._base_manager.filter(pk=pk).first()
    return str(found) if found is not None else f"#{pk} (deleted)"


def _related_names(field: models.Field, rows: Any) -> str:
    """simple-history gives a many-to-many value as the link rows ([{'supporter': 1, 'tag':
    3}]); people read the names of what is linked, in order: 'Donor, Volunteer'."""
    target = utils.get_m2m_reverse_field_name(field)
    ids = [row[target] for row in rows or []]
    if not ids:
        return NOTHING
    names = {pk: str(obj) for pk, obj in field.related_model._base_manager.in_bulk(ids).items()}
    return ", ".join(sorted(names.get(pk, f"#{pk} (deleted)") for pk in ids))
