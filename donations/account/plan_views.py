"""The monthly-plan controls on the account page: a new amount, a pause of 1-3 months, a
resume, a cancellation with an optional reason, and a new card (Stripe's hosted page). Each
is one call to donations.plans, acting for the signed-in donor, who must own the plan."""

from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from crm.models import Supporter
from donations import plans
from donations.account.forms import CancelForm, PauseForm, PlanAmountForm
from donations.account.views import HOME, signed_in
from donations.models import RecurringGift


def _own_plan(supporter: Supporter, plan_id: int) -> RecurringGift:
    plan = RecurringGift.objects.filter(pk=plan_id, supporter=supporter).first()
    if plan is None:
        raise Http404("No such monthly gift among yours.")
    return plan


def _back() -> HttpResponse:
    return redirect(f"{reverse(HOME)}#main")  # the message, at the top, above the plans


def _attempt(request: HttpRequest, change: Callable[[], object]) -> object | None:
    """The change's result, or None with the reason in a message for the donor."""
    try:
        return change()
    except plans.PlanChangeRefused as refusal:
        messages.error(request, refusal.message)
    except plans.StripeUnavailable:
        messages.error(
            request,
            _(
                "We could not reach our card processor, so nothing was changed. "
                "Please try again in a minute."
            ),
        )
    return None


def _apply(request: HttpRequest, change: Callable[[], object], done: str) -> HttpResponse:
    if _attempt(request, change) is not None:
        messages.success(request, done)
    return _back()


def _form_error(request: HttpRequest, form: forms.Form) -> HttpResponse:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return _back()


@never_cache
@require_POST
@signed_in
def plan_amount(request: HttpRequest, supporter: Supporter, plan_id: int) -> HttpResponse:
    plan = _own_plan(supporter, plan_id)
    form = PlanAmountForm(request.POST, prefix=f"plan{plan.pk}")
    if not form.is_valid():
        return _form_error(request, form)
    return _apply(
        request,
        lambda: plans.change_plan_amount(plan, form.cleaned_data["amount"], by=supporter),
        _("Your monthly gift is changed from your next payment on. Thank you!"),
    )  # fmt: skip


@never_cache
@require_POST
@signed_in
def plan_pause(request: HttpRequest, supporter: Supporter, plan_id: int) -> HttpResponse:
    plan = _own_plan(supporter, plan_id)
    form = PauseForm(request.POST, prefix=f"plan{plan.pk}")
    if not form.is_valid():
        return _form_error(request, form)
    return _apply(
        request,
        lambda: plans.pause_plan(plan, form.cleaned_data["months"], by=supporter),
        _("Your monthly gift is paused."),
    )  # fmt: skip


@never_cache
@require_POST
@signed_in
def plan_resume(request: HttpRequest, supporter: Supporter, plan_id: int) -> HttpResponse:
    plan = _own_plan(supporter, plan_id)
    return _apply(
        request, lambda: plans.resume_plan(plan, by=supporter),
        _("Your monthly gift starts again with your next payment."),
    )  # fmt: skip


@never_cache
@require_POST
@signed_in
def plan_cancel(request: HttpRequest, supporter: Supporter, plan_id: int) -> HttpResponse:
    plan = _own_plan(supporter, plan_id)
    form = CancelForm(request.POST, prefix=f"plan{plan.pk}")
    if not form.is_valid():
        return _form_error(request, form)
    return _apply(
        request,
        lambda: plans.cancel_plan(plan, reason=form.cleaned_data["reason"], by=supporter),
        _("Your monthly gift is cancelled; nothing more will be charged. "
          "Thank you for all you have given."),
    )  # fmt: skip


@never_cache
@require_POST
@signed_in
def plan_card(request: HttpRequest, supporter: Supporter, plan_id: int) -> HttpResponse:
    """Off to Stripe's page for a new card; Stripe brings the donor back to the account."""
    plan = _own_plan(supporter, plan_id)
    return_url = f"{settings.SITE_URL}{reverse(HOME)}"
    url = _attempt(
        request, lambda: plans.card_update_url(plan, return_url=return_url, by=supporter)
    )
    return redirect(url) if url else _back()
