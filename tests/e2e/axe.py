"""axe-core in the browser: the WCAG 2.0/2.1 A and AA rules run on the page as it stands.

axe-core's own script comes inside the axe-playwright-python package (no download at test
time); it is injected into the page and run there. Use the `axe_check` fixture
(tests/e2e/conftest.py): `axe_check(page, "donate, Spanish")` fails the test with every
violation in plain words.
"""

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_AXE = Axe()


def axe_violations(page: Page, context: str | None = None) -> list[dict[str, Any]]:
    """axe's violations of the WCAG 2.0/2.1 A and AA rules on the page as it is now (within
    the `context` selector only, e.g. a staff page's own content beside Django's admin)."""
    results = _AXE.run(
        page,
        context=context,
        options={
            "runOnly": {"type": "tag", "values": WCAG_AA_TAGS},
            "resultTypes": ["violations"],
        },
    )
    return results.response["violations"]


def violations_text(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)
