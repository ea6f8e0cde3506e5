"""django-import-export for gifts: the admin's import form, whose file becomes an import job
(crm.import_jobs) run with GIFT_IMPORT through donations.gift_import, and an export whose
cells cannot run as formulas."""

from collections.abc import Mapping
from typing import Any

from django import forms
from import_export import fields, resources
from import_export.forms import ImportForm

from crm.import_jobs import ImportKind
from crm.import_rows import RowOutcome
from crm.importing import ImportReport
from crm.resources import neutralise_formula
from donations.gift_columns import LABELS
from donations.gift_import import gifts_import
from donations.models import Gift

PREVIEW_COLUMNS = ("received_on", "amount", "method", "cheque_number", "campaign", "fund")
ALREADY_THANKED_HELP = (
    "Tick this for gifts from your old system that were already thanked. Untick it and the "
    "gifts wait in the acknowledgement queue; an import never emails donors by itself."
)


class GiftImportForm(ImportForm):
    already_thanked = forms.BooleanField(
        label="These gifts were already thanked", required=False, initial=True,
        help_text=ALREADY_THANKED_HELP,
    )  # fmt: skip


class GiftResource(resources.ModelResource):
    supporter_email = fields.Field(attribute="supporter__email", column_name="Email")
    supporter_name = fields.Field(attribute="supporter", column_name="Donor")
    campaign_code = fields.Field(attribute="campaign__code", column_name="Campaign")
    fund_code = fields.Field(attribute="fund__code", column_name="Fund")

    class Meta:
        model = Gift
        fields = (
            "id", "supporter_name", "supporter_email", "received_on", "amount", "currency",
            "method", "cheque_number", "status", "amount_refunded", "campaign_code",
            "fund_code", "appeal_code", "acknowledgement", "notes",
        )  # fmt: skip
        export_order = fields
        name = "Gifts (CSV or XLSX)"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for name, field in self.fields.items():
            if field.column_name == name:  # a model field: its verbose name, as on screen
                label = "Gift ID" if name == "id" else Gift._meta.get_field(name).verbose_name
                field.column_name = str(label)[:1].upper() + str(label)[1:]

    def get_export_queryset(self, request: Any = None) -> Any:
        return Gift.objects.select_related("supporter", "campaign", "fund")

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> Any:
        return neutralise_formula(super().export_field(field, instance, **kwargs))

    def get_user_visible_fields(self) -> list[fields.Field]:
        # What the import page lists as accepted columns.
        names = ("email", "first_name", "last_name", "organisation_name", "postal_code",
                 "amount", "received_on", "method", "cheque_number", "campaign", "appeal_code",
                 "fund", "in_kind_description", "notes")  # fmt: skip
        return [fields.Field(column_name=LABELS[name]) for name in names]


def _run(*, file_name: str = "", already_thanked: bool = True, **kwargs: Any) -> ImportReport:
    return gifts_import(already_thanked=bool(already_thanked), **kwargs)


def _cells(row: RowOutcome) -> list[str]:
    return [
        str(row.supporter or _who(row.values)),
        *(_shown(row.values.get(name)) for name in PREVIEW_COLUMNS),
        str(row.values.get("skip_reason", "")),
    ]


def _who(values: dict[str, Any]) -> str:
    parts = ("email", "first_name", "last_name", "organisation_name", "postal_code")
    return " ".join(str(values[p]) for p in parts if values.get(p))


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "code"):
        return value.code
    return str(dict(Gift.Method.choices).get(value, value))


def _summary(totals: Mapping[str, int]) -> str:
    return (
        f"{totals.get('new', 0)} gifts to record, "
        f"{totals.get('skip', 0)} already recorded (skipped)"
    )


GIFT_IMPORT = ImportKind(
    name="gifts",
    run=_run,
    headers=["Donor"] + [LABELS[c] for c in PREVIEW_COLUMNS] + ["Note"],
    cells=_cells,
    labels=LABELS,
    shown=("new", "skip"),
    summary=_summary,
)
