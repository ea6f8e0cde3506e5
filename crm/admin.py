from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats

from core.history_admin import SafeHistoryAdmin
from core.paginators import IdsFirstPaginator
from core.stale_edit import StaleEditAdminMixin
from crm import admin_views, history
from crm.admin_parts import ConsentEventInline, EmailConsentFilter, NoteInline
from crm.forms import SupporterForm, SupporterImportForm
from crm.households import admin as household_admin  # noqa: F401 - registers Household
from crm.households import views as household_views
from crm.importing.job_admin import ImportJobAdminMixin
from crm.importing.supporter_preview import SUPPORTER_IMPORT
from crm.matching import fold
from crm.models import (
    ConsentEvent,
    ImportMapping,
    Note,
    SourceId,
    Supporter,
    SupporterMerge,
    Tag,
)
from crm.profile import admin as profile_admin  # noqa: F401 - registers tasks, interactions
from crm.profile import views as profile_views
from crm.resources import SupporterResource
from crm.services import consent_record_changes, consent_snapshot
from crm.tasks import supporter_import_run


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    """Column mappings saved on the import's mapping step: listed, renamed or deleted here;
    made only there, from a file's columns."""

    list_display = ["name", "columns_mapped", "created_by", "created_at"]
    fields = ["name", "columns_mapped", "created_by", "created_at"]
    readonly_fields = ["columns_mapped", "created_by", "created_at"]
    search_fields = ["name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Columns")
    def columns_mapped(self, mapping: ImportMapping) -> str:
        return "; ".join(f"{h} → {f or 'not imported'}" for h, f in mapping.columns)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "supporter_count"]
    search_fields = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        from django.db.models import Count

        return super().get_queryset(request).annotate(n=Count("supporters"))

    @admin.display(description="Supporters", ordering="n")
    def supporter_count(self, tag: Tag) -> int:
        return tag.n


