"""Gift import: rows matched to supporters on file, checked whole, written all or nothing."""

import datetime
from decimal import Decimal

import pytest

from crm.models import ImportJob, Supporter
from donations.imports.gifts import gifts_import
from donations.models import Campaign, DonorSummary, Fund, Gift

pytestmark = pytest.mark.django_db

HEADERS = ["Email", "First Name", "Last Name", "Zip", "Gift Amount", "Gift Date", "Payment Method",
           "Check Number", "Campaign", "Fund", "Gift Note"]  # fmt: skip


@pytest.fixture(autouse=True)
def ledger(db):
    general = Fund.objects.create(name="General", code="general", is_default=True)
    legal = Fund.objects.create(name="Legal defence", code="legal")
    Campaign.objects.create(name="Spring appeal", code="spring26", fund=legal)
    return general


@pytest.fixture
def ana(db):
    return Supporter.objects.create(
        first_name="Ana", last_name="Ruiz", email="ana@example.org", postal_code="11368"
    )


@pytest.fixture
def jose(db):
    # No email on file: found by name and ZIP, accents and case folded.
    return Supporter.objects.create(first_name="José", last_name="Núñez", postal_code="10451")


def run(rows, *, dry_run=False, headers=HEADERS, **kwargs):
    return gifts_import(headers=headers, rows=rows, dry_run=dry_run, **kwargs)


def good_rows():
    return [
        ["ANA@example.org", "", "", "", "$1,250.00", "2026-03-02", "Check", "1042", "spring26",
         "", "Board member"],
        ["", "jose", "nunez", "10451-2233", "40", "03/15/2026", "cash", "", "", "", ""],
        ["", "Jose", "Nunez", "10451", "75", datetime.date(2026, 4, 1), "ACH", "", "",
         "Legal defence", ""],
    ]  # fmt: skip


def test_a_file_is_matched_previewed_then_recorded(ana, jose, staff):
    preview = run(good_rows(), dry_run=True)
    assert preview.ok and not preview.written
    assert [r.action for r in preview.rows] == ["new", "new", "new"]
    assert [r.supporter_id for r in preview.rows] == [ana.pk, jose.pk, jose.pk]
    assert Gift.objects.count() == 0, "a dry run writes nothing"

    report = run(good_rows(), actor=staff)
    assert report.written
    cheque, cash, ach = Gift.objects.order_by("received_on")
    assert (cheque.supporter, cheque.amount, cheque.method, cheque.cheque_number) == (
        ana,
        Decimal("1250.00"),
        "cheque",
        "1042",
    )
    assert cheque.campaign.code == "spring26" and cheque.fund.code == "legal"
    assert cheque.appeal_code == "spring26" and cheque.notes == "Board member"
    assert cheque.acknowledgement == "thanked", "history is not thanked twice"
    assert cheque.recorded_by == staff and cheque.history.get().history_user == staff
    assert (cash.method, cash.fund.code) == ("cash", "general")
    assert (ach.method, ach.fund.code, ach.received_on) == (
        "bank_transfer",
        "legal",
        datetime.date(2026, 4, 1),
    )
    assert DonorSummary.objects.get(supporter=jose).lifetime_total == Decimal("115.00")
    assert DonorSummary.objects.get(supporter=ana).highest_gift == Decimal("1250.00")


def test_importing_the_same_file_twice_adds_nothing(ana, jose):
    run(good_rows())
    again = run(good_rows())
    assert [r.action for r in again.rows] == ["skip", "skip", "skip"]
    assert again.rows[0].values["skip_reason"].startswith("Already recorded (gift #")
    assert Gift.objects.count() == 3


def test_gifts_not_yet_thanked_go_to_the_acknowledgement_queue(ana, jose, mailoutbox):
    run(good_rows(), already_thanked=False)
    assert set(Gift.objects.values_list("acknowledgement", flat=True)) == {"pending"}
    assert mailoutbox == [], "an import sends no email by itself"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({4: "lots"}, "'lots' is not an amount in dollars"),
        ({4: "-50"}, "is negative; record refunds on the gift itself"),
        ({4: "0"}, "A gift must be more than zero."),
        ({4: ""}, "Amount is empty."),
        ({5: "31/02/2026"}, "is not a date this importer reads"),
        ({5: "2099-01-01"}, "2099-01-01 is in the future."),
        ({6: "bitcoin"}, "'bitcoin' is not a method this importer knows"),
        ({6: "in kind"}, "An in-kind gift needs a description"),
        ({0: '=HYPERLINK("http://x")'}, "looks like a spreadsheet formula"),
        ({0: "nobody@example.org"}, "a new person needs at least a first or a last name"),
        ({0: "", 1: "", 2: ""}, "Say who gave: an email, a donor id, or a name and ZIP code."),
    ],
)
def test_a_bad_row_is_explained_and_nothing_is_written(ana, jose, change, message):
    rows = good_rows()
    for index, value in change.items():
        rows[0][index] = value
    report = run(rows)
    assert not report.written and Gift.objects.count() == 0
    [bad] = report.invalid_rows
    assert bad.number == 1
    assert any(message in text for texts in bad.errors.values() for text in texts), bad.errors


