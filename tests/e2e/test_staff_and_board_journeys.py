"""Two whole journeys in chromium, as the people who make them would:

- staff write a letter in the admin, preview it for a supporter, send it to an audience and
  read the results;
- a board member opens the reports and downloads the board packet, and cannot change data.
Each step saves a screenshot in var/screenshots/journeys/.
"""

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from core.models import Organisation
from crm.models import Supporter
from donations.services import GiftEntry, gift_record
from mailings.audiences.models import Audience
from mailings.models import Letter, Mailing
from mailings.sending.models import Delivery
from tests.e2e.conftest import LogIn
from tests.factories import SupporterFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
UNSUBSCRIBE = re.compile(r"https?://[^\s>]+/u/[^/\s>]+/")


@pytest.fixture
def shots(screenshots: Path) -> Path:
    folder = screenshots / "journeys"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def supporters(settings, live_server) -> None:
    settings.SITE_URL = live_server.url
    for first, email in [("Marisol", "marisol@example.org"), ("Tomás", "tomas@example.org")]:
        SupporterFactory(first_name=first, last_name="Ortega", email=email, email_opt_in="opted_in")
    SupporterFactory(first_name="Nadia", last_name="Haddad", email="", email_opt_in="unknown")
    Audience.objects.create(name="Everyone with an email")


def _pick_autocomplete(page: Page, field: str, text: str) -> None:
    """The admin's autocomplete (select2): open it, type, take the first match."""
    page.locator(f"#id_{field}").locator("xpath=following-sibling::span[1]").click()
    page.locator(".select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def test_staff_write_a_letter_preview_it_send_it_and_read_the_results(
    page: Page, live_server, staff: User, log_in: LogIn, supporters: None, shots: Path
) -> None:
    log_in(page, staff.username)

    page.goto(f"{live_server.url}/admin/mailings/letter/add/")
    page.locator("#id_name").fill("Autumn appeal")
    page.locator("#id_versions-0-subject").fill("{{ first_name }}, the hotline needs you")
    page.locator("#id_versions-0-headline").fill("Every call answered")
    page.locator("#id_versions-0-body").fill(
        "This year our hotline answered more calls than ever.\n\n"
        "- Court support\n- Know-your-rights clinics\n\n"
        "[Give {{ ask_1 }} today]({{ donate_url }})"
    )
    page.screenshot(path=shots / "staff-1-letter-written.png", full_page=True)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    letter = Letter.objects.get(name="Autumn appeal")

    page.get_by_role("link", name="Preview and test").click()
    page.locator("#q").fill("Marisol")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name="Marisol Ortega").click()
    expect(page.locator("#content-main")).to_contain_text("Marisol, the hotline needs you")
    email = page.frame_locator("iframe[title='Email preview, desktop width']")
    expect(email.locator("body")).to_contain_text("Every call answered")
    expect(email.locator("body")).to_contain_text("Know-your-rights clinics")
    page.screenshot(path=shots / "staff-2-letter-preview.png", full_page=True)

    page.goto(f"{live_server.url}/admin/mailings/mailing/add/")
    page.locator("#id_name").fill("Autumn appeal by email")
    _pick_autocomplete(page, "letter", "Autumn appeal")
    page.locator("#id_audience").select_option(label="Everyone with an email")
    page.locator("#id_channel").select_option(value=Mailing.Channel.EMAIL)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    mailing = Mailing.objects.get(letter=letter)

    page.goto(f"{live_server.url}/admin/mailings/mailing/{mailing.pk}/send/")
    expect(page.locator("#plan-email .mailing-big")).to_have_text("2")
    page.screenshot(path=shots / "staff-3-send-confirm.png", full_page=True)
    page.get_by_role("button", name=re.compile("Yes, send it now")).click()

    page.wait_for_url(re.compile(r"/results/"))
    expect(page.locator('[data-figure="sent"]')).to_have_text("2", timeout=20_000)
    page.screenshot(path=shots / "staff-4-results.png", full_page=True)
    sent_to = set(Delivery.objects.filter(mailing=mailing).values_list("email", flat=True))
    assert sent_to == {"marisol@example.org", "tomas@example.org"}

    # Marisol follows her email's unsubscribe link; staff see it in the results.
    email = next(m for m in mail.outbox if m.to == ["marisol@example.org"])
    assert "Every call answered" in email.body
    link = UNSUBSCRIBE.search(email.body).group(0)
    assert f"<{link}>" in email.extra_headers["List-Unsubscribe"]  # one-click, RFC 8058
    page.goto(live_server.url + link.split(settings.SITE_URL, 1)[1])
    page.get_by_label(re.compile("all email", re.IGNORECASE)).check()
    page.get_by_role("button").first.click()
    expect(page.locator("h1")).to_have_text("You will get no more email from us")
    page.screenshot(path=shots / "staff-5-supporter-unsubscribed.png", full_page=True)
    assert Supporter.objects.get(email="marisol@example.org").do_not_email
    page.goto(f"{live_server.url}/admin/mailings/mailing/{mailing.pk}/results/")
    unsubscribed = page.locator(".figure", has_text="Unsubscribed").locator(".n")
    expect(unsubscribed).to_have_text("1")
    page.screenshot(path=shots / "staff-6-results-after-unsubscribe.png", full_page=True)


def test_a_board_member_reads_the_reports_downloads_the_packet_and_cannot_change_data(
    page: Page, live_server, board: User, log_in: LogIn, shots: Path
) -> None:
    organisation = Organisation.current()
    organisation.name = "Immigrant Justice Project"
    organisation.save()
    donor = SupporterFactory(first_name="Marisol", last_name="Ortega")
    today = timezone.localdate()
    for amount in ("120.00", "80.00"):
        gift_record(entry=GiftEntry(supporter=donor, amount=Decimal(amount), received_on=today))

    log_in(page, board.username)
    page.goto(f"{live_server.url}/reports/")
    expect(page.locator("body")).to_contain_text("$200")
    page.screenshot(path=shots / "board-1-overview.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Board packet")).first.click()
    packet = download_info.value
    pdf = PdfReader(io.BytesIO(Path(packet.path()).read_bytes()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Immigrant Justice Project" in text
    assert "200" in text

    # The board reads supporters but cannot change them.
    page.goto(f"{live_server.url}/admin/crm/supporter/{donor.pk}/change/")
    expect(page.get_by_role("button", name=re.compile("^Save"))).to_have_count(0)
    page.screenshot(path=shots / "board-2-supporter-read-only.png", full_page=True)
