import pytest

from tests.stripe_standin import StripeStandIn


@pytest.fixture
def stripe_api(settings):
    """Stripe's API as a local stand-in, with a (fake) secret key so the site uses it."""
    with StripeStandIn() as api:
        settings.STRIPE_API_BASE = api.url
        settings.STRIPE_SECRET_KEY = "sk_test_x"
        yield api


@pytest.fixture
def address_asked(db):
    """The organisation asks donors for their address on the donate page (off by default)."""
    from core.models import Organisation

    Organisation.objects.update_or_create(pk=1, defaults={"donate_page_asks_address": True})
