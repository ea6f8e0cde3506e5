"""The supporter import as an import job runs and shows it (crm.importing.jobs.ImportKind):
the importer to run, and the preview of each row in compact columns (name, email, address,
everything else, and for an update the fields it changes), each value as the record will have
it: a row's tags are all the tags the record will have, the ones the row adds marked new."""

from collections.abc import Mapping, Sequence
from typing import Any

from crm.importing.cells import cell_text
from crm.importing.jobs import ImportKind, Preview, preview_part, preview_text
from crm.importing.mapping import SUPPORTER_FIELDS
from crm.importing.outcome import ImportReport, RowOutcome
from crm.importing.people import namesakes_text
from crm.importing.supporter_columns import COLUMN_LABELS, SUPPORTER_HEADERS
from crm.importing.supporters import supporters_import
from crm.models import Supporter


def _run(
    *,
    consent_source: str = "",
    source_system: str = "",
    columns: Sequence[str] | None = None,
    **kwargs: Any,
) -> ImportReport:
    return supporters_import(
        consent_source=consent_source, source_system=source_system, chosen=columns, **kwargs
    )


# The preview shows every value the import writes for a row, in four compact columns.
NAME_PARTS = ("title", "first_name", "middle_name", "last_name", "suffix")
ADDRESS_PARTS = ("address_line1", "address_line2", "city", "region", "postal_code", "country")
OTHER_PARTS = (
    "kind",
    "organisation_name",
    "preferred_name",
    "partner_title",
    "partner_first_name",
    "partner_last_name",
    "salutation",
    "formal_salutation",
    "addressee",
    "phone",
    "phone_2",
    "preferred_language",
    "source",
    "email_opt_in",
    "do_not_email",
    "do_not_mail",
    "do_not_contact",
    "deceased",
    "tags",
    "notes",
)
CONSENT_FIELDS = ("email_opt_in", "do_not_email", "do_not_mail", "do_not_contact")
PREVIEW_HEADERS = ("Name", "Email", "Address", "Also saved", "Fields changed")
CHOICE_LABELS = {
    "kind": dict(Supporter.Kind.choices),
    "preferred_language": dict(Supporter.Language.choices),
    "email_opt_in": dict(Supporter.EmailOptIn.choices),
}


def _preview(headers: Sequence[object], options: Mapping[str, Any]) -> Preview:
    chosen = SUPPORTER_HEADERS.map_columns(list(headers), options.get("columns"))[0]
    mapping = {name: index for index, name in chosen.items()}

    def given(name: str, file_row: Sequence[object]) -> bool:
        index = mapping.get(name)
        return index is not None and index < len(file_row) and bool(cell_text(file_row[index]))

    def cells(row: RowOutcome, file_row: Sequence[object]) -> list:
        # A country or language the file did not give is filled in by the import: say so,
        # or 'Bogotá, US' looks like the file's own mistake. A country the address showed
        # ('QC', 'H2X 3K8': Canada) is not the default, and is said to come from the address.
        notes = {n: "default" for n in ("country", "preferred_language") if not given(n, file_row)}
        if "country" in notes and "country" not in row.defaulted:
            notes["country"] = "from the address"
        return _cells(row, notes)

    return Preview(cells=cells)


def _cells(row: RowOutcome, notes: dict[str, str]) -> list:
    """The preview's cells; `notes` says which values the import filled in, and how."""
    name_parts = NAME_PARTS
    if row.values.get("kind") == "organisation":
        name_parts = ("organisation_name", *NAME_PARTS)
    return [
        _joined([_record_part(row, n) for n in name_parts], " "),
        _joined([_record_part(row, "email")], ""),
        _joined([_record_part(row, n, note=notes.get(n, "")) for n in ADDRESS_PARTS], ", "),
        _joined(_other_parts(row, set(notes), name_parts), "; "),
        _joined([_changed_fields(row)], ""),
    ]


def _changed_fields(row: RowOutcome) -> dict | None:
    """For an update, the names of the fields it changes, in the order of the record's page:
    'City, Zip, Tags'. A new row changes no record: it is one."""
    if row.action != "update" or not row.changes:
        return None
    order = {name: i for i, name in enumerate((*NAME_PARTS, "email", *ADDRESS_PARTS, *OTHER_PARTS))}
    names = sorted(row.changes, key=lambda n: order.get(n, len(order)))
    return preview_part(text=", ".join(_label(n) for n in names))


def _label(name: str) -> str:
    if name == "organisation_name":
        return "Organization"
    if name == "notes":
        return "New note"
    if name == "source_ids":
        return "Source IDs"
    return COLUMN_LABELS.get(name, name.replace("_", " ").capitalize())


