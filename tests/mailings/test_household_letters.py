"""One letter per household in print mailings: two members in the audience get one letter
greeting them together ('Dear Ben and Ada,') on one envelope; the plan, the send page and the
results say so; a member who may not be mailed is not named and lends no address; emails stay
one per person; letters can use the household greeting as a merge field."""

import csv
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from crm.households.services import household_add_members, household_update
from mailings.audiences.models import Audience
from mailings.letters.merge_values import recipients
from mailings.models import Mailing
from mailings.sending.models import Delivery
from mailings.sending.services import mailing_plan, mailing_send
from tests.factories import SupporterFactory
from tests.mailings.letters import letter_with_versions

pytestmark = pytest.mark.django_db
HOME = {"address_line1": "12 Oak St", "city": "Oakland", "region": "CA", "postal_code": "94607"}


def url(name: str, mailing: Mailing, *args: str) -> str:
    return reverse(f"admin:mailings_mailing_{name}", args=[mailing.pk, *args])


def print_mailing(channel=Mailing.Channel.PRINT, **versions) -> Mailing:
    letter = letter_with_versions(**versions)
    letter.reply_slip = False  # one page a letter: pages count letters
    letter.save()
    return Mailing.objects.create(
        name="Spring appeal", slug="spring", letter=letter, channel=channel,
        audience=Audience.objects.create(name="Everyone"),
    )  # fmt: skip


def okafors(**ada):
    ben = SupporterFactory(first_name="Ben", last_name="Okafor", email="ben@example.org", **HOME)
    fields = {"first_name": "Ada", "last_name": "Okafor", "email": "ada@example.org", **HOME}
    ada = SupporterFactory(**(fields | ada))
    household_add_members(supporter=ben, others=[ada])
    ben.refresh_from_db(), ada.refresh_from_db()
    return ben, ada


def printed(client, mailing: Mailing, capture) -> tuple[list[str], list[list[str]]]:
    with capture(execute=True):  # the print task runs at once in tests
        assert client.post(url("print", mailing)).status_code == 302
    mailing.refresh_from_db()
    assert mailing.print_status == Mailing.PrintStatus.DONE, mailing.print_error
    pdf = b"".join(client.get(url("print_file", mailing, "pdf")).streaming_content)
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]
    listing = b"".join(client.get(url("print_file", mailing, "csv")).streaming_content)
    return pages, list(csv.reader(io.StringIO(listing.decode("utf-8-sig"))))


def test_a_household_of_two_gets_one_letter_greeting_both(
    staff_client, staff, settings, django_capture_on_commit_callbacks
):
    settings.PRINT_RUN_WORKERS = 1
    ben, ada = okafors()
    cy = SupporterFactory(first_name="Cy", last_name="Lee", address_line1="3 Elm St", **{
        k: v for k, v in HOME.items() if k != "address_line1"})  # fmt: skip
    mailing = print_mailing()

    plan = mailing_plan(mailing)
    assert sorted(pk for pk, _ in plan.print.recipients) == sorted([ben.pk, ada.pk, cy.pk])
    assert plan.print.letters == {"letters": 2, "household_letters": 1, "household_people": 2}
    page = staff_client.get(url("send", mailing)).content.decode()
    printed_plan = page.split('id="plan-print"')[1]
    assert '<div class="mailing-big">2</div>' in printed_plan
    assert "including 1 household letter for 2 people" in printed_plan

    mailing_send(mailing=mailing, user=staff)
    # Each member's copy is recorded: their profiles list the mailing.
    assert set(Delivery.objects.filter(channel="print").values_list("supporter_id", flat=True)) == {
        ben.pk, ada.pk, cy.pk}  # fmt: skip
    pages, rows = printed(staff_client, mailing, django_capture_on_commit_callbacks)

    text = " ".join(pages)
    assert len(pages) == 2
    assert text.count("Dear Ben and Ada,") == 1 and text.count("Dear Cy,") == 1
    assert "Dear Ben," not in text and "Dear Ada," not in text
    assert text.count("Ben and Ada Okafor") == 1  # one envelope name in the window
    assert [r[1] for r in rows[1:]] == ["Ben and Ada Okafor", "Cy Lee"] or [
        r[1] for r in rows[1:]] == ["Cy Lee", "Ben and Ada Okafor"]  # fmt: skip
    results = staff_client.get(url("results", mailing)).content.decode()
    assert "3 recipients" in results
    assert "2 letters (including 1 household letter for 2 people)" in results


def test_staff_set_names_are_used_on_the_household_letter(
    staff_client, settings, staff, django_capture_on_commit_callbacks
):
    settings.PRINT_RUN_WORKERS = 1
    ben, _ = okafors()
    household_update(household=ben.household, name="", greeting="Okafor family",
                     envelope_name="The Okafor Family")  # fmt: skip
    mailing = print_mailing()
    mailing_send(mailing=mailing, user=staff)
    pages, rows = printed(staff_client, mailing, django_capture_on_commit_callbacks)
    assert pages[0].count("Dear Okafor family,") == 1 and "The Okafor Family" in pages[0]
    assert rows[1][1] == "The Okafor Family"


