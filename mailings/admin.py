"""The letter composer in the admin: write each language version, see the merge fields, and
preview as email or PDF for any supporter (or with sample values), or send yourself a test."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html

from mailings import preview_views
from mailings.audiences import admin as audience_admin  # noqa: F401  (registers Audience)
from mailings.composer import views as composer_views
from mailings.letters.bring_in_views import bring_in
from mailings.letters.merge_fields import FIELDS
from mailings.letters.merge_template import used_fields
from mailings.models import Letter, LetterSignatory, LetterVersion, Signatory
from mailings.revisions.services import record_revision
from mailings.revisions.views import revision_urls
from mailings.sending import admin as sending_admin  # noqa: F401  (registers Mailing)
from mailings.thanks import admin as thanks_admin  # noqa: F401  (registers ThankYouRule)


@admin.register(Signatory)
class SignatoryAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "title_es"]
    search_fields = ["name"]


class LetterVersionInline(admin.StackedInline):
    model = LetterVersion
    extra = 0
    # Subject, banner and headline are sentences: give them the width of one.
    formfield_overrides = {
        models.CharField: {"widget": forms.TextInput(attrs={"style": "width: 44em"})},
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 4, "style": "width: 44em"})},
    }

    min_num = 1
    max_num = 2
    fieldsets = [
        (None, {"fields": ["language", "subject", "preheader"]}),
        ("Letter", {"fields": ["banner", "headline", "salutation_line", "body", "closing"]}),
        ("After the signatures", {"fields": ["on_behalf_of", "ps"]}),
    ]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "body":  # the letter itself: room for a page of it
            field.widget.attrs.update(rows=28, style="width: 44em; font-family: monospace")
        return field


class LetterSignatoryInline(admin.TabularInline):
    model = LetterSignatory
    extra = 0
    autocomplete_fields = ["signatory"]
    verbose_name = "signatory"
    verbose_name_plural = "Signatories (in the order they sign)"


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = [
        "name", "purpose", "effective_appeal_code", "languages", "updated_at", "compose",
    ]  # fmt: skip
    list_filter = ["purpose"]
    search_fields = ["name", "appeal_code"]
    autocomplete_fields = ["campaign"]
    inlines = [LetterVersionInline, LetterSignatoryInline]
    change_form_template = "admin/mailings/letter/change_form.html"
    change_list_template = "admin/mailings/letter/change_list.html"
    fieldsets = [
        (None, {"fields": ["name", "purpose", "campaign", "appeal_code", "reply_slip"]}),
        (
            "Ask ladder",
            {
                "fields": ["ask_base", "ask_multipliers", "ask_floor", "default_asks"],
                "description": "What each donor is asked for, in the email, the printed letter "
                "and on their personal donate page: {{ ask_1 }}, {{ ask_2 }}, {{ ask_3 }}.",
            },
        ),
    ]

    @admin.display(description="Appeal code")
    def effective_appeal_code(self, letter: Letter) -> str:
        return letter.effective_appeal_code

    @admin.display(description="")
    def compose(self, letter: Letter) -> str:
        url = reverse("admin:mailings_letter_compose", args=[letter.pk])
        return format_html('<a href="{}">Open in the composer</a>', url)

    def get_inline_instances(self, request: HttpRequest, obj: Letter | None = None) -> list:
        """On a letter that exists, its text is written in the composer: the text boxes here
        start folded away (still there for a quick fix)."""
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            if obj is not None and isinstance(inline, LetterVersionInline):
                inline.classes = ["collapse"]
                inline.verbose_name_plural = "Text (easier to write in the composer)"
        return inlines

    @admin.display(description="Languages")
    def languages(self, letter: Letter) -> str:
        return ", ".join(v.get_language_display() for v in letter.versions.all())

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("campaign").prefetch_related("versions")

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("bring-in/", view(bring_in(self)), name="mailings_letter_bring_in"),
            path("<int:letter_id>/compose/", view(composer_views.compose(self)),
                 name="mailings_letter_compose"),
            path("<int:letter_id>/compose/render/", view(composer_views.render_preview(self)),
                 name="mailings_letter_compose_render"),
            path("<int:letter_id>/compose/supporters/", view(composer_views.find_supporters(self)),
                 name="mailings_letter_compose_supporters"),
            path("<int:letter_id>/preview/", view(preview_views.preview(self)),
                 name="mailings_letter_preview"),
            path("<int:letter_id>/preview.pdf", view(preview_views.preview_pdf(self)),
                 name="mailings_letter_preview_pdf"),
            path("<int:letter_id>/preview-email/", view(preview_views.preview_email(self)),
                 name="mailings_letter_preview_email"),
            path("<int:letter_id>/send-test/", view(preview_views.send_test(self)),
                 name="mailings_letter_send_test"),
            *revision_urls(self),
            *super().get_urls(),
        ]  # fmt: skip

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # After the inlines: a saved version holds the whole letter, or nothing when unchanged.
        record_revision(form.instance, request.user)

    def render_change_form(self, request: HttpRequest, context: dict, *args: Any, **kwargs: Any):
        letter = context.get("original")
        used: dict[str, None] = {}
        if letter is not None:
            for version in letter.versions.all():
                for field in ("subject", "preheader", "banner", "headline", "salutation_line",
                              "body", "closing", "on_behalf_of", "ps"):  # fmt: skip
                    for name in used_fields(getattr(version, field) or ""):
                        used.setdefault(name, None)
        context["merge_fields"] = [
            {"name": name, "field": field, "used": name in used} for name, field in FIELDS.items()
        ]
        return super().render_change_form(request, context, *args, **kwargs)
