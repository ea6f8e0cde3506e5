"""Plain-words history of a record, from django-simple-history's rows."""

from dataclasses import dataclass
from typing import Any

from crm.models import Supporter

ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass(frozen=True)
class Change:
    when: Any
    who: str
    action: str
    reason: str
    details: list[str]


def describe(record: Any) -> str:
    """One line for a historical row: 'email: a@x -> b@x; city: ...'."""
    previous = record.prev_record
    if previous is None:
        return record.history_change_reason or "Created"
    delta = record.diff_against(previous)
    parts = [f"{_label(c.field)}: {c.old or '—'} → {c.new or '—'}" for c in delta.changes]
    return "; ".join(parts) or (record.history_change_reason or "No field changed")


def recent_changes(supporter: Supporter, *, limit: int = 10) -> list[Change]:
    records = list(
        supporter.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    changes = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else record.prev_record
        details = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            details = [f"{_label(c.field)}: {c.old or '—'} → {c.new or '—'}" for c in delta.changes]
        changes.append(
            Change(
                when=record.history_date,
                who=str(record.history_user) if record.history_user else "System",
                action=ACTIONS.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                details=details,
            )
        )
    return changes


def _label(field_name: str) -> str:
    try:
        return str(Supporter._meta.get_field(field_name).verbose_name)
    except Exception:  # noqa: BLE001 - history may name a field since removed
        return field_name
