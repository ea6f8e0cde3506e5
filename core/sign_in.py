"""Staff sign-in protection: lockout after repeated failures (django-axes) and two-factor
sign-in with an authenticator app (django-otp's TOTP devices).

The pieces, in the order a request meets them:
1. `client_ip` tells axes who is asking, trusting X-Forwarded-For only as far as
   TRUSTED_PROXY_COUNT says proxies append to it.
2. `SignInForm` (the admin's login form) checks the password through axes and, for anyone who
   has set up an authenticator app, the six-digit code. A wrong code counts as a failed sign-in.
3. `SignInAttempts` (axes' handler) locks a username at one address after
   AXES_FAILURE_LIMIT failures and a whole address after SIGN_IN_ADDRESS_FAILURE_LIMIT.
4. `TwoFactorRequiredMiddleware` sends staff and board members who have not set up an app to
   `enrol` before any other page, when TWO_FACTOR_REQUIRED is on.
"""

from base64 import b32encode
from typing import Any

import qrcode
import qrcode.image.svg
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import logout, user_login_failed
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import BOARD_GROUP, STAFF_GROUP

# --- Who is asking ------------------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str | None:
    """The address a sign-in comes from (axes' AXES_CLIENT_IP_CALLABLE).

    Behind N proxies that each append the address they received from to X-Forwarded-For
    (nginx's $proxy_add_x_forwarded_for, Caddy, most load balancers), the client is the N-th
    entry from the right. Entries further left were written by the client and could be
    anything, so they are never used; with no proxy the header is ignored altogether.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")


# --- Lockout -------------------------------------------------------------------------------------


class SignInAttempts(AxesDatabaseHandler):
    """Axes' database handler with one limit per rule.

    AXES_LOCKOUT_PARAMETERS lists two rules: username+address, then address alone. Axes
    compares both with one limit, which would make the address rule lock a whole office (one
    shared address) after one person's typos. Here the address rule has its own, higher limit,
    SIGN_IN_ADDRESS_FAILURE_LIMIT: one address trying many usernames is still stopped.
    """

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        by_user_and_address, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if by_address >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT:
            # Axes locks when failures reach its limit: report at least that.
            return max(by_user_and_address, get_failure_limit(request, credentials))
        return by_user_and_address


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The page shown instead of the login form while locked out (AXES_LOCKOUT_CALLABLE)."""
    cool_off = get_cool_off(request)
    now = timezone.now()
    context = {
        **admin.site.each_context(request),
        "wait": timesince(now - cool_off, now) if cool_off else "",
    }
    return render(
        request,
        "core/sign_in/locked_out.html",
        context,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


# --- Two-factor: who needs it, devices ----------------------------------------------------------


def needs_two_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Staff and board members: anyone who can see donors' records."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.groups.filter(name__in=(STAFF_GROUP, BOARD_GROUP)).exists()


def totp_device_pending(*, user: AbstractBaseUser) -> TOTPDevice:
    """The device being set up: one unconfirmed key per user, kept until it is confirmed, so
    reloading the page does not change the QR code already scanned."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm a device with a code from the app; django-otp throttles repeated wrong codes."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


@transaction.atomic
def totp_verify(*, user: AbstractBaseUser, token: str) -> TOTPDevice | None:
    """The confirmed device that accepts this code, if any (a code is accepted once)."""
    for device in TOTPDevice.objects.devices_for_user(user, confirmed=True).select_for_update():
        if device.verify_token(token):
            return device
    return None


@transaction.atomic
def two_factor_reset(*, user: AbstractBaseUser) -> int:
    """Remove every authenticator app of a user (a lost phone); they set one up again at next
    sign-in. Returns how many were removed."""
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    return deleted


def qr_code_svg(data: str) -> SafeString:
    # Built by qrcode from our own otpauth: URL, so it holds no user-supplied markup.
    svg = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage).to_string(
        encoding="unicode"
    )
    return mark_safe(svg)  # noqa: S308


def spaced_secret(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


# --- The admin's login form ----------------------------------------------------------------------


class SignInForm(AdminAuthenticationForm):
    otp_token = forms.CharField(
        label="Authenticator code",
        required=False,
        max_length=8,
        help_text=(
            "The six-digit code from your authenticator app, if you have set one up; leave it "
            "empty otherwise. Once signed in, set one up under 'Two-factor sign-in' at the top "
            "of any page."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "code_required": "Enter the six-digit code from your authenticator app.",
        "code_invalid": "That code is not right. Enter the newest code your app shows.",
    }

    def clean(self) -> dict[str, Any]:
        # 1. Username and password, through axes (refused while locked out).
        cleaned = super().clean()
        user = self.get_user()
        if user is None or not user_has_device(user):
            return cleaned
        # 2. The code, for anyone with an authenticator app.
        token = (cleaned.get("otp_token") or "").replace(" ", "")
        device = totp_verify(user=user, token=token) if token else None
        if device is None:
            # Counts towards the lockout like a wrong password, so codes cannot be guessed
            # at leisure once a password is known.
            user_login_failed.send(
                sender=__name__,
                credentials={"username": cleaned.get("username")},
                request=self.request,
            )
            self.user_cache = None
            code = "code_invalid" if token else "code_required"
            raise forms.ValidationError(self.error_messages[code], code=code)
        # django-otp marks the session as verified when Django logs this user in.
        user.otp_device = device
        return cleaned


# --- Requiring two-factor ------------------------------------------------------------------------


class TwoFactorRequiredMiddleware:
    """With TWO_FACTOR_REQUIRED on, a staff or board member whose session was not verified with
    a code reaches no page but the set-up page (no app yet) or the login (an app they did not
    use to sign in). Runs after django-otp's OTPMiddleware."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        # The cheap checks first: donors (anonymous) never pay for the path comparisons.
        if (
            settings.TWO_FACTOR_REQUIRED
            and user.is_authenticated
            and not self._exempt(request)
            and needs_two_factor(user)
            and not user.is_verified()
        ):
            if user_has_device(user):
                logout(request)
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            return redirect_to_login(request.get_full_path(), reverse("two-factor-enrol"))
        return self.get_response(request)

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        path = request.path_info
        # Static files are answered by WhiteNoise, before this middleware; media is not
        # served by Django.
        return path in (
            reverse("two-factor-enrol"),
            reverse("admin:login"),
            reverse("admin:logout"),
        )


# --- Setting up an authenticator app -------------------------------------------------------------


class ConfirmCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


@login_required(login_url="admin:login")
def enrol(request: HttpRequest) -> HttpResponse:
    """Show a new key as a QR code; a code from the app confirms it and turns two-factor on."""
    if not needs_two_factor(request.user):
        raise PermissionDenied
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if user_has_device(request.user):
        # A second app could be added by anyone holding only the password: refuse. A lost
        # phone is reset by an administrator (manage.py two_factor_reset).
        messages.info(request, "Two-factor sign-in is already set up for your account.")
        return redirect(next_url or "admin:index")
    device = totp_device_pending(user=request.user)
    form = ConfirmCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["code"].replace(" ", "")
        if totp_device_confirm(device=device, token=token):
            device.refresh_from_db()
            otp_login(request, device)
            messages.success(request, "Two-factor sign-in is on. Each sign-in now asks for a code.")
            return redirect(next_url or "admin:index")
        form.add_error(
            "code",
            "That code is not right. Check that your phone's clock is right and enter the "
            "newest code.",
        )
    context = {
        **admin.site.each_context(request),
        "title": "Set up two-factor sign-in",
        "form": form,
        "qr_code": qr_code_svg(device.config_url),
        "secret": spaced_secret(device),
        "next": next_url,
        "required": settings.TWO_FACTOR_REQUIRED,
    }
    return render(request, "core/sign_in/enrol.html", context)
