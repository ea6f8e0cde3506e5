"""Public pages for email recipients: /u/<token>/ (unsubscribe page and RFC 8058 one-click)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.models import Organisation
from crm.models import Supporter
from crm.selectors import supporter_current
from mailings.emails.services import supporter_unsubscribe
from mailings.letters.merge_values import read_unsubscribe_token


# RFC 8058: a mail client's one-click unsubscribe is a POST with no cookie and no CSRF token;
# the signed token in the address is what authorises it. A GET only shows the page, so link
# scanners that open every URL unsubscribe no one.
@csrf_exempt
@never_cache  # the page shows the supporter's email address
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    supporter_id = read_unsubscribe_token(token)
    # A link sent before a merge speaks for the record that survived it.
    supporter = supporter_current(supporter_id) if supporter_id else None
    context = {"organisation": Organisation.current(), "language_links": [], "test_mode": False}
    if supporter is None:
        return render(
            request, "mailings/unsubscribe.html", {**context, "invalid": True}, status=400
        )
    with translation.override(supporter.preferred_language or "en"):
        request.LANGUAGE_CODE = translation.get_language()
        return _unsubscribe_page(request, supporter, context)


def _unsubscribe_page(request: HttpRequest, supporter: Supporter, context: dict) -> HttpResponse:
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        supporter_unsubscribe(
            supporter_id=supporter.pk,
            source="One-click button in the mail client" if one_click else "Unsubscribe page",
        )
        return render(request, "mailings/unsubscribe.html", {**context, "done": True})
    return render(
        request,
        "mailings/unsubscribe.html",
        {**context, "email": supporter.email, "already": supporter.do_not_email},
    )
