"""The cheque batch screen: a batch's date, fund and campaign, one row per check, a donor
picker that tells namesakes apart, a new donor added in place; all saved or none."""

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_POST

from core.money import money_text
from crm.services import LooksLikeExisting, supporter_create
from donations.deposits.batch.forms import BatchForm, ChequeFormSet, NewDonorForm
from donations.deposits.batch.selectors import donor_choice, donor_search
from donations.deposits.batch.services import (
    Batch,
    BatchRefused,
    ChequeRow,
    cheque_batch_check,
    cheque_batch_record,
)
from donations.models import Gift

View = Callable[[HttpRequest], HttpResponse]


def _may_enter(model_admin: admin.ModelAdmin, request: HttpRequest, *perms: str) -> None:
    """Entering checks: staff who may add gifts (and see supporters); never the board."""
    if not model_admin.has_add_permission(request) or not request.user.has_perms(perms):
        raise PermissionDenied


def _with_one_more_row(data: Any) -> Any:
    data = data.copy()
    try:
        total = int(data.get("rows-TOTAL_FORMS", 0))
    except ValueError:
        total = 0
    data["rows-TOTAL_FORMS"] = str(min(total + 1, 500))
    return data


def _cheque_rows(rows: Any) -> list[ChequeRow]:
    """The rows read as checks: those whose fields are right and name a donor."""
    return [
        ChequeRow(number=number, **{k: v for k, v in row.cleaned_data.items() if k != "donor"})
        for number, row in enumerate(rows.forms)
        if not row.errors and row.cleaned_data.get("supporter")
    ]


def _running_total(rows: Any) -> tuple[str, str]:
    """The footer's count and sum as the server read the rows (the script keeps them live)."""
    amounts = [
        form.cleaned_data["amount"]
        for form in rows.forms
        if getattr(form, "cleaned_data", {}).get("amount")
    ]
    count = f"{len(amounts)} check" + ("" if len(amounts) == 1 else "s")
    return count, money_text(sum(amounts, start=0))


def _refusal_shown(refused: BatchRefused, batch: BatchForm, rows: Any) -> None:
    for field, problems in refused.batch.items():
        batch.add_error(field if field in batch.fields else None, problems)
    for number, errors in refused.rows.items():
        row = rows.forms[number]
        for field, problems in errors.items():
            row.add_error(field if field in row.fields else None, problems)


def batch_entry(model_admin: admin.ModelAdmin) -> View:
    def view(request: HttpRequest) -> HttpResponse:
        _may_enter(model_admin, request, "crm.view_supporter")
        data = request.POST if request.method == "POST" else None
        adding = data is not None and "add_row" in data  # 'Add a row' without JavaScript
        if adding:
            data = _with_one_more_row(data)
        batch = BatchForm(data, prefix="deposit")
        rows = ChequeFormSet(data, prefix="rows")
        if data is not None and batch.is_valid() & rows.is_valid() and not adding:
            try:
                gifts = cheque_batch_record(
                    batch=Batch(**batch.cleaned_data),
                    rows=_cheque_rows(rows),
                    recorded_by=request.user,
                )
            except BatchRefused as refused:
                _refusal_shown(refused, batch, rows)
            else:
                total = sum((gift.amount for gift in gifts), start=0)
                messages.success(
                    request, f"Recorded {len(gifts)} check(s) totaling {money_text(total)}."
                )
                return redirect("admin:donations_gift_changelist")
        elif data is not None and batch.is_valid() and _cheque_rows(rows):
            # Some rows are wrong as typed: the others are checked too, so that every problem
            # shows at once (the control total waits until all rows can be read).
            try:
                partial = replace(Batch(**batch.cleaned_data), expected_total=None)
                cheque_batch_check(batch=partial, rows=_cheque_rows(rows))
            except BatchRefused as refused:
                _refusal_shown(refused, batch, rows)
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": Gift._meta,
            "title": "Enter a batch of checks",
            "batch": batch,
            "rows": rows,
            "running_total": _running_total(rows) if data is not None else ("0 checks", "$0.00"),
            "new_donor": NewDonorForm(prefix="new"),
            "may_add_donor": request.user.has_perm("crm.add_supporter"),
            "media": model_admin.media + batch.media + rows.media,
        }
        return TemplateResponse(request, "admin/donations/gift/batch.html", context)

    return view


def donor_search_view(model_admin: admin.ModelAdmin) -> View:
    @require_GET
    def view(request: HttpRequest) -> HttpResponse:
        _may_enter(model_admin, request, "crm.view_supporter")
        found = donor_search(request.GET.get("q", "")[:200])
        return JsonResponse({"results": [choice.as_json() for choice in found]})

    return view


def donor_add_view(model_admin: admin.ModelAdmin) -> View:
    """A new donor from the batch's dialog, through the crm's service and its duplicate check:
    201 with the donor to pick, 409 with the supporters it looks like, 400 with field errors."""

    @require_POST
    def view(request: HttpRequest) -> HttpResponse:
        _may_enter(model_admin, request, "crm.view_supporter", "crm.add_supporter")
        form = NewDonorForm(request.POST, prefix="new")
        if not form.is_valid():
            return JsonResponse({"errors": form.errors}, status=400)
        values = {k: v for k, v in form.cleaned_data.items() if k != "confirmed"}
        try:
            supporter = supporter_create(
                values=values,
                created_by=request.user,
                source="check batch",
                allow_lookalikes=form.cleaned_data["confirmed"],
            )
        except ValidationError as exc:
            return JsonResponse({"errors": exc.message_dict}, status=400)
        except LooksLikeExisting as lookalike:
            matches = [
                {**donor_choice(match.first).as_json(), "reasons": list(match.reasons)}
                for match in lookalike.matches
            ]
            message = (
                "A supporter already has this email: pick them instead."
                if lookalike.same_email
                else "This looks like a supporter already on file. Pick them, or add anyway."
            )
            return JsonResponse(
                {"message": message, "matches": matches, "may_add": not lookalike.same_email},
                status=409,
            )
        return JsonResponse({"donor": donor_choice(supporter).as_json()}, status=201)

    return view


def batch_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    """The batch's pages, for GiftAdmin.get_urls."""
    wrap = model_admin.admin_site.admin_view
    return [
        path("batch/", wrap(batch_entry(model_admin)), name="donations_gift_batch"),
        path(
            "batch/donors/",
            wrap(donor_search_view(model_admin)),
            name="donations_gift_batch_donors",
        ),
        path(
            "batch/new-donor/",
            wrap(donor_add_view(model_admin)),
            name="donations_gift_batch_new_donor",
        ),
    ]
