"""Mailings in the admin: the form (a letter, an audience, channels, sender, cost), editable
while a draft; its Send, Schedule, Cancel and Print pages and its results
(mailings.sending.views); and the 'Mailings' panel on a supporter's page."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from crm.admin import SupporterAdmin
from mailings.models import Mailing
from mailings.printing import print_views
from mailings.sending import views
from mailings.sending.selectors import supporter_mailings

Status = Mailing.Status
# Editable once sent: the invoice for printing and postage often comes later.
EDITABLE_AFTER_DRAFT = {"cost"}


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    list_display = ["name", "letter", "channel", "status", "when", "results_link"]
    list_filter = ["status", "channel"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["letter"]
    filter_horizontal = ["audience_tags"]
    change_form_template = "admin/mailings/mailing/change_form.html"
    fieldsets = [
        (None, {"fields": ["name", "slug", "letter", "audience", "channel", "sender"]}),
        ("Sending", {"fields": ["status", "scheduled_for", "cost", "who_did_what"]}),
        (
            "Subject test (optional)",
            {
                "classes": ["collapse"],
                "fields": ["subject_b", "subject_b_es", "test_share", "test_hours", "test_metric"],
                "description": "Try a second subject line on a sample first: half of the sample "
                "gets the letter's own subject (A), half this one (B). When the wait is over, "
                "the subject with more opens or clicks goes to everyone else, by itself. Merge "
                "fields work as in the letter's subject, e.g. {{ first_name }}.",
            },
        ),
        (
            "Printing from the command line",
            {
                "classes": ["collapse"],
                "fields": ["audience_tags"],
                "description": "Only for manage.py render_letters, which prints without an "
                "audience. A sent mailing prints its own print deliveries.",
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("letter")

    def get_readonly_fields(self, request: HttpRequest, obj: Mailing | None = None) -> list[str]:
        fixed = ["status", "scheduled_for", "who_did_what"]
        if obj is not None and obj.status != Status.DRAFT:
            fixed += [
                f.name
                for f in Mailing._meta.get_fields()
                if getattr(f, "editable", False) and f.name not in EDITABLE_AFTER_DRAFT
            ]
        return fixed

    def get_prepopulated_fields(self, request: HttpRequest, obj: Mailing | None = None) -> dict:
        return {} if obj is not None and obj.status != Status.DRAFT else self.prepopulated_fields

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "audience" and field is not None:
            # The audience editor is a full page, not a popup: it opens in a new tab.
            field.widget.can_add_related = False
            field.help_text = format_html(
                "Who gets it, worked out afresh when it is sent. "
                '<a href="{}" target="_blank" rel="noopener">Create an audience</a> '
                "(opens in a new tab; come back and choose it here).",
                reverse("admin:mailings_audience_add"),
            )
        if db_field.name == "sender" and field is not None:
            # The admin shows help text as HTML: the example address must be escaped.
            field.help_text = format_html(
                "The From line, e.g. {}. Empty: the organization's default sender.",
                "Development team <giving@example.org>",
            )
        if db_field.name in ("subject_b", "subject_b_es") and field is not None:
            field.widget.attrs["style"] = "width: min(42em, 100%)"  # a subject is long
        if db_field.name == "channel" and field is not None:
            field.help_text = (
                "Email and print: each supporter who can be emailed gets the email; those who "
                "cannot (no email address, do not email, opted out) get a printed letter "
                "instead, if they may be mailed."
            )
        return field

    def has_delete_permission(self, request: HttpRequest, obj: Mailing | None = None) -> bool:
        # A mailing that went out keeps its deliveries and results.
        if obj is not None and obj.status not in (Status.DRAFT, Status.CANCELLED):
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="When")
    def when(self, mailing: Mailing) -> Any:
        return mailing.started_at or mailing.scheduled_for or "—"

    @admin.display(description="Results")
    def results_link(self, mailing: Mailing) -> str:
        if mailing.status in (Status.DRAFT, Status.SCHEDULED, Status.CANCELLED):
            return "—"
        url = reverse("admin:mailings_mailing_results", args=[mailing.pk])
        return format_html('<a href="{}">Results</a>', url)

    @admin.display(description="Who did what")
    def who_did_what(self, mailing: Mailing) -> str:
        entries = mailing.log.select_related("user") if mailing.pk else []
        if not entries:
            return "Nothing yet."
        return format_html(
            "<ul style='margin:0;padding:0;list-style:none'>{}</ul>",
            format_html_join(
                "",
                "<li>{} · {} · {}</li>",
                (
                    (
                        f"{timezone.localtime(e.at):%Y-%m-%d %H:%M}",
                        e.user or "the background worker",
                        e.action,
                    )
                    for e in entries
                ),
            ),
        )

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("<int:mailing_id>/send/", view(views.send(self)), name="mailings_mailing_send"),
            path("<int:mailing_id>/schedule/", view(views.schedule(self)),
                 name="mailings_mailing_schedule"),
            path("<int:mailing_id>/cancel/", view(views.cancel(self)),
                 name="mailings_mailing_cancel"),
            path("<int:mailing_id>/results/", view(views.results(self)),
                 name="mailings_mailing_results"),
            path("<int:mailing_id>/subject-test/decide/", view(views.subject_test_decide_now(self)),
                 name="mailings_mailing_subject_test_decide"),
            path("<int:mailing_id>/progress.json", view(views.progress(self)),
                 name="mailings_mailing_progress"),
            path("<int:mailing_id>/print/", view(print_views.print_start(self)),
                 name="mailings_mailing_print"),
            path("<int:mailing_id>/print/<str:kind>/", view(print_views.print_file(self)),
                 name="mailings_mailing_print_file"),
            *super().get_urls(),
        ]  # fmt: skip

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        mailing = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "can_act": mailing is not None and self.has_change_permission(request, mailing),
        }
        return super().change_view(request, object_id, form_url, extra_context)


def mailings_glance(supporter: Any, request: HttpRequest) -> str:
    """The supporter page's 'Mailings' panel: what they were sent, newest first."""
    deliveries = supporter_mailings(supporter.pk)
    return render_to_string(
        "admin/mailings/_supporter_mailings.html",
        {"deliveries": deliveries[:10], "more": max(0, len(deliveries) - 10)},
        request=request,
    )


SupporterAdmin.glance_sections = [*SupporterAdmin.glance_sections, mailings_glance]


def _on_the_timeline() -> None:
    from crm.profile import timeline
    from mailings.sending.supporter_profile import delivery_entries

    timeline.SOURCES.append(({"email", "letter"}, delivery_entries))


_on_the_timeline()
