"""django-import-export resources: the admin's import and export screens for supporters.

Export goes through the library. Import keeps the library's upload form, and hands the file to
an import job (crm.import_jobs) run with SUPPORTER_IMPORT: crm.importing matches a whole batch
per query instead of one query per row, and writes the file in one transaction or not at all.
"""

from collections.abc import Mapping
from typing import Any

from import_export import fields, resources

from crm.import_columns import COLUMN_LABELS
from crm.import_jobs import ImportKind
from crm.import_rows import RowOutcome
from crm.importing import ImportReport, supporters_import
from crm.models import Supporter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_COLUMNS = (
    "kind",
    "title",
    "first_name",
    "last_name",
    "preferred_name",
    "partner_title",
    "partner_first_name",
    "partner_last_name",
    "organisation_name",
    "salutation",
    "formal_salutation",
    "addressee",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "preferred_language",
    "source",
    "email_opt_in",
    "do_not_email",
    "do_not_mail",
    "do_not_contact",
    "deceased",
)
PREVIEW_COLUMNS = ("first_name", "last_name", "organisation_name", "email", "postal_code", "tags")


def neutralise_formula(value: Any) -> Any:
    """A cell a spreadsheet would run as a formula is exported as text, with a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class SupporterResource(resources.ModelResource):
    id = fields.Field(attribute="pk", column_name="Supporter ID", readonly=True)
    tags = fields.Field(column_name="Tags", readonly=True)
    effective_salutation = fields.Field(
        attribute="effective_salutation", column_name="Greeting", readonly=True
    )
    effective_addressee = fields.Field(
        attribute="effective_addressee", column_name="Envelope Name", readonly=True
    )

    class Meta:
        model = Supporter
        fields = ("id", *EXPORT_COLUMNS, "tags", "effective_salutation", "effective_addressee")
        export_order = fields
        name = "Supporters (CSV or XLSX from any donor system)"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for name in EXPORT_COLUMNS:
            self.fields[name].column_name = COLUMN_LABELS.get(name, name.replace("_", " ").title())

    def get_export_queryset(self, request: Any = None) -> Any:
        return Supporter.objects.prefetch_related("tags")

    def dehydrate_tags(self, supporter: Supporter) -> str:
        return "; ".join(tag.name for tag in supporter.tags.all())

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> Any:
        return neutralise_formula(super().export_field(field, instance, **kwargs))

    def get_user_visible_fields(self) -> list[fields.Field]:
        # What the import page lists as accepted columns.
        return [self.fields[name] for name in EXPORT_COLUMNS] + [
            fields.Field(column_name=label) for label in ("Tags", "Notes", "Consent Source")
        ]


def _run(*, consent_source: str = "", **kwargs: Any) -> ImportReport:
    return supporters_import(consent_source=consent_source, **kwargs)


def _cells(row: RowOutcome) -> list:
    """A row as the preview shows it: a changed cell is [old, new]."""
    cells: list = []
    for name in PREVIEW_COLUMNS:
        if name in row.changes:
            old, new = row.changes[name]
            cells.append([_text(old), _text(new)])
        else:
            cells.append(_text(row.values.get(name, "")))
    return [*cells, _changes(row)]


def _changes(row: RowOutcome) -> str:
    """For an update, what the import will change, in the column names staff know."""
    if row.action != "update":
        return ""
    return "; ".join(
        f"{COLUMN_LABELS.get(name, name)}: {_text(old) or '—'} → {_text(new)}"
        for name, (old, new) in row.changes.items()
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _summary(totals: Mapping[str, int]) -> str:
    return (
        f"{totals.get('new', 0)} new, {totals.get('update', 0)} updated, "
        f"{totals.get('skip', 0)} already up to date"
    )


SUPPORTER_IMPORT = ImportKind(
    name="supporters",
    run=_run,
    headers=[COLUMN_LABELS.get(c, c.title()) for c in PREVIEW_COLUMNS] + ["Changes"],
    cells=_cells,
    labels=COLUMN_LABELS,
    shown=("new", "update"),  # rows already up to date are counted, not listed
    summary=_summary,
)
