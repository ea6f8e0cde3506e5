"""Staff sign-in resists guessing (issue 10, finding 5): repeated failures lock the sign-in
(django-axes), and two-factor sign-in with an authenticator app (django-otp) is asked of
anyone who set one up and, when TWO_FACTOR_REQUIRED is on, of every staff and board member.

Everything goes through the real admin login page (/admin/login/) with Django's test client,
the real database and real TOTP codes computed from the device's key."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"
LOGIN = "/admin/login/"


def _sign_in(client: Client, username: str, password: str = PASSWORD, **extra: str):
    data = {"username": username, "password": password, "next": "/admin/"}
    if "code" in extra:
        data["otp_token"] = extra.pop("code")
    return client.post(LOGIN, data, **extra)


def _fail(client: Client, username: str, times: int, **extra: str) -> None:
    for _ in range(times):
        response = _sign_in(client, username, "not-the-password", **extra)
        assert response.status_code in (200, 429)


def _is_in(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


def _locked(response) -> bool:
    return response.status_code == 429 and b"Sign-in locked" in response.content


@pytest.fixture(autouse=True)
def lockout_settings(settings):
    # Autouse, so it runs before the personas are created: a fast hasher for their passwords,
    # since these tests check dozens of them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_FAILURE_LIMIT = 5
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 12
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TWO_FACTOR_REQUIRED = False
    return settings


# --- Lockout --------------------------------------------------------------------------------


def test_forty_wrong_passwords_lock_out_the_right_one(client, staff, lockout_settings):
    _fail(client, "dana", 40)

    response = _sign_in(client, "dana")

    assert _locked(response)
    assert b"Too many failed sign-in attempts" in response.content
    assert "30 minutes" in response.content.decode().replace("\xa0", " ")
    assert not _is_in(client)


def test_the_lock_starts_at_the_failure_limit(client, staff, lockout_settings):
    _fail(client, "dana", 4)
    assert _sign_in(client, "dana").status_code == 302  # four typos, then right: in

    client.logout()
    _fail(client, "dana", 1)  # the fifth failure
    assert _locked(_sign_in(client, "dana"))


def test_other_people_and_other_addresses_are_unaffected(client, staff, board, lockout_settings):
    _fail(client, "dana", 5)
    assert _locked(_sign_in(client, "dana"))

    # Another person at the same address (an office shares one address)...
    colleague = Client()
    assert _sign_in(colleague, "bo").status_code == 302
    assert _is_in(colleague)
    # ...and the same person from another address.
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert _sign_in(elsewhere, "dana").status_code == 302
    assert _is_in(elsewhere)


def test_one_address_trying_many_usernames_is_locked_out(client, staff, lockout_settings):
    for name in ("alice", "bob", "carol"):
        _fail(client, name, 4)  # never reaches the per-user limit of 5

    assert _locked(_sign_in(client, "dana"))  # 12 failures from this address
    assert _sign_in(Client(REMOTE_ADDR="198.51.100.7"), "dana").status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, staff, lockout_settings):
    _fail(client, "dana", 5)
    assert _locked(_sign_in(client, "dana"))

    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        assert _sign_in(client, "dana").status_code == 302
        assert _is_in(client)


def test_behind_a_proxy_each_client_is_locked_out_on_its_own(client, staff, lockout_settings):
    lockout_settings.TRUSTED_PROXY_COUNT = 1
    # Every request reaches the app from the proxy (REMOTE_ADDR 127.0.0.1).
    _fail(client, "dana", 5, HTTP_X_FORWARDED_FOR="203.0.113.5")

    assert _locked(_sign_in(client, "dana", HTTP_X_FORWARDED_FOR="203.0.113.5"))
    # A made-up address put in front by the client does not escape the lock...
    spoofed = _sign_in(client, "dana", HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5")
    assert _locked(spoofed)
    # ...and another client behind the same proxy is not locked out with it.
    other = Client()
    assert _sign_in(other, "dana", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302


# --- Two-factor sign-in -----------------------------------------------------------------------


@pytest.fixture
def device(staff):
    """Dana has set up an authenticator app."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)


