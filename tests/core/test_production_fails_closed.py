"""Production fails closed: with DEBUG off an empty secret stops start-up, the local test
checkout does not exist, and `check --deploy` flags a test-mode Stripe key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import signing

from donations.models import Gift, StripeEvent
from donations.stripe import local_checkout
from tests.donations.donate_form import gift

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-for-this-test-only-0123456789",
    "STRIPE_SECRET_KEY": "sk_live_for_this_test",
    "STRIPE_WEBHOOK_SECRET": "whsec_for_this_test",
    "ALLOWED_HOSTS": "crm.example.org",
    "SITE_URL": "https://crm.example.org",
}


def start_site(**overrides: str) -> subprocess.CompletedProcess:
    """Load the WSGI application as gunicorn would, in a process of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "DJANGO_"))}
    env.pop("SECRET_KEY", None)
    env.update(PRODUCTION, **overrides)
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_production_site_with_every_secret_starts():
    assert start_site().returncode == 0


@pytest.mark.parametrize("secret", ["SECRET_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"])
@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_secret_stops_a_production_site_and_names_it(secret, value):
    started = start_site(**{secret: value})
    assert started.returncode != 0
    assert f"{secret} is required when DEBUG is false and must not be empty" in started.stderr


def test_empty_stripe_settings_stop_a_production_site():
    started = start_site(STRIPE_SECRET_KEY="", STRIPE_WEBHOOK_SECRET="")
    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr


def test_check_deploy_flags_a_test_mode_stripe_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRIPE_")}
    env.update(PRODUCTION, STRIPE_SECRET_KEY="sk_test_51abc")
    checked = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode != 0
    assert "donations.W001" in checked.stderr and "test-mode key" in checked.stderr


@pytest.mark.django_db
def test_without_debug_the_local_checkout_does_not_exist_even_with_no_key(client, settings):
    """As on a production site that somehow has no key: no anonymous POST can record a gift."""
    settings.STRIPE_LOCAL_CHECKOUT_ALLOWED = False  # what DEBUG=false gives at start-up
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens: Stripe is unreachable
    assert not local_checkout.is_enabled()

    page = gift(client, amount="", other_amount="100000")
    assert page.status_code == 200
    assert "/donate/test-checkout/" not in page.content.decode()

    # A test-checkout link forged with the site's own key is refused too.
    forged = signing.dumps(
        {"id": "cs_local_forged", "params": {"mode": "payment"}},
        salt=local_checkout.SALT,
        compress=True,
    )
    assert client.get(f"/donate/test-checkout/{forged}/").status_code == 404
    assert client.post(f"/donate/test-checkout/{forged}/").status_code == 404
    assert Gift.objects.count() == 0 and StripeEvent.objects.count() == 0
