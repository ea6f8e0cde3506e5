"""The unsubscribe page in chromium, in English and Spanish: both choices labelled and usable
from the keyboard, text contrast at WCAG 2.1 AA, a screenshot of each language, and the choice
recorded. (No axe-core in this environment: the checks below are the AA rules this page can
break: labels, a legend for the group, the page language, one h1, contrast.)"""

import pytest
from playwright.sync_api import Page, expect

from core.models import Suppression
from crm.models import Supporter
from mailings.letters.merge_values import unsubscribe_token

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Every element with its own text: its colour against the first opaque background behind it.
CONTRAST = """
() => {
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const style = getComputedStyle(el);
    if (!own || style.visibility === "hidden" || el.getClientRects().length === 0) continue;
    const [a, b] = [lum(rgb(style.color).slice(0, 3)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    const text = el.textContent.trim().slice(0, 40);
    if (ratio < (large ? 3 : 4.5)) low.push(`${el.tagName} ${ratio.toFixed(2)} ${text}`);
  }
  return low;
}
"""


@pytest.mark.parametrize(
    ("language", "heading", "everything", "done"),
    [
        ("en", "Which emails should stop?", "All email", "You will get no more email from us"),
        ("es", "¿Qué correos quiere dejar de recibir?", "Todos los correos",
         "No recibirá más correos de nuestra parte"),
    ],
)  # fmt: skip
def test_the_unsubscribe_page_offers_the_choice_accessibly_in_the_supporters_language(
    live_server, page: Page, screenshots, language, heading, everything, done
):
    ana = Supporter.objects.create(
        first_name="Ana", last_name="Ruiz", email="ana@example.org", preferred_language=language
    )
    page.goto(f"{live_server.url}/u/{unsubscribe_token(ana.pk)}/")
    assert page.locator("html").get_attribute("lang") == language
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text(heading)
    group = page.get_by_role("group")
    expect(group).to_have_count(1)  # the fieldset, named by its legend
    radios = page.get_by_role("radio")
    expect(radios).to_have_count(2)
    expect(radios.first).to_be_checked()
    for index in range(2):
        radio = radios.nth(index)
        assert radio.evaluate("r => r.labels.length") == 1
        hint = radio.get_attribute("aria-describedby")
        assert page.locator(f"#{hint}").inner_text().strip()
    assert page.evaluate(CONTRAST) == []
    path = screenshots / f"unsubscribe-{language}.png"
    page.screenshot(path=str(path), full_page=True)
    # By keyboard: to the first choice, down to 'all email', then submit.
    radios.first.focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label(everything)).to_be_checked()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(done)
    assert page.evaluate(CONTRAST) == []
    ana.refresh_from_db()
    assert ana.do_not_email
    assert Suppression.objects.get().scope == Suppression.Scope.ALL
