"""Only the endpoints that other services call (Stripe's webhook, the ESP's tracking webhook)
and RFC 8058 one-click unsubscribe may skip CSRF checks."""

from django.urls import URLPattern, URLResolver, get_resolver

ALLOWED = {
    "donations.stripe.views.stripe_webhook",
    "mailings.emails.views.unsubscribe",
    "core.outbox.views.postmark_tracking",
}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_only_the_allowed_views_are_csrf_exempt():
    exempt = {
        f"{callback.__module__}.{callback.__qualname__}"
        for _route, callback in _walk(get_resolver().url_patterns)
        if getattr(callback, "csrf_exempt", False)
    }
    assert exempt == ALLOWED


def test_the_walk_sees_the_whole_url_configuration():
    routes = {route for route, _ in _walk(get_resolver().url_patterns)}
    assert "stripe/webhook/" in routes
    assert any(route.startswith("admin/") for route in routes)