def _code(device, *, off_by: int = 0) -> str:
    """The code the app shows now (computed from the device's key, as the app does)."""
    from django_otp.oath import totp

    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{(code + off_by) % 10**device.digits:0{device.digits}d}"


@pytest.fixture
def required(lockout_settings):
    lockout_settings.TWO_FACTOR_REQUIRED = True
    return lockout_settings


def test_with_an_app_the_password_alone_is_refused(client, device, required):
    response = _sign_in(client, "dana")

    assert response.status_code == 200
    assert b"Enter the six-digit code from your authenticator app" in response.content
    assert not _is_in(client)


def test_a_wrong_code_is_refused(client, device, required):
    response = _sign_in(client, "dana", code=_code(device, off_by=500_000))

    assert response.status_code == 200
    assert b"That code is not right" in response.content
    assert not _is_in(client)


def test_the_right_code_signs_in(client, device, required):
    response = _sign_in(client, "dana", code=_code(device))

    assert response.status_code == 302
    assert _is_in(client)


def test_a_used_code_cannot_be_replayed(client, device, required):
    code = _code(device)
    assert _sign_in(client, "dana", code=code).status_code == 302

    again = Client(REMOTE_ADDR="198.51.100.7")
    assert _sign_in(again, "dana", code=code).status_code == 200
    assert not _is_in(again)


def test_wrong_codes_count_towards_the_lockout(client, device, required):
    for _ in range(5):
        _sign_in(client, "dana", code=_code(device, off_by=500_000))

    assert _locked(_sign_in(client, "dana", code=_code(device)))
    assert not _is_in(client)


def test_the_app_is_asked_for_even_when_not_required(client, device, lockout_settings):
    assert _sign_in(client, "dana").status_code == 200
    assert not _is_in(client)


@pytest.mark.parametrize("persona", ["staff", "board"])
def test_without_an_app_staff_and_board_are_sent_to_set_one_up(client, persona, request, required):
    username = request.getfixturevalue(persona).username
    assert _sign_in(client, username).status_code == 302

    for page in ("/admin/", "/admin/crm/supporter/", "/"):
        response = client.get(page, follow=True)
        assert response.redirect_chain[-1][0].startswith("/admin/two-factor/?next=")
        assert b"Set up two-factor sign-in" in response.content
        assert b"<svg" in response.content  # the QR code


def test_setting_up_an_app_with_a_confirming_code_opens_the_site(client, staff, required):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert _sign_in(client, "dana").status_code == 302
    page = client.get("/admin/two-factor/?next=/admin/crm/supporter/")
    pending = TOTPDevice.objects.get(user=staff, confirmed=False)
    # The key shown for typing in by hand is the device's own.
    assert page.context["secret"].replace(" ", "") in pending.config_url

    wrong = client.post("/admin/two-factor/", {"code": _code(pending, off_by=500_000)})
    assert b"That code is not right" in wrong.content
    assert not _is_in(client)

    # django-otp makes a wrong code wait a moment (doubling with each one) before the next.
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        confirmed = client.post(
            "/admin/two-factor/", {"code": _code(pending), "next": "/admin/crm/supporter/"}
        )

    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/admin/crm/supporter/"
    assert TOTPDevice.objects.get(user=staff).confirmed
    assert _is_in(client)


def test_an_app_cannot_be_added_over_an_existing_one(client, staff, device, required):
    client.force_login(staff)  # password known, no code given

    response = client.get("/admin/two-factor/", follow=True)

    assert response.redirect_chain[-1][0].startswith(LOGIN)  # signed out: sign in with the code
    assert "_auth_user_id" not in client.session
    assert device.__class__.objects.filter(user=staff).count() == 1


def test_with_the_setting_off_the_password_alone_still_works(client, staff, lockout_settings):
    assert _sign_in(client, "dana").status_code == 302
    assert _is_in(client)


def test_resetting_a_lost_app_lets_the_person_sign_in_and_set_up_again(
    client, staff, device, required
):
    call_command("two_factor_reset", "dana")

    assert _sign_in(client, "dana").status_code == 302
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/admin/two-factor/")
    assert User.objects.get(username="dana").totpdevice_set.filter(confirmed=True).count() == 0
