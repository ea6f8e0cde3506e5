"""Mailings > Thank-you rules: which letter thanks which gift, as an ordered list staff edit."""

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html

from core.money import money_text
from mailings.thanks.defaults import thank_you_defaults_ensure
from mailings.thanks.models import ThankYouRule


@admin.register(ThankYouRule)
class ThankYouRuleAdmin(admin.ModelAdmin):
    list_display = ["position", "condition", "letter_link", "languages", "active"]
    list_display_links = ["condition"]
    list_editable = ["position", "active"]
    fields = ["position", "condition", "letter", "active"]

    @admin.display(description="Letter", ordering="letter__name")
    def letter_link(self, rule: ThankYouRule) -> str:
        url = reverse("admin:mailings_letter_change", args=[rule.letter_id])
        return format_html('<a href="{}">{}</a>', url, rule.letter.name)

    @admin.display(description="Languages")
    def languages(self, rule: ThankYouRule) -> str:
        return ", ".join(v.get_language_display() for v in rule.letter.versions.all())

    def get_queryset(self, request: HttpRequest) -> Any:
        return (
            super()
            .get_queryset(request)
            .select_related("letter")
            .prefetch_related("letter__versions")
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        if self.has_add_permission(request):  # the board only reads: it sets nothing up
            thank_you_defaults_ensure()
        extra_context = {
            **(extra_context or {}),
            "title": "Thank-you rules",
            "rules_help": (
                "Tried from the lowest number down: the first rule that fits a gift chooses its "
                "letter, sent in the donor's language. A large gift is "
                f"{money_text(settings.THANKS_LARGE_GIFT)} or more (THANKS_LARGE_GIFT). "
                "A gift no rule fits gets the built-in wording; with no rule at all, the "
                "standard rules and letters are set up again."
            ),
        }
        return super().changelist_view(request, extra_context)
