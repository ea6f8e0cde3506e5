"""The supporter profile page and its actions, as admin views (SupporterAdmin routes them).

The profile is what the supporter's admin page shows; the change form stays as its Edit page
(?edit=1), with its stale-edit check and history. Each action posts to its own URL, checks
its permission, makes one service call and returns to the profile; refused input is shown on
the profile with the form it came from open."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.dates import day_text
from crm import history
from crm.households.selectors import household_panel
from crm.households.views import can_change_households
from crm.models import Supporter, Task
from crm.profile import services
from crm.profile.forms import InteractionForm, NoteForm, TaskForm
from crm.profile.selectors import email_consent_line
from crm.profile.timeline import FILTERS, timeline

TEMPLATE = "admin/crm/supporter/profile.html"


def profile(model_admin: Any, request: HttpRequest, supporter: Supporter, **forms: Any):
    user = request.user
    show = request.GET.get("show", "")
    can = {
        "edit": model_admin.has_change_permission(request, supporter),
        "note": user.has_perm("crm.add_note"),
        "interaction": user.has_perm("crm.add_interaction"),
        "task": user.has_perm("crm.add_task"),
        "done": user.has_perm("crm.change_task"),
        "merge": model_admin.has_change_permission(request)
        and model_admin.has_delete_permission(request),
        "household": can_change_households(user),
    }
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Supporter._meta,
        "title": str(supporter),
        "supporter": supporter,
        "original": supporter,
        "has_view_permission": True,
        "email_consent": email_consent_line(supporter),
        "household": household_panel(supporter, giving=model_admin.household_giving),
        "glance_sections": [section(supporter, request) for section in model_admin.glance_sections],
        "record_links": [
            (label, f"{reverse(url_name)}?supporter={supporter.pk}")
            for label, url_name, permission in model_admin.record_links
            if user.has_perm(permission)
        ],
        "source_ids": model_admin.source_ids_shown(supporter),
        "recent_changes": history.recent_changes(supporter, limit=5),
        "entries": timeline(supporter, show=show if show in {f[0] for f in FILTERS} else ""),
        "filters": [(value, label) for value, label, _kinds in FILTERS],
        "show": show,
        "can": can,
        "note_form": forms.get("note_form") or NoteForm(),
        "interaction_form": forms.get("interaction_form") or InteractionForm(user=user),
        "task_form": forms.get("task_form") or TaskForm(user=user),
        "open_form": forms.get("open_form", ""),
    }
    status = 400 if forms else 200
    return TemplateResponse(request, TEMPLATE, context, status=status)


def _action(model_admin: Any, permission: str, form_class: type, name: str, write: Callable):
    """A profile action: permission, form, one service call, back to the profile."""

    @require_POST
    def view(request: HttpRequest, supporter_id: int) -> HttpResponse:
        if not (model_admin.has_view_permission(request) and request.user.has_perm(permission)):
            raise PermissionDenied
        supporter = get_object_or_404(Supporter, pk=supporter_id)
        kwargs = {} if form_class is NoteForm else {"user": request.user}
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            try:
                done = write(supporter, request.user, form.cleaned_data)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, done)
                return redirect("admin:crm_supporter_change", supporter.pk)
        return profile(model_admin, request, supporter, **{f"{name}_form": form, "open_form": name})

    return view


def _note(supporter: Supporter, user: Any, data: dict) -> str:
    services.note_add(supporter=supporter, text=data["text"], author=user)
    return "Note added."


def _interaction(supporter: Supporter, user: Any, data: dict) -> str:
    interaction = services.interaction_log(supporter=supporter, logged_by=user, **data)
    follow = " and its follow-up task" if data.get("follow_up", "").strip() else ""
    return f"{interaction.get_kind_display()} logged{follow}."


def _task(supporter: Supporter, user: Any, data: dict) -> str:
    task = services.task_add(supporter=supporter, created_by=user, **data)
    return f"Task added for {task.assigned_to}, due {day_text(task.due_on)}."


def note_add(model_admin: Any) -> Callable:
    return _action(model_admin, "crm.add_note", NoteForm, "note", _note)


def interaction_add(model_admin: Any) -> Callable:
    def write(supporter: Supporter, user: Any, data: dict) -> str:
        if data.get("follow_up", "").strip() and not user.has_perm("crm.add_task"):
            raise PermissionDenied
        return _interaction(supporter, user, data)

    return _action(model_admin, "crm.add_interaction", InteractionForm, "interaction", write)


def task_add(model_admin: Any) -> Callable:
    return _action(model_admin, "crm.add_task", TaskForm, "task", _task)


def task_done(model_admin: Any) -> Callable:
    @require_POST
    def view(request: HttpRequest, task_id: int) -> HttpResponse:
        if not request.user.has_perm("crm.change_task"):
            raise PermissionDenied
        task = get_object_or_404(Task, pk=task_id)
        if services.task_complete(task=task, by=request.user):
            messages.success(request, f"Done: {task.title}.")
        back = request.POST.get("next", "")
        if back == "home":
            return redirect("staff-home")
        return redirect("admin:crm_supporter_change", task.supporter_id)

    return view


def merge_with(model_admin: Any) -> Callable:
    """'Merge with…' on the profile: the other record's id, then the merge page's comparison."""

    def view(request: HttpRequest, supporter_id: int) -> HttpResponse:
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        supporter = get_object_or_404(Supporter, pk=supporter_id)
        other = request.GET.get("other", "").strip().lstrip("#")
        if not other.isdigit() or int(other) == supporter.pk:
            messages.error(request, "Give the number (ID) of another supporter to merge with.")
            return redirect("admin:crm_supporter_change", supporter.pk)
        if not Supporter.objects.filter(pk=int(other)).exists():
            messages.error(request, f"There is no supporter #{other}.")
            return redirect("admin:crm_supporter_change", supporter.pk)
        return redirect("admin:crm_supporter_merge", supporter.pk, int(other))

    return view
