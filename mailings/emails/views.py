"""Public pages for email recipients: /u/<token>/ (unsubscribe page and RFC 8058 one-click)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.models import Organisation, Suppression
from crm.models import Supporter
from crm.selectors import supporter_current
from mailings.emails.services import supporter_unsubscribe
from mailings.letters.merge_values import is_test_unsubscribe_token, read_unsubscribe_token

Scope = Suppression.Scope
SOURCES = {
    Scope.APPEALS: "Unsubscribe page: appeals only",
    Scope.ALL: "Unsubscribe page: all email",
}
ONE_CLICK_SOURCE = "One-click button in the mail client: appeals only"


# RFC 8058: a mail client's one-click unsubscribe is a POST with no cookie and no CSRF token;
# the signed token in the address is what authorises it. A GET only shows the page, so link
# scanners that open every URL unsubscribe no one.
@csrf_exempt
@never_cache  # the page shows the supporter's email address
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    context = {"organisation": Organisation.current(), "language_links": [], "test_mode": False}
    if is_test_unsubscribe_token(token):  # from a test email: nobody to unsubscribe
        return render(request, "mailings/unsubscribe.html", {**context, "test_email": True})
    link = read_unsubscribe_token(token)
    # A link sent before a merge speaks for the record that survived it.
    supporter = supporter_current(link.supporter_id) if link else None
    if supporter is None:
        return render(
            request, "mailings/unsubscribe.html", {**context, "invalid": True}, status=400
        )
    with translation.override(supporter.preferred_language or "en"):
        request.LANGUAGE_CODE = translation.get_language()
        return _unsubscribe_page(request, supporter, link.message_id, context)


def _unsubscribe_page(
    request: HttpRequest, supporter: Supporter, message_id: int | None, context: dict
) -> HttpResponse:
    if request.method == "POST":
        # The one-click POST (and a form posted without a choice) means appeals only.
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        scope = Scope.ALL if request.POST.get("scope") == Scope.ALL and not one_click else None
        scope = scope or Scope.APPEALS
        supporter_unsubscribe(
            supporter_id=supporter.pk,
            scope=scope,
            source=ONE_CLICK_SOURCE if one_click else SOURCES[scope],
            message_id=message_id,
        )
        return render(request, "mailings/unsubscribe.html", {**context, "done": scope})
    return render(
        request,
        "mailings/unsubscribe.html",
        {
            **context,
            "email": supporter.email,
            "no_email": supporter.do_not_email,
            "no_appeals": supporter.email_opt_in == Supporter.EmailOptIn.OPTED_OUT,
        },
    )
