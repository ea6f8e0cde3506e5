"""Admin pages for finding and merging duplicate supporters."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from crm.forms import MergeForm
from crm.models import Supporter
from crm.selectors import duplicate_pairs
from crm.services import supporters_mark_not_duplicate, supporters_merge

COMPARED_FIELDS = [
    "kind",
    "first_name",
    "last_name",
    "organisation_name",
    "email",
    "phone",
    "phone_2",
    "address_line1",
    "city",
    "region",
    "postal_code",
    "preferred_language",
    "email_opt_in",
    "do_not_email",
    "do_not_mail",
    "do_not_contact",
    "source",
    "created_at",
]


def duplicates_list(model_admin) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": Supporter._meta,
            "title": "Possible duplicates",
            "pairs": duplicate_pairs(),
            "can_merge": _can_merge(model_admin, request),
        }
        return TemplateResponse(request, "admin/crm/supporter/duplicates.html", context)

    return view


def merge(model_admin) -> Callable[[HttpRequest, int, int], HttpResponse]:
    def view(request: HttpRequest, first_id: int, second_id: int) -> HttpResponse:
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        first = get_object_or_404(Supporter, pk=first_id)
        second = get_object_or_404(Supporter, pk=second_id)
        form = MergeForm(request.POST or None, first=first, second=second)
        if request.method == "POST":
            if not _can_merge(model_admin, request):
                raise PermissionDenied
            if "not_duplicate" in request.POST:
                supporters_mark_not_duplicate(first=first, second=second, actor=request.user)
                messages.success(request, f"Noted: {first} and {second} are different people.")
                return redirect("admin:crm_duplicates")
            if form.is_valid():
                keep = form.cleaned_data["keep"]
                survivor, other = (first, second) if keep == first.pk else (second, first)
                supporters_merge(survivor=survivor, other=other, actor=request.user)
                messages.success(
                    request,
                    f"Merged #{other.pk} into {survivor}. Nothing was lost: "
                    "the removed record is kept in the merge log.",
                )
                return redirect("admin:crm_supporter_change", survivor.pk)
        rows = [
            (
                Supporter._meta.get_field(name).verbose_name,
                _shown(first, name),
                _shown(second, name),
                getattr(first, name) != getattr(second, name),
            )
            for name in COMPARED_FIELDS
        ]
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": Supporter._meta,
            "title": f"Merge {first} and {second}?",
            "first": first,
            "second": second,
            "rows": rows,
            "counts": [_related_counts(first), _related_counts(second)],
            "form": form,
            "can_merge": _can_merge(model_admin, request),
        }
        return TemplateResponse(request, "admin/crm/supporter/merge.html", context)

    return view


def _shown(supporter: Supporter, name: str) -> object:
    """A value as staff read it: choice labels, Yes/No, local dates."""
    value = getattr(supporter, name)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if Supporter._meta.get_field(name).choices:
        return getattr(supporter, f"get_{name}_display")()
    return value


def _can_merge(model_admin, request: HttpRequest) -> bool:
    return model_admin.has_change_permission(request) and model_admin.has_delete_permission(request)


def _related_counts(supporter: Supporter) -> dict[str, int]:
    return {
        "notes": supporter.notes.count(),
        "tags": supporter.tags.count(),
        "consent events": supporter.consent_events.count(),
    }
