"""The acknowledgement queue page in the admin (Gifts > To thank)."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin

from core.pdf import pdf_response
from donations.acknowledgements.emails import tribute_notice_send
from donations.acknowledgements.queue import (
    CHECK,
    EMAIL,
    LETTER,
    Preview,
    letters_pdf,
    mark_thanked,
    thank_by_email,
    thank_you_letter_preview_pdf,
    thank_you_preview,
    thanks_queue,
)
from donations.acknowledgements.tribute_notices import (
    tribute_cards_mark_mailed,
    tribute_cards_pdf,
    tribute_notices_pending,
)

FILTERS = [("", "All"), (EMAIL, "Will be emailed"), (LETTER, "Need a printed letter"),
           (CHECK, "Need a person's decision")]  # fmt: skip


def thanks_queue_view(model_admin: Any) -> Callable:
    def view(request: HttpRequest) -> HttpResponse:
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        route = request.GET.get("route", "")
        if request.method == "POST":
            if not model_admin.has_change_permission(request):
                raise PermissionDenied
            return _act(request, route)
        preview = None
        if (wanted := request.GET.get("preview", "")).isdigit():
            preview = thank_you_preview(int(wanted))
            part = request.GET.get("part", "")
            if preview is not None and part in ("email", "pdf"):
                return _preview_part(preview, part)
            if preview is None:
                messages.warning(request, "That gift is no longer waiting for its thank-you.")
        rows = thanks_queue(route=route if route in dict(FILTERS) else "")
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": "Gifts to thank",
            "rows": rows,
            "total": sum((row.gift.net_amount for row in rows), 0),
            "overdue": sum(row.facts.overdue for row in rows),
            "first_gifts": sum(row.facts.first_gift for row in rows),
            "large_gifts": sum(row.facts.large for row in rows),
            "overdue_hours": settings.THANKS_OVERDUE_HOURS,
            "large_gift": settings.THANKS_LARGE_GIFT,
            "filters": FILTERS,
            "route": route,
            "preview": preview,
            "can_act": model_admin.has_change_permission(request),
            "tributes": tribute_notices_pending(),
        }
        return TemplateResponse(request, "admin/donations/gift/thanks_queue.html", context)

    return view


# The email as the donor will see it, shown in a frame of the queue page: no script, nothing
# fetched but images.
PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https:"


@xframe_options_sameorigin
def _preview_part(preview: Preview, part: str) -> HttpResponse:
    if part == "pdf":
        pdf = thank_you_letter_preview_pdf(preview)
        return pdf_response(pdf, f"thank-you-preview-{preview.row.gift.pk}.pdf", inline=True)
    response = HttpResponse(preview.email.html)
    response["Content-Security-Policy"] = PREVIEW_CSP
    return response


def _act(request: HttpRequest, route: str) -> HttpResponse:
    action = request.POST.get("action", "")
    back = redirect(f"{request.path}?route={route}" if route else request.path)
    if action.startswith("tribute_"):
        return _act_on_tributes(request, action, back)
    ids = [int(i) for i in request.POST.getlist("gift") if i.isdigit()]
    if not ids:
        messages.warning(request, "Tick at least one gift first.")
        return back
    if action == "email":
        sent, skipped = thank_by_email(ids)
        messages.success(request, f"{sent} thank-you email(s) sent with their receipts.")
        if skipped:
            messages.warning(
                request,
                f"{skipped} gift(s) were not emailed: their donor has no email or is deceased. "
                "They stay in the queue.",
            )
    elif action == "letters":
        pdf, _count = letters_pdf(ids)
        return pdf_response(pdf, f"thank-you-letters-{timezone.localdate().isoformat()}.pdf")
    elif action in ("letter", "not_needed"):
        done = mark_thanked(ids, how=action, by=request.user)
        label = "thanked by letter" if action == "letter" else "marked as no thanks needed"
        messages.success(request, f"{done} gift(s) {label}.")
    else:
        messages.error(request, "Choose what to do with the ticked gifts.")
    return back


def _act_on_tributes(request: HttpRequest, action: str, back: HttpResponse) -> HttpResponse:
    """The tribute notices table: email the notices, print the cards, mark cards mailed."""
    ids = [int(i) for i in request.POST.getlist("tribute_gift") if i.isdigit()]
    if not ids:
        messages.warning(request, "Tick at least one tribute notice first.")
        return back
    if action == "tribute_email":
        sent = sum(tribute_notice_send(gift_id=gift_id) for gift_id in ids)
        messages.success(request, f"{sent} tribute notice email(s) sent.")
        if sent < len(ids):
            messages.warning(
                request,
                f"{len(ids) - sent} notice(s) were not emailed: they have no email to go to "
                "(print a card) or were already sent.",
            )
    elif action == "tribute_cards":
        pdf, _count = tribute_cards_pdf(ids)
        return pdf_response(pdf, f"tribute-cards-{timezone.localdate().isoformat()}.pdf")
    elif action == "tribute_mailed":
        done = tribute_cards_mark_mailed(ids, by=request.user)
        messages.success(request, f"{done} tribute card(s) marked as mailed.")
    else:
        messages.error(request, "Choose what to do with the ticked notices.")
    return back
