"""The donor account's pages. Each view checks the donor's session, parses the form, makes
one service call and answers; every read goes through the signed-in supporter
(donations.account.selectors), so an id typed into a URL reaches only the donor's own rows."""

import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.stored_files import stored_file_response
from crm.models import Supporter
from donations.account import links, selectors
from donations.account.forms import (
    AddressForm,
    ContactForm,
    EmailChangeForm,
    LanguageForm,
    PauseForm,
    SignInLinkForm,
)
from donations.account.limits import sign_in_link_permit
from donations.account.preferences import (
    AccountChangeRefused,
    account_address_change,
    account_contact_preferences_change,
    account_email_change_confirm,
    account_email_change_request,
    account_language_change,
)
from donations.account.session import (
    account_session_end,
    account_session_start,
    account_session_supporter,
)
from donations.online.donor_pages import donor_page_context, language_from_query, remember_language
from donations.tasks import account_sign_in_link

HOME = "donations:account"


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    """A donor page in the language asked for (?lang=), which is then remembered."""
    chosen = language_from_query(request)
    response = render(
        request, f"donations/account/{template}", {**context, **donor_page_context(request)},
        status=status,
    )  # fmt: skip
    return remember_language(response, chosen)


def signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view gets the signed-in supporter; without one, the sign-in page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        supporter = account_session_supporter(request)
        if supporter is None:
            return redirect(HOME)
        return view(request, supporter, *args, **kwargs)

    return wrapper


@never_cache
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    supporter = account_session_supporter(request)
    if supporter is not None and request.method == "GET":
        return _page(request, "home.html", _home_context(supporter))
    form = SignInLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        permit = sign_in_link_permit(request=request, email=email)
        if not permit.allowed:
            minutes = max(1, math.ceil(permit.retry_after / 60))
            response = _page(request, "too_many.html", {"minutes": minutes}, status=429)
            response["Retry-After"] = str(permit.retry_after)
            return response
        # The link is made (or not) by the worker: the page is the same either way.
        account_sign_in_link.enqueue(email)
        return _page(request, "link_sent.html", {})
    return _page(request, "sign_in.html", {"form": form}, status=400 if form.errors else 200)


def _home_context(supporter: Supporter, **forms: Any) -> dict[str, Any]:
    return {
        "supporter": supporter,
        "gifts": selectors.account_gifts(supporter=supporter),
        "plans": selectors.account_plans(supporter=supporter),
        "pause_choices": PauseForm.base_fields["months"].choices,
        "statement_years": selectors.account_statement_years(supporter=supporter),
        "email_form": forms.get("email_form") or EmailChangeForm(),
        "address_form": forms.get("address_form")
        or AddressForm(
            initial={name: getattr(supporter, name) for name in AddressForm.base_fields},
            current_country=supporter.country,
        ),
        "language_form": forms.get("language_form")
        or LanguageForm(initial={"language": supporter.preferred_language}),
        "contact_form": forms.get("contact_form")
        or ContactForm(
            initial={
                "email_appeals": supporter.email_opt_in == Supporter.EmailOptIn.OPTED_IN
                and not supporter.do_not_email,
                "postal_mail": not supporter.do_not_mail,
            }
        ),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks the donor to press a button; only the POST uses the link, so a mail scanner
    that opens links first does not spend it."""
    purpose = links.Purpose.SIGN_IN
    if request.method == "POST":
        link = links.link_use(token=token, purpose=purpose)
        if link is not None:
            account_session_start(request=request, supporter_id=link.supporter_id)
            return redirect(HOME)
    elif links.link_read(token=token, purpose=purpose) is not None:
        return _page(request, "confirm_sign_in.html", {})
    return _page(request, "link_expired.html", {"form": SignInLinkForm()}, status=410)


@never_cache
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    account_session_end(request=request)
    return _page(request, "signed_out.html", {})


@never_cache
@require_http_methods(["GET"])
@signed_in
def receipt(request: HttpRequest, supporter: Supporter, number: str) -> HttpResponse:
    found = selectors.account_receipt(supporter=supporter, number=number)
    if found is None:
        raise Http404("No such receipt among yours.")
    return stored_file_response(
        found.pdf, filename=f"receipt-{found.number}.pdf", content_type="application/pdf"
    )


@never_cache
@require_http_methods(["GET"])
@signed_in
def statement(request: HttpRequest, supporter: Supporter, year: int) -> HttpResponse:
    pdf = selectors.account_statement_pdf(supporter=supporter, fiscal_year=year)
    if pdf is None:
        raise Http404("No statement for that year.")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="giving-statement-{year}.pdf"'
    return response


def _change(
    request: HttpRequest,
    supporter: Supporter,
    form: Any,
    name: str,
    apply: Callable[[], bool | None],
    done: str,
) -> HttpResponse:
    """Apply one preference change, or show the account page with what went wrong."""
    if form.is_valid():
        try:
            apply()
        except AccountChangeRefused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, str(refusal))
        else:
            messages.success(request, done)
            return redirect(f"{reverse(HOME)}#main")  # the message, at the top
    return _page(request, "home.html", _home_context(supporter, **{name: form}), status=400)


@never_cache
@require_POST
@signed_in
def change_address(request: HttpRequest, supporter: Supporter) -> HttpResponse:
    form = AddressForm(request.POST, current_country=supporter.country)
    return _change(
        request, supporter, form, "address_form",
        lambda: account_address_change(supporter_id=supporter.pk, **form.cleaned_data),
        _("Your postal address is saved."),
    )  # fmt: skip


@never_cache
@require_POST
@signed_in
def change_language(request: HttpRequest, supporter: Supporter) -> HttpResponse:
    form = LanguageForm(request.POST)
    return _change(
        request, supporter, form, "language_form",
        lambda: account_language_change(
            supporter_id=supporter.pk, language=form.cleaned_data["language"]
        ),
        _("Your language is saved."),
    )  # fmt: skip


@never_cache
@require_POST
@signed_in
def change_contact(request: HttpRequest, supporter: Supporter) -> HttpResponse:
    form = ContactForm(request.POST)
    return _change(
        request, supporter, form, "contact_form",
        lambda: account_contact_preferences_change(supporter_id=supporter.pk, **form.cleaned_data),
        _("Your email and mail preferences are saved."),
    )  # fmt: skip


@never_cache
@require_POST
@signed_in
def change_email(request: HttpRequest, supporter: Supporter) -> HttpResponse:
    form = EmailChangeForm(request.POST)
    return _change(
        request, supporter, form, "email_form",
        lambda: account_email_change_request(
            supporter_id=supporter.pk, new_email=form.cleaned_data["new_email"]
        ),
        _("We sent a link to your new address. Open it within 30 minutes to confirm the change; "
          "until then we keep using the address we have."),
    )  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    purpose = links.Purpose.EMAIL_CHANGE
    if request.method == "GET":
        link = links.link_read(token=token, purpose=purpose)
        if link is None:
            return _page(request, "link_expired.html", {"form": SignInLinkForm()}, status=410)
        return _page(request, "confirm_email.html", {"new_email": link.new_email})
    try:
        supporter = account_email_change_confirm(token=token)
    except AccountChangeRefused as refusal:
        return _page(request, "email_refused.html", {"reason": str(refusal)}, status=409)
    return _page(request, "email_confirmed.html", {"new_email": supporter.email})
