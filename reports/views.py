"""The report area at /reports/: read-only pages for staff and the Board group, in the
organisation's fiscal year (?fy=YYYY), and each page's tables as CSV or XLSX.

Not signed in: the sign-in page. Signed in without either role: the 403 page. Only GET and
HEAD are answered, so no report view can change data."""

from collections.abc import Callable
from functools import wraps

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.pdf import pdf_response
from core.roles import BOARD_GROUP, STAFF_GROUP
from reports import exports, pages
from reports.packet import board_packet_pdf


def may_read_reports(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name__in=(STAFF_GROUP, BOARD_GROUP)).exists()


def report_view(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not may_read_reports(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    # The pages wear the admin's look, whose templates carry inline styles without the
    # nonce; scripts stay as strict as on every other page.
    return csp_replace({"style-src": [SELF, UNSAFE_INLINE]})(require_safe(never_cache(wrapped)))


def _year(request: HttpRequest) -> tuple[pages.Year, list[int], str]:
    """The fiscal year asked for (?fy=YYYY), else the current one; with why a year asked for
    cannot be shown ('' when it can), for the page to say and a download to refuse."""
    today = timezone.localdate()
    years = pages.available_years(today)
    asked = request.GET.get("fy", "").strip()
    if not asked:
        return pages.year(years[0], today), years, ""
    if asked.isdigit() and int(asked) in years:
        return pages.year(int(asked), today), years, ""
    problem = (
        f"There are no figures for fiscal year '{asked[:12]}': the years on record are "
        f"{years[-1]} to {years[0]}."
    )
    return pages.year(years[0], today), years, problem


def _hide_names(request: HttpRequest) -> bool:
    return request.GET.get("names") == "hidden"


@report_view
def page(request: HttpRequest, slug: str = "overview") -> HttpResponse:
    if slug not in pages.PAGES:
        raise Http404
    year, years, problem = _year(request)
    if problem:
        messages.warning(request, f"{problem} Showing {year.label}.")
    hide = _hide_names(request)
    title, build = pages.PAGES[slug]
    context = {
        **admin.site.each_context(request),
        "title": title if slug != "overview" else "Reports",
        "slug": slug,
        "nav": [(key, label) for key, (label, _build) in pages.PAGES.items()],
        "year": year,
        "years": years,
        "hide_names": hide,
        "page": build(year, hide_names=hide),
    }
    return render(request, f"reports/{slug.replace('-', '_')}.html", context)


@report_view
def export(request: HttpRequest, table: str, kind: str) -> HttpResponse:
    if table not in pages.TABLE_PAGES:
        raise Http404
    year, _years, problem = _year(request)
    if problem:
        return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")
    _label, build = pages.PAGES[pages.TABLE_PAGES[table]]
    found = build(year, draw=False, hide_names=_hide_names(request)).tables[table.replace("-", "_")]
    filename = f"{table}-{year.label}"
    if kind == "csv":
        return exports.csv_response(found, filename)
    return exports.xlsx_response(found, filename)


@report_view
def board_pdf(request: HttpRequest) -> HttpResponse:
    """The board packet for ?fy=YYYY (the current year by default), names hidden on asking."""
    year, _years, problem = _year(request)
    if problem:
        return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")
    pdf = board_packet_pdf(year, hide_names=_hide_names(request))
    return pdf_response(pdf, f"board-report-{year.label}.pdf")
