"""Donor pages send a Content-Security-Policy and chromium finds nothing on them that breaks it
(issue 10, finding 12): the donate page (English and Spanish, with its error summary), the local
test checkout, the thank-you page, the too-many-attempts page and the unsubscribe pages.

Every `securitypolicyviolation` event any page fires is reported to the test through a
Playwright binding (which the page's own policy cannot block), and every console error and
uncaught exception is collected beside it."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, Response, expect

from crm.models import Supporter
from donations.models import Fund, Gift
from mailings.letters.merge_values import unsubscribe_token

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation({
    page: document.location.pathname,
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    sample: event.sample,
  });
});
"""


@dataclass
class Watch:
    violations: list[dict] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    documents: list[Response] = field(default_factory=list)

    def policy_of(self, path_pattern: str) -> str:
        """The Content-Security-Policy of the last document whose address matches."""
        matching = [
            r
            for r in self.documents
            if re.search(path_pattern, r.url) and not 300 <= r.status < 400  # a redirect: no page
        ]
        assert matching, f"no page matching {path_pattern} was loaded"
        return matching[-1].headers.get("content-security-policy", "")


@pytest.fixture(autouse=True)
def local_test_mode(settings, live_server):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = "whsec_browser_test"
    settings.SITE_URL = live_server.url
    Fund.objects.create(name="General", code="general", is_default=True)


@pytest.fixture
def watch(page: Page) -> Iterator[Watch]:
    seen = Watch()
    context: BrowserContext = page.context
    context.expose_binding("reportCspViolation", lambda _source, v: seen.violations.append(v))
    context.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            seen.console_errors.append(f"{message.text} at {message.location['url']}")
            # The site has no favicon: chromium's own request for one is not the page's doing.
            if message.type == "error" and not message.location["url"].endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda error: seen.console_errors.append(str(error)))
    page.on(
        "response",
        lambda response: (
            seen.documents.append(response)
            if response.request.resource_type == "document"
            else None
        ),
    )
    yield seen


def _expect_a_strict_policy(policy: str) -> None:
    assert "script-src 'self' 'nonce-" in policy
    assert "style-src 'self' 'nonce-" in policy
    assert "object-src 'none'" in policy
    assert "base-uri 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_a_gift_through_the_donor_pages_breaks_no_part_of_the_policy(
    page: Page, live_server, settings, watch: Watch, screenshots: Path
) -> None:
    settings.CHECKOUT_RATE_PER_IP = "1/d"  # so that a second gift shows the 429 page

    # The donate page: its inline style and script run under their nonce.
    page.goto(f"{live_server.url}/donate/")
    expect(page.locator("body")).to_have_css("background-color", "rgb(244, 242, 238)")
    page.get_by_role("button", name="Continue to payment").click()  # nothing filled in
    expect(page.locator("#error-summary")).to_be_focused()
    page.get_by_text("$50", exact=True).click()
    page.locator("#id_cover_fee").check()
    expect(page.locator("#fee-total")).to_have_text("Total charged: $51.80")
    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Last name").fill("Villanueva")
    page.get_by_label("Email", exact=True).fill("rosa.villanueva@example.org")
    page.get_by_role("button", name="Continue to payment").click()

    # The local test checkout, completed, and the thank-you page.
    page.wait_for_url(re.compile(r"/donate/test-checkout/"))
    expect(page.get_by_text("$51.80")).to_be_visible()
    page.get_by_role("button", name="Pay (test)").click()
    page.wait_for_url(re.compile(r"/donate/thanks/"))
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    assert Gift.objects.count() == 1

    # The Spanish donate page, and a second gift past the limit: the 429 page.
    page.goto(f"{live_server.url}/donate/?lang=es")
    expect(page.get_by_role("button", name="Continuar al pago")).to_be_visible()
    page.get_by_text("$25", exact=True).click()
    page.get_by_label("Nombre", exact=True).fill("Rosa")
    page.get_by_label("Apellido").fill("Villanueva")
    page.get_by_label("Correo electrónico", exact=True).fill("rosa.villanueva@example.org")
    page.get_by_role("button", name="Continuar al pago").click()
    expect(page.get_by_role("heading", name="Inténtelo de nuevo más tarde")).to_be_visible()
    page.screenshot(path=screenshots / "donate-too-many-attempts-es.png", full_page=True)

    for path in (r"/donate/$", r"/donate/\?lang=es$", r"/test-checkout/", r"/donate/thanks/"):
        _expect_a_strict_policy(watch.policy_of(path))
    assert [r.status for r in watch.documents if r.request.method == "POST"][-1] == 429
    assert watch.violations == []
    # Chromium reports the 429 document itself as a failed load; nothing else may be an error.
    assert [e for e in watch.console_errors if "status of 429" not in e] == []
    assert len(watch.console_errors) == 1


def test_the_unsubscribe_pages_break_no_part_of_the_policy(
    page: Page, live_server, watch: Watch
) -> None:
    supporter = Supporter.objects.create(
        first_name="Ana", last_name="Ruiz", email="ana.ruiz@example.org", preferred_language="es"
    )

    page.goto(f"{live_server.url}/u/{unsubscribe_token(supporter.pk)}/")
    expect(page.locator("body")).to_have_css("background-color", "rgb(244, 242, 238)")
    page.get_by_role("button", name="Darse de baja").click()
    expect(page.get_by_role("heading", name="Se ha dado de baja")).to_be_visible()

    _expect_a_strict_policy(watch.policy_of(r"/u/"))
    assert [r.request.method for r in watch.documents] == ["GET", "POST"]
    assert watch.violations == []
    assert watch.console_errors == []


def test_the_watch_sees_a_violation_when_a_page_breaks_the_policy(
    page: Page, live_server, watch: Watch
) -> None:
    """The two tests above would pass vacuously if violations went unseen: an inline script
    without the nonce, added to the donate page, must be reported."""
    page.goto(f"{live_server.url}/donate/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = true'; document.body.append(s); }"
    )

    page.wait_for_timeout(200)  # the event is dispatched asynchronously
    assert [v["directive"] for v in watch.violations] == ["script-src-elem"]
    assert page.evaluate("() => window.injected") is None