def _record_part(row: RowOutcome, name: str, *, note: str = "") -> dict | None:
    """A name, email or address value as the record will have it: the file's value, old → new
    when an update changes it, or for an update the value the record keeps."""
    if name in row.changes:
        return preview_part(change=row.changes[name], note=note)
    kept = name not in row.values or name in row.defaulted  # a default never overwrites
    if row.action == "update" and row.supporter is not None and kept:
        return preview_part(text=getattr(row.supporter, name))
    if name in row.values:
        return preview_part(text=row.values[name], note=note)
    return None


def _other_parts(row: RowOutcome, defaulted: set[str], shown: tuple[str, ...]) -> list[dict]:
    """The other values written: all of a new row's; of an update, what it changes."""
    values, changes = row.values, row.changes
    parts = []
    for name in OTHER_PARTS:
        if name in shown:
            continue
        label = _label(name)
        if name == "tags":
            if row.new_tags:
                parts.append(_tags_part(row, label))
        elif name == "notes":
            if row.add_note:
                parts.append(preview_part("New note", _short(str(values["notes"]))))
        elif row.action == "update":
            if name in changes:
                old, new = (_shown(name, v) for v in changes[name])
                parts.append(preview_part(label, change=(old, new)))
        elif name == "kind":
            if values.get("kind") == "organisation":  # a person is the ordinary case
                parts.append(preview_part(label, _shown(name, values[name])))
        elif name == "preferred_language" and name in defaulted and row.action == "new":
            default = Supporter._meta.get_field(name).get_default()
            parts.append(preview_part(label, _shown(name, default), note="default"))
        elif values.get(name):  # a restriction left blank or 'no' is not written
            parts.append(preview_part(label, _shown(name, values[name])))
        if name == "email_opt_in":
            parts.extend(_consent_source(row))
    if row.new_source_ids:
        ids = ", ".join(f"{system} {value}" for system, value in row.new_source_ids)
        parts.append(preview_part("Source IDs", f"+ {ids}" if row.action == "update" else ids))
    if row.folded:
        parts.append(preview_part("Also from rows", ", ".join(str(r.number) for r in row.folded)))
    if row.action == "new" and row.namesakes:
        parts.append(preview_part("May be on file", namesakes_text(row)))
    return [p for p in parts if p]


def _tags_part(row: RowOutcome, label: str) -> dict:
    """Every tag the record will have; on an update the ones this row adds are named."""
    will_have = sorted({*row.known_tags, *row.new_tags}, key=str.casefold)
    if row.action == "update" and row.known_tags:
        return preview_part(label, ", ".join(will_have), note="new: " + ", ".join(row.new_tags))
    return preview_part(label, ", ".join(will_have))


def _consent_source(row: RowOutcome) -> list[dict]:
    """Where consent was given, kept with each consent or restriction the row records."""
    source = row.values.get("consent_source")
    if row.action == "update":
        recorded = any(name in row.changes for name in CONSENT_FIELDS)
    else:
        recorded = any(row.values.get(name) for name in CONSENT_FIELDS)
    return [preview_part(COLUMN_LABELS["consent_source"], source)] if source and recorded else []


def _joined(parts: list[dict | None], sep: str) -> dict:
    return {"parts": [p for p in parts if p and (p.get("text") or "old" in p)], "sep": sep}


def _shown(name: str, value: Any) -> str:
    return CHOICE_LABELS.get(name, {}).get(value, preview_text(value))


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _summary(totals: Mapping[str, int]) -> str:
    folded = totals.get("folded", 0)
    return (
        f"{totals.get('new', 0)} new, {totals.get('update', 0)} updated, "
        f"{totals.get('skip', 0)} already up to date"
        + (f", {folded} row{'s' if folded != 1 else ''} folded into another" if folded else "")
        + duplicates_summary(totals)
    )


def duplicates_summary(totals: Mapping[str, int]) -> str:
    """', 2 new supporters may be on file already (likely duplicates)', or nothing."""
    n = totals.get("likely_duplicates", 0)
    if not n:
        return ""
    who = "new supporter may be" if n == 1 else "new supporters may be"
    return f", {n} {who} on file already (likely duplicates: see the notes)"


SUPPORTER_IMPORT = ImportKind(
    name="supporters",
    run=_run,
    headers=PREVIEW_HEADERS,
    preview=_preview,
    labels=COLUMN_LABELS,
    shown=("new", "update"),  # rows already up to date are counted, not listed
    summary=_summary,
    columns=SUPPORTER_FIELDS,
)
