"""The staff home at /admin/: what to do today, above the admin's full list of sections.

It is the admin's own index (admin.site.index, so the app list and the site's look stay) given
the home's figures; config/urls.py routes /admin/ here ahead of the admin's URLs. Each panel is
shown to those who may read its list; buttons that change data only to those who may."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from core.health.checks import worker_warning
from crm.models import ImportJob
from crm.profile.selectors import open_tasks
from donations.summary import COUNTED, RECEIVED
from reports.home import selectors

# Each import kind's job page and the permission to import it (import-export's 'add').
IMPORT_PAGES = {
    "supporters": ("crm_supporter", "crm.add_supporter"),
    "gifts": ("donations_gift", "donations.add_gift"),
    "file": ("crm_supporter", "crm.add_supporter"),  # people, gifts or both (any_file)
}
# The gift and mailing list filters the home's figures link to (query strings).
FILTERS = {
    "received": "status__in=" + ",".join(RECEIVED),
    "counted": "status__in=" + ",".join(COUNTED),
    # The thank-you queue's gifts (donations.acknowledgements.queue), first gifts only.
    "first_to_thank": "acknowledgement__exact=pending&status__in=succeeded,partially_refunded"
    "&first_gift=yes",
    "in_progress": "status__in=" + ",".join(selectors.IN_PROGRESS),
}


def _staff_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    context: dict = {"staff_home": True, "title": "Today", "filters": FILTERS}
    # Thank-yous, receipts, imports and mailings all wait on the worker: say when it is gone.
    context["worker_warning"] = worker_warning()
    if user.has_perm("crm.change_task"):
        context["my_tasks"] = open_tasks(user=user, today=today)
    if user.has_perm("donations.view_gift"):
        context["thanks"] = selectors.thanks_waiting(today=today)
        context["recent_gifts"] = selectors.recent_gifts()
        giving = selectors.giving_so_far(today=today)
        context["year"] = giving.year
        if user.has_perm("donations.view_campaign"):
            context["campaigns"] = giving.campaigns
    if user.has_perm("donations.view_recurringgift"):
        context["failed_plans"] = selectors.failed_plans()
        context["cancelled_plans"] = selectors.plans_cancelled(today=today)
    if user.has_perm("mailings.view_mailing"):
        context["mailings"] = selectors.mailings_in_progress()
    if user.has_perm("crm.view_supporter"):
        context["imports"] = _with_links(selectors.import_problems(), request)
    context["can"] = {
        "add_gift": user.has_perm("donations.add_gift"),
        "add_mailing": user.has_perm("mailings.add_mailing"),
        "import_supporters": user.has_perm("crm.add_supporter"),
    }
    return admin.site.index(request, extra_context=context)


def _with_links(jobs: list[ImportJob], request: HttpRequest) -> list[ImportJob]:
    """A job's page opens for whoever uploaded it, if they may still import (as
    crm.importing.job_admin allows); others see its name and who uploaded it."""
    user = request.user
    for job in jobs:
        model, permission = IMPORT_PAGES.get(job.kind, ("", ""))
        mine = job.created_by_id == user.pk or user.is_superuser
        job.home_url = (
            reverse(f"admin:{model}_import_job", args=[job.pk])
            if model and mine and user.has_perm(permission)
            else ""
        )
    return jobs


# The admin's wrapper: staff only (others go to the sign-in page), never cached, CSRF-checked.
staff_home = admin.site.admin_view(_staff_home)
