"""Deployment checks for the Stripe settings (`manage.py check --deploy`)."""

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register

TEST_KEY_PREFIXES = ("sk_test_", "rk_test_")


@register(Tags.security, deploy=True)
def stripe_keys_are_live(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """A production site with a test-mode key takes 'gifts' that never charge a card."""
    if settings.DEBUG or not settings.STRIPE_SECRET_KEY.startswith(TEST_KEY_PREFIXES):
        return []
    return [
        Warning(
            "STRIPE_SECRET_KEY is a test-mode key while DEBUG is false: donations would be "
            "recorded without any card being charged.",
            hint="Use the live secret key (sk_live_... or rk_live_...) from Stripe's dashboard.",
            id="donations.W001",
        )
    ]
