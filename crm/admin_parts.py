"""The supporter Edit page's inlines (notes, consent history) and the list's consent filter."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from crm.models import ConsentEvent, Note


class NoteInline(admin.TabularInline):
    model = Note
    extra = 1
    fields = ["text", "author", "created_at"]
    readonly_fields = ["author", "created_at"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # notes are kept as written; add a new one to correct an old one

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ConsentEventInline(admin.TabularInline):
    model = ConsentEvent
    extra = 0
    fields = ["at", "field", "old_value", "new_value", "method", "source", "actor"]
    readonly_fields = fields
    verbose_name_plural = "Consent history"
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EmailConsentFilter(admin.SimpleListFilter):
    title = "can be emailed"
    parameter_name = "emailable"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        emailable = dict(do_not_email=False, do_not_contact=False, deceased=False)
        if self.value() == "yes":
            return queryset.filter(**emailable).exclude(email="").exclude(email_opt_in="opted_out")
        if self.value() == "no":
            return queryset.exclude(
                pk__in=queryset.filter(**emailable)
                .exclude(email="")
                .exclude(email_opt_in="opted_out")
                .values("pk")
            )
        return queryset
