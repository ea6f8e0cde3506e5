"""Moving in (issue 14): files exported from the systems nonprofits leave import whole, with no
edits: people and gifts in one pass, rows of one person folded, source ids kept, so a second
import changes nothing. Run on SQLite and on PostgreSQL (DATABASE_URL)."""

import datetime
import html
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from crm.importing import files as import_files
from crm.models import SourceId, Supporter
from donations.imports.any_file import FILE_IMPORT
from donations.models import Campaign, Fund, Gift

pytestmark = pytest.mark.django_db

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
DONOR_EXPORT = FILES / "donor_export_one_row_per_gift.csv"
CONTACTS = FILES / "contacts_donor_id.csv"
EVERYACTION = FILES / "everyaction_gifts.csv"


@pytest.fixture(autouse=True)
def general(db):
    return Fund.objects.create(name="General", code="general", is_default=True)


def run(path, *, dry_run=False, **options):
    """The file as the admin and the command read it, through the one import kind."""
    headers, rows = import_files.read_rows(io.BytesIO(path.read_bytes()), "csv")
    return FILE_IMPORT.run(
        headers=headers, rows=rows, dry_run=dry_run, file_name=path.name, **options
    )


def counts():
    return (
        Supporter.objects.count(),
        Gift.objects.count(),
        SourceId.objects.count(),
        Campaign.objects.count(),
        Fund.objects.count(),
        Supporter.history.count(),
    )


def test_a_one_row_per_gift_export_imports_its_donors_and_gifts_in_one_pass():
    preview = run(DONOR_EXPORT, dry_run=True)
    assert preview.ok, [r.errors for r in preview.invalid_rows]
    assert "Rows 1 and 3 are one donor: Ana Ruiz, 2 gifts." in preview.notes
    assert "Rows 2 and 4 are one donor: Luis López, 2 gifts." in preview.notes
    offered = {c["key"]: c["default"] for c in preview.choices}
    assert offered == {
        "campaign:annual-fund-2024": "create",
        "appeal:spring-letter": "keep",
        "campaign:gala-2024": "create",
        "fund:legal-defense": "create",
    }
    assert counts()[:2] == (0, 0), "a dry run writes nothing"

    report = run(DONOR_EXPORT)
    assert report.written
    assert dict(report.totals) == {
        "new": 5, "donors_new": 3, "donors_update": 0, "donors_skip": 0,
    }  # fmt: skip
    ana = Supporter.objects.get(email="ana.ruiz@example.org")
    assert (ana.title, ana.first_name, ana.last_name) == ("Ms.", "Ana", "Ruiz")
    assert (ana.address_line1, ana.city, ana.region, ana.postal_code) == (
        "12 Elm St", "Queens", "NY", "11368",
    )  # fmt: skip
    assert ana.phone == "(718) 555-0101"
    luis = Supporter.objects.get(last_name="López")
    assert luis.email == "luis.lopez@example.org", "the row with no email folded into his"
    assert luis.region == "NY"
    casa = Supporter.objects.get(organisation_name="Casa Esperanza Foundation")
    assert casa.kind == "organisation" and casa.email == ""

    gifts = {
        (g.supporter_id, g.received_on): g for g in Gift.objects.select_related("campaign", "fund")
    }
    assert len(gifts) == 5
    first = gifts[(ana.pk, datetime.date(2024, 1, 15))]
    assert first.amount == Decimal("250.00") and first.method == "cheque"
    assert first.campaign.name == "Annual Fund 2024" and first.fund.code == "general"
    assert first.appeal_code == "Spring Letter" and first.notes == "First gift"
    assert first.acknowledgement == "thanked"
    assert gifts[(ana.pk, datetime.date(2024, 6, 15))].fund.name == "Legal Defense"
    assert gifts[(ana.pk, datetime.date(2024, 6, 15))].method == "card"
    assert gifts[(luis.pk, datetime.date(2024, 2, 1))].acknowledgement == "pending"
    assert gifts[(luis.pk, datetime.date(2024, 9, 1))].acknowledgement == "pending"
    assert gifts[(casa.pk, datetime.date(2024, 12, 1))].amount == Decimal("5000.00")
    assert sorted(Campaign.objects.values_list("name", flat=True)) == [
        "Annual Fund 2024", "Gala 2024",
    ]  # fmt: skip

    before = counts()
    again = run(DONOR_EXPORT)
    assert again.ok and counts() == before, "a second import changes nothing"
    assert again.totals["skip"] == 5 and again.totals["new"] == 0
    assert again.totals["donors_skip"] == 3


