"""Households in the admin: the list, and each household's names (name, greeting, envelope)
with the suggestion from its members beside each. Households are started and joined from a
supporter's profile (crm.households.views), not here."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from crm.households.services import household_update
from crm.models import Household


class HouseholdForm(forms.ModelForm):
    class Meta:
        model = Household
        fields = ["name", "greeting", "envelope_name"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        household = self.instance
        if household.pk:
            for name, suggested in (
                ("name", household.suggested_name),
                ("greeting", household.suggested_greeting),
                ("envelope_name", household.suggested_envelope_name),
            ):
                self.fields[name].widget.attrs["placeholder"] = suggested
                self.fields[name].help_text = f"Suggested: {suggested}. Leave blank to use it."


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    form = HouseholdForm
    list_display = ["household_name", "member_names", "letters_begin", "envelope", "size"]
    search_fields = ["name", "members__last_name", "members__first_name"]
    fields = ["name", "greeting", "envelope_name", "member_links"]
    readonly_fields = ["member_links"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super().get_queryset(request).annotate(n=Count("members")).prefetch_related("members")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # started from a supporter's profile, where its members are chosen

    def save_model(self, request: HttpRequest, obj: Household, form: Any, change: bool) -> None:
        household_update(
            household=obj,
            name=form.cleaned_data["name"],
            greeting=form.cleaned_data["greeting"],
            envelope_name=form.cleaned_data["envelope_name"],
        )

    @admin.display(description="Household", ordering="name")
    def household_name(self, household: Household) -> str:
        return household.effective_name

    @admin.display(description="Members")
    def member_names(self, household: Household) -> str:
        return ", ".join(str(m) for m in household.member_list())

    @admin.display(description="Letters begin")
    def letters_begin(self, household: Household) -> str:
        return f"Dear {household.effective_greeting},"

    @admin.display(description="Envelope")
    def envelope(self, household: Household) -> str:
        return household.effective_envelope_name

    @admin.display(description="People", ordering="n")
    def size(self, household: Household) -> int:
        return household.n

    @admin.display(description="Members")
    def member_links(self, household: Household) -> str:
        rows = [
            (reverse("admin:crm_supporter_change", args=[m.pk]), str(m), m.email or "no email")
            for m in household.member_list()
        ]
        if not rows:
            return "—"
        return format_html(
            "<ul>{}</ul><p class='help'>Add or take out members from a member's profile.</p>",
            format_html_join("", '<li><a href="{}">{}</a> · {}</li>', rows),
        )
