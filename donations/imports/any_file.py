"""One import for every file a nonprofit brings: people, gifts, or both, told apart by the
columns. A file with amount and date columns is a gift a row, each with its donor
(donations.imports.gifts); any other, a list of people (crm.importing.supporters). Both admin
import screens (Supporters, Gifts) and `manage.py import_file` run this one kind.

The columns are read from the headers, or as staff chose them on the mapping step
(crm.importing.mapping): the choice, `columns`, decides the kind the same way."""

from collections.abc import Mapping, Sequence
from typing import Any

from crm.importing import mapping as column_mapping
from crm.importing.jobs import ImportKind, Preview
from crm.importing.outcome import ImportReport
from crm.importing.supporter_preview import SUPPORTER_IMPORT
from donations.imports import columns as gift_columns
from donations.imports.gifts import WHO
from donations.imports.resources import GIFT_IMPORT

# The options each importer takes from an upload form (the rest belong to the other).
_OPTIONS = {
    GIFT_IMPORT.name: ("already_thanked", "source_system", "decisions", "columns"),
    SUPPORTER_IMPORT.name: ("consent_source", "source_system", "columns"),
}
# The mapping step's gift fields ('Note' is in the Person group: a gift file's is the gift's).
GIFT_FIELDS: column_mapping.Choices = (
    ("amount", "Amount"),
    ("received_on", "Date received"),
    ("method", "Method (check, cash, card…)"),
    ("cheque_number", "Check number"),
    ("campaign", "Campaign"),
    ("fund", "Fund"),
    ("appeal_code", "Appeal"),
    ("acknowledged", "Acknowledged? (already thanked)"),
    ("in_kind_description", "In-kind description"),
    ("stock_ticker", "Stock ticker"),
    ("stock_shares", "Number of shares"),
    ("given_on", "Date given (stock or in kind)"),
)
GIFT_ID_FIELDS: column_mapping.Choices = (
    *column_mapping.PERSON_ID_FIELDS,
    ("source_gift_id", "The gift's id in the old system (Transaction ID)"),
)
# A column chosen as one of these makes the file a file of gifts.
GIFT_ONLY = {field for field, _label in (*GIFT_FIELDS, GIFT_ID_FIELDS[-1])}


def kind_for(headers: Sequence[object], columns: Sequence[str] | None = None) -> ImportKind:
    """Gifts when the file has an amount and a date column; people otherwise."""
    mapping, _ignored, _repeated = gift_columns.HEADERS.map_columns(list(headers), columns)
    if set(gift_columns.REQUIRED) <= set(mapping.values()):
        return GIFT_IMPORT
    return SUPPORTER_IMPORT


def _recognise(headers: Sequence[object]) -> list[str]:
    """Each column's field as the import reads it today: by the kind the headers make."""
    if kind_for(headers) is SUPPORTER_IMPORT:
        return column_mapping.SUPPORTER_FIELDS.recognise(headers)
    mapping, _unknown, _repeated = gift_columns.HEADERS.map(list(headers))
    return [mapping.get(index, "") for index in range(len(headers))]


def _check(headers: Sequence[object], columns: Sequence[str]) -> list[str]:
    chosen = set(columns) - {""}
    if not chosen & GIFT_ONLY:
        return column_mapping.people_check(headers, columns)
    problems = column_mapping.repeated_fields(FILE_FIELDS, headers, columns)
    missing = [label for name, label in gift_columns.REQUIRED.items() if name not in chosen]
    if missing:
        problems.append(
            f"A file of gifts needs an Amount column and a Date column: choose the column that "
            f"holds the {' and the '.join(missing)}. (To read the file as people only, set "
            "every Gift column to Don't import.)"
        )
    if not chosen & set(WHO):
        problems.append(
            "Choose a column that says who gave: Email, the person's id in the old system, or "
            "their name (First name, Last name or Organization)."
        )
    return problems


FILE_FIELDS = column_mapping.ColumnFields(
    groups=(
        ("Person", column_mapping.PERSON_FIELDS),
        ("Address", column_mapping.ADDRESS_FIELDS),
        ("Gift", GIFT_FIELDS),
        ("Source ids", GIFT_ID_FIELDS),
    ),
    recognise=_recognise,
    check=_check,
)


def _run(*, headers: Sequence[object], **kwargs: Any) -> ImportReport:
    kind = kind_for(headers, kwargs.get("columns"))
    common = ("rows", "dry_run", "actor", "file_name", "progress")
    given = {k: v for k, v in kwargs.items() if k in common or k in _OPTIONS[kind.name]}
    return kind.run(headers=headers, **given)


def _preview(headers: Sequence[object], options: Mapping[str, Any]) -> Preview:
    kind = kind_for(headers, options.get("columns"))
    preview = kind.preview(headers, options)
    what = "gifts, each with its donor" if kind is GIFT_IMPORT else "people"
    notes = [f"This file is read as {what}.", *preview.notes]
    return Preview(cells=preview.cells, notes=notes, headers=kind.headers, shown=kind.shown)


def _summary(totals: Mapping[str, int]) -> str:
    kind = GIFT_IMPORT if "donors_new" in totals else SUPPORTER_IMPORT
    return kind.summary(totals)


FILE_IMPORT = ImportKind(
    name="file",
    run=_run,
    headers=SUPPORTER_IMPORT.headers,
    preview=_preview,
    labels={**SUPPORTER_IMPORT.labels, **GIFT_IMPORT.labels},
    shown=("new", "update", "skip"),
    summary=_summary,
    columns=FILE_FIELDS,
)