def test_a_member_who_may_not_be_mailed_is_not_named_and_lends_no_address(
    staff_client, settings, staff, django_capture_on_commit_callbacks
):
    settings.PRINT_RUN_WORKERS = 1
    # The eldest record (the usual addressee) may not be mailed: the others' letter goes to
    # the next member's address, and does not name her.
    old_home = {"address_line1": "1 Old Rd", "city": "Oakland", "postal_code": "94607"}
    ada = SupporterFactory(first_name="Ada", last_name="Okafor", do_not_mail=True, **old_home)
    ben = SupporterFactory(first_name="Ben", last_name="Okafor", **HOME)
    chi = SupporterFactory(first_name="Chi", last_name="Okafor", **HOME)
    household_add_members(supporter=ada, others=[ben, chi])
    mailing = print_mailing()
    plan = mailing_plan(mailing)
    assert plan.print.excluded == {"Do not mail": 1}
    assert plan.print.letters["letters"] == 1
    mailing_send(mailing=mailing, user=staff)
    pages, rows = printed(staff_client, mailing, django_capture_on_commit_callbacks)
    assert len(pages) == 1
    assert "Dear Ben and Chi," in pages[0] and "Ben and Chi Okafor" in pages[0]
    assert "Ada" not in pages[0] and "1 Old Rd" not in pages[0] and "12 Oak St" in pages[0]
    assert rows[1][:3] == [str(ben.pk), "Ben and Chi Okafor", "12 Oak St"]


def test_one_member_alone_in_the_audience_gets_their_own_letter(settings, tmp_path):
    from mailings.printing.print_run import print_run

    ben, ada = okafors(do_not_contact=True)
    run = print_run(print_mailing(), out=tmp_path / "letters.pdf", workers=1)
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "letters.pdf").pages)
    assert run.letters == 1 and run.printed == ((ben.pk,),)
    assert "Dear Ben," in " ".join(text.split()) and "Ada" not in text


def test_emails_stay_one_per_person(staff):
    okafors()
    mailing = print_mailing(channel=Mailing.Channel.EMAIL)
    mailing_send(mailing=mailing, user=staff)
    emails = Delivery.objects.filter(channel="email").values_list("email", flat=True)
    assert sorted(emails) == ["ada@example.org", "ben@example.org"]


def test_letters_can_greet_the_household_by_merge_field():
    ben, _ = okafors()
    alone = SupporterFactory(first_name="Cy", last_name="Lee")
    letter = letter_with_versions(en={"body": "To {{ household_name }}: {{ household_greeting }}"})
    values = {r.supporter.pk: r.values for r in recipients(letter, [ben, alone])}
    assert values[ben.pk]["household_greeting"] == "Ben and Ada"
    assert values[ben.pk]["household_name"] == "The Okafor Family"
    assert values[alone.pk]["household_greeting"] == "Cy"
    assert values[alone.pk]["household_name"] == "Cy Lee"


def test_household_members_are_all_kept_and_others_at_their_door_are_folded():
    from mailings.audiences.selectors import audience_exclusions

    lodger = SupporterFactory(first_name="Lodger", **HOME)  # in no household, same door
    ben, ada = okafors()
    SupporterFactory(first_name="Cy", **HOME | {"address_line1": "3 Elm St"})
    SupporterFactory(first_name="Cy copy", **HOME | {"address_line1": "3 elm st."})
    result = audience_exclusions(Audience(criteria={}), "print")
    assert {s.first_name for s in result.recipients} == {"Ben", "Ada", "Cy"}
    assert result.excluded["same_household"] == 2  # the lodger and Cy's copy
    assert lodger.pk < ben.pk  # the earlier record gives way to the household's letter


def test_a_spanish_household_letter_greets_in_spanish(settings, tmp_path):
    from mailings.printing.print_run import print_run

    ben, ada = okafors(title="Sra.", preferred_language="es")
    Supporter = type(ben)
    Supporter.objects.filter(pk=ben.pk).update(title="Sra.", first_name="Bea",
                                               preferred_language="es")  # fmt: skip
    es = {"salutation_line": "{{ dear }} {{ salutation }}:", "body": "Para {{ household_name }}."}
    mailing = print_mailing(en={}, es=es)
    print_run(mailing, out=tmp_path / "letters.pdf", workers=1)
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(tmp_path / "letters.pdf").pages
    )
    assert "Estimadas Bea y Ada:" in text and "Para Familia Okafor." in text
    assert "Bea y Ada Okafor" in text


def test_send_mailing_dry_run_counts_household_letters():
    from django.core.management import call_command

    okafors()
    print_mailing()
    out = io.StringIO()
    call_command("send_mailing", "spring", "--dry-run", stdout=out)
    assert "print: 2 recipients in 1 letter (1 to households)" in out.getvalue()


def test_the_audience_editor_counts_a_households_letter_once(staff_client):
    okafors()
    SupporterFactory(first_name="Cy", **HOME | {"address_line1": "3 Elm St"})
    body = staff_client.post(reverse("admin:mailings_audience_preview"), {}).json()
    assert body["channels"]["email"]["recipients"] == 3
    assert body["channels"]["print"]["recipients"] == 2
    assert body["channels"]["print"]["excluded"][-1] == {
        "reason": "household", "label": "Sharing a household's letter", "count": 1,
    }  # fmt: skip
