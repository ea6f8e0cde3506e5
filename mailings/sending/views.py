"""The mailing's staff pages beside its admin form: Send (the counts, then confirm), Schedule,
Cancel, and its progress and results. Thin views over mailings.sending's services: the
services claim the mailing, so a second click or tab is refused there, never sent twice.

Staff (change permission) act; board members (view permission) read the results only."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from mailings.models import Mailing
from mailings.printing.print_check import window_problem_groups
from mailings.printing.print_job import print_run_stale
from mailings.sending.schedule import mailing_schedule_queued
from mailings.sending.selectors import (
    MailingResults,
    mailing_results,
    mailing_sender,
    mailing_status_refresh,
)
from mailings.sending.services import (
    SendRefused,
    mailing_cancel,
    mailing_check,
    mailing_plan,
    mailing_send,
)
from mailings.sending.subject_test import subject_test_decide, subject_test_results

View = Callable[..., HttpResponse]


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(
        label="Send at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="In the organization's time zone.",
    )


def _mailing(model_admin: Any, request: HttpRequest, mailing_id: int, *, act: bool) -> Mailing:
    # Permission before the lookup: a refusal never says whether a mailing exists.
    allowed = (
        model_admin.has_change_permission(request)
        if act
        else model_admin.has_view_permission(request)
    )
    if not allowed:
        raise PermissionDenied
    return get_object_or_404(
        Mailing.objects.select_related("letter", "audience", "letter__campaign"), pk=mailing_id
    )


def _page(model_admin: Any, request: HttpRequest, mailing: Mailing, template: str,
          title: str, **context: Any) -> TemplateResponse:  # fmt: skip
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Mailing._meta,
        "original": mailing,
        "mailing": mailing,
        "title": title,
        **context,
    }
    return TemplateResponse(request, f"admin/mailings/mailing/{template}", context)


def send(model_admin: Any) -> View:
    def view(request: HttpRequest, mailing_id: int) -> HttpResponse:
        mailing = _mailing(model_admin, request, mailing_id, act=True)
        if request.method == "POST":
            try:
                mailing_send(mailing=mailing, user=request.user)
            except SendRefused as refused:
                messages.error(request, str(refused))
            else:
                messages.success(request, f"“{mailing}” is being sent.")
            return redirect("admin:mailings_mailing_results", mailing.pk)
        problem, plan = "", None
        try:
            mailing_check(mailing)
            plan = mailing_plan(mailing)
        except SendRefused as refused:
            problem = str(refused)
        if plan and plan.test_problem:
            problem = plan.test_problem
        channels = [c for c in (plan.email, plan.print) if c is not None] if plan else []
        return _page(
            model_admin, request, mailing, "send.html", f"Send “{mailing}”?",
            problem=problem,
            plan=plan,
            channels=channels,
            nobody=bool(plan) and not any(c.recipients for c in channels),
            versions=mailing.letter.versions.all(),
            sender=mailing_sender(mailing),
        )  # fmt: skip

    return view


def schedule(model_admin: Any) -> View:
    def view(request: HttpRequest, mailing_id: int) -> HttpResponse:
        mailing = _mailing(model_admin, request, mailing_id, act=True)
        form = ScheduleForm(request.POST or None, initial={"when": mailing.scheduled_for})
        if request.method == "POST" and form.is_valid():
            try:
                mailing_schedule_queued(
                    mailing=mailing, when=form.cleaned_data["when"], user=request.user
                )
            except SendRefused as refused:
                form.add_error("when", str(refused))
            else:
                messages.success(request, f"“{mailing}” is scheduled.")
                return redirect("admin:mailings_mailing_change", mailing.pk)
        return _page(
            model_admin, request, mailing, "schedule.html", f"Schedule “{mailing}”", form=form
        )

    return view


def cancel(model_admin: Any) -> View:
    def view(request: HttpRequest, mailing_id: int) -> HttpResponse:
        mailing = _mailing(model_admin, request, mailing_id, act=True)
        if request.method == "POST":
            try:
                mailing_cancel(mailing=mailing, user=request.user)
            except SendRefused as refused:
                messages.error(request, str(refused))
            else:
                messages.success(request, f"“{mailing}” is cancelled; it will not be sent.")
            return redirect("admin:mailings_mailing_change", mailing.pk)
        return _page(model_admin, request, mailing, "cancel.html", f"Cancel “{mailing}”?")

    return view


def results(model_admin: Any) -> View:
    def view(request: HttpRequest, mailing_id: int) -> HttpResponse:
        mailing = mailing_status_refresh(_mailing(model_admin, request, mailing_id, act=False))
        found = mailing_results(mailing)
        return _page(
            model_admin, request, mailing, "results.html", f"Results of “{mailing}”",
            results=found,
            progress=progress_data(mailing, found),
            can_act=model_admin.has_change_permission(request, mailing),
            appeal_code=mailing.letter.effective_appeal_code,
            response_percent=100 * found.response_rate if found.response_rate else 0,
            snapshot_channels=[
                (ch, mailing.snapshot[ch]) for ch in ("email", "print") if ch in mailing.snapshot
            ],
            log=mailing.log.select_related("user"),
            **_subject_test_context(mailing),
            print_stale=print_run_stale(mailing),
            print_stale_minutes=settings.PRINT_RUN_STALE_MINUTES,
            window_problems=window_problem_groups(mailing.print_window_problems),
        )  # fmt: skip

    return view


def _subject_test_context(mailing: Mailing) -> dict[str, Any]:
    if not mailing.tests_subjects or mailing.status in (
        Mailing.Status.DRAFT,
        Mailing.Status.SCHEDULED,
    ):
        return {}
    return {"subject_test": subject_test_results(mailing, rest=True)}


def subject_test_decide_now(model_admin: Any) -> View:
    """A person decides the subject test before its time (POST only)."""

    def view(request: HttpRequest, mailing_id: int) -> HttpResponse:
        mailing = _mailing(model_admin, request, mailing_id, act=True)
        if request.method != "POST":
            return redirect("admin:mailings_mailing_results", mailing.pk)
        if not any(variant.sent for variant in subject_test_results(mailing)):
            messages.error(
                request,
                "None of the test's emails has been sent yet, so there is nothing to compare. "
                "The background worker sends them; try again once opens come in.",
            )
            return redirect("admin:mailings_mailing_results", mailing.pk)
        winner = subject_test_decide(mailing_id=mailing.pk, user=request.user, early=True)
        if winner:
            messages.success(request, f"Subject {winner.upper()} won; it is going to the rest.")
        else:
            messages.error(request, "This subject test was decided already, or is not running.")
        return redirect("admin:mailings_mailing_results", mailing.pk)

    return view


def progress(model_admin: Any) -> View:
    def view(request: HttpRequest, mailing_id: int) -> HttpResponse:
        mailing = mailing_status_refresh(_mailing(model_admin, request, mailing_id, act=False))
        return JsonResponse(progress_data(mailing, mailing_results(mailing)))

    return view


def progress_data(mailing: Mailing, found: MailingResults) -> dict[str, Any]:
    """What the results page's bars show, and what its script polls for."""
    handled = found.emails - found.pending - found.awaiting_test
    return {
        "status": mailing.status,
        "status_label": mailing.get_status_display(),
        "emails": found.emails,
        "handled": handled,
        "sent": found.sent,
        "not_sent": found.not_sent + found.unknown,
        "awaiting_test": found.awaiting_test,
        "percent": round(100 * handled / found.emails) if found.emails else 100,
        "print_status": mailing.print_status,
        "print_done": mailing.print_done,
        "print_total": mailing.print_total,
        "print_percent": round(100 * mailing.print_done / mailing.print_total)
        if mailing.print_total
        else 0,
    }
