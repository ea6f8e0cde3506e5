"""One import for every file a nonprofit brings: people, gifts, or both, told apart by the
columns. A file with amount and date columns is a gift a row, each with its donor
(donations.imports.gifts); any other, a list of people (crm.importing.supporters). Both admin
import screens (Supporters, Gifts) and `manage.py import_file` run this one kind."""

from collections.abc import Mapping, Sequence
from typing import Any

from crm.importing.jobs import ImportKind, Preview
from crm.importing.outcome import ImportReport
from crm.importing.supporter_preview import SUPPORTER_IMPORT
from donations.imports import columns as gift_columns
from donations.imports.resources import GIFT_IMPORT

# The options each importer takes from an upload form (the rest belong to the other).
_OPTIONS = {
    GIFT_IMPORT.name: ("already_thanked", "source_system", "decisions"),
    SUPPORTER_IMPORT.name: ("consent_source", "source_system"),
}


def kind_for(headers: Sequence[object]) -> ImportKind:
    """Gifts when the file has an amount and a date column; people otherwise."""
    mapping, _unknown, _repeated = gift_columns.HEADERS.map(list(headers))
    if set(gift_columns.REQUIRED) <= set(mapping.values()):
        return GIFT_IMPORT
    return SUPPORTER_IMPORT


def _run(*, headers: Sequence[object], **kwargs: Any) -> ImportReport:
    kind = kind_for(headers)
    common = ("rows", "dry_run", "actor", "file_name", "progress")
    given = {k: v for k, v in kwargs.items() if k in common or k in _OPTIONS[kind.name]}
    return kind.run(headers=headers, **given)


def _preview(headers: Sequence[object], options: Mapping[str, Any]) -> Preview:
    kind = kind_for(headers)
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
)
