"""django-import-export's resource for supporters: the admin's export, and the columns its
import page lists. Import keeps the library's upload form and hands the file to an import job
(crm.importing.jobs) run with SUPPORTER_IMPORT (crm.importing.supporter_preview)."""

from typing import Any

from import_export import fields, resources

from core.spreadsheets import human_value, neutralise_formula
from crm.importing.supporter_columns import COLUMN_LABELS
from crm.models import Supporter

EXPORT_COLUMNS = (
    "kind",
    "title",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
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
    "phone_2",
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


class SupporterResource(resources.ModelResource):
    id = fields.Field(attribute="pk", column_name="Supporter ID", readonly=True)
    tags = fields.Field(column_name="Tags", readonly=True)
    # What letters use when Salutation or Addressee is blank: named apart from those two
    # columns, which the import reads, so the file imports back (and these two are skipped).
    effective_salutation = fields.Field(
        attribute="effective_salutation", column_name="Greeting in use", readonly=True
    )
    effective_addressee = fields.Field(
        attribute="effective_addressee", column_name="Envelope name in use", readonly=True
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
        # 'Opted in', 'Person', 'English', 'Yes': words the import reads back (crm.importing).
        value = human_value(
            instance, field.attribute, super().export_field(field, instance, **kwargs)
        )
        return neutralise_formula(value)

    def get_user_visible_fields(self) -> list[fields.Field]:
        # What the import page lists as accepted columns.
        return [self.fields[name] for name in EXPORT_COLUMNS] + [
            fields.Field(column_name=label) for label in ("Tags", "Notes", "Consent Source")
        ]
