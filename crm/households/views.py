"""The profile's household actions, as admin views (SupporterAdmin routes them): put people
in this supporter's household, or take one out. Each checks its permission, makes one
service call and returns to the profile; refused input comes back as a message there."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.views.decorators.http import require_POST

from crm.households import services
from crm.households.selectors import supporters_by_ids
from crm.models import Supporter

PERMISSIONS = ("crm.add_household", "crm.change_household", "crm.change_supporter")


def can_change_households(user: Any) -> bool:
    return user.has_perms(PERMISSIONS)


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for problem in error.messages:
        messages.error(request, problem)


def household_add(model_admin: Any) -> Callable:
    @require_POST
    def view(request: HttpRequest, supporter_id: int) -> HttpResponse:
        if not can_change_households(request.user):
            raise PermissionDenied
        supporter = get_object_or_404(Supporter, pk=supporter_id)
        picked = [v for v in request.POST.getlist("member") if v.strip()]
        typed = request.POST.get("ids", "")
        others, problems = supporters_by_ids(" ".join([*picked, typed]))
        if problems:
            _refused(request, ValidationError(problems))
            return redirect("admin:crm_supporter_change", supporter.pk)
        try:
            household = services.household_add_members(supporter=supporter, others=others)
        except ValidationError as error:
            _refused(request, error)
        else:
            names = ", ".join(str(m) for m in household.member_list())
            messages.success(request, f"{household}: {names}.")
        return redirect("admin:crm_supporter_change", supporter.pk)

    return view


def household_remove(model_admin: Any) -> Callable:
    @require_POST
    def view(request: HttpRequest, supporter_id: int) -> HttpResponse:
        if not can_change_households(request.user):
            raise PermissionDenied
        supporter = get_object_or_404(Supporter, pk=supporter_id)
        member = request.POST.get("member", "")
        leaving = (
            Supporter.objects.filter(pk=int(member), household__isnull=False).first()
            if member.isdigit()
            else None
        )
        if leaving is None or leaving.household_id != supporter.household_id:
            messages.error(request, "Choose a member of this household to take out.")
            return redirect("admin:crm_supporter_change", supporter.pk)
        try:
            left = services.household_remove_member(supporter=leaving)
        except ValidationError as error:
            _refused(request, error)
        else:
            after = "" if left else " The household had one member left, so it was dissolved."
            messages.success(request, f"{leaving} is no longer in the household.{after}")
        return redirect("admin:crm_supporter_change", supporter.pk)

    return view


def urls(model_admin: Any) -> list:
    view = model_admin.admin_site.admin_view
    return [
        path("<int:supporter_id>/household/add/", view(household_add(model_admin)),
             name="crm_supporter_household_add"),
        path("<int:supporter_id>/household/remove/", view(household_remove(model_admin)),
             name="crm_supporter_household_remove"),
    ]  # fmt: skip
