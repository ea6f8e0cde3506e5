"""The site's 403 and 404 pages: in the staff area (the admin and the reports) they look like
the admin and lead back to the staff home, the supporters and the gifts; anywhere else they are
donor pages, in the donor's language (?lang=, the language cookie or the browser's), leading to
the donate page and the donor account. The 500 page is templates/500.html, rendered by Django
with no context at all, since the site may be what failed.

Set as config.urls' handler403 and handler404; shown when DEBUG is off.
"""

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils import translation

from core.models import Organisation

STAFF_AREA = ("/admin/", "/reports/")


def _context(request: HttpRequest) -> tuple[str, dict[str, Any]]:
    """('staff' or 'donor', the context the page needs)."""
    if request.path.startswith(STAFF_AREA):
        # The admin's own frame (header, user links) around the message.
        return "staff", {**admin.site.each_context(request), "title": ""}
    language = request.GET.get("lang")
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language
    current = translation.get_language()
    links = [
        {"code": code, "name": name, "url": f"?lang={code}", "current": code == current}
        for code, name in settings.LANGUAGES
    ]
    return "donor", {"organisation": Organisation.current(), "language_links": links}


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    area, context = _context(request)
    return render(request, f"errors/404_{area}.html", context, status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    area, context = _context(request)
    return render(request, f"errors/403_{area}.html", context, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """templates/500.html with nothing but the page's style nonce: no database, no context
    processors, no translation, since any of them may be what failed. In both languages."""
    try:
        nonce = str(getattr(request, "csp_nonce", ""))
        body = loader.get_template("500.html").render({"csp_nonce": nonce})
    except Exception:  # noqa: BLE001 - the error page itself must not fail
        body = "<h1>Something went wrong on our side</h1><p>Algo salió mal de nuestro lado.</p>"
    return HttpResponseServerError(body)
