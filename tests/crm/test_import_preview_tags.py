"""The import preview shows the tags each row's record will have (those it already has and
those the row adds, the new ones named) and, for an update, the fields it changes."""

import pytest

from crm.models import Supporter, Tag
from tests.crm.test_import_preview import (
    CSV_FORMAT,
    SUPPORTER_IMPORT_URL,
    csv_upload,
    preview_rows,
)

pytestmark = pytest.mark.django_db
HEADERS = ["First Name", "Last Name", "Email", "City", "Tags"]


def preview(client, *rows: list[str]) -> list[dict[str, str]]:
    upload = csv_upload([HEADERS, *rows])
    page = client.post(SUPPORTER_IMPORT_URL, {"import_file": upload, "format": CSV_FORMAT})
    return preview_rows(page.content.decode())


def test_an_update_shows_every_tag_the_record_will_have_and_what_it_changes(staff_client):
    ana = Supporter.objects.create(
        first_name="Ana", last_name="Ruiz", email="ana@example.org", city="Bronx"
    )
    ana.tags.add(Tag.objects.create(name="Donor"), Tag.objects.create(name="volunteer"))
    [row] = preview(staff_client, ["Ana", "Ruiz", "ana@example.org", "Queens", "Gala; Donor"])
    assert row["Action"] == "Update"
    assert row["Also saved"] == "Tags: Donor, Gala, volunteer (new: Gala)"
    assert row["Fields changed"] == "City, Tags"
    assert list(ana.tags.values_list("name", flat=True).order_by("name")) == ["Donor", "volunteer"]


def test_a_new_row_shows_its_tags_and_changes_no_record(staff_client):
    [row] = preview(staff_client, ["Ben", "Okafor", "ben@example.org", "Queens", "Gala; Board"])
    assert row["Action"] == "New"
    assert row["Also saved"].endswith("Tags: Board, Gala")
    assert row["Fields changed"] == ""


def test_an_update_that_adds_only_a_tag_says_so(staff_client):
    Supporter.objects.create(first_name="Cruz", last_name="Díaz", email="cruz@example.org",
                             city="Queens")  # fmt: skip
    [row] = preview(staff_client, ["Cruz", "Díaz", "cruz@example.org", "Queens", "Gala"])
    assert row["Also saved"] == "Tags: Gala"
    assert row["Fields changed"] == "Tags"
