"""The import's mapping step (issue 14, item 2): a file whose headers say nothing is mapped
column by column in the admin, previewed and imported; the mapping is saved by name and used
again by the admin and by `manage.py import_file --mapping`; bad mappings are refused in plain
words and change nothing; board members cannot map or import."""

import csv
import datetime
import html
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from crm.importing.mapping import columns_from_saved, saved_mapping_suggest
from crm.models import ImportJob, ImportMapping, Supporter
from donations.imports.any_file import FILE_IMPORT
from donations.models import Fund, Gift

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/donations/gift/import/"
CONFIRM_URL = "/admin/donations/gift/process_import/"
# A gift export whose headers no importer could know.
UNKNOWN = [
    ["Col A", "Col B", "Col C", "Col D", "Col E", "Col F", "Col G"],
    ["Ana", "Ruiz", "ana@example.org", "01/15/2024", "$250.00", "Yes", "11368"],
    ["Luis", "López", "", "02/01/2024", "100", "No", "11368"],
    ["Ana", "Ruiz", "ana@example.org", "06/15/2024", "$1,000.00", "No", "11368"],
]
CHOSEN = [
    "first_name",
    "last_name",
    "email",
    "received_on",
    "amount",
    "acknowledged",
    "postal_code",
]


@pytest.fixture(autouse=True)
def general(db):
    return Fund.objects.create(name="General", code="general", is_default=True)


def pairs(columns: list[str]) -> list[list[str]]:
    """A saved mapping's [header, field] pairs for the UNKNOWN file."""
    return [[header, field] for header, field in zip(UNKNOWN[0], columns, strict=True)]


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def upload(client, rows, name="old-system.csv", **extra):
    file = SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")
    return client.post(IMPORT_URL, {"import_file": file, "format": "0", **extra})


def choose(client, url, columns, save_as=""):
    data = {f"column_{i}": field for i, field in enumerate(columns)}
    return client.post(url, {**data, "save_as": save_as})


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def test_a_file_with_only_unknown_headers_is_mapped_previewed_and_imported(staff_client):
    response = upload(staff_client, UNKNOWN)
    assert response.status_code == 302 and response.url.endswith("/columns/")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED, "nothing is checked before the columns are"

    page = staff_client.get(response.url)
    form = page.context["form"]
    assert [line["field"].label for line in form.lines()] == UNKNOWN[0]
    assert [line["samples"] for line in form.lines()][:2] == [
        ["Ana", "Luis", "Ana"],
        ["Ruiz", "López", "Ruiz"],
    ]
    assert [line["samples"] for line in form.lines()][2] == ["ana@example.org"] * 2
    assert all(form[f"column_{i}"].initial == "" for i in range(7)), "nothing recognised"
    text = text_of(page)
    assert "These headers were not recognized: Col A, Col B" in text
    assert '<optgroup label="Gift">' in text and "Don't import" in text

    mapped = choose(staff_client, response.url, CHOSEN)
    assert mapped.status_code == 302 and mapped.url.endswith(f"/import/{job.pk}/")
    preview = staff_client.get(mapped.url)
    text = text_of(preview)
    assert "This file is read as gifts, each with its donor." in text
    assert "3 gifts to record, 0 already recorded (skipped); donors: 2 new" in text
    assert "Rows 1 and 3 are one donor: Ana Ruiz, 2 gifts." in text
    assert "Columns read as you chose them." in text
    assert Gift.objects.count() == 0, "the preview writes nothing"

    done = staff_client.post(CONFIRM_URL, {"job": job.pk})
    assert done.status_code == 302
    ana = Supporter.objects.get(email="ana@example.org")
    assert (ana.first_name, ana.last_name, ana.postal_code) == ("Ana", "Ruiz", "11368")
    gifts = [
        (g.supporter.first_name, g.received_on, g.amount, g.acknowledgement)
        for g in Gift.objects.order_by("received_on").select_related("supporter")
    ]
    assert gifts == [
        ("Ana", datetime.date(2024, 1, 15), Decimal("250.00"), Gift.Acknowledgement.THANKED),
        ("Luis", datetime.date(2024, 2, 1), Decimal("100.00"), Gift.Acknowledgement.PENDING),
        ("Ana", datetime.date(2024, 6, 15), Decimal("1000.00"), Gift.Acknowledgement.PENDING),
    ]
    assert Supporter.objects.count() == 2


