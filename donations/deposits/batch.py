"""The cheque batch screen: one deposit, many gifts, a running total, all saved or none."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from core.money import money_text
from crm.models import Supporter
from donations.models import Campaign, Fund, Gift
from donations.services import GiftEntry, gifts_record_batch


class DepositForm(forms.Form):
    deposit_date = forms.DateField(
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day the checks go to the bank.",
    )
    expected_total = forms.DecimalField(
        required=False,
        min_value=0,
        decimal_places=2,
        help_text="Optional: the deposit slip's total, checked against the rows.",
    )


class ChequeForm(forms.Form):
    supporter = forms.ModelChoiceField(
        queryset=Supporter.objects.all(),
        widget=AutocompleteSelect(Gift._meta.get_field("supporter"), admin.site),
    )
    amount = forms.DecimalField(
        min_value=0.01,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "batch-amount", "step": "0.01"}),
    )
    cheque_number = forms.CharField(max_length=40, required=False)
    received_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Blank: the deposit date.",
    )
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.all(), required=False)
    fund = forms.ModelChoiceField(queryset=Fund.objects.filter(is_active=True), required=False)


ChequeFormSet = forms.formset_factory(ChequeForm, extra=8, max_num=200)


def batch_entry(model_admin: Any) -> Any:
    def view(request: HttpRequest) -> HttpResponse:
        if not model_admin.has_add_permission(request):
            raise PermissionDenied
        deposit = DepositForm(request.POST or None, prefix="deposit")
        rows = ChequeFormSet(request.POST or None, prefix="rows")
        if request.method == "POST" and deposit.is_valid() and rows.is_valid():
            deposit_date = deposit.cleaned_data["deposit_date"]
            entries = [
                GiftEntry(
                    method=Gift.Method.CHEQUE,
                    **{
                        **row.cleaned_data,
                        "received_on": row.cleaned_data["received_on"] or deposit_date,
                    },
                )
                for row in rows
                if row.cleaned_data
            ]
            total = sum((entry.amount for entry in entries), start=0)
            expected = deposit.cleaned_data["expected_total"]
            if expected is not None and expected != total:
                deposit.add_error(
                    "expected_total",
                    f"The rows add up to {money_text(total)}, not {money_text(expected)}.",
                )
            else:
                try:
                    gifts = gifts_record_batch(
                        entries=entries, recorded_by=request.user, deposit_date=deposit_date
                    )
                except ValidationError as exc:
                    deposit.add_error(None, exc)
                else:
                    messages.success(
                        request, f"Recorded {len(gifts)} check(s) totaling {money_text(total)}."
                    )
                    return redirect("admin:donations_gift_changelist")
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": Gift._meta,
            "title": "Enter a batch of checks",
            "deposit": deposit,
            "rows": rows,
            "media": model_admin.media + deposit.media + rows.media,
        }
        return TemplateResponse(request, "admin/donations/gift/batch.html", context)

    return view
