"""django-import-export for gifts: the admin's import form, whose file becomes an import job
(crm.importing.jobs) run with GIFT_IMPORT through donations.imports.gifts, and an export whose
cells cannot run as formulas."""

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from import_export import fields, resources
from import_export.forms import ImportForm

from core.spreadsheets import human_value, neutralise_formula
from crm.forms import source_system_field
from crm.importing.cells import cell_text
from crm.importing.folding import person_name
from crm.importing.jobs import ImportKind, Preview, preview_part
from crm.importing.outcome import ImportReport, RowOutcome
from crm.importing.people import namesakes_text
from crm.importing.supporter_columns import COLUMN_LABELS
from crm.importing.supporter_preview import duplicates_summary
from donations.imports import columns as gift_columns
from donations.imports.columns import LABELS
from donations.imports.gifts import donor_of, gifts_import
from donations.imports.references import NewReference
from donations.models import Fund, Gift

ALREADY_THANKED_HELP = (
    "Tick this for gifts from your old system that were already thanked. Untick it and the "
    "gifts wait in the acknowledgement queue; an import never emails donors by itself."
)


class GiftImportForm(ImportForm):
    already_thanked = forms.BooleanField(
        label="These gifts were already thanked", required=False, initial=True,
        help_text=ALREADY_THANKED_HELP,
    )  # fmt: skip
    source_system = source_system_field()


# Column names where the field's own name would not say it plainly.
EXPORT_LABELS = {"id": "Gift ID", "received_on": "Date", "acknowledgement": "Thank-you"}


class GiftResource(resources.ModelResource):
    supporter_email = fields.Field(attribute="supporter__email", column_name="Email")
    supporter_name = fields.Field(attribute="supporter", column_name="Donor")
    campaign_code = fields.Field(attribute="campaign__code", column_name="Campaign")
    fund_code = fields.Field(attribute="fund__code", column_name="Fund")

    class Meta:
        model = Gift
        fields = (
            "id", "supporter_name", "supporter_email", "received_on", "amount", "currency",
            "fee", "net", "method", "cheque_number", "in_kind_description", "stock_ticker",
            "stock_shares", "given_on", "status", "amount_refunded", "campaign_code", "fund_code",
            "appeal_code", "acknowledgement", "notes",
        )  # fmt: skip
        export_order = fields
        name = "Gifts (CSV or XLSX)"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for name, field in self.fields.items():
            if field.column_name == name:  # a model field: its verbose name, as on screen
                label = EXPORT_LABELS.get(name) or Gift._meta.get_field(name).verbose_name
                field.column_name = str(label)[:1].upper() + str(label)[1:]

    def get_export_queryset(self, request: Any = None) -> Any:
        return Gift.objects.select_related("supporter", "campaign", "fund")

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> Any:
        # 'Check', 'Succeeded', 'Thanked', 'USD': as the gift's page shows them.
        value = super().export_field(field, instance, **kwargs)
        if field.attribute == "currency":
            return str(value).upper()
        return neutralise_formula(human_value(instance, field.attribute, value))

    def get_user_visible_fields(self) -> list[fields.Field]:
        # What the import page lists as accepted columns.
        names = ("email", "first_name", "last_name", "organisation_name", "postal_code",
                 "amount", "received_on", "method", "cheque_number", "campaign", "appeal_code",
                 "fund", "in_kind_description", "stock_ticker", "stock_shares", "given_on",
                 "notes", "acknowledged", "source_id", "source_gift_id")  # fmt: skip
        return [fields.Field(column_name=LABELS[name]) for name in names]


def _run(
    *, already_thanked: bool = True, columns: Sequence[str] | None = None, **kwargs: Any
) -> ImportReport:
    return gifts_import(already_thanked=bool(already_thanked), chosen=columns, **kwargs)


# The preview shows every value the import writes for a gift, and what it fills in itself.
PREVIEW_HEADERS = ("Donor", "Date", "Amount", "Method", "Check number", "Campaign", "Fund",
                   "Appeal code", "Thanked", "Also saved", "Skipped because")  # fmt: skip


