"""The admin's history pages in plain words: "Changed by Ana Ruiz", "Created by Stripe (an
online gift)", "Changed by an import (spring.csv)", never a bare "None" in the Changed-by column,
and each change as "Email opt-in: Not asked → Opted in" with the field's label and the value's
words, dates written the one way (core.dates)."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import ModelChange
from simple_history.template_utils import HistoricalRecordContextHelper

from core.dates import day_text, day_time_text

ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}
NOTHING = "—"
# Who made a change no person made, told by the reason the change was saved with (the code
# that saves without a user always gives one: crm.importing, donations.stripe, mailings...).
# First match wins; matched in lower case.
SYSTEM_ACTORS = (
    ("import", "an import"),
    ("stripe", "Stripe (online giving)"),
    ("dispute", "Stripe (online giving)"),
    ("by the donor", "the donor, on their account page"),
    ("at the esp", "the email service"),
    ("as spam", "the email service"),
    ("demo data", "the demo data"),
)


def who_did_it(record: Any) -> str:
    """The person ('Ana Ruiz', or their user name) or what did it ('an import (spring.csv)',
    'Stripe (online giving)', 'the system')."""
    user = getattr(record, "history_user", None)
    if user is not None:
        return user.get_full_name() or user.get_username()
    reason = (record.history_change_reason or "").lower()
    for clue, actor in SYSTEM_ACTORS:
        if clue in reason:
            if actor == "an import":
                return _import_actor(record.history_change_reason)
            return actor
    return "the system"


def _import_actor(reason: str) -> str:
    """'an import (spring.csv)' from 'Imported from spring.csv' or 'Updated by import of
    spring.csv' (crm.importing.writing); 'an import' when the reason names no file."""
    for joint in (" import of ", "Imported from "):
        if joint in reason:
            return f"an import ({reason.split(joint, 1)[1]})"
    return "an import"


def what_happened(record: Any) -> str:
    """'Changed by Ana Ruiz', 'Created by Stripe (online giving)', 'Deleted by the system'."""
    action = ACTIONS.get(record.history_type, "Changed")
    return f"{action} by {who_did_it(record)}"


def why_text(record: Any) -> str:
    """The reason the change was saved with, unless 'what happened' already says it all
    ('Stripe', 'Imported from spring.csv' beside 'Created by an import (spring.csv)')."""
    reason = record.history_change_reason or ""
    if getattr(record, "history_user", None) is None:
        said = reason.lower()
        if said in ("stripe", "import", "imported") or said.startswith(
            ("imported from", "updated by import")
        ):
            return ""
    return reason


def value_text(field: models.Field | None, value: Any) -> str:
    """A stored value as the record's page shows it: a choice's label, Yes/No, a date in the
    one format, '—' for nothing."""
    if value is None or value == "":
        return NOTHING
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return day_time_text(value)
    if isinstance(value, datetime.date):
        return day_text(value)
    return str(value)


class PlainHistoryContext(HistoricalRecordContextHelper):
    """simple-history's list of changes, with values in words instead of stored codes."""

    def prepare_delta_change_value(self, change: ModelChange, value: Any) -> Any:
        field = self.model._meta.get_field(change.field)
        if field.many_to_many:
            names = super().prepare_delta_change_value(change, value)
            return ", ".join(sorted(str(name) for name in names)) or NOTHING
        if field.is_relation:
            return NOTHING if value is None else str(value)
        return value_text(field, value)

    def stringify_delta_change_values(self, change: ModelChange, old: Any, new: Any) -> Any:
        return super().stringify_delta_change_values(change, str(old), str(new))


class SafeHistoryAdmin(SimpleHistoryAdmin):
    """simple-history saves a POSTed revert for anyone who may *view* history (it only hides
    the button); here only users who may change the record can revert it.

    Its history page speaks plainly (admin/history_list.html): who or what made each change,
    and what changed, in words."""

    object_history_template = "admin/history.html"
    object_history_list_template = "admin/history_list.html"

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> Any:
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_historical_record_context_helper(
        self, request: HttpRequest, historical_record: Any
    ) -> HistoricalRecordContextHelper:
        return PlainHistoryContext(self.model, historical_record)

    def set_history_delta_changes(self, request: HttpRequest, historical_records: Any, **kw: Any):
        super().set_history_delta_changes(request, historical_records, **kw)
        for record in historical_records:
            record.what_happened = what_happened(record)
            record.why = why_text(record)
