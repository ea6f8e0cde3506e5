"""Staff change a monthly plan from its admin page ('Change at Stripe'): a new amount, a pause,
a resume or a cancellation, each through donations.plans as the donor's account page does,
noted on the supporter with the staff member's name."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminRadioSelect
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from core.dates import day_text
from donations import plans
from donations.models import RecurringGift

ACTIONS = {
    "amount": "Charge a new amount from the next payment",
    "pause": "Pause",
    "resume": "Resume now",
    "cancel": "Cancel the plan",
}


class PlanChangeForm(forms.Form):
    action = forms.ChoiceField(choices=ACTIONS.items(), widget=AdminRadioSelect)
    amount = forms.CharField(required=False, max_length=20, help_text="For a new amount, e.g. 30.")
    months = forms.TypedChoiceField(
        choices=[("", "—"), (1, "1 month"), (2, "2 months"), (3, "3 months")],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="For a pause: nothing is charged for this long from today.",
    )
    reason = forms.CharField(
        required=False,
        max_length=plans.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For a cancellation: the donor's reason, if they gave one (Stripe keeps it).",
    )


def _change(plan: RecurringGift, data: dict[str, Any], user: Any) -> str:
    action = data["action"]
    if action == "amount":
        done = plans.change_plan_amount(plan, data["amount"], by=user)
        return f"The plan now charges {done.amount} from the next payment."
    if action == "pause":
        done = plans.pause_plan(plan, data["months"], by=user)
        return f"Paused: nothing is charged before {day_text(done.paused_until)}."
    if action == "resume":
        plans.resume_plan(plan, by=user)
        return "Resumed: the next payment is collected as usual."
    plans.cancel_plan(plan, reason=data["reason"], by=user)
    return "Cancelled at Stripe; staff have been emailed."


def plan_change_entry(model_admin: admin.ModelAdmin) -> Callable[..., HttpResponse]:
    def view(request: HttpRequest, plan_id: int) -> HttpResponse:
        if not request.user.has_perm("donations.change_recurringgift"):
            raise PermissionDenied("Changing a plan needs the 'change recurring gift' permission.")
        plan = get_object_or_404(RecurringGift.objects.select_related("supporter"), pk=plan_id)
        form = PlanChangeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                done = _change(plan, form.cleaned_data, request.user)
            except plans.PlanChangeRefused as refusal:
                form.add_error(None, refusal.message)
            except plans.StripeUnavailable:
                form.add_error(
                    None, "Stripe could not be reached or refused the change: nothing was changed."
                )
            else:
                messages.success(request, done)
                return redirect("admin:donations_recurringgift_change", plan.pk)
        context = {
            **model_admin.admin_site.each_context(request),
            "title": "Change at Stripe",
            "opts": RecurringGift._meta,
            "plan": plan,
            "form": form,
        }
        return TemplateResponse(request, "admin/donations/recurringgift/change_plan.html", context)

    return view
