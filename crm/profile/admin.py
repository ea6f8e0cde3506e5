"""Admin lists of tasks and interactions: everyone's, for the team lead; each person's own
are on the staff home and each supporter's on their profile."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from crm.models import Interaction, Task


class OpenFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple[str, str]]:
        return [("open", "Open"), ("done", "Done")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "open":
            return queryset.filter(done_at=None)
        if self.value() == "done":
            return queryset.exclude(done_at=None)
        return queryset


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "supporter", "due_on", "assigned_to", "done_at"]
    list_filter = [OpenFilter, "assigned_to", "due_on"]
    list_select_related = ["supporter", "assigned_to"]
    search_fields = ["title", "supporter__last_name", "supporter__organisation_name"]
    autocomplete_fields = ["supporter"]
    fields = ["supporter", "title", "due_on", "assigned_to", "interaction", "done_at"]
    raw_id_fields = ["interaction"]

    def save_model(self, request: HttpRequest, obj: Task, form: object, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ["happened_on", "kind", "supporter", "staff"]
    list_filter = ["kind", "staff", "happened_on"]
    list_select_related = ["supporter", "staff"]
    search_fields = ["notes", "supporter__last_name", "supporter__organisation_name"]
    autocomplete_fields = ["supporter"]
    fields = ["supporter", "kind", "happened_on", "staff", "notes"]

    def save_model(
        self, request: HttpRequest, obj: Interaction, form: object, change: bool
    ) -> None:
        if not change:
            obj.logged_by = request.user
        super().save_model(request, obj, form, change)