def test_a_saved_mapping_is_suggested_for_the_next_file_and_a_second_import_adds_nothing(
    staff_client, staff
):
    first = upload(staff_client, UNKNOWN)
    choose(staff_client, first.url, CHOSEN, save_as="Old system")
    saved = ImportMapping.objects.get()
    assert (saved.name, saved.created_by) == ("Old system", staff)
    assert saved.columns[0] == ["Col A", "first_name"]
    staff_client.post(CONFIRM_URL, {"job": ImportJob.objects.get().pk})
    assert Gift.objects.count() == 3

    # The same system's next export: the saved mapping is offered, preset on every column.
    again = upload(staff_client, UNKNOWN)
    page = staff_client.get(again.url)
    assert page.context["saved_used"] == saved
    form = page.context["form"]
    assert [form[f"column_{i}"].initial for i in range(7)] == CHOSEN
    assert "set from the saved mapping <strong>Old system</strong>" in text_of(page)
    preview = staff_client.get(choose(staff_client, again.url, CHOSEN).url)
    assert "0 gifts to record, 3 already recorded (skipped)" in text_of(preview)


def test_a_saved_mapping_picked_on_upload_goes_straight_to_the_preview(staff_client):
    ImportMapping.objects.create(name="Old system", columns=pairs(CHOSEN))
    form = staff_client.get(IMPORT_URL).context["form"]
    assert "mapping" in form.fields, "the upload page offers saved mappings"
    saved = ImportMapping.objects.get()
    preview = upload(staff_client, UNKNOWN, mapping=str(saved.pk))
    assert preview.status_code == 200
    assert "3 gifts to record" in text_of(preview)
    assert ImportJob.objects.get().options["columns"] == CHOSEN


def test_the_command_imports_with_a_saved_mapping(tmp_path, capsys):
    path = tmp_path / "old-system.csv"
    path.write_bytes(csv_bytes(UNKNOWN))
    ImportMapping.objects.create(name="Old system", columns=pairs(CHOSEN))

    call_command("import_file", str(path), "--mapping", "old SYSTEM", "--dry-run")
    out = capsys.readouterr().out
    assert "read as gifts" in out
    assert "Columns read by the saved mapping 'Old system'." in out
    assert "3 gifts to record, 0 already recorded (skipped); donors: 2 new" in out
    assert Gift.objects.count() == 0

    call_command("import_file", str(path), "--mapping", "Old system")
    assert Gift.objects.count() == 3
    assert Supporter.objects.get(email="ana@example.org").gifts.count() == 2

    with pytest.raises(CommandError, match="no saved mapping named 'Bloomerang'"):
        call_command("import_file", str(path), "--mapping", "Bloomerang")


def test_the_command_refuses_a_saved_mapping_that_does_not_fit_the_file(tmp_path):
    path = tmp_path / "old-system.csv"
    path.write_bytes(csv_bytes(UNKNOWN))
    no_amount = [*CHOSEN[:4], "", *CHOSEN[5:]]
    ImportMapping.objects.create(name="Partial", columns=pairs(no_amount))
    with pytest.raises(CommandError, match="does not fit this file: A file of gifts needs"):
        call_command("import_file", str(path), "--mapping", "Partial")
    assert (Supporter.objects.count(), Gift.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("columns", "save_as", "message"),
    [
        (
            ["first_name", "last_name", "email", "received_on", "amount", "acknowledged", "email"],
            "",
            "'Col C' and 'Col G' both go to Email. Choose one of them",
        ),
        (
            ["first_name", "last_name", "email", "received_on", "", "acknowledged", ""],
            "",
            "A file of gifts needs an Amount column and a Date column: choose the column that "
            "holds the Amount.",
        ),
        (
            ["", "", "", "received_on", "amount", "", ""],
            "",
            "Choose a column that says who gave",
        ),
        (["", "", "email", "", "", "", "postal_code"], "", "Choose the column with each person's"),
        (CHOSEN, "taken", "There is already a saved mapping named 'TAKEN'."),
    ],
)
def test_a_bad_mapping_is_refused_with_a_message_and_changes_nothing(
    staff_client, columns, save_as, message
):
    ImportMapping.objects.create(name="Taken", columns=[])
    url = upload(staff_client, UNKNOWN).url
    job = ImportJob.objects.get()
    before = (job.status, job.options, job.result)

    refused = choose(staff_client, url, columns, save_as=save_as.upper())
    assert refused.status_code == 200
    text = text_of(refused)
    assert "This mapping cannot be used yet; nothing was changed." in text
    assert message in text
    job.refresh_from_db()
    assert (job.status, job.options, job.result) == before
    assert ImportMapping.objects.count() == 1
    assert (Supporter.objects.count(), Gift.objects.count()) == (0, 0)
    # The page keeps what was chosen, to put right.
    assert refused.context["form"]["column_0"].value() == columns[0]


