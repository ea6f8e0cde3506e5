from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse

from core import giving_levels
from core.models import Organisation, OutboxMessage, Suppression
from core.outbox.queue import outbox_mark_sent, outbox_send_again
from core.outbox.suppression import email_hash
from core.services import organisation_update


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    fieldsets = [
        (None, {"fields": ["name", "logo", "address", "tax_id", "website", "phone", "hotline"]}),
        (
            "Mail and money",
            {
                "fields": [
                    "default_sender",
                    "default_sender_es",
                    "fiscal_year_start_month",
                    "paper_size",
                ]
            },
        ),
        (
            "Envelope",
            {
                "fields": [
                    "envelope",
                    "envelope_unit",
                    ("envelope_width", "envelope_height"),
                    ("window_width", "window_height"),
                    ("window_left", "window_bottom"),
                    "fold_panel_height",
                ],
                "description": (
                    "Pick your window envelope. Only a custom one needs the measurements: "
                    "take them with a ruler on the envelope's face, flap on top."
                ),
            },
        ),
        ("Donate page", {"fields": ["donate_page_asks_address"]}),
        ("Reports", {"fields": ["giving_levels"]}),
    ]
    readonly_fields = ["giving_levels_shown"]  # shown only to those who may not change them

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "giving_levels":  # typed as one line of text, not as JSON
            kwargs["form_class"] = giving_levels.LevelsFormField
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        # Through the form's help_texts: the admin reads them for fields shown read-only too
        # (the board's view), where it would print the model's help text as HTML.
        kwargs["help_texts"] = {
            f.name: plain_help(f.help_text) for f in Organisation._meta.fields if f.help_text
        }
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if self.has_change_permission(request, obj):
            return self.fieldsets
        # The board reads the settings: the levels as staff type them, not as stored JSON.
        return [
            (name, {"fields": [_shown(field) for field in options["fields"]]})
            for name, options in self.fieldsets
        ]

    @admin.display(description="giving levels")
    def giving_levels_shown(self, obj: Organisation) -> str:
        return giving_levels.display(obj.giving_levels)

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


def plain_help(text: str) -> str:
    """The admin prints help text as HTML: a plain one is escaped, so its examples show
    ('Immigrant Justice Project <giving@example.org>'), and its lines kept."""
    return linebreaksbr(text, autoescape=True)


def _shown(field: str) -> str:
    return "giving_levels_shown" if field == "giving_levels" else field


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Every email the product sent or will send, with what became of it. Read-only: messages
    are written by the features that send them; staff may only send one again."""

    list_display = ["created_at", "kind", "to_email", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "priority"]
    search_fields = ["to_email", "subject", "esp_message_id"]
    date_hierarchy = "created_at"
    list_per_page = 100
    actions = ["send_again", "mark_sent"]
    exclude = ["html_body", "headers", "composer", "ref", "claimed_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if not request.user.has_perm("core.add_outboxmessage"):
            return {}  # the board reads, and sends nothing
        return actions

    @admin.action(description="Send the selected messages again (failed, refused or unknown)")
    def send_again(self, request: HttpRequest, queryset: Any) -> None:
        count = outbox_send_again(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            f"{count} message(s) queued to send again. Messages already sent or still waiting "
            "were left as they are.",
        )

    @admin.action(description="Mark unknown messages as received (the recipient has it)")
    def mark_sent(self, request: HttpRequest, queryset: Any) -> None:
        count = outbox_mark_sent(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} message(s) marked as sent.")


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    """Addresses that get no email (hard bounce, complaint) or no appeals (unsubscribed). Only
    a hash of each address is kept: search by typing the whole address."""

    list_display = ["created_at", "reason", "scope", "source"]
    list_filter = ["reason", "scope"]
    search_fields = ["email_hash"]
    search_help_text = "Type a whole email address to see whether it is suppressed."
    readonly_fields = ["email_hash", "reason", "scope", "source", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # added by tracking events and unsubscribes

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> Any:
        if "@" in search_term:
            return queryset.filter(email_hash=email_hash(search_term)), False
        return queryset.none() if search_term else queryset, False