def test_staff_may_map_a_new_campaign_to_one_on_file_before_the_import_runs():
    gala = Campaign.objects.create(name="Spring Gala", code="gala24")
    preview = run(DONOR_EXPORT, dry_run=True)
    [choice] = [c for c in preview.choices if c["key"] == "campaign:gala-2024"]
    assert [str(gala.pk), f"Use {gala}"] in choice["options"]
    run(DONOR_EXPORT, decisions={"campaign:gala-2024": str(gala.pk)})
    assert gala.gifts.count() == 2
    assert not Campaign.objects.filter(name="Gala 2024").exists()


def test_a_contact_list_with_one_person_under_two_ids_becomes_one_supporter_with_both(
    staff_client,
):
    report = run(CONTACTS)
    assert report.written, [r.errors for r in report.invalid_rows]
    assert "Rows 1 and 3 are one supporter: Ana Ruiz." in report.notes
    assert any("kept as Previous CRM ids (guessed from the column 'Donor_ID'" in n
               for n in report.notes)  # fmt: skip
    assert Supporter.objects.count() == 2
    ana = Supporter.objects.get(email="ana.ruiz@example.org")
    assert sorted(ana.source_ids.values_list("system", "value")) == [
        ("Previous CRM", "D-100"), ("Previous CRM", "D-245"),
    ]  # fmt: skip
    luis = Supporter.objects.get(last_name="López")
    assert list(luis.source_ids.values_list("value", flat=True)) == ["D-101"]
    page = staff_client.get(f"/admin/crm/supporter/{ana.pk}/change/").content.decode()
    assert "Previous CRM: D-100, Previous CRM: D-245" in page

    before = counts()
    again = run(CONTACTS)
    assert again.ok and counts() == before
    assert again.totals["skip"] == 2 and again.totals["folded"] == 1


def test_everyaction_gifts_with_vanid_and_no_email_match_by_id_and_keep_their_ids():
    report = run(EVERYACTION)
    assert report.written, [r.errors for r in report.invalid_rows]
    assert any("kept as EveryAction ids" in n for n in report.notes)
    marta = Supporter.objects.get(last_name="Gómez")
    assert marta.email == "" and marta.gifts.count() == 3, "two gifts on one day, two ids"
    assert list(marta.source_ids.values_list("system", "value")) == [("EveryAction", "100231")]
    assert sorted(Gift.objects.values_list("source_system", "source_id")) == [
        ("EveryAction", "TX-9001"), ("EveryAction", "TX-9002"), ("EveryAction", "TX-9003"),
        ("EveryAction", "TX-9010"),
    ]  # fmt: skip
    pedro = Supporter.objects.get(last_name="Sánchez")
    assert pedro.gifts.get().amount == Decimal("1500.00")
    assert pedro.gifts.get().method == "bank_transfer"

    before = counts()
    again = run(EVERYACTION)
    assert again.ok and counts() == before, "a second import changes nothing"
    assert again.totals["skip"] == 4 and again.totals["donors_skip"] == 2

    # Renamed and moved since: still found by the id, first; the file's values come back.
    Supporter.objects.filter(pk=marta.pk).update(first_name="Martita", postal_code="10001")
    third = run(EVERYACTION)
    assert third.totals["skip"] == 4 and third.totals["donors_update"] == 1
    assert counts()[:3] == before[:3]
    marta.refresh_from_db()
    assert (marta.first_name, marta.postal_code) == ("Marta", "11372")


def test_a_donor_on_file_gains_the_source_id_of_a_later_file():
    luis = Supporter.objects.create(first_name="Luis", last_name="Lopez", postal_code="11368")
    headers = ["VANID", "First Name", "Last Name", "Zip", "Date Received", "Amount"]
    report = FILE_IMPORT.run(
        headers=headers, rows=[["555", "Luis", "López", "11368", "2024-01-02", "20"]],
        dry_run=False,
    )  # fmt: skip
    assert report.written and report.totals["donors_update"] == 1
    assert list(luis.source_ids.values_list("system", "value")) == [("EveryAction", "555")]
    assert luis.gifts.count() == 1


