"""Staff pages for Stripe payouts (what each paid into the bank, and whether its lines add up)
and the journal export (donations.deposits.journal)."""

import datetime
import io
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from core.money import money_text
from donations.deposits.journal import journal_rows, journal_write
from donations.deposits.payouts import payout_summary
from donations.models import Payout, PayoutLine


class AddsUpFilter(admin.SimpleListFilter):
    title = "adds up"
    parameter_name = "adds_up"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Adds up"), ("no", "Does not add up")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        paid = queryset.filter(status=Payout.Status.PAID)
        if self.value() == "yes":
            return paid.filter(reconciled=True)
        if self.value() == "no":
            return paid.filter(reconciled=False)
        return queryset


class PayoutLineInline(admin.TabularInline):
    model = PayoutLine
    fields = ["created", "type", "donor", "gift", "amount", "fee", "net", "source_id"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["created", "pk"]

    @admin.display(description="Donor")
    def donor(self, line: PayoutLine) -> str:
        return str(line.gift.supporter) if line.gift_id else "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("gift__supporter")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class JournalForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        label="File",
        choices=[("csv", "CSV (Xero manual journal import)"), ("xlsx", "XLSX (to review)")],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError("'To' is before 'From'.")
        return data


@admin.register(Payout)
class PayoutAdmin(admin.ModelAdmin):
    list_display = [
        "arrival_date", "stripe_payout_id", "amount", "currency", "status", "lines_total",
        "difference", "adds_up",
    ]  # fmt: skip
    list_filter = [AddsUpFilter, "status"]
    search_fields = ["stripe_payout_id", "lines__balance_transaction_id", "lines__source_id"]
    date_hierarchy = "arrival_date"
    inlines = [PayoutLineInline]
    readonly_fields = [
        "stripe_payout_id", "amount", "currency", "arrival_date", "status", "failure_message",
        "breakdown", "lines_total", "difference", "reconciled", "created_at", "updated_at",
    ]  # fmt: skip
    fields = readonly_fields
    actions = ["export_journal"]
    change_list_template = "admin/donations/payout/change_list.html"

    @admin.display(boolean=True, description="Adds up")
    def adds_up(self, payout: Payout) -> bool | None:
        return None if payout.status != Payout.Status.PAID else payout.reconciled

    @admin.display(description="In this payout")
    def breakdown(self, payout: Payout) -> str:
        sums = payout_summary(payout)
        labels = [
            ("Gifts (gross)", sums["gifts"]),
            ("Refunds", sums["refunds"]),
            ("Disputes", sums["disputes"]),
            ("Stripe fees", sums["fees"]),
            ("Other", sums["other"]),
            ("Lines total", payout.lines_total),
            ("Payout amount", payout.amount),
        ]
        return format_html(
            "<table>{}</table>",
            format_html_join(
                "", "<tr><th>{}</th><td style='text-align:right'>{}</td></tr>",
                ((label, money_text(value) or "—") for label, value in labels),
            ),
        )  # fmt: skip

    def get_urls(self) -> list:
        return [
            path(
                "journal/",
                self.admin_site.admin_view(self.journal_view),
                name="donations_payout_journal",
            ),
            *super().get_urls(),
        ]

    def journal_view(self, request: HttpRequest) -> HttpResponse:
        """The journal of every deposit (payouts and cheque batches) between two dates."""
        if not _may_export(request):
            raise PermissionDenied
        today = timezone.localdate()
        form = JournalForm(
            request.GET if "start" in request.GET else None,
            initial={"start": today.replace(day=1), "end": today, "kind": "csv"},
        )
        if form.is_valid():
            data = form.cleaned_data
            return _journal_response(data["start"], data["end"], data["kind"])
        context = {
            **self.admin_site.each_context(request),
            "opts": Payout._meta,
            "title": "Export the deposits journal",
            "form": form,
        }
        return TemplateResponse(request, "admin/donations/payout/journal.html", context)

    @admin.action(description="Export the journal of the selected payouts' dates")
    def export_journal(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        if not _may_export(request):
            raise PermissionDenied
        days = [p.arrival_date for p in queryset]
        return _journal_response(min(days), max(days), "csv")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        # Read-only admins get no bulk delete; the journal action stays.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


def _may_export(request: HttpRequest) -> bool:
    """The journal names donors beside amounts: the same permission as the gift export."""
    return request.user.has_perm("donations.export_gift")


def _journal_response(start: datetime.date, end: datetime.date, kind: str) -> HttpResponse:
    buffer = io.BytesIO()
    journal_write(journal_rows(start=start, end=end), buffer, kind=kind)
    content_type = (
        "text/csv; charset=utf-8"
        if kind == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    name = f"journal-{start.isoformat()}-to-{end.isoformat()}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
