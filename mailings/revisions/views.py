"""A letter's saved versions in the admin: the list (who, when, what changed), any two side by
side, restoring one after a confirmation, and starting a new letter from the letter or from a
saved version. Anyone who may view letters (the Board too) reads the list and compares; every
POST checks the change (restore) or add (new letter) permission."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from mailings.models import Letter
from mailings.revisions.models import LetterRevision
from mailings.revisions.services import (
    compare,
    compare_with_letter,
    copy_name,
    restore_revision,
    start_new_letter_from,
)

VERSIONS_PER_PAGE = 50


def revision_urls(model_admin: Any) -> list:
    """The admin URLs, added to LetterAdmin.get_urls."""
    view = model_admin.admin_site.admin_view
    return [
        path("<int:letter_id>/saved-versions/", view(history(model_admin)),
             name="mailings_letter_revisions"),
        path("<int:letter_id>/saved-versions/compare/", view(compare_page(model_admin)),
             name="mailings_letter_revisions_compare"),
        path("<int:letter_id>/saved-versions/<int:number>/restore/", view(restore(model_admin)),
             name="mailings_letter_revision_restore"),
        path("<int:letter_id>/new-letter-from/", view(new_letter_from(model_admin)),
             name="mailings_letter_new_from"),
    ]  # fmt: skip


def _context(model_admin: Any, request: HttpRequest, letter: Letter, title: str) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.model._meta,
        "letter": letter,
        "may_restore": model_admin.has_change_permission(request, letter),
        "may_copy": model_admin.has_add_permission(request),
    }


def _letter(model_admin: Any, request: HttpRequest, letter_id: int) -> Letter:
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    return get_object_or_404(Letter, pk=letter_id)


def history(model_admin: Any) -> Callable:
    @require_GET
    def view(request: HttpRequest, letter_id: int) -> HttpResponse:
        letter = _letter(model_admin, request, letter_id)
        # Every version for the compare lists (number and date only); the table a page at a
        # time, newest first: a letter saved every day for a year has hundreds.
        versions = list(letter.revisions.order_by("-number").values_list("number", "saved_at"))
        page = Paginator(
            letter.revisions.select_related("saved_by").defer("snapshot").order_by("-number"),
            VERSIONS_PER_PAGE,
        ).get_page(request.GET.get("page"))
        context = {
            **_context(model_admin, request, letter, f"Saved versions of “{letter.name}”"),
            "versions": versions,
            "revisions": page.object_list,
            "page_obj": page,
            "latest": versions[0][0] if versions else None,
            "older_default": versions[1][0] if len(versions) > 1 else None,
        }
        return TemplateResponse(request, "admin/mailings/letter/revisions.html", context)

    return view


def compare_page(model_admin: Any) -> Callable:
    @require_GET
    def view(request: HttpRequest, letter_id: int) -> HttpResponse:
        letter = _letter(model_admin, request, letter_id)
        numbers = [request.GET.get("older", ""), request.GET.get("newer", "")]
        found = {
            r.number: r
            for r in letter.revisions.select_related("saved_by").filter(
                number__in=[n for n in numbers if n.isdigit()]
            )
        }
        if not all(n.isdigit() and int(n) in found for n in numbers):
            messages.error(request, "Choose two saved versions of this letter to compare.")
            return redirect("admin:mailings_letter_revisions", letter.pk)
        older, newer = sorted((found[int(n)] for n in numbers), key=lambda r: r.number)
        fields = compare(older, newer)
        context = {
            **_context(model_admin, request, letter, f"Compare saved versions of “{letter.name}”"),
            "older": older,
            "newer": newer,
            "changed": [f for f in fields if f.changed],
            "unchanged": [f.label for f in fields if not f.changed],
            "show_all": request.GET.get("all") == "1",
            "fields": fields,
            "latest_number": letter.revisions.order_by("-number")[0].number,
        }
        return TemplateResponse(request, "admin/mailings/letter/revision_compare.html", context)

    return view


def restore(model_admin: Any) -> Callable:
    def view(request: HttpRequest, letter_id: int, number: int) -> HttpResponse:
        letter = _letter(model_admin, request, letter_id)
        if request.method == "POST" and not model_admin.has_change_permission(request, letter):
            raise PermissionDenied
        revision = get_object_or_404(LetterRevision, letter=letter, number=number)
        if request.method == "POST":
            try:
                outcome = restore_revision(revision, request.user)
            except ValidationError as error:
                messages.error(request, f"Not restored: {' '.join(error.messages)}")
                return redirect("admin:mailings_letter_revisions", letter.pk)
            if outcome.revision is None:
                messages.info(request, f"The letter already says what version {number} says.")
            else:
                kept = outcome.revision.number
                messages.success(request, f"Restored version {number}; kept as version {kept}.")
            for note in outcome.notes:
                messages.warning(request, note)
            return redirect("admin:mailings_letter_change", letter.pk)
        fields = compare_with_letter(revision)
        context = {
            **_context(model_admin, request, letter, f"Restore version {number}?"),
            "revision": revision,
            "changed": [f for f in fields if f.changed],
        }
        return TemplateResponse(request, "admin/mailings/letter/revision_restore.html", context)

    return view


class NewLetterForm(forms.Form):
    name = forms.CharField(
        max_length=200,
        help_text="For staff, e.g. 'Spring 2027 appeal'. Change the appeal code on the new "
        "letter if it is a new appeal, so its gifts are counted apart.",
        widget=forms.TextInput(attrs={"size": 60}),
    )


def new_letter_from(model_admin: Any) -> Callable:
    def view(request: HttpRequest, letter_id: int) -> HttpResponse:
        letter = _letter(model_admin, request, letter_id)
        if request.method == "POST" and not model_admin.has_add_permission(request):
            raise PermissionDenied
        number = request.GET.get("version", "")
        source: Letter | LetterRevision = letter
        if number and not number.isdigit():
            raise Http404("No such saved version.")
        if number:
            source = get_object_or_404(LetterRevision, letter=letter, number=number)
        form = NewLetterForm(request.POST or None, initial={"name": copy_name(letter.name)})
        if request.method == "POST" and form.is_valid():
            try:
                name = form.cleaned_data["name"]
                outcome = start_new_letter_from(source, request.user, name=name)
            except ValidationError as error:
                form.add_error("name", error)
            else:
                messages.success(request, f"Started “{outcome.letter.name}” from {source}.")
                for note in outcome.notes:
                    messages.warning(request, note)
                return redirect(reverse("admin:mailings_letter_change", args=[outcome.letter.pk]))
        context = {
            **_context(model_admin, request, letter, "Use as the start of a new letter"),
            "source": source,
            "number": number,
            "form": form,
        }
        return TemplateResponse(request, "admin/mailings/letter/new_letter_from.html", context)

    return view
