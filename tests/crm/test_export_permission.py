"""Exporting supporters' and gifts' personal data (emails, phones, addresses) is a staff
permission of its own: board members read records but cannot take them away in a file, and
neither can any account that holds only view permissions."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission, User
from import_export.formats import base_formats
from import_export.forms import SelectableFieldsExportForm

from crm.resources import SupporterResource
from donations.imports.resources import GiftResource
from donations.models import Gift
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

# (changelist URL, export URL, resource) for every admin that offers an export.
EXPORTS = [
    ("/admin/crm/supporter/", "/admin/crm/supporter/export/", SupporterResource),
    ("/admin/donations/gift/", "/admin/donations/gift/export/", GiftResource),
]


@pytest.fixture
def records(db):
    ana = SupporterFactory(
        first_name="Ana", last_name="Ruiz", email="ana@example.org", phone="212-555-0101"
    )
    Gift.objects.create(supporter=ana, amount=50, method="cheque", received_on="2026-02-01")
    return ana


def export_post(resource) -> dict:
    """What the export page posts: CSV (the first format), the one resource, every column."""
    form = SelectableFieldsExportForm(formats=[base_formats.CSV], resources=[resource])
    columns = {
        name: "on"
        for name, field in form.fields.items()
        if getattr(field, "is_selectable_field", False)
    }
    return {"format": "0", "resource": "0", **columns}


def export_button(page: str, export_url: str) -> bool:
    return f'href="{export_url}' in page


@pytest.fixture
def viewer(db) -> User:
    """A staff-flagged account given every view_* permission directly, no group."""
    user = User.objects.create_user("vic", "vic@example.org", "pw-for-tests-only", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=("crm", "donations"), codename__startswith="view_"
        )
    )
    return user


@pytest.mark.parametrize(("changelist", "export_url", "resource"), EXPORTS)
def test_board_member_cannot_export_and_sees_no_export_button(
    board_client, records, changelist, export_url, resource
):
    page = board_client.get(changelist)
    assert page.status_code == 200, "the board still reads the list"
    assert not export_button(page.content.decode(), export_url)
    assert board_client.get(export_url).status_code == 403
    response = board_client.post(export_url, export_post(resource))
    assert response.status_code == 403
    assert b"ana@example.org" not in response.content


@pytest.mark.parametrize(("changelist", "export_url", "resource"), EXPORTS)
def test_view_permissions_alone_do_not_allow_export(
    client, viewer, records, changelist, export_url, resource
):
    client.force_login(viewer)
    assert client.get(changelist).status_code == 200
    assert client.get(export_url).status_code == 403
    assert client.post(export_url, export_post(resource)).status_code == 403


def test_staff_exports_supporters_with_their_contact_details(staff_client, records):
    page = staff_client.get("/admin/crm/supporter/").content.decode()
    assert export_button(page, "/admin/crm/supporter/export/")
    response = staff_client.post("/admin/crm/supporter/export/", export_post(SupporterResource))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["Email"], r["Phone"]) for r in rows] == [("ana@example.org", "212-555-0101")]


def test_staff_exports_gifts(staff_client, records):
    page = staff_client.get("/admin/donations/gift/").content.decode()
    assert export_button(page, "/admin/donations/gift/export/")
    response = staff_client.post("/admin/donations/gift/export/", export_post(GiftResource))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "50.00" in response.content.decode("utf-8-sig")


def test_staff_group_holds_the_export_permissions_and_the_board_does_not(staff, board):
    for codename in ("crm.export_supporter", "donations.export_gift"):
        assert staff.has_perm(codename)
        assert not board.has_perm(codename)
