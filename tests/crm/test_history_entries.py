"""What a supporter's history says after staff save the change page: only what changed, tags by
name. Saves go through the admin change form as a browser sends it (every field, the hidden
edit snapshot included), for supporters created by an import (how the demo data and most
real records arrive) and one at a time."""

import re
from html import unescape

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client

from crm.importing.supporters import supporters_import
from crm.models import Supporter, Tag
from tests.crm.test_stale_edits import form_from, page_form
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def imported_ana(tags: str = "Donor") -> Supporter:
    report = supporters_import(
        headers=["First Name", "Last Name", "Email", "Phone", "Tags"],
        rows=[["Ana", "Ruiz", "ana@example.org", "212-555-0101", tags]],
        dry_run=False,
        file_name="spring.csv",
    )
    assert report.ok and report.written
    return Supporter.objects.get(email="ana@example.org")


def entered_ana() -> Supporter:
    ana = SupporterFactory(first_name="Ana", last_name="Ruiz", phone="212-555-0101")
    ana.tags.add(Tag.objects.create(name="Donor"))
    return ana


def change_url(supporter: Supporter) -> str:
    return f"/admin/crm/supporter/{supporter.pk}/change/?edit=1"


def save(client: Client, supporter: Supporter, **changes: list[str]) -> None:
    """Load the change page, change the given fields, press Save."""
    data = page_form(client, change_url(supporter), "supporter_form")
    assert data.get("edit_snapshot"), "the page carries its edit snapshot"
    response = client.post(change_url(supporter), {**data, **changes})
    assert response.status_code == 302, response.content.decode()[:2000]


def recent_changes_panel(client: Client, supporter: Supporter) -> list[str]:
    """The 'Recent changes' entries as the page shows them (without date and author), newest
    first."""
    page = client.get(change_url(supporter)).content.decode()
    panel = page.split('id="supporter-history"', 1)[1].split("Full history", 1)[0]
    panel = re.sub(r'<span class="when">.*?</span>', "", panel, flags=re.S)
    items = re.findall(r"<li>(.*?)</li>", panel, re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", item)).split()) for item in items]


def full_history_page(client: Client, supporter: Supporter) -> str:
    page = client.get(f"/admin/crm/supporter/{supporter.pk}/history/")
    assert page.status_code == 200
    return unescape(page.content.decode())


@pytest.mark.parametrize("make", [imported_ana, entered_ana], ids=["imported", "entered"])
def test_a_phone_only_change_shows_only_the_phone(staff_client, make):
    ana = make()
    rows_before = ana.history.count()

    save(staff_client, ana, phone=["718-555-0199"])

    assert ana.history.count() == rows_before + 1
    latest = recent_changes_panel(staff_client, ana)[0]
    assert latest.startswith("Changed"), latest
    assert latest.endswith("Phone: 212-555-0101 → 718-555-0199"), latest
    assert "Tags" not in latest
    history = full_history_page(staff_client, ana)
    assert "Phone: 212-555-0101 → 718-555-0199" in history
    assert "{'supporter'" not in history and "'tag':" not in history


@pytest.mark.parametrize(
    ("make", "entries"),
    [
        (imported_ana, ["Created — Imported from spring.csv"]),
        (entered_ana, ["Changed Tags: — → Donor", "Created"]),
    ],
    ids=["imported", "entered"],
)
def test_saving_an_untouched_page_records_nothing(staff_client, make, entries):
    ana = make()
    rows_before = ana.history.count()
    assert recent_changes_panel(staff_client, ana) == entries

    save(staff_client, ana)
    save(staff_client, ana)

    assert ana.history.count() == rows_before, "no history row for a save that changed nothing"
    assert recent_changes_panel(staff_client, ana) == entries


def test_a_tag_change_reads_as_tag_names(staff_client):
    ana = imported_ana("Donor")
    volunteer = Tag.objects.create(name="Volunteer")
    donor = Tag.objects.get(name="Donor")

    save(staff_client, ana, tags=[str(donor.pk), str(volunteer.pk)])

    assert recent_changes_panel(staff_client, ana)[0].endswith("Tags: Donor → Donor, Volunteer")
    save(staff_client, ana, tags=[], phone=["718-555-0199"])
    panel = recent_changes_panel(staff_client, ana)
    assert panel[0].endswith("Tags: Donor, Volunteer → —"), panel
    assert panel[1].endswith("Phone: 212-555-0101 → 718-555-0199"), panel
    history = full_history_page(staff_client, ana)
    assert "Tags: Donor → Donor, Volunteer" in history
    assert "Tags: Donor, Volunteer → —" in history
    assert "{'supporter'" not in history


def test_a_supporter_updated_by_an_import_keeps_its_tags_in_history(staff_client):
    ana = imported_ana("Donor")
    supporters_import(
        headers=["First Name", "Last Name", "Email", "City", "Tags"],
        rows=[["Ana", "Ruiz", "ana@example.org", "Yonkers", "Gala"]],
        dry_run=False,
        file_name="autumn.csv",
    )
    assert recent_changes_panel(staff_client, ana)[0].endswith("Tags: Donor → Donor, Gala")

    save(staff_client, ana, phone=["718-555-0199"])

    latest = recent_changes_panel(staff_client, ana)[0]
    assert latest.endswith("Phone: 212-555-0101 → 718-555-0199") and "Tags" not in latest


def test_the_refused_stale_form_saved_again_records_only_the_users_change(staff_client, staff):
    """The stale-edit check re-shows a form with a new hidden snapshot; saving it records the
    user's change once, with no tags in it."""
    ana = imported_ana("Donor")
    first = page_form(staff_client, change_url(ana), "supporter_form")
    Supporter.objects.filter(pk=ana.pk).update(city="Yonkers")  # someone else, elsewhere
    refused = staff_client.post(change_url(ana), {**first, "phone": ["718-555-0199"]})
    assert refused.status_code == 200

    form = form_from(refused.content.decode(), "supporter_form")
    again = staff_client.post(change_url(ana), form)

    assert again.status_code == 302
    latest = recent_changes_panel(staff_client, ana)[0]
    assert "Phone: 212-555-0101 → 718-555-0199" in latest and "Tags" not in latest


def test_the_admin_log_names_only_fields_the_user_changed(staff_client):
    """The hidden edit snapshot is new on every page, but it is not a change of the record."""
    ana = entered_ana()

    save(staff_client, ana, phone=["718-555-0199"])
    save(staff_client, ana)

    messages = [e.get_change_message() for e in LogEntry.objects.order_by("pk")]
    assert messages == ["Changed Phone.", "No fields changed."]
