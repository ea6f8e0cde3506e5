"""The composer page (staff write, board members read), its live preview endpoint and its
supporter picker. Thin views over mailings.composer.drafts."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.models import Organisation
from crm.models import Supporter
from mailings.composer import drafts
from mailings.composer.page_images import page_images
from mailings.letters.rendering import CompiledVersion
from mailings.models import LANGUAGES, Letter, LetterVersion
from mailings.printing.envelopes import envelope_for
from mailings.printing.print_check import print_check

# Fields written on one line; the rest get a text area.
ONE_LINE = {"subject", "preheader", "banner", "headline", "salutation_line", "closing"}
SECTIONS = (
    ("Email", ("subject", "preheader")),
    ("Letter", ("banner", "headline", "salutation_line", "body", "closing")),
    ("After the signatures", ("on_behalf_of", "ps")),
)


def _supporter(request: HttpRequest) -> Supporter | None:
    supporter_id = request.GET.get("supporter") or request.POST.get("supporter") or ""
    return Supporter.objects.filter(pk=supporter_id).first() if supporter_id.isdigit() else None


def _editor(language: str, name: str, version: LetterVersion | None, draft: Any) -> dict:
    model_field = LetterVersion._meta.get_field(name)
    if draft is not None:
        value = draft.text[name]
    elif version is not None:
        value = getattr(version, name)
    else:
        value = ""
    return {
        "name": name,
        "html_name": f"{language}-{name}",
        "label": drafts.label(name),
        "help": model_field.help_text,
        "value": value,
        "one_line": name in ONE_LINE,
        "max_length": model_field.max_length,
        "problems": [p for p in (draft.problems if draft else []) if p.field == name],
    }


def _languages(letter: Letter, posted: dict[str, Any]) -> list[dict]:
    versions = {v.language: v for v in letter.versions.all()}
    return [
        {
            "code": code,
            "name": name,
            "exists": code in versions,
            "sections": [
                (title, [_editor(code, n, versions.get(code), posted.get(code)) for n in names])
                for title, names in SECTIONS
            ],
        }
        for code, name in LANGUAGES
    ]


def compose(model_admin: Any) -> Callable:
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, letter_id: int) -> HttpResponse:
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        letter = get_object_or_404(Letter, pk=letter_id)
        can_change = model_admin.has_change_permission(request, letter)
        posted: dict[str, Any] = {}
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            posted = {
                code: drafts.draft_from(letter, code, request.POST, prefix=f"{code}-")
                for code in drafts.LANGUAGE_CODES
            }
            problems = drafts.save_drafts(letter, list(posted.values()), request.user)
            if not problems:
                messages.success(request, f"Saved “{letter}”.")
                return redirect(request.get_full_path())
            messages.error(
                request, "Nothing was saved: fix the problems marked below, then save again."
            )
        supporter = _supporter(request)
        language = request.GET.get("language", "")
        written = list(letter.versions.values_list("language", flat=True))
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": Letter._meta,
            "title": f"Compose: {letter}",
            "is_nav_sidebar_enabled": False,  # the page needs the screen's full width
            "letter": letter,
            "languages": _languages(letter, posted),
            "start_language": language if language in drafts.LANGUAGE_CODES else
            (written[0] if written else "en"),
            "supporter": supporter,
            "field_groups": drafts.field_groups(
                drafts.field_panel(drafts.preview_values(letter, supporter), "en"), letter
            ),
            "can_change": can_change,
            "render_url": reverse("admin:mailings_letter_compose_render", args=[letter.pk]),
            "search_url": reverse("admin:mailings_letter_compose_supporters", args=[letter.pk]),
        }  # fmt: skip
        return TemplateResponse(request, "admin/mailings/letter/composer.html", context)

    return view


def render_preview(model_admin: Any) -> Callable:
    """The preview of unsaved text: the problems with their lines, and (when there are none)
    the email or the printed pages for the chosen supporter. A POST, since it carries the whole
    letter, but it changes nothing: board members may use it too."""

    @require_POST
    def view(request: HttpRequest, letter_id: int) -> JsonResponse:
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        letter = get_object_or_404(Letter, pk=letter_id)
        language = request.POST.get("language", "en")
        if language not in drafts.LANGUAGE_CODES:
            return JsonResponse({"error": "Unknown language."}, status=400)
        draft = drafts.draft_from(letter, language, request.POST, prefix=f"{language}-")
        supporter = _supporter(request)
        values = drafts.preview_values(letter, supporter)
        answer: dict[str, Any] = {
            "language": language,
            "problems": [p.as_dict() for p in draft.problems],
            "fields": drafts.field_panel(values, language),
        }
        if draft.problems:
            return JsonResponse(answer)
        if request.POST.get("want") == "print":
            check = print_check(CompiledVersion(draft.as_version()), values, supporter, letter)
            answer["pages"] = page_images(check.pdf_bytes)
            answer["page_count"] = check.pages
            answer["print_notes"] = drafts.print_notes(check, envelope_for(Organisation.current()))
        else:
            answer["email"] = drafts.render_draft_email(draft, values)
        return JsonResponse(answer)

    return view


def find_supporters(model_admin: Any) -> Callable:
    """The preview's supporter picker: up to ten matches, searched as the supporter list does."""

    @require_GET
    def view(request: HttpRequest, letter_id: int) -> JsonResponse:
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        query = request.GET.get("q", "").strip()
        if len(query) < 2:
            return JsonResponse({"results": []})
        supporter_admin = model_admin.admin_site._registry[Supporter]
        found, _ = supporter_admin.get_search_results(request, Supporter.objects.all(), query)
        results = [
            {"id": s.pk, "name": str(s), "detail": s.email or ", ".join(s.address_lines[-1:])}
            for s in found.order_by("last_name", "first_name")[:10]
        ]
        return JsonResponse({"results": results})

    return view
