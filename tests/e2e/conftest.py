"""Browser fixtures: Debian's chromium driven by Playwright against pytest-django's live server."""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.axe import axe_violations, violations_text

# Playwright's sync API runs an event loop in the test thread; without this Django refuses
# every ORM call made from that thread (fixtures, assertions) as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
# The role groups need no fixture here: transactional_db's flush sends post_migrate, whose
# handler (core.roles.on_post_migrate) creates both groups again with their permissions.

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "pw-for-tests-only"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

LogIn = Callable[[Page, str], None]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Fail, never skip: a missing browser must not turn the e2e run silently green.
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing; `make test` installs it (apt-get install chromium).")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def log_in(live_server) -> LogIn:
    """Log in through the real admin login form, as a person would."""

    def _log_in(page: Page, username: str) -> None:
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_selector("#user-tools")

    return _log_in


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


AxeCheck = Callable[[Page, str], None]


@pytest.fixture
def axe_check() -> AxeCheck:
    """Fail the test when axe-core finds any WCAG 2.0/2.1 A or AA violation on the page."""

    def _check(page: Page, where: str) -> None:
        violations = axe_violations(page)
        assert not violations, f"axe-core on {where} ({page.url}):\n{violations_text(violations)}"

    return _check
