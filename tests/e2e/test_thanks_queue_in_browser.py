"""Sending the thank-you queue in chromium: an overdue first gift and a large gift are flagged,
a preview shows the letter the rules chose, staff tick all and send; the emails reach the
local Postmark stand-in through the real outbox and anymail backend, with the rules' letter
text, the gift amount and the receipt; the gifts are thanked and the queue is empty."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.models import Organisation
from donations.models import Fund, Gift
from tests.e2e.axe import axe_violations, violations_text
from tests.e2e.conftest import LogIn
from tests.factories import SupporterFactory
from tests.postmark_standin import TOKEN, PostmarkStandIn

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
STAFF_SIZE = {"width": 1366, "height": 900}


@pytest.fixture
def postmark(settings):
    with PostmarkStandIn() as standin:
        settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
        settings.ANYMAIL = {"POSTMARK_API_URL": standin.url, "POSTMARK_SERVER_TOKEN": TOKEN}
        yield standin


def _queue() -> tuple[Gift, Gift]:
    Organisation.objects.update_or_create(pk=1, defaults={"name": "Immigrant Justice Project"})
    Fund.objects.create(name="General", code="general", is_default=True)
    today = timezone.localdate()
    ana = SupporterFactory(first_name="Ana", last_name="Ruiz", email="ana@example.org")
    first = Gift.objects.create(
        supporter=ana, amount=Decimal(120), method="cheque",
        received_on=today - datetime.timedelta(days=4),
    )  # fmt: skip
    lena = SupporterFactory(first_name="Lena", last_name="Okafor", email="lena@example.org")
    Gift.objects.create(
        supporter=lena, amount=Decimal(40), method="card", acknowledgement="thanked",
        received_on=today - datetime.timedelta(days=400),
    )  # fmt: skip
    large = Gift.objects.create(
        supporter=lena, amount=Decimal(2500), method="cheque", received_on=today
    )
    return first, large


def test_staff_send_the_thank_you_queue(
    page: Page, live_server, staff: User, log_in: LogIn, screenshots: Path, postmark
) -> None:
    first, large = _queue()
    (screenshots / "staff").mkdir(exist_ok=True)
    page.set_viewport_size(STAFF_SIZE)
    log_in(page, staff.username)
    page.goto(f"{live_server.url}/admin/donations/gift/to-thank/")

    rows = page.locator("#thanks-queue tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Ana Ruiz")  # overdue: first
    expect(rows.nth(0)).to_contain_text("Overdue")
    expect(rows.nth(0)).to_contain_text("4 days")
    expect(rows.nth(0)).to_contain_text("First gift")
    expect(rows.nth(0)).to_contain_text("Thank-you: first gift")
    expect(rows.nth(1)).to_contain_text("Large gift")
    expect(rows.nth(1)).to_contain_text("Thank-you: large gift")
    expect(rows.nth(1)).not_to_contain_text("Overdue")
    page.screenshot(path=str(screenshots / "staff" / "thanks_queue.png"), full_page=True)
    # The queue's own content (Django's admin header and breadcrumbs are not this page's).
    violations = axe_violations(page, "#content-main")
    assert not violations, violations_text(violations)

    rows.nth(0).get_by_role("link", name="Preview").click()
    expect(page.locator("#thanks-preview-subject")).to_have_text(
        "Welcome, and thank you for your gift to Immigrant Justice Project"
    )
    frame = page.frame_locator("#thanks-preview iframe")
    expect(frame.locator("body")).to_contain_text(
        "Thank you for your gift of $120 to Immigrant Justice Project. It is your first gift"
    )
    page.screenshot(path=str(screenshots / "staff" / "thanks_queue-preview.png"), full_page=True)

    page.locator("#thanks-all").check()
    expect(page.locator("#thanks-ticked")).to_have_text("2 ticked")
    page.get_by_role("button", name="Send thank-you emails").click()
    expect(page.locator(".messagelist")).to_contain_text("2 thank-you email(s) sent")
    expect(page.locator("#thanks-empty")).to_be_visible()
    page.screenshot(path=str(screenshots / "staff" / "thanks_queue-sent.png"), full_page=True)

    by_to = {message["To"]: message for message in postmark.accepted}
    assert sorted(by_to) == ["ana@example.org", "lena@example.org"]
    ana, lena = by_to["ana@example.org"], by_to["lena@example.org"]
    assert ana["Subject"] == "Welcome, and thank you for your gift to Immigrant Justice Project"
    assert "It is your first gift to us: welcome!" in ana["TextBody"]
    assert "$120 to Immigrant Justice Project" in ana["TextBody"]
    assert lena["Subject"] == "Your generous gift to Immigrant Justice Project"
    assert "$2,500 to Immigrant Justice Project" in lena["TextBody"]
    assert "A gift of this size" in lena["TextBody"]
    for message in (ana, lena):
        [receipt] = message["Attachments"]
        assert receipt["Name"].startswith("receipt-") and receipt["Name"].endswith(".pdf")
    for gift in (first, large):
        gift.refresh_from_db()
        assert gift.acknowledgement == Gift.Acknowledgement.THANKED

    page.goto(f"{live_server.url}/admin/mailings/thankyourule/")
    expect(page.locator("#result_list")).to_contain_text("Thank-you: first gift")
    page.screenshot(path=str(screenshots / "staff" / "thanks_rules.png"), full_page=True)

    # Sending again sends nothing twice: the queue is empty, the stand-in got two messages.
    page.goto(f"{live_server.url}/admin/donations/gift/to-thank/")
    expect(page.locator("#thanks-empty")).to_be_visible()
    assert len(postmark.accepted) == 2