def test_two_people_with_the_same_name_and_zip_are_not_guessed(jose):
    twin = Supporter.objects.create(first_name="Jose", last_name="Nunez", postal_code="10451")
    report = run([["", "José", "Núñez", "10451", "40", "2026-03-15", "cash", "", "", "", ""]])
    [bad] = report.invalid_rows
    assert (
        f"#{jose.pk}" in bad.errors["last_name"][0] and f"#{twin.pk}" in bad.errors["last_name"][0]
    )


def test_the_same_gift_twice_in_a_file_is_refused(ana):
    row = ["ana@example.org", "", "", "", "25", "2026-03-02", "cash", "", "", "", ""]
    report = run([row, list(row)])
    assert not report.written
    assert "The same gift as row 1" in report.invalid_rows[0].errors["amount"][0]


def test_a_file_without_amount_or_donor_columns_is_refused_whole():
    report = run([["x", "2026-01-01"]], headers=["Name", "Date"])
    assert any("Amount" in e for e in report.file_errors)
    assert any("says who gave" in e or "who gave" in e for e in report.file_errors)


# --- Through the admin's import screens, as staff use them ---------------------------------

IMPORT_URL = "/admin/donations/gift/import/"
CONFIRM_URL = "/admin/donations/gift/process_import/"


def xlsx_upload(rows):
    import io

    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("gifts.xlsx", buffer.getvalue())


def test_staff_preview_an_xlsx_of_gifts_then_confirm_it(staff_client, ana, jose):
    rows = [HEADERS, *good_rows()]
    rows[2][5] = datetime.datetime(2026, 3, 15)  # noqa: DTZ001 - a naive date cell, as Excel has
    preview = staff_client.post(
        IMPORT_URL, {"import_file": xlsx_upload(rows), "format": "1", "already_thanked": ""}
    )
    page = preview.content.decode()
    assert preview.status_code == 200 and Gift.objects.count() == 0
    assert "3 gifts to record, 0 already recorded" in page
    assert "Ana Ruiz" in page and "José Núñez" in page
    confirm = preview.context["confirm_form"].initial
    assert ImportJob.objects.get(pk=confirm["job"]).options["already_thanked"] is False
    done = staff_client.post(CONFIRM_URL, {**confirm}, follow=True)
    assert done.status_code == 200 and Gift.objects.count() == 3
    assert set(Gift.objects.values_list("acknowledgement", flat=True)) == {"pending"}


def test_problem_rows_are_listed_and_nothing_is_recorded(staff_client, ana):
    rows = [HEADERS, ["nobody@example.org", "", "", "", "25", "2026-03-01", "cash", "", "", "", ""]]
    page = staff_client.post(
        IMPORT_URL, {"import_file": xlsx_upload(rows), "format": "1"}
    ).content.decode()
    assert "Some rows have problems: nothing was imported" in page
    assert "No supporter on file matches &#x27;nobody@example.org&#x27;" in page
    assert Gift.objects.count() == 0


def test_a_board_member_cannot_import_gifts(board_client, ana):
    rows = [HEADERS, *good_rows()[:1]]
    response = board_client.post(IMPORT_URL, {"import_file": xlsx_upload(rows), "format": "1"})
    assert response.status_code == 403 and Gift.objects.count() == 0


def test_gift_export_neutralises_formula_cells(staff_client, ana):
    import csv
    import io

    Gift.objects.create(
        supporter=ana, amount=Decimal("10"), received_on=datetime.date(2026, 1, 5),
        method="cash", notes="=cmd|' /C calc'!A0",
    )  # fmt: skip
    page = staff_client.get("/admin/donations/gift/export/")
    chosen = {name: "on" for name in page.context["form"].fields if name.startswith("gift")}
    response = staff_client.post(
        "/admin/donations/gift/export/", {"format": "0", "resource": "0", **chosen}
    )
    assert response.status_code == 200
    header, row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[:2]
    cell = dict(zip(header, row, strict=True))
    assert cell["Notes"] == "'=cmd|' /C calc'!A0"
    assert cell["Email"] == "ana@example.org" and cell["Amount"] == "10.00"