@admin.register(Supporter)
class SupporterAdmin(
    StaleEditAdminMixin, ImportJobAdminMixin, ImportExportModelAdmin, SafeHistoryAdmin
):
    form = SupporterForm
    resource_classes = [SupporterResource]
    import_form_class = SupporterImportForm
    # Checked and written through import jobs (crm.importing.job_admin).
    import_kind = SUPPORTER_IMPORT
    import_task = supporter_import_run
    import_template_name = "admin/crm/supporter/import.html"
    import_error_display = ("message",)
    import_formats = [base_formats.CSV, base_formats.XLSX]
    export_formats = [base_formats.CSV, base_formats.XLSX]
    change_form_template = "admin/crm/supporter/change_form.html"
    change_list_template = "admin/crm/supporter/change_list.html"
    list_display = [
        "display_name_link",
        "email",
        "place",
        # Language is a filter, not a column: the giving columns need the room at 1366 px.
        "consent_badge",
        "tag_list",
    ]
    list_display_links = None
    list_filter = [
        "tags",
        EmailConsentFilter,
        "email_opt_in",
        "do_not_email",
        "do_not_mail",
        "do_not_contact",
        "preferred_language",
        "kind",
        "deceased",
        "country",
    ]
    search_fields = [
        "first_name",
        "last_name",
        "preferred_name",
        "organisation_name",
        "partner_first_name",
        "partner_last_name",
        "email",
        "^postal_code",
        "phone",
        "phone_2",
        "=id",
    ]
    search_help_text = "Search by name (accents optional), email, ZIP / postal code, phone or ID."
    view_on_site = False  # the record's page is this admin page
    # (label, admin URL name, permission) of pages that start a record for this supporter;
    # later apps add theirs (donations: 'Record a gift'). Opened with ?supporter=<id>.
    record_links: list[tuple[str, str, str]] = []
    # Sections other apps add to the 'At a glance' panel: callables (supporter, request) that
    # return HTML (rendered from their own templates), e.g. donations' giving summary.
    glance_sections: list = []
    # Giving of a household's members (ids -> crm.households.selectors.HouseholdGiving),
    # set by donations: crm keeps no gifts.
    household_giving = None
    # Functions (queryset, request) -> queryset that later apps use to read their list
    # columns in the list's own query (donations: the giving columns).
    list_queryset_hooks: list = []
    list_per_page = 50
    paginator = IdsFirstPaginator  # sorted by giving: the page's ids first (core.paginators)
    show_full_result_count = False
    autocomplete_fields = ["tags"]
    inlines = [NoteInline, ConsentEventInline]
    readonly_fields = ["created_at", "updated_at", "source_ids_shown"]
    fieldsets = [
        (
            "Who",
            {
                "fields": [
                    "kind",
                    ("title", "first_name", "middle_name", "last_name", "suffix"),
                    "preferred_name",
                    ("partner_title", "partner_first_name", "partner_last_name"),
                    "organisation_name",
                ]
            },
        ),
        (
            "Greeting",
            {
                "fields": ["salutation", "formal_salutation", "addressee"],
                "description": "Left blank, these are worked out from the names above; the "
                "suggestion is shown beside each field.",
            },
        ),
        (
            "Contact",
            {
                "fields": [
                    "email",
                    ("phone", "phone_2"),
                    "address_line1",
                    "address_line2",
                    ("city", "region", "postal_code"),
                    "country",
                    "preferred_language",
                ]
            },
        ),
        (
            "Consent",
            {
                "fields": [
                    "email_opt_in",
                    "consent_source",
                    ("do_not_email", "do_not_mail", "do_not_contact"),
                ]
            },
        ),
        (
            "Major gifts",
            {
                "fields": [("prospect_stage", "ask_amount")],
                "description": "Moves management: where a major-gift prospect stands and what "
                "we plan to ask for. Leave blank for other supporters.",
            },
        ),
        (
            "About",
            {
                "fields": [
                    "tags",
                    "source",
                    "deceased",
                    ("created_at", "updated_at"),
                    "source_ids_shown",
                ]
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request).prefetch_related("tags")
        if getattr(request, "supporter_list", False):
            for hook in self.list_queryset_hooks:
                queryset = hook(queryset, request)
        return queryset

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        request.supporter_list = True  # the list's columns are read with its rows
        return super().get_changelist_instance(request)

    @admin.display(description="Ids in other systems")
    def source_ids_shown(self, supporter: Supporter) -> str:
        # Read-only: imports keep them, and the next import of that system's file finds this
        # record by them (crm.importing.row_matching).
        ids = SourceId.objects.filter(supporter=supporter) if supporter.pk else []
        return ", ".join(f"{s.system}: {s.value}" for s in ids) or "—"

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            # Read-only viewers see the stored fields only, not the edit-time question.
            return [
                (name, {**opts, "fields": [f for f in opts["fields"] if f != "consent_source"]})
                for name, opts in fieldsets
            ]
        return fieldsets

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("duplicates/", view(admin_views.duplicates_list(self)), name="crm_duplicates"),
            path(
                "merge/<int:first_id>/<int:second_id>/",
                view(admin_views.merge(self)),
                name="crm_supporter_merge",
            ),
            path("<int:supporter_id>/note/", view(profile_views.note_add(self)),
                 name="crm_supporter_note"),
            path("<int:supporter_id>/interaction/", view(profile_views.interaction_add(self)),
                 name="crm_supporter_interaction"),
            path("<int:supporter_id>/task/", view(profile_views.task_add(self)),
                 name="crm_supporter_task"),
            path("<int:supporter_id>/merge-with/", view(profile_views.merge_with(self)),
                 name="crm_supporter_merge_with"),
            path("task/<int:task_id>/done/", view(profile_views.task_done(self)),
                 name="crm_task_done"),
            *household_views.urls(self),
            *super().get_urls(),
        ]  # fmt: skip

    def save_model(self, request: HttpRequest, obj: Supporter, form: Any, change: bool) -> None:
        before = form.initial if change else {}
        before = (
            {k: before.get(k) for k in consent_snapshot(obj)}
            if change
            else {
                "email_opt_in": Supporter.EmailOptIn.UNKNOWN,
                "do_not_email": False,
                "do_not_mail": False,
                "do_not_contact": False,
            }
        )
        super().save_model(request, obj, form, change)
        consent_record_changes(
            supporter=obj,
            before=before,
            method=ConsentEvent.Method.STAFF,
            source=form.cleaned_data.get("consent_source", ""),
            actor=request.user,
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for note in formset.save(commit=False):
            if isinstance(note, Note) and note.author_id is None:
                note.author = request.user
            note.save()
        formset.save_m2m()

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> Any:
        extra_context = extra_context or {}
        supporter = self.get_object(request, object_id)
        if (
            supporter is not None
            and request.method == "GET"
            and "edit" not in request.GET
            and self.has_view_or_change_permission(request, supporter)
        ):
            # The supporter's page is their profile; ?edit=1 opens this change form.
            return profile_views.profile(self, request, supporter)
        if supporter is not None:
            extra_context["supporter"] = supporter
            extra_context["recent_changes"] = history.recent_changes(supporter, limit=8)
            extra_context["merges"] = supporter.merges.select_related("merged_by")[:5]
            extra_context["glance_sections"] = [
                section(supporter, request) for section in self.glance_sections
            ]
            extra_context["record_links"] = [
                (label, f"{reverse(url_name)}?supporter={supporter.pk}")
                for label, url_name, permission in self.record_links
                if request.user.has_perm(permission)
            ]
        return super().change_view(request, object_id, form_url, extra_context)

    def response_change(self, request: HttpRequest, obj: Supporter) -> Any:
        # Saved from the Edit page: back to the profile, or on to editing with 'continue'.
        response = super().response_change(request, obj)
        if "_continue" in request.POST:
            return redirect(f"{reverse('admin:crm_supporter_change', args=[obj.pk])}?edit=1")
        if "_save" in request.POST:
            return redirect("admin:crm_supporter_change", obj.pk)
        return response

    @admin.display(description="Name", ordering="last_name")
    def display_name_link(self, supporter: Supporter) -> str:
        url = reverse("admin:crm_supporter_change", args=[supporter.pk])
        return format_html('<a href="{}">{}</a>', url, supporter.display_name or "(no name)")

    @admin.display(description="Where", ordering="postal_code")
    def place(self, supporter: Supporter) -> str:
        city = f"{supporter.city}, " if supporter.city else ""
        return f"{city}{supporter.region} {supporter.postal_code}".strip(" ,")

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        folded = fold(search_term)
        if folded:
            # 'garcia' finds 'García' and 'maria lopez' finds Maria Lopez: names are also
            # searched in the folded form the duplicate finder keeps.
            results |= queryset.filter(match_name__contains=folded)
        return results, may_have_duplicates

    @admin.display(description="Tags")
    def tag_list(self, supporter: Supporter) -> str:
        return ", ".join(tag.name for tag in supporter.tags.all())

    @admin.display(description="Email consent")
    def consent_badge(self, supporter: Supporter) -> str:
        if supporter.do_not_contact:
            return format_html('<span class="badge badge-no">{}</span>', "Do not contact")
        if supporter.deceased:
            return format_html('<span class="badge badge-no">{}</span>', "Deceased")
        if not supporter.email:
            return format_html('<span class="badge">{}</span>', "No email")
        if supporter.do_not_email or supporter.email_opt_in == "opted_out":
            return format_html('<span class="badge badge-no">{}</span>', "Opted out")
        if supporter.email_opt_in == "opted_in":
            return format_html('<span class="badge badge-yes">{}</span>', "Opted in")
        return format_html('<span class="badge">{}</span>', "Not asked")


@admin.register(SupporterMerge)
class SupporterMergeAdmin(admin.ModelAdmin):
    list_display = ["merged_at", "survivor", "merged_supporter_id", "merged_by"]
    readonly_fields = [f.name for f in SupporterMerge._meta.fields]
    list_select_related = ["survivor", "merged_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