def test_the_command_runs_the_same_import_and_says_what_it_would_do(capsys):
    call_command("import_file", str(DONOR_EXPORT), "--dry-run")
    out = capsys.readouterr().out
    assert "read as gifts" in out
    assert "5 gifts to record, 0 already recorded (skipped); donors: 3 new" in out
    assert "Rows 1 and 3 are one donor: Ana Ruiz, 2 gifts." in out
    assert "New campaign 'Gala 2024' (2 gifts): Create the campaign 'Gala 2024'" in out
    assert Gift.objects.count() == 0

    call_command("import_file", str(CONTACTS), "--source", "Old CRM")
    assert SourceId.objects.filter(system="Old CRM").count() == 3
    assert "Imported." in capsys.readouterr().out


def test_the_command_exits_non_zero_on_a_file_that_would_not_import(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("First Name,Last Name,Email\nAna,Ruiz,not-an-email\n")
    with pytest.raises(CommandError, match="was not imported"):
        call_command("import_file", str(bad))
    assert "Row 1: Email: 'not-an-email' is not a valid email address." in capsys.readouterr().err
    with pytest.raises(CommandError, match="no saved mapping named 'Bloomerang'"):
        call_command("import_file", str(CONTACTS), "--mapping", "Bloomerang")
    assert Supporter.objects.count() == 0


def test_the_admin_previews_the_folds_and_the_new_campaigns_then_imports_as_staff_chose(
    staff_client,
):
    legal = Fund.objects.create(name="Legal", code="legal")
    upload = SimpleUploadedFile(DONOR_EXPORT.name, DONOR_EXPORT.read_bytes())
    page = staff_client.post(
        "/admin/crm/supporter/import/",
        {"import_file": upload, "format": "0", "source_system": ""},
    )
    text = html.unescape(page.content.decode())
    assert "This file is read as gifts, each with its donor." in text
    assert "Rows 1 and 3 are one donor: Ana Ruiz, 2 gifts." in text
    assert "New fund 'Legal Defense' (2 gifts)" in text
    assert "new donor" in text and "same donor as row 1" in text
    assert "no: waits in the thank-you queue" in text
    assert Gift.objects.count() == 0

    job = page.context["confirm_form"].initial["job"]
    done = staff_client.post(
        "/admin/crm/supporter/process_import/",
        {"job": job, "choice:fund:legal-defense": str(legal.pk), "choice:fund:bogus": "1"},
    )
    assert done.status_code == 302
    assert legal.gift_set.count() == 2 and not Fund.objects.filter(name="Legal Defense").exists()
    assert Supporter.objects.count() == 3 and Gift.objects.count() == 5


def test_a_couple_typed_in_one_name_cell_becomes_a_couple_with_its_own_envelope(tmp_path):
    """The issue's own row: 'Mr. & Mrs.' and 'Luis & Ana' in one export row per gift, with
    the address and phone columns that used to be ignored and a gift not yet acknowledged."""
    header = DONOR_EXPORT.read_text(encoding="utf-8").splitlines()[0]
    row = (
        '"Mr. & Mrs.","Luis & Ana","","Ramírez","","","88 Roosevelt Ave","Queens","NY",'
        '"11372","(718) 555-0142","","","03/02/2024","$1,200.00","General","","","Check","No",""'
    )
    path = tmp_path / "couple.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    report = run(path)
    assert report.ok, [r.errors for r in report.invalid_rows]
    couple = Supporter.objects.get()
    assert (couple.title, couple.first_name, couple.last_name) == ("Mr.", "Luis", "Ramírez")
    assert (couple.partner_title, couple.partner_first_name) == ("Mrs.", "Ana")
    assert "Luis & Ana" not in couple.effective_addressee
    assert "Mr. & Mrs. Luis" not in couple.effective_addressee
    assert "Ana" in couple.effective_addressee and "Ramírez" in couple.effective_addressee
    assert couple.address_lines[0] == "88 Roosevelt Ave"
    assert (couple.postal_code, couple.phone) == ("11372", "(718) 555-0142")
    gift = Gift.objects.get()
    assert (gift.amount, gift.received_on) == (Decimal("1200.00"), datetime.date(2024, 3, 2))
    assert gift.acknowledgement == Gift.Acknowledgement.PENDING