def test_a_recognised_file_goes_straight_to_the_preview_and_its_columns_can_be_checked(
    staff_client,
):
    rows = [
        ["First Name", "Last Name", "Email", "Notes"],
        ["Ana", "Ruiz", "ana@example.org", "VIP"],
    ]
    preview = upload(staff_client, rows)
    assert preview.status_code == 200
    text = text_of(preview)
    assert "Columns read by their headers." in text
    columns_url = preview.context["columns_url"]

    page = staff_client.get(columns_url)
    form = page.context["form"]
    assert [form[f"column_{i}"].initial for i in range(4)] == [
        "first_name", "last_name", "email", "notes",
    ]  # fmt: skip
    assert "Every header was recognized" in text_of(page)
    remapped = choose(staff_client, columns_url, ["first_name", "last_name", "email", ""])
    again = staff_client.get(remapped.url)
    assert "Not imported, as you chose: Notes." in text_of(again)
    staff_client.post(CONFIRM_URL, {"job": again.context["job"].pk})
    ana = Supporter.objects.get()
    assert ana.notes.count() == 0, "the column set to Don't import was not imported"


def test_a_refused_file_can_have_its_columns_chosen_again(staff_client):
    # Neither header is recognised; staff first take 'Contact' for an email, but it holds
    # names: every row is refused, and the file is kept to choose again.
    rows = [["Name", "Contact"], ["Ruiz", "Ana Ruiz"]]
    url = upload(staff_client, rows).url
    refused = staff_client.get(choose(staff_client, url, ["last_name", "email"]).url)
    assert "Some rows have problems: nothing was imported" in text_of(refused)
    assert refused.context["columns_url"] == url
    fixed = staff_client.get(choose(staff_client, url, ["last_name", "first_name"]).url)
    assert "1 new, 0 updated" in text_of(fixed)


def test_board_members_cannot_map_or_import(staff_client, board, client):
    url = upload(staff_client, UNKNOWN).url
    job = ImportJob.objects.get()
    client.force_login(board)
    assert client.get(IMPORT_URL).status_code == 403
    assert client.get(url).status_code == 403
    assert choose(client, url, CHOSEN, save_as="Board's").status_code == 403
    assert client.get("/admin/crm/supporter/import/").status_code == 403
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED and "columns" not in job.options
    assert ImportMapping.objects.count() == 0


def test_another_staff_members_import_is_not_found(staff_client, client, django_user_model):
    url = upload(staff_client, UNKNOWN).url
    other = django_user_model.objects.create_user("kim", is_staff=True)
    other.groups.set(ImportJob.objects.get().created_by.groups.all())
    client.force_login(other)
    assert client.get(url).status_code == 404


def test_a_saved_mapping_reads_headers_as_people_write_them():
    saved = ImportMapping.objects.create(
        name="Sheet", columns=[["Col A", "first_name"], ["Tel", "phone"], ["Tel", "phone_2"]]
    )
    headers = ["COL A ", "tel", "Tel", "Email", "Favourite colour"]
    columns, left_open = columns_from_saved(saved, headers, FILE_IMPORT.columns)
    # Case and spacing aside; a header twice takes the saved fields in order; a header the
    # mapping does not name is read as recognised, or left open for staff.
    assert columns == ["first_name", "phone", "phone_2", "email", ""]
    assert left_open == ["Favourite colour"]
    assert saved_mapping_suggest(headers) is None, "it does not name every header"
    assert saved_mapping_suggest(["col a", "TEL"]) == saved


def test_a_large_file_is_mapped_first_then_checked_by_the_worker(staff_client, settings):
    settings.IMPORT_INLINE_MAX_KB = 0  # every file is 'large': checked in the background
    url = upload(staff_client, UNKNOWN).url
    job = ImportJob.objects.get()
    assert job.background and job.status == ImportJob.Status.QUEUED
    mapped = choose(staff_client, url, CHOSEN)
    assert mapped.url.endswith(f"/import/{job.pk}/")
    job.refresh_from_db()  # the tests' task backend runs the worker's task at once
    assert job.status == ImportJob.Status.READY
    assert job.result["totals"]["new"] == 3
