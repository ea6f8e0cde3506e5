"""Staff refunds in the admin: the gift page's 'Record a refund' screen and its list of
dated refunds. Every refund is written by donations.refunds.refund_record."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from core.admin_columns import money_column
from core.money import money_text
from donations.models import Gift, Refund
from donations.refunds import refund_record


class RefundForm(forms.Form):
    amount = forms.DecimalField(min_value=0.01, max_digits=12, decimal_places=2)
    refunded_on = forms.DateField(
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day the money went back: the refund counts in that fiscal year.",
    )
    reason = forms.CharField(max_length=300, required=False)


def refund_entry(model_admin: admin.ModelAdmin) -> Callable[..., HttpResponse]:
    def view(request: HttpRequest, gift_id: int) -> HttpResponse:
        if not request.user.has_perm("donations.add_refund"):
            raise PermissionDenied("Recording a refund needs the 'add refund' permission.")
        gift = get_object_or_404(Gift.objects.select_related("supporter"), pk=gift_id)
        form = RefundForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                refund = refund_record(gift=gift, recorded_by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    f"Refund of {money_text(refund.amount)} on {refund.refunded_on} recorded.",
                )
                return redirect("admin:donations_gift_change", gift.pk)
        context = {
            **model_admin.admin_site.each_context(request),
            "title": "Record a refund",
            "opts": Gift._meta,
            "gift": gift,
            "left": gift.amount - gift.amount_refunded,
            "form": form,
        }
        return TemplateResponse(request, "admin/donations/gift/refund.html", context)

    return view


def refunds_listed(gift: Gift) -> str:
    """The gift page's refunds, oldest first, as a read-only field rather than an inline: an
    inline's formset would be one more thing every post of the gift form must carry."""
    if gift.pk is None:
        return "-"
    rows = [
        (
            refund.refunded_on,
            money_text(refund.amount),
            refund.reason,
            refund.stripe_refund_id or (f"by {refund.recorded_by}" if refund.recorded_by else ""),
        )
        for refund in gift.refunds.select_related("recorded_by")
    ]
    if not rows:
        return "None"
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {} {} ({})</li>", rows))


class RefundAdmin(admin.ModelAdmin):
    """Every refund by date, to look up, never to edit: the ledger keeps what was done."""

    list_display = [
        "refunded_on", "gift", money_column("amount"), "reason", "stripe_refund_id", "recorded_by"
    ]  # fmt: skip
    list_select_related = ["gift__supporter", "recorded_by"]
    search_fields = ["stripe_refund_id", "gift__supporter__last_name", "gift__supporter__email"]
    date_hierarchy = "refunded_on"
    readonly_fields = [f.name for f in Refund._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
