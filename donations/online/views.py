"""The public donation pages: /donate/, its thank-you page, and the local test checkout."""

import logging
import math
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core import captcha
from core.models import Organisation
from core.money import money_text
from donations.forms import DonationForm
from donations.online.checkout import checkout_start
from donations.online.donor_pages import (
    donor_page_context,
    language_from_query,
    remember_language,
)
from donations.online.limits import CheckoutPermit, checkout_permit
from donations.online.page import donate_page_for
from donations.online.thanks import account_url, checkout_remember, gift_restated
from donations.stripe import local_checkout
from donations.stripe.client import StripeUnavailable

logger = logging.getLogger(__name__)


# Shows a donor's name, email or gift: never kept by a shared or browser cache.
@never_cache
@require_http_methods(["GET", "POST"])
def donate(request: HttpRequest) -> HttpResponse:
    chosen_language = language_from_query(request)
    kept = {key: request.GET[key] for key in ("t", "appeal") if request.GET.get(key)}
    page = donate_page_for(token=request.GET.get("t", ""), appeal=request.GET.get("appeal", ""))
    form = DonationForm(
        request.POST if request.method == "POST" else None,
        ask_amounts=page.ask_amounts,
        initial=page.initial,
        address_on_file_for=page.supporter_email if page.address_on_file else "",
        asks_address=Organisation.current().donate_page_asks_address,
        preselected=page.preselected,
    )
    # Each valid submission counts against the card-testing limits before a session is made.
    permit = CheckoutPermit(allowed=True)
    if request.method == "POST" and form.is_valid():
        permit = checkout_permit(
            request=request,
            email=form.cleaned_data["email"],
            captcha_token=captcha.token_from(request.POST),
        )
        if permit.allowed:
            donation = form.donation_request(
                language=translation.get_language(),
                appeal_code=page.appeal_code,
                supporter_id=page.supporter_id_for(form.cleaned_data["email"]),
                return_query=urlencode(kept),
            )
            try:
                started = checkout_start(donation=donation, site_url=settings.SITE_URL)
                checkout_remember(request.session, started=started, donation=donation)
                return redirect(started.url)
            except StripeUnavailable:
                logger.exception("Could not create a Stripe Checkout Session")
                form.add_error(
                    None,
                    _(
                        "We could not reach our card processor, so nothing was charged. "
                        "Please try again in a minute."
                    ),
                )
        elif permit.challenge is None:
            return _too_many_attempts(request, permit, kept, chosen_language)
        else:
            form.add_error(None, _captcha_request(permit))
    context = {
        "form": form,
        "page": page,
        "form_action": f"?{urlencode(kept)}" if kept else request.path,
        "cancelled": request.method == "GET" and request.GET.get("cancelled") == "1",
        "dedication_open": bool(
            form["tribute"].value()
            or any(
                form[name].errors
                for name in ("tribute_name", "tribute_notify_email", "tribute_notify_address")
            )
        ),
        "challenge": permit.challenge,
        "challenge_script": permit.challenge.script_src(translation.get_language())
        if permit.challenge
        else "",
        **donor_page_context(request),
    }
    # 429 while the donor is asked to solve the captcha: this attempt started no checkout.
    status = 200 if permit.allowed else 429
    response = render(request, "donations/donate.html", context, status=status)
    if permit.challenge:
        # The one page showing the widget lets its provider in (django-csp's per-response
        # update, as its csp_update decorator sets); no other page allows it.
        response._csp_update = permit.challenge.csp
    return remember_language(response, chosen_language)


def _captcha_request(permit: CheckoutPermit) -> str:
    if permit.challenge_failed:
        return _("That check did not work. Please try it again, then press Continue to payment.")
    return _(
        "Many payments were started here in a short time. To keep cards safe from fraud, "
        "please confirm you are a person below, then press Continue to payment."
    )


def _too_many_attempts(
    request: HttpRequest, permit: CheckoutPermit, kept: dict[str, str], language: str | None
) -> HttpResponse:
    """The friendly page for a donor past a checkout limit, in their language, with a 429."""
    minutes = max(1, math.ceil(permit.retry_after / 60))
    context = {
        "minutes": minutes,
        "hours": math.ceil(minutes / 60) if minutes > 90 else 0,
        "donate_url": f"{request.path}?{urlencode(kept)}" if kept else request.path,
        **donor_page_context(request),
    }
    response = render(request, "donations/too_many_attempts.html", context, status=429)
    response["Retry-After"] = str(permit.retry_after)
    return remember_language(response, language)


@never_cache
@require_http_methods(["GET"])
def thanks(request: HttpRequest) -> HttpResponse:
    chosen_language = language_from_query(request)
    # The gift is restated only to the browser that started this checkout; anyone else (a
    # shared link, a made-up id) gets the general page.
    context = {
        "gift": gift_restated(request.session, request.GET.get("session_id", "")),
        "account_url": account_url(),
        **donor_page_context(request),
    }
    return remember_language(render(request, "donations/thanks.html", context), chosen_language)


@never_cache
@require_http_methods(["GET", "POST"])
def test_checkout(request: HttpRequest, token: str) -> HttpResponse:
    if not local_checkout.is_enabled():
        raise Http404("The local test checkout is off while a Stripe key is set.")
    pending = local_checkout.session_read(token)
    if pending is None:
        return render(
            request,
            "donations/test_checkout.html",
            {"expired": True, **donor_page_context(request)},
            status=404,
        )
    if request.method == "POST":
        return redirect(local_checkout.session_complete(pending))
    # Like Stripe's page, shown in the language the donor chose on ours.
    language = pending.params.get("locale") or translation.get_language()
    translation.activate(language)
    request.LANGUAGE_CODE = language
    context = {
        "pending": pending,
        "amount": money_text(pending.amount, cents="when_needed"),
        "email": pending.params.get("customer_email", ""),
        **donor_page_context(request),
        "language_links": [],  # Stripe's page has no switch either: it follows the locale
    }
    return render(request, "donations/test_checkout.html", context)