def _preview(headers: Sequence[object], options: Mapping[str, Any]) -> Preview:
    mapping, _ignored, _repeated = gift_columns.HEADERS.map_columns(
        list(headers), options.get("columns")
    )
    method_index = next((i for i, name in mapping.items() if name == "method"), None)
    default_fund = Fund.objects.filter(is_default=True).first()
    thanked = bool(options.get("already_thanked", True))
    has_column = "acknowledged" in mapping.values()

    def cells(row: RowOutcome, file_row: Sequence[object]) -> list:
        method_given = (
            method_index is not None
            and method_index < len(file_row)
            and bool(cell_text(file_row[method_index]))
        )
        return _cells(
            row, method_given=method_given, default_fund=default_fund, thanked_default=thanked
        )

    notes = [] if has_column else [_thanked_note(options)]
    return Preview(cells=cells, notes=notes)


def _thanked_note(options: Mapping[str, Any]) -> str:
    if options.get("already_thanked", True):
        return "Every gift is recorded as already thanked: none joins the acknowledgement queue."
    return "Every gift is recorded as not yet thanked: each waits in the acknowledgement queue."


def _donor(row: RowOutcome) -> dict:
    """Who gave, and whether they are on file, new, or the donor of an earlier row."""
    person = row.person
    if person is None:
        return _one(preview_part(text=_who(row.values)))
    lead = donor_of(row)
    name = person_name(lead) if lead.supporter is None else str(lead.supporter)
    if person.folded_into is not None:
        note = f"same donor as row {lead.number}"
    elif lead.action == "new":
        note = "new donor"
        if lead.namesakes:
            note += f"; may be supporter {namesakes_text(lead)} on file"
    elif lead.action == "update":
        note = "on file, updated: " + ", ".join(
            str(LABELS.get(n, COLUMN_LABELS.get(n, n))) for n in lead.changes
        )
    else:
        note = ""
    return _one(preview_part(text=name or _who(person.values), note=note))


def _cells(
    row: RowOutcome,
    *,
    method_given: bool,
    default_fund: Fund | None,
    thanked_default: bool = True,
) -> list:
    """What Gift rows donations.imports.gifts records: its defaults (method, fund, appeal code)
    shown with where they come from."""
    v = row.values
    campaign = v.get("campaign")
    if isinstance(campaign, NewReference):
        shown_new = _one(preview_part(text=campaign.text, note="new campaign"))
        campaign = None
    else:
        shown_new = None
    if isinstance(v.get("fund"), NewReference):
        fund = preview_part(text=v["fund"].text, note="new fund")
    elif v.get("fund"):
        fund = preview_part(text=v["fund"].code)
    elif campaign is not None and campaign.fund is not None:
        fund = preview_part(text=campaign.fund.code, note="the campaign's")
    elif default_fund is not None:
        fund = preview_part(text=default_fund.code, note="default")
    else:
        fund = preview_part()
    if isinstance(v.get("appeal_code"), NewReference):
        appeal = preview_part(text=v["appeal_code"].text, note="new appeal")
    elif v.get("appeal_code") or campaign is None:
        appeal = preview_part(text=v.get("appeal_code", ""))
    else:
        appeal = preview_part(text=campaign.code, note="the campaign's")
    method = preview_part(
        text=_shown(v.get("method")), note="" if method_given or "method" not in v else "default"
    )
    shown_campaign: Any = shown_new or _shown(campaign)
    if "campaign" in row.defaulted:  # named by the row's appeal code
        shown_campaign = _one(preview_part(text=shown_campaign, note="the appeal code's"))
    also = [
        preview_part(LABELS[name], _short(str(v[name])))
        for name in ("in_kind_description", "stock_ticker", "stock_shares", "given_on", "notes")
        if v.get(name)
    ]
    thanked = v.get("acknowledged", thanked_default)
    return [
        _donor(row),
        _shown(v.get("received_on")),
        _shown(v.get("amount")),
        _one(method),
        _shown(v.get("cheque_number")),
        shown_campaign,
        _one(fund),
        _one(appeal),
        "yes" if thanked else "no: waits in the thank-you queue",
        {"parts": also, "sep": "; "},
        str(v.get("skip_reason", "")),
    ]


def _one(part: dict) -> dict:
    return {"parts": [part] if part.get("text") else [], "sep": ""}


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
        f"{totals.get('skip', 0)} already recorded (skipped); donors: "
        f"{totals.get('donors_new', 0)} new, {totals.get('donors_update', 0)} updated, "
        f"{totals.get('donors_skip', 0)} already up to date" + duplicates_summary(totals)
    )


GIFT_IMPORT = ImportKind(
    name="gifts",
    run=_run,
    headers=PREVIEW_HEADERS,
    preview=_preview,
    labels=LABELS,
    shown=("new", "skip"),
    summary=_summary,
)
