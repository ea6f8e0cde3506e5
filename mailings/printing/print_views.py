"""A sent mailing's Print button and its files: staff only (names and addresses in a file)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from core.stored_files import stored_file_response
from mailings.models import Mailing
from mailings.printing.print_job import mailing_print_start
from mailings.printing.print_run import PrintRunRefused

View = Callable[..., HttpResponse]
FILES = {"pdf": ("print_pdf", "application/pdf"), "csv": ("print_list", "text/csv")}


def _staff_mailing(model_admin: Any, request: HttpRequest, mailing_id: int) -> Mailing:
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    return get_object_or_404(Mailing, pk=mailing_id)


def print_start(model_admin: Any) -> View:
    @require_POST
    def view(request: HttpRequest, mailing_id: int) -> HttpResponse:
        mailing = _staff_mailing(model_admin, request, mailing_id)
        try:
            mailing_print_start(mailing=mailing, user=request.user)
        except PrintRunRefused as refused:
            messages.error(request, str(refused))
        return redirect("admin:mailings_mailing_results", mailing.pk)

    return view


def print_file(model_admin: Any) -> View:
    @require_GET
    def view(request: HttpRequest, mailing_id: int, kind: str) -> HttpResponse:
        mailing = _staff_mailing(model_admin, request, mailing_id)
        if kind not in FILES:
            raise Http404
        field, content_type = FILES[kind]
        stored = getattr(mailing, field)
        if mailing.print_status != Mailing.PrintStatus.DONE or not stored:
            raise Http404("Not printed yet.")
        name = stored.name.rsplit("/", 1)[-1]
        return stored_file_response(stored, filename=name, content_type=content_type)

    return view
