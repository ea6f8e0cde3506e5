"""The audience editor (the admin's add and change pages for audiences) and the JSON it asks
for as staff edit: the live count, who would be left out per channel, and a preview."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from core.dates import day_text
from core.money import money_text
from mailings.audiences.criteria import CriteriaForm, criteria_as_data, criteria_from_cleaned
from mailings.audiences.models import Audience
from mailings.audiences.selectors import AudienceError, audience_exclusions, audience_preview
from mailings.audiences.services import audience_save

# The editor's sections; each inner list is one row of fields side by side.
GROUPS = [
    ("Tags", [["tags_any"], ["tags_all"], ["tags_none"]]),
    ("Language and consent", [["language", "email_consent"]]),
    ("Place", [["country", "regions"], ["city", "zip_prefix"]]),
    (
        "Giving",
        [
            ["gave_from", "gave_to"],
            ["lybunt"],
            ["sybunt"],
            ["first_time"],
            ["has_plan"],
            ["never_gave"],
            ["highest_min", "highest_max"],
            ["lifetime_min", "lifetime_max"],
            ["lapsed_months"],
        ],
    ),  # fmt: skip
    ("Other audiences", [["include_audiences"], ["exclude_audiences"]]),
]


class AudienceForm(forms.ModelForm):
    class Meta:
        model = Audience
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


def editor(model_admin: Any) -> Callable[..., HttpResponse]:
    def view(request: HttpRequest, audience_id: int | None = None) -> HttpResponse:
        # Permission before the lookup: a refusal never says whether an audience exists.
        if request.method == "POST" and not model_admin.has_change_permission(request):
            raise PermissionDenied
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        audience = get_object_or_404(Audience, pk=audience_id) if audience_id else Audience()
        if audience.pk is None:
            can_edit = model_admin.has_add_permission(request)
            if not can_edit:
                raise PermissionDenied
        else:
            can_edit = model_admin.has_change_permission(request, audience)
            if not (can_edit or model_admin.has_view_permission(request, audience)):
                raise PermissionDenied
        if request.method == "POST":
            if not can_edit:
                raise PermissionDenied
            form = AudienceForm(request.POST, instance=audience)
            criteria = CriteriaForm(request.POST, audience_id=audience.pk)
            if form.is_valid() and criteria.is_valid():
                saved = _save(form, criteria)
                if saved is not None:
                    messages.success(request, f"Saved the audience “{saved}”.")
                    if "_continue" in request.POST:
                        return redirect("admin:mailings_audience_change", saved.pk)
                    return redirect("admin:mailings_audience_changelist")
        else:
            form = AudienceForm(instance=audience)
            criteria = CriteriaForm(
                initial=criteria_as_data(audience.criteria), audience_id=audience.pk
            )
        if not can_edit:
            for field in [*form.fields.values(), *criteria.fields.values()]:
                field.disabled = True
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": Audience._meta,
            "original": audience if audience.pk else None,
            "title": ("Change audience" if can_edit else "View audience")
            if audience.pk
            else "Add audience",
            "form": form,
            "criteria": criteria,
            "groups": [
                (title, [[criteria[name] for name in row] for row in rows])
                for title, rows in GROUPS
            ],
            "can_edit": can_edit,
            "has_delete_permission": audience.pk
            and model_admin.has_delete_permission(request, audience),
        }
        return TemplateResponse(request, "admin/mailings/audience/editor.html", context)

    return view


def _save(form: AudienceForm, criteria: CriteriaForm) -> Audience | None:
    try:
        return audience_save(
            audience=form.instance,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            criteria=criteria_from_cleaned(criteria.cleaned_data),
        )
    except ValidationError as error:  # changed by someone else meanwhile (a new loop)
        for field, problems in error.message_dict.items():
            criteria.add_error(field if field in criteria.fields else None, problems)
        return None


def preview(model_admin: Any) -> Callable[[HttpRequest], HttpResponse]:
    @require_POST  # the criteria as typed, unsaved; nothing is written
    def view(request: HttpRequest) -> HttpResponse:
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        raw_id = request.POST.get("audience_id") or ""
        audience_id = int(raw_id) if raw_id.isdigit() else None
        form = CriteriaForm(request.POST, audience_id=audience_id)
        if not form.is_valid():
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        audience = Audience(pk=audience_id, criteria=criteria_from_cleaned(form.cleaned_data))
        try:
            channels = {ch: audience_exclusions(audience, ch) for ch in ("email", "print")}
            people = audience_preview(audience)
        except AudienceError as error:
            return JsonResponse({"errors": {"__all__": [{"message": str(error)}]}}, status=400)
        shown = {ch: {"recipients": r.recipient_count, "excluded": r.as_rows()}
                 for ch, r in channels.items()}  # fmt: skip
        # Print counts letters: a household's members share one (mailings.printing.households).
        if sharing := channels["print"].sharing:
            shown["print"]["recipients"] -= sharing
            shown["print"]["excluded"].append(
                {"reason": "household", "label": "Sharing a household's letter", "count": sharing}
            )
        return JsonResponse(
            {
                "count": channels["email"].audience_count,
                "channels": shown,
                "preview": [_row(p) for p in people],
            }
        )

    return view


def _row(person: dict[str, Any]) -> dict[str, Any]:
    on, amount = person["last_gift_on"], person["last_gift_amount"]
    return {
        "name": person["name"],
        "place": person["place"],
        "last_gift": f"{money_text(amount)} on {day_text(on)}" if on else "",
        "url": person["url"],
    }
