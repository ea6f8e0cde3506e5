from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from core.models import Organisation
from core.services import organisation_update


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    fieldsets = [
        (None, {"fields": ["name", "logo", "address", "tax_id", "website", "phone", "hotline"]}),
        ("Mail and money", {"fields": ["default_sender", "fiscal_year_start_month", "paper_size"]}),
    ]

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        # Through the service: a new fiscal-year start rebuilds the giving summaries.
        organisation_update(organisation=obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one row, created on first use

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        organisation = Organisation.current()
        return HttpResponseRedirect(
            reverse("admin:core_organisation_change", args=[organisation.pk])
        )
