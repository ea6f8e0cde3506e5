"""Year-end statements as a screen, sent once (issue 11, item 7)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from core.models import Organisation
from donations.acknowledgements.statement_runs import (
    StatementError,
    statement_correction_send,
    statement_plan,
    statements_email,
    statements_print,
)
from donations.models import Gift, StatementSend
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db
YEAR = 2026


@pytest.fixture(autouse=True)
def calendar_fiscal_year():
    organisation = Organisation.current()
    organisation.fiscal_year_start_month = 1
    organisation.name, organisation.tax_id = "Immigrant Justice Project", "12-3456789"
    organisation.save()


def give(supporter, amount="50", day=datetime.date(YEAR, 3, 1)):
    return Gift.objects.create(
        supporter=supporter, amount=Decimal(amount), method="cheque", received_on=day,
        acknowledgement="thanked",
    )  # fmt: skip


def donor(first, last, **fields):
    supporter = SupporterFactory(first_name=first, last_name=last, **fields)
    give(supporter)
    return supporter


@pytest.fixture
def donors():
    """Two by email, three by post (ZIPs out of order), four that cannot be reached."""
    return {
        "maria": donor("Maria", "Lopez", email="maria@example.org"),
        "jose": donor("Jose", "Perez", email="jose@example.org", do_not_email=True),
        "zed": donor("Zed", "Post", email="", postal_code="94110"),
        "amy": donor("Amy", "Post", email="", postal_code="02134"),
        "mo": donor("Mo", "Post", email="", postal_code="60614"),
        "dead": donor("Dee", "Ceased", email="dee@example.org", deceased=True),
        "dnc": donor("Dan", "Nocontact", email="dan@example.org", do_not_contact=True),
        "nowhere": donor("No", "Where", email="", address_line1="", postal_code="", city=""),
        "nomail": donor("Nell", "Nomail", email="", do_not_mail=True),
    }


def test_running_twice_emails_each_donor_once_and_records_it(donors, staff, sent_mail):
    first = statements_email(fiscal_year=YEAR, sent_by=staff)
    second = statements_email(fiscal_year=YEAR, sent_by=staff)

    assert (first.sent, first.already_sent) == (2, 0)
    assert (second.sent, second.already_sent) == (0, 2)
    assert sorted(m.to[0] for m in sent_mail()) == ["jose@example.org", "maria@example.org"]
    sends = StatementSend.objects.filter(year=YEAR)
    assert {(s.supporter.first_name, s.channel, s.sent_by, s.is_correction) for s in sends} == {
        ("Maria", "email", staff, False),
        ("Jose", "email", staff, False),
    }


def test_a_statement_for_another_year_is_a_new_statement(donors, sent_mail):
    give(donors["maria"], "10", datetime.date(YEAR + 1, 2, 1))
    statements_email(fiscal_year=YEAR)
    statements_email(fiscal_year=YEAR + 1)
    assert [m.subject for m in sent_mail() if m.to == ["maria@example.org"]] == [
        f"Your {YEAR} giving statement from Immigrant Justice Project",
        f"Your {YEAR + 1} giving statement from Immigrant Justice Project",
    ]


def test_a_correction_is_sent_again_on_purpose_and_marked(donors, staff, sent_mail):
    maria = donors["maria"]
    with pytest.raises(StatementError, match="No 2026 statement has gone to Maria Lopez yet"):
        statement_correction_send(fiscal_year=YEAR, supporter_id=maria.pk, sent_by=staff, note="x")
    statements_email(fiscal_year=YEAR)
    with pytest.raises(StatementError, match="Say what was corrected"):
        statement_correction_send(fiscal_year=YEAR, supporter_id=maria.pk, sent_by=staff, note=" ")

    record, pdf = statement_correction_send(
        fiscal_year=YEAR, supporter_id=maria.pk, sent_by=staff, note="March cheque was $50"
    )

    assert pdf is None and record.is_correction and record.note == "March cheque was $50"
    correction = sent_mail()[-1]
    assert correction.to == ["maria@example.org"]
    assert correction.subject == (
        f"Corrected: your {YEAR} giving statement from Immigrant Justice Project"
    )
    assert "We found a mistake in the giving statement" in correction.body
    name, attached, _ = correction.attachments[0]
    assert name == f"corrected-giving-statement-{YEAR}.pdf"
    text = PdfReader(io.BytesIO(attached)).pages[0].extract_text()
    assert "Corrected statement" in text and "$50.00" in text
    # The year's run still counts her as sent, and does not email her a third time.
    assert statements_email(fiscal_year=YEAR).sent == 0
    assert len([m for m in sent_mail() if m.to == ["maria@example.org"]]) == 2
    assert StatementSend.objects.filter(supporter=maria, year=YEAR).count() == 2


def test_a_spanish_speaking_donor_gets_the_correction_in_spanish(staff, sent_mail):
    maria = donor("María", "López", email="m@example.org", preferred_language="es")
    statements_email(fiscal_year=YEAR)
    statement_correction_send(fiscal_year=YEAR, supporter_id=maria.pk, sent_by=staff, note="x")
    assert sent_mail()[-1].subject.startswith("Corrección: su resumen de donaciones de 2026")
    assert "Encontramos un error" in sent_mail()[-1].body


def test_donors_who_cannot_be_reached_are_listed_with_the_reason(donors):
    plan = statement_plan(fiscal_year=YEAR)
    reasons = {line.supporter.first_name: line.reason for line in plan.unreachable}
    assert reasons == {
        "Dee": "deceased",
        "Dan": "do not contact",
        "No": "no email, no address",
        "Nell": "no email, do not mail",
    }
    assert len(plan.to_email) == 2 and len(plan.to_print) == 3


def test_the_print_pdf_holds_the_postal_donors_in_zip_order_once(donors, staff):
    pdf, count = statements_print(fiscal_year=YEAR, sent_by=staff)

    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert count == 3 and len(pages) == 3
    assert ["Amy" in pages[0], "Mo" in pages[1], "Zed" in pages[2]] == [True] * 3
    assert all("Page 1 of 1" in page for page in pages)  # each statement numbers its own
    assert StatementSend.objects.filter(year=YEAR, channel="post").count() == 3
    # A second download has no one left; 'again' reprints them without a second record.
    assert statements_print(fiscal_year=YEAR, sent_by=staff) == (None, 0)
    again, count = statements_print(fiscal_year=YEAR, sent_by=staff, again=True)
    assert count == 3 and len(PdfReader(io.BytesIO(again)).pages) == 3
    assert StatementSend.objects.filter(year=YEAR, channel="post").count() == 3


def test_the_command_run_twice_sends_once(donors, tmp_path, sent_mail):
    def run() -> str:
        output = io.StringIO()
        call_command("annual_statements", "--year", str(YEAR), "--out", str(tmp_path),
                     stdout=output)  # fmt: skip
        return output.getvalue()

    first, second = run(), run()

    assert "2 emailed, 0 skipped as already emailed, 3 to print" in first
    assert "0 skipped as already printed, 4 could not be reached" in first
    assert "0 emailed, 2 skipped as already emailed, 0 to print" in second
    assert "3 skipped as already printed" in second
    assert len(sent_mail()) == 2
    assert len(PdfReader(tmp_path / f"statements-{YEAR}-print.pdf").pages) == 3


def url(**params: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("admin:donations_statementsend_run") + (f"?{query}" if query else "")


def test_the_screen_shows_counts_previews_and_sends_once(donors, staff_client, sent_mail):
    page = staff_client.get(url(year=YEAR)).content.decode()
    assert "Year-end statements, fiscal year 2026" in page
    assert "<strong>2</strong> donors, 0 emailed already" in page
    assert "<strong>4</strong> donors (deceased" in page and "Not reached: do not contact" in page

    maria = donors["maria"]
    preview = staff_client.get(url(year=YEAR, supporter=maria.pk, preview="pdf"))
    assert preview["Content-Type"] == "application/pdf"
    assert "Maria Lopez" in PdfReader(io.BytesIO(preview.content)).pages[0].extract_text()
    email = staff_client.get(url(year=YEAR, supporter=maria.pk, preview="email")).content.decode()
    assert "Your 2026 giving statement from Immigrant Justice Project" in email
    assert "maria@example.org" in email and not sent_mail()

    for _ in range(2):
        staff_client.post(url(), {"year": YEAR, "action": "email"})
    assert len(sent_mail()) == 2
    page = staff_client.get(url(year=YEAR)).content.decode()
    assert "<strong>2</strong> donors, 2 emailed already" in page

    printed = staff_client.post(url(), {"year": YEAR, "action": "print"})
    assert printed["Content-Disposition"] == 'attachment; filename="statements-2026-print.pdf"'
    corrected = staff_client.post(
        url(), {"year": YEAR, "action": "correct", "supporter": maria.pk, "note": "wrong fund"}
    )
    assert corrected.status_code == 302 and sent_mail()[-1].subject.startswith("Corrected:")


def test_a_board_member_can_look_but_not_send(donors, board_client, sent_mail):
    page = board_client.get(url(year=YEAR))
    assert page.status_code == 200 and "sending them is for development staff" in page.text
    assert "Send the emails" not in page.text
    for action in ("email", "print", "correct"):
        response = board_client.post(
            url(), {"year": YEAR, "action": action, "supporter": donors["maria"].pk, "note": "x"}
        )
        assert response.status_code == 403
    assert not sent_mail() and not StatementSend.objects.exists()


def test_an_outsider_sees_nothing(outsider, client):
    client.force_login(outsider)
    assert client.get(url(year=YEAR)).status_code in (302, 403)
