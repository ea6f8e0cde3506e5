"""The composer's preview: a letter as email and as PDF, for any supporter or with sample
values, and a test email to yourself. Thin views over mailings.emails and mailings.printing.

A letter the merge checks refuse (saved before a check existed, or written outside the composer)
is not rendered: each view says what to fix instead, so a preview never fails with an error."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from core.models import Organisation
from core.outbox.queue import outbox_queue
from core.pdf import pdf_response
from crm.models import Supporter
from mailings.emails.rendering import render_email
from mailings.letters.checks import letter_email_problems, letter_problems
from mailings.letters.merge_values import recipients, sample_recipient_values, with_test_links
from mailings.letters.rendering import CompiledVersion, compile_letter
from mailings.models import LANGUAGES, Letter
from mailings.printing.envelopes import envelope_for
from mailings.printing.print_check import print_check

# The preview frame shows sanitised HTML; this header makes sure nothing in it can run or load.
PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https:"


def _chosen(request: HttpRequest, letter_id: int) -> tuple[Letter, Supporter | None, str]:
    letter = get_object_or_404(Letter, pk=letter_id)
    supporter_id = request.GET.get("supporter", "")
    supporter = (
        Supporter.objects.filter(pk=supporter_id).first() if supporter_id.isdigit() else None
    )
    language = request.GET.get("language") or (supporter.preferred_language if supporter else "en")
    return letter, supporter, language


def _version_and_values(
    letter: Letter, supporter: Supporter | None, language: str
) -> tuple[CompiledVersion, dict[str, Any]]:
    compiled = compile_letter(letter)
    if not compiled:
        raise PermissionDenied("This letter has no text yet.")
    if supporter is not None:
        [recipient] = recipients(letter, [supporter])
        # Staff see and send these: an unsubscribe link in them must not stop this person's mail.
        values = with_test_links(recipient.values)
        language = language if language in compiled else recipient.language
    else:
        values = with_test_links(sample_recipient_values(letter))
    return compiled.get(language) or compiled.get("en") or next(iter(compiled.values())), values


def _problems_page(problems: list[str]) -> HttpResponse:
    """In place of the email or PDF: what to fix, as a small page (inside the preview frame)."""
    html = format_html(
        "<p><strong>This letter cannot be shown until these are fixed in the letter:</strong></p>"
        "<ul>{}</ul>",
        format_html_join("", "<li>{}</li>", ((p,) for p in problems)),
    )
    response = HttpResponse(html)
    response["Content-Security-Policy"] = PREVIEW_CSP
    return response


def preview(model_admin: Any) -> Callable:
    @require_GET
    def view(request: HttpRequest, letter_id: int) -> HttpResponse:
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        letter, supporter, language = _chosen(request, letter_id)
        query = request.GET.get("q", "").strip()
        matches = []
        if query:
            found, _ = model_admin.admin_site._registry[Supporter].get_search_results(
                request, Supporter.objects.all(), query
            )
            matches = list(found.order_by("last_name", "first_name")[:15])
        params = {"language": language, **({"supporter": supporter.pk} if supporter else {})}
        written = set(letter.versions.values_list("language", flat=True))
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": Letter._meta,
            "letter": letter,
            "title": f"Preview: {letter}",
            "supporter": supporter,
            "language": language,
            "languages": [(c, n) for c, n in LANGUAGES if c in written],
            "query": query,
            "matches": matches,
            "email_url": reverse("admin:mailings_letter_preview_email", args=[letter.pk])
            + "?" + urlencode(params),
            "pdf_url": reverse("admin:mailings_letter_preview_pdf", args=[letter.pk])
            + "?" + urlencode(params),
            "can_send_test": model_admin.has_change_permission(request, letter),
            "has_versions": bool(written),
        }  # fmt: skip
        problems = letter_problems(letter)
        for problem in problems:
            messages.error(request, f"Fix before sending: {problem}")
        for problem in letter_email_problems(letter)[len(problems) :]:  # email only: a warning
            messages.warning(request, f"Fix before emailing: {problem}")
        if context["has_versions"] and not problems:
            compiled, values = _version_and_values(letter, supporter, language)
            organisation = Organisation.current()
            context["subject"] = render_email(compiled, values, organisation=organisation).subject
            # The printed letter for the same person: how many pages it takes, with its slip,
            # and whether its address stays in the envelope's window.
            check = print_check(compiled, values, supporter, letter, organisation)
            context["printed_pages"] = check.pages
            context["print_check"] = check
            context["envelope"] = envelope_for(organisation)
        return TemplateResponse(request, "admin/mailings/letter/preview.html", context)

    return view


def preview_email(model_admin: Any) -> Callable:
    @xframe_options_sameorigin
    @require_GET
    def view(request: HttpRequest, letter_id: int) -> HttpResponse:
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        letter, supporter, language = _chosen(request, letter_id)
        if problems := letter_problems(letter):
            return _problems_page(problems)
        compiled, values = _version_and_values(letter, supporter, language)
        email = render_email(compiled, values, organisation=Organisation.current())
        response = HttpResponse(email.html)
        response["Content-Security-Policy"] = PREVIEW_CSP
        return response

    return view


def preview_pdf(model_admin: Any) -> Callable:
    @require_GET
    def view(request: HttpRequest, letter_id: int) -> HttpResponse:
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        letter, supporter, language = _chosen(request, letter_id)
        if problems := letter_problems(letter):
            return _problems_page(problems)
        compiled, values = _version_and_values(letter, supporter, language)
        # The envelope's window drawn over the page, unless asked for the page as printed.
        overlay = request.GET.get("window") != "off"
        check = print_check(compiled, values, supporter, letter, window_overlay=overlay)
        return pdf_response(check.pdf_bytes, f"preview-{letter.pk}.pdf", inline=True)

    return view


def send_test(model_admin: Any) -> Callable:
    @require_POST
    def view(request: HttpRequest, letter_id: int) -> HttpResponse:
        if not model_admin.has_change_permission(request):
            raise PermissionDenied
        letter, supporter, language = _chosen(request, letter_id)
        back = (
            reverse("admin:mailings_letter_preview", args=[letter.pk])
            + "?"
            + urlencode(
                {"language": language, **({"supporter": supporter.pk} if supporter else {})}
            )
        )
        if not request.user.email:
            messages.error(request, "Your user account has no email address: add one first.")
            return redirect(back)
        if problems := letter_email_problems(letter):
            messages.error(request, f"No test sent. Fix first: {'; '.join(problems)}")
            return redirect(back)
        compiled, values = _version_and_values(letter, supporter, language)
        email = render_email(compiled, values, organisation=Organisation.current())
        outbox_queue(
            kind="test", to=request.user.email, subject=f"[TEST] {email.subject}",
            text=email.text, html=email.html, headers=email.headers,
            from_email=Organisation.current().default_sender,
        )  # fmt: skip
        who = str(supporter) if supporter else "sample values"
        messages.success(request, f"Test email on its way to {request.user.email} ({who}).")
        return redirect(back)

    return view
