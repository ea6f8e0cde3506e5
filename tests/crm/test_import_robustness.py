"""Imports that real files throw at it (issue 10, finding 10): CSVs saved as Latin-1 or UTF-16,
files too big to take, a large file checked by the background worker with its preview read a
page at a time, and an XLSX that would unpack to far more than it weighs."""

import csv
import io
import random
import re
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.models import Supporter

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/crm/supporter/import/"
CONFIRM_URL = "/admin/crm/supporter/process_import/"
CSV_FORMAT, XLSX_FORMAT = "0", "1"
HEADERS = ["First Name", "Last Name", "Email", "City", "State", "Zip"]
ACCENTED = [
    ["José", "Núñez", "jose@example.org", "Bronx", "NY", "10451"],
    ["María", "Peña", "maria@example.org", "Queens", "NY", "11368"],
    ["François", "Lefèvre", "francois@example.org", "Newark", "NJ", "07102"],
]


def csv_bytes(rows: list[list[str]], encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(client, content: bytes, name: str = "people.csv", fmt: str = CSV_FORMAT):
    file = SimpleUploadedFile(name, content)
    return client.post(IMPORT_URL, {"import_file": file, "format": fmt})


def preview_then_confirm(client, content: bytes):
    preview = upload(client, content)
    assert preview.status_code == 200, preview.content[:500]
    assert "confirm_form" in preview.context, preview.content.decode()[:3000]
    return client.post(CONFIRM_URL, {**preview.context["confirm_form"].initial}, follow=True)


def names() -> set[tuple[str, str]]:
    return set(Supporter.objects.values_list("first_name", "last_name"))


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16", "mac_roman"])
def test_a_csv_saved_in_a_legacy_or_utf16_encoding_imports_with_its_accents(staff_client, encoding):
    done = preview_then_confirm(staff_client, csv_bytes([HEADERS, *ACCENTED], encoding))
    assert b"Import finished: 3 new" in done.content
    assert names() == {("José", "Núñez"), ("María", "Peña"), ("François", "Lefèvre")}


def test_the_preview_of_a_latin1_file_shows_the_names_spelled_right(staff_client):
    preview = upload(staff_client, csv_bytes([HEADERS, *ACCENTED], "latin-1"))
    page = preview.content.decode()
    assert "Núñez" in page and "Peña" in page and "Lefèvre" in page
    assert "Núńez" not in page, "not read as a Central European code page"


def test_a_file_whose_text_cannot_be_read_is_refused_in_plain_words(staff_client):
    rng = random.Random(10)
    garbage = bytes(rng.getrandbits(8) for _ in range(4000))  # e.g. a zip called .csv
    response = upload(staff_client, garbage)
    page = response.content.decode()
    assert response.status_code == 200
    assert "This file&#x27;s text could not be read" in page
    assert "save it as &#x27;CSV UTF-8&#x27;" in page
    assert "UnicodeDecodeError" not in page and "encountered" not in page
    assert Supporter.objects.count() == 0


@pytest.mark.parametrize(
    "broken",
    [
        '"Ana,Ruiz,ana@example.org\nLuis,=HYPERLINK("x"),luis@example.org\n',  # closes mid-cell
        'Ana,Ruiz,ana@example.org\n"Luis,López,luis@example.org\nMarta,Gómez,m@example.org\n',
    ],
)
def test_a_csv_with_a_quote_left_open_is_refused_and_nothing_is_imported(staff_client, broken):
    content = ("First Name,Last Name,Email\n" + broken).encode()
    page = upload(staff_client, content).content.decode()
    assert "of this file, a quotation mark (&quot;) has not been closed" in page
    assert "Nothing was imported." in page and "confirm_form" not in page
    assert Supporter.objects.count() == 0


def test_a_quoted_cell_over_several_lines_still_imports(staff_client):
    content = b'First Name,Last Name,Address\nAna,Ruiz,"41-12 Junction Blvd\nApt 3"\n'
    done = preview_then_confirm(staff_client, content)
    assert b"Import finished: 1 new" in done.content
    assert Supporter.objects.get().address_line1.startswith("41-12 Junction Blvd")


def test_a_file_over_the_size_cap_is_refused_with_its_size_and_nothing_changes(
    staff_client, settings
):
    from crm.models import ImportJob

    assert settings.IMPORT_MAX_FILE_MB == 10, "the default cap"
    row = "Ana,Ruiz,ana{}@example.org,Bronx,NY,10451\n"
    body = "First Name,Last Name,Email,City,State,Zip\n" + "".join(
        row.format(n) for n in range(260_000)
    )
    content = body.encode()
    assert 10.5 * 2**20 < len(content) < 11.5 * 2**20
    response = upload(staff_client, content)
    page = response.content.decode()
    assert response.status_code == 200
    assert f"This file is {len(content) / 2**20:.1f} MB" in page
    assert "files of up to 10 MB" in page
    assert Supporter.objects.count() == 0 and ImportJob.objects.count() == 0
    imports = settings.MEDIA_ROOT / "imports"
    assert not imports.exists() or not any(imports.iterdir()), "nothing stored"


def test_the_size_cap_is_a_setting(staff_client, settings):
    settings.IMPORT_MAX_FILE_MB = 1
    content = csv_bytes([HEADERS] + [ACCENTED[0]] * 30_000, "utf-8")
    page = upload(staff_client, content).content.decode()
    assert "files of up to 1 MB" in page and Supporter.objects.count() == 0


@pytest.fixture
def queued_tasks(settings):
    """Tasks are queued, not run: whatever the request leaves to the worker stays undone
    until the test runs it as the worker would."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.results.clear()

    def run_all() -> int:
        results = list(default_task_backend.results)
        default_task_backend.results.clear()
        for result in results:
            result.task.call(*result.args, **result.kwargs)
        return len(results)

    return run_all


def people(count: int) -> list[list[str]]:
    return [
        [f"Person{n:05d}", f"Family{n:05d}", f"p{n}@example.org", "Bronx", "NY", "10451"]
        for n in range(count)
    ]


def test_a_large_file_is_checked_by_the_worker_and_its_preview_is_paged(
    staff_client, settings, queued_tasks
):
    from crm.models import ImportJob

    settings.IMPORT_INLINE_MAX_KB = 50  # 3,000 rows is ~160 KB: a 'large' file here
    content = csv_bytes([HEADERS, *people(3000)], "utf-8")
    response = upload(staff_client, content)

    # 1. The request only stored the file and queued the dry run.
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/admin/crm/supporter/import/{job.pk}/"
    )
    assert job.status == "queued" and job.background and job.rows_total == 0
    waiting = staff_client.get(response["Location"])
    assert b'http-equiv="refresh"' in waiting.content and b"<progress" in waiting.content
    assert "confirm_form" not in waiting.context

    # 2. The worker checks it; the page then shows the preview, 100 rows a page.
    assert queued_tasks() == 1
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == ("ready", 3000, 3000)
    assert Supporter.objects.count() == 0, "a dry run writes nothing"
    first = staff_client.get(response["Location"])
    second = staff_client.get(response["Location"] + "?page=2")
    assert b"3000 new, 0 updated" in first.content
    assert b'http-equiv="refresh"' not in first.content
    assert b"Person00000" in first.content and b"Person00099" in first.content
    assert b"Person00100" not in first.content
    assert b"Person00100" in second.content and b"Person00000" not in second.content
    assert b"page 2 of 30" in second.content
    assert len(first.content) < 80_000, "one page, not the whole file"

    # 3. Confirming queues the import; the worker writes all of it.
    confirm = staff_client.post(CONFIRM_URL, {**first.context["confirm_form"].initial})
    assert confirm.status_code == 302 and Supporter.objects.count() == 0
    assert b"Importing" in staff_client.get(confirm["Location"]).content
    assert queued_tasks() == 1
    assert Supporter.objects.count() == 3000
    done = staff_client.get(confirm["Location"])
    assert b"Import finished: 3000 new, 0 updated" in done.content


def test_a_large_file_with_problem_rows_lists_them_a_page_at_a_time(
    staff_client, settings, queued_tasks
):
    settings.IMPORT_INLINE_MAX_KB = 50
    rows = people(3000)
    for row in rows[::10]:
        row[2] = "not-an-email"
    response = upload(staff_client, csv_bytes([HEADERS, *rows], "utf-8"))
    queued_tasks()
    page = staff_client.get(response["Location"]).content.decode()
    assert "Some rows have problems: nothing was imported" in page
    assert "page 1 of 3" in page and "Person00990" in page and "Person01000" not in page
    assert Supporter.objects.count() == 0


def test_a_confirmation_sent_twice_imports_once(staff_client, settings, queued_tasks):
    settings.IMPORT_INLINE_MAX_KB = 1
    response = upload(staff_client, csv_bytes([HEADERS, *people(40)], "utf-8"))
    queued_tasks()
    confirm = staff_client.get(response["Location"]).context["confirm_form"].initial
    staff_client.post(CONFIRM_URL, confirm)
    staff_client.post(CONFIRM_URL, confirm)
    assert queued_tasks() == 1
    assert Supporter.objects.count() == 40


def test_another_users_import_is_not_shown(staff_client, client, settings, queued_tasks):
    from core.roles import STAFF_GROUP
    from crm.models import ImportJob
    from tests.conftest import _user

    settings.IMPORT_INLINE_MAX_KB = 1
    upload(staff_client, csv_bytes([HEADERS, *people(40)], "utf-8"))
    queued_tasks()
    job = ImportJob.objects.get()
    client.force_login(_user("other-staff", STAFF_GROUP))
    assert client.get(f"/admin/crm/supporter/import/{job.pk}/").status_code == 404
    assert client.post(CONFIRM_URL, {"job": job.pk}).status_code == 404
    assert Supporter.objects.count() == 0


def zip_bomb_xlsx(shared_strings_mb: int) -> bytes:
    """A well-formed workbook whose one shared string is shared_strings_mb of the same letter:
    a few kilobytes on disk."""
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    )
    strings_head = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        'uniqueCount="1"><si><t>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        archive.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheets><sheet name="Sheet1" sheetId="1"/></sheets></workbook>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        with archive.open("xl/sharedStrings.xml", "w") as strings:
            strings.write(strings_head.encode())
            chunk = b"A" * 2**20
            for _ in range(shared_strings_mb):
                strings.write(chunk)
            strings.write(b"</t></si></sst>")
    return buffer.getvalue()


def test_an_xlsx_that_unpacks_far_beyond_its_size_is_refused_without_opening_it(
    staff_client, monkeypatch
):
    import openpyxl

    def must_not_open(*args, **kwargs):
        raise AssertionError("openpyxl opened the workbook")

    monkeypatch.setattr(openpyxl, "load_workbook", must_not_open)
    monkeypatch.setattr(openpyxl.reader.excel, "load_workbook", must_not_open)
    content = zip_bomb_xlsx(30)
    assert len(content) < 200_000, "30 MB of one letter packs into a few dozen KB"
    # The process's first request imports every URLconf's modules (the reports' charting
    # library among them): done before measuring, so only the upload's own memory counts.
    assert staff_client.get(IMPORT_URL).status_code == 200
    tracemalloc.start()
    try:
        response = upload(staff_client, content, name="people.xlsx", fmt=XLSX_FORMAT)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"This workbook unpacks to 30\.0 MB when opened", page)
    assert peak < 10 * 2**20, f"the request used {peak / 2**20:.0f} MB"
    assert Supporter.objects.count() == 0


def test_a_file_that_is_not_a_workbook_is_refused_in_plain_words(staff_client):
    response = upload(staff_client, b"this is not a spreadsheet", "people.xlsx", XLSX_FORMAT)
    page = response.content.decode()
    assert "This file is not an Excel workbook (.xlsx)" in page
    assert "encountered" not in page and Supporter.objects.count() == 0


def test_a_latin1_gift_file_finds_its_donor_by_accented_name(staff_client):
    from donations.models import Fund, Gift

    Fund.objects.create(name="General", code="general", is_default=True)
    jose = Supporter.objects.create(first_name="José", last_name="Núñez", postal_code="10451")
    rows = [
        ["First Name", "Last Name", "Zip", "Amount", "Date"],
        ["José", "Núñez", "10451", "40", "2026-03-15"],
    ]
    preview = staff_client.post(
        "/admin/donations/gift/import/",
        {"import_file": SimpleUploadedFile("gifts.csv", csv_bytes(rows, "latin-1")), "format": "0"},
    )
    assert "1 gifts to record" in preview.content.decode()
    staff_client.post(
        "/admin/donations/gift/process_import/", {**preview.context["confirm_form"].initial}
    )
    assert Gift.objects.get().supporter == jose
