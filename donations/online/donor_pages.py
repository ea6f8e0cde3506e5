"""What every donor page shares: the language chosen by ?lang= (and remembered in a cookie),
the language switch, the organisation's name and address, and the test-mode banner. Used by the
donate pages, the donor account and the thanks page."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from core.models import Organisation
from donations.stripe import local_checkout

LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60


def language_from_query(request: HttpRequest) -> str | None:
    """?lang=es switches the page and is remembered in Django's language cookie."""
    language = request.GET.get("lang")
    if language not in dict(settings.LANGUAGES):
        return None
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def remember_language(response: HttpResponse, language: str | None) -> HttpResponse:
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def donor_page_context(request: HttpRequest) -> dict[str, Any]:
    current = translation.get_language()
    query = request.GET.copy()
    query.pop("cancelled", None)
    links = []
    for code, name in settings.LANGUAGES:
        query["lang"] = code
        links.append(
            {"code": code, "name": name, "url": f"?{query.urlencode()}", "current": code == current}
        )
    return {
        "organisation": Organisation.current(),
        "language_links": links,
        "test_mode": local_checkout.is_enabled(),
    }
