"""The supporter profile in chromium at 1366 px: staff log a call with a follow-up task for
themselves, see both on the profile's timeline, and find the task under 'My tasks' on the
staff home. Screenshots of the profile and the supporter list in var/screenshots/staff/."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from crm.models import ConsentEvent, Interaction, Note, Supporter, Task
from donations.models import Campaign, Fund
from donations.services import GiftEntry, gift_record
from tests.e2e.conftest import LogIn

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def wide(browser: Browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def shots(screenshots: Path) -> Path:
    folder = screenshots / "staff"
    folder.mkdir(exist_ok=True)
    return folder


def _donor(staff: User) -> Supporter:
    today = timezone.localdate()
    fund = Fund.objects.create(name="General", code="general", is_default=True)
    spring = Campaign.objects.create(name="Spring appeal", code="spring", fund=fund)
    marta = Supporter.objects.create(
        first_name="Marta", last_name="Quintero", email="marta@example.org",
        phone="(212) 555-0142", address_line1="12 Orchard Street", city="New York",
        region="NY", postal_code="10002", email_opt_in="opted_in",
        prospect_stage="cultivate", ask_amount=Decimal("10000"),
    )  # fmt: skip
    ConsentEvent.objects.create(supporter=marta, field="email_opt_in", old_value="unknown",
                                new_value="opted_in", method="web_form",
                                source="Spring sign-up form")  # fmt: skip
    for days, amount in ((400, "250.00"), (120, "500.00"), (20, "1000.00")):
        gift_record(entry=GiftEntry(supporter=marta, amount=Decimal(amount), campaign=spring,
                                    received_on=today - datetime.timedelta(days=days)))  # fmt: skip
    Note.objects.create(supporter=marta, text="Met at the spring gala; keen on youth programs.",
                        author=staff)  # fmt: skip
    for n, (first, last, amount) in enumerate([("Luis", "Ortega", "75.00"),
                                               ("Grace", "Kim", "2500.00"),
                                               ("Omar", "Haddad", None)]):  # fmt: skip
        other = Supporter.objects.create(first_name=first, last_name=last, city="Brooklyn",
                                         region="NY", postal_code=f"1120{n}")  # fmt: skip
        if amount:
            day = today - datetime.timedelta(days=3 + n)
            gift_record(entry=GiftEntry(supporter=other, amount=Decimal(amount), received_on=day))
    return marta


def test_staff_log_a_call_and_its_task_shows_on_their_home(
    wide: Page, live_server, staff: User, log_in: LogIn, shots: Path
) -> None:
    page = wide
    marta = _donor(staff)
    log_in(page, staff.username)
    page.goto(f"{live_server.url}/admin/crm/supporter/{marta.pk}/change/")
    expect(page.locator("#profile-name")).to_have_text("Marta Quintero")
    expect(page.locator("[data-figure=email-consent]")).to_contain_text("Opted in by web form")
    expect(page.locator("#prospect-stage")).to_have_text("Prospect: Cultivate")
    expect(page.locator("#giving-summary")).to_contain_text("$1,750.00")
    page.screenshot(path=shots / "profile.png", full_page=True)

    page.get_by_text("Log an interaction").click()
    page.select_option("#id_kind", "call")
    page.fill("#id_notes", "Thanked her for the gift; she asked about the youth program budget.")
    page.fill("#id_follow_up", "Send the youth program budget")
    due = timezone.localdate() + datetime.timedelta(days=3)
    page.fill("#id_follow_up_due", due.isoformat())
    page.get_by_role("button", name="Log it").click()

    expect(page.locator(".messagelist")).to_contain_text("Call logged and its follow-up task.")
    timeline = page.locator("#profile-timeline")
    expect(timeline.locator("li[data-kind=call]")).to_contain_text("youth program budget")
    expect(timeline.locator("li[data-kind=task]")).to_contain_text("Send the youth program budget")
    call = Interaction.objects.get(supporter=marta)
    assert (call.kind, call.happened_on, call.staff) == ("call", timezone.localdate(), staff)
    task = Task.objects.get(supporter=marta)
    assert (task.assigned_to, task.due_on, task.interaction) == (staff, due, call)
    page.screenshot(path=shots / "profile-after-call.png", full_page=True)

    page.goto(f"{live_server.url}/admin/")
    panel = page.locator("#home-tasks")
    expect(panel).to_contain_text("Send the youth program budget")
    expect(panel).to_contain_text("Marta Quintero")
    page.screenshot(path=shots / "home-my-tasks.png")
    panel.get_by_role("link", name="Marta Quintero").click()
    expect(page.locator("#profile-name")).to_have_text("Marta Quintero")

    page.goto(f"{live_server.url}/admin/crm/supporter/")
    page.get_by_role("link", name="Lifetime").click()  # ascending first
    page.get_by_role("link", name="Lifetime").first.click()
    rows = page.locator("#result_list tbody tr")
    expect(rows.first).to_contain_text("Grace Kim")
    page.screenshot(path=shots / "supporter-list.png", full_page=True)
