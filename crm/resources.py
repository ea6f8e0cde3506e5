"""django-import-export resources: the admin's import and export screens for supporters.

Export goes through the library. Import keeps the library's screens (upload, dry-run preview,
confirm) but hands the work to crm.importing, which matches a whole batch per query instead
of one query per row, and writes the file in one transaction or not at all.
"""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.html import format_html, format_html_join
from import_export import fields, resources
from import_export.results import Error, Result, RowResult

from crm.import_columns import COLUMN_LABELS
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

    def import_data(
        self,
        dataset: Any,
        dry_run: bool = False,
        raise_errors: bool = False,
        use_transactions: bool | None = None,
        collect_failed_rows: bool = False,
        rollback_on_validation_errors: bool = False,
        **kwargs: Any,
    ) -> Result:
        report = supporters_import(
            headers=list(dataset.headers or []),
            rows=dataset,
            dry_run=dry_run,
            actor=kwargs.get("user"),
            consent_source=kwargs.get("consent_source", ""),
            file_name=kwargs.get("file_name") or "",
        )
        return report_as_result(report)


def report_as_result(report: ImportReport) -> Result:
    """The import report in the shape the library's preview and confirm screens show."""
    result = Result()
    result.diff_headers = [COLUMN_LABELS.get(c, c.title()) for c in PREVIEW_COLUMNS] + ["Changes"]
    result.total_rows = len(report.rows)
    result.ignored_columns = report.ignored_columns
    for message in report.file_errors:
        result.append_base_error(Error(ValidationError(message)))
    for row in report.rows:
        row_result = RowResult()
        row_result.import_type = row.action
        cells = [_preview_cell(row, name) for name in PREVIEW_COLUMNS] + [_changes_cell(row)]
        if row.action == "invalid":
            row_result.validation_error = ValidationError(_plain_errors(row.errors))
            result.append_invalid_row(
                row.number,
                dict(zip(result.diff_headers, cells, strict=True)),
                row_result.validation_error,
            )
        else:
            row_result.diff = cells
            row_result.object_id = row.supporter_id
            row_result.object_repr = str(row.supporter) if row.supporter else ""
        result.increment_row_result_total(row_result)
        if row.action != "skip":
            result.append_row_result(row_result)
    return result


def _preview_cell(row: Any, name: str) -> str:
    value = row.values.get(name, "")
    if isinstance(value, list):
        value = ", ".join(value)
    if name in row.changes:
        old, new = row.changes[name]
        return format_html("<del>{}</del> <ins>{}</ins>", old or "", new)
    return format_html("{}", value)


def _changes_cell(row: Any) -> str:
    """For an update, what the import will change, in the column names staff know."""
    if row.action != "update":
        return ""
    return format_html_join(
        "; ",
        "{}: {} → {}",
        (
            (COLUMN_LABELS.get(name, name), old if old not in ("", None) else "—", new)
            for name, (old, new) in row.changes.items()
        ),
    )


def _plain_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Field names as the column headers staff know."""
    return {
        (COLUMN_LABELS.get(name, name) if name != NON_FIELD_ERRORS else name): messages
        for name, messages in errors.items()
    }
