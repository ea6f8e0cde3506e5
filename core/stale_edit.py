"""Refuse a save made from a page that someone else's save has made stale.

Two people open the same record; A saves a new phone; B, still on the page loaded before,
saves a new city. Without a check B's form also writes back the phone it was loaded with, and
A's change is silently lost. Here the change form carries a signed snapshot of the record's
values as the page showed them; on save the row is read again (locked for the rest of the
request on PostgreSQL, so two saves in flight cannot both pass the check) and, if any field
differs from the snapshot, the save is refused with a list of what the other person changed.

The refused form keeps what the user typed, takes the other person's value in each field the
user had left alone, and carries a fresh snapshot: saving again keeps both people's changes,
or, where both changed the same field, the user's entry, knowingly. Nothing is locked between
requests.

A form posted without a snapshot (a script, a page opened before this check existed) is saved
as before: this protects people editing in the browser; it is not an access control.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.http import HttpRequest

SNAPSHOT_FIELD = "edit_snapshot"
_SALT = "core.stale_edit"

Values = dict[str, Any]


def _plain(field: models.Field, value: Any) -> Any:
    """A value as JSON can carry it, equal for equal stored values whatever their Python type
    (Decimal('40') and Decimal('40.00'), a datetime in two time zones, an object or its id)."""
    if value is None:
        return None
    if field.many_to_many:
        return sorted(str(getattr(item, "pk", item)) for item in value)
    if field.is_relation:
        return str(getattr(value, "pk", value))
    if isinstance(value, Decimal) and isinstance(field, models.DecimalField):
        return str(value.quantize(Decimal(1).scaleb(-field.decimal_places)))
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).isoformat()
    if isinstance(value, bool | int | str):
        return value
    return str(value)


def _model_fields(model: type[models.Model], names: Iterable[str]) -> dict[str, models.Field]:
    fields = {}
    for name in names:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a form-only field (consent_source, the snapshot)
            continue
        if field.concrete or field.many_to_many:
            fields[name] = field
    return fields


def record_values(obj: models.Model, fields: dict[str, models.Field]) -> Values:
    values = {}
    for name, field in fields.items():
        value = getattr(obj, name).all() if field.many_to_many else field.value_from_object(obj)
        values[name] = _plain(field, value)
    return values


def current_values(model: type[models.Model], pk: Any, fields: dict[str, models.Field]) -> Values:
    """The row as stored now. Inside a transaction (the admin saves in one) the row is locked
    until it ends, so a second save of the same record waits here and then sees the first."""
    rows = model._base_manager.filter(pk=pk)
    if transaction.get_connection(rows.db).in_atomic_block:
        rows = rows.select_for_update()
    obj = rows.get()
    return record_values(obj, fields)


def _display(field: models.Field, value: Any) -> str:
    if value in (None, "", []):
        return "(blank)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field.many_to_many or field.is_relation:
        pks = value if isinstance(value, list) else [value]
        related = field.related_model._base_manager.filter(pk__in=pks)
        return ", ".join(str(obj) for obj in related) or "(deleted)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


class SnapshotField(forms.CharField):
    """The signed snapshot: what the page was loaded from, never a change the user made (the
    admin's change message said 'Changed edit_snapshot.' on every save)."""

    widget = forms.HiddenInput

    def has_changed(self, initial: Any, data: Any) -> bool:
        return False


class StaleEditModelForm(forms.ModelForm):
    """A ModelForm that refuses to save over changes made since its page was loaded."""

    edit_snapshot = SnapshotField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Disabled fields post nothing, so they cannot overwrite anyone's change.
        self._tracked = _model_fields(
            self._meta.model, [name for name, f in self.fields.items() if not f.disabled]
        )
        if not self.is_bound and self.instance.pk is not None:
            # Read from the row, not the instance: a history revert page shows an old version,
            # but what the user is about to overwrite is the row as it is now.
            self.initial[SNAPSHOT_FIELD] = self._sign(
                current_values(type(self.instance), self.instance.pk, self._tracked)
            )

    def _sign(self, values: Values) -> str:
        return signing.dumps({"pk": str(self.instance.pk), "values": values}, salt=_SALT)

    def _started_from(self, token: str) -> Values | None:
        try:
            snapshot = signing.loads(token, salt=_SALT)
        except signing.BadSignature:
            return None
        if snapshot.get("pk") != str(self.instance.pk):
            return None
        return snapshot.get("values")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        token = self.data.get(self.add_prefix(SNAPSHOT_FIELD), "")
        if self.instance.pk is None or not token:
            return cleaned
        started = self._started_from(token)
        now = current_values(type(self.instance), self.instance.pk, self._tracked)
        if started is None:
            self._renew(now)
            raise forms.ValidationError(
                "This page could not be checked against the record. Nothing was saved: check "
                "the values below and save again.",
                code="stale_unknown",
            )
        changed = [name for name in self._tracked if name in started and started[name] != now[name]]
        if not changed:
            return cleaned
        lines = [
            "Someone else saved changes to this record while you were editing it, so nothing "
            "was saved. They changed:"
        ]
        for name in changed:
            field, label = self._tracked[name], self.fields[name].label or name
            theirs, before = _display(field, now[name]), _display(field, started[name])
            said = f"{label}: now “{theirs}” (you started from “{before}”)"
            if name in cleaned and _plain(field, cleaned[name]) == started[name]:
                # The user left this field alone: offer the other person's value.
                if self._put(name, now[name]):
                    lines.append(f"{said}; the form now shows their value.")
                    continue
                lines.append(f"{said}; the form still shows the value you started from.")
                continue
            entry = (
                _display(field, _plain(field, cleaned[name]))
                if name in cleaned
                else self.data.get(self.add_prefix(name), "")
            )
            lines.append(f"{said}; the form keeps your entry “{entry}”.")
        lines.append("Check the form and save again to keep it as shown.")
        self._renew(now)
        raise forms.ValidationError(lines, code="stale")

    def _renew(self, now: Values) -> None:
        """The re-shown form carries a snapshot of the record as it is now."""
        self.data = self.data.copy()
        self.data[self.add_prefix(SNAPSHOT_FIELD)] = self._sign(now)

    def _put(self, name: str, value: Any) -> bool:
        """Write a stored value into the posted data as the field's widget would post it;
        False where that is not simple (split date and time inputs)."""
        widget, key = self.fields[name].widget, self.add_prefix(name)
        if isinstance(widget, forms.MultiWidget):
            return False
        self.data = self.data.copy()
        if isinstance(widget, forms.CheckboxInput):
            if value:
                self.data[key] = "on"
            else:
                self.data.pop(key, None)
        elif isinstance(value, list):
            if hasattr(self.data, "setlist"):
                self.data.setlist(key, value)
            else:
                self.data[key] = value
        else:
            self.data[key] = "" if value is None else str(value)
        return True


class StaleEditAdminMixin(admin.ModelAdmin):
    """Puts the snapshot on the change page of an admin whose form is a StaleEditModelForm;
    only where the user may save (a read-only page has nothing to protect)."""

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list:
        fieldsets = [
            (name, {**opts, "fields": [f for f in opts["fields"] if f != SNAPSHOT_FIELD]})
            for name, opts in super().get_fieldsets(request, obj)
        ]
        if obj is None or not fieldsets or not self.has_change_permission(request, obj):
            return fieldsets
        *rest, (name, opts) = fieldsets
        return [*rest, (name, {**opts, "fields": [*opts["fields"], SNAPSHOT_FIELD]})]
