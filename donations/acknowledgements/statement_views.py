"""The year-end statements screen in the admin (Statement sends > Year-end statements): pick a
fiscal year, see who gets a statement by email, by post, and who cannot be reached; preview a
donor's statement and email; send the emails, download the print PDF, send a correction.
Board members may look; only staff send (the add permission on StatementSend)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Min
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from core.models import Organisation
from core.pdf import pdf_response
from donations.acknowledgements.statement_runs import (
    StatementError,
    statement_correction_send,
    statement_plan,
    statement_preview,
    statements_print,
)
from donations.models import Gift
from donations.tasks import statements_email_run

SEND_PERMISSION = "donations.add_statementsend"
SHOW = [("", "Everyone"), ("email", "By email"), ("post", "By post"), ("none", "Cannot be reached")]


def statements_view(model_admin: Any) -> Callable:
    def view(request: HttpRequest) -> HttpResponse:
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        year, years = _year(request)
        if request.method == "POST":
            if not request.user.has_perm(SEND_PERMISSION):
                raise PermissionDenied
            return _act(request, year)
        supporter_id = request.GET.get("supporter", "")
        preview = request.GET.get("preview", "")
        email_preview = None
        if supporter_id.isdigit() and preview in ("pdf", "email"):
            try:
                pdf, email_preview = statement_preview(
                    fiscal_year=year, supporter_id=int(supporter_id)
                )
            except StatementError as error:
                messages.error(request, str(error))
                return redirect(f"{request.path}?year={year}")
            if preview == "pdf":
                return pdf_response(pdf, f"statement-{year}-{supporter_id}.pdf", inline=True)
        plan = statement_plan(fiscal_year=year)
        show = request.GET.get("show", "")
        channel = {"email": "email", "post": "post", "none": ""}.get(show)
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": f"Year-end statements, fiscal year {year}",
            "plan": plan,
            "year": year,
            "years": years,
            "period": Organisation.current().fiscal_year_bounds(year),
            "lines": [ln for ln in plan.lines if channel is None or ln.channel == channel],
            "show": show,
            "shows": SHOW,
            "email_preview": email_preview,
            "preview_id": int(supporter_id) if email_preview else None,
            "can_send": request.user.has_perm(SEND_PERMISSION),
        }
        return TemplateResponse(request, "admin/donations/statementsend/run.html", context)

    return view


def _year(request: HttpRequest) -> tuple[int, list[int]]:
    """The year asked for (default: the last fiscal year that has ended) and the years to
    choose from, back to the first gift."""
    organisation = Organisation.current()
    current = organisation.fiscal_year_of(timezone.localdate())
    first = Gift.objects.aggregate(first=Min("received_on"))["first"]
    earliest = min(organisation.fiscal_year_of(first) if first else current - 1, current - 1)
    years = list(range(current, earliest - 1, -1))
    asked = request.POST.get("year") or request.GET.get("year") or ""
    year = int(asked) if asked.isdigit() and int(asked) in years else current - 1
    return year, years


def _act(request: HttpRequest, year: int) -> HttpResponse:
    action = request.POST.get("action", "")
    back = redirect(f"{request.path}?year={year}")
    if action == "email":
        pending = sum(1 for line in statement_plan(fiscal_year=year).to_email if not line.sent)
        if not pending:
            messages.info(request, f"Every {year} statement to email has been sent already.")
            return back
        statements_email_run.enqueue(year, request.user.pk)
        messages.success(
            request,
            f"Emailing {pending} statement(s) in the background. Donors already emailed for "
            f"{year} are skipped; reload this page to see who has been sent theirs.",
        )
    elif action == "print":
        pdf, count = statements_print(
            fiscal_year=year, sent_by=request.user, again=bool(request.POST.get("again"))
        )
        if not pdf:
            messages.info(request, f"No {year} statements left to print.")
            return back
        return pdf_response(pdf, f"statements-{year}-print.pdf")
    elif action == "correct":
        supporter_id = request.POST.get("supporter", "")
        try:
            record, pdf = statement_correction_send(
                fiscal_year=year,
                supporter_id=int(supporter_id) if supporter_id.isdigit() else 0,
                sent_by=request.user,
                note=request.POST.get("note", ""),
            )
        except StatementError as error:
            messages.error(request, str(error))
            return back
        if pdf:
            return pdf_response(pdf, f"corrected-statement-{year}-{supporter_id}.pdf")
        messages.success(request, f"Corrected statement emailed to {record.supporter}.")
    else:
        messages.error(request, "Choose what to do.")
    return back
