"""Merging two supporters who were both sent the same year's statement keeps one send record
for that year and channel (the earliest), and the survivor is not sent it again."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from core import recompute
from core.models import Organisation
from crm.models import Supporter
from crm.services import supporters_merge
from donations.acknowledgements.statement_runs import statement_plan, statements_email
from donations.models import Gift, StatementSend
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db
YEAR = 2026


@pytest.fixture(autouse=True)
def calendar_fiscal_year():
    organisation = Organisation.current()
    organisation.fiscal_year_start_month = 1
    organisation.name = "Immigrant Justice Project"
    organisation.save()


def donor(first: str, email: str) -> Supporter:
    supporter = SupporterFactory(first_name=first, last_name="Lopez", email=email)
    Gift.objects.create(
        supporter=supporter, amount=Decimal("50"), method="cheque",
        received_on=datetime.date(YEAR, 3, 1), acknowledgement="thanked",
    )  # fmt: skip
    return supporter


def emailed_on(day: datetime.date, *, mailoutbox) -> None:
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(15), datetime.UTC)):
        statements_email(fiscal_year=YEAR)


def test_a_merge_of_two_donors_sent_the_same_statement_keeps_the_earliest_send(
    staff_client, mailoutbox
):
    maria = donor("Maria", "maria@example.org")
    emailed_on(datetime.date(2027, 1, 15), mailoutbox=mailoutbox)
    # The duplicate record was added later and got its own statement a week on.
    twin = donor("Maria", "m.lopez@work.example")
    emailed_on(datetime.date(2027, 1, 22), mailoutbox=mailoutbox)
    first = StatementSend.objects.get(supporter=maria)
    assert StatementSend.objects.filter(year=YEAR, channel="email").count() == 2
    sent_before = len(mailoutbox)

    # Through the admin's merge page, keeping the later record.
    url = f"/admin/crm/supporter/merge/{maria.pk}/{twin.pk}/"
    response = staff_client.post(url, {"keep": twin.pk})

    assert response.status_code == 302
    assert list(Supporter.objects.values_list("pk", flat=True)) == [twin.pk]
    [kept] = StatementSend.objects.filter(year=YEAR)
    assert (kept.pk, kept.supporter_id, kept.sent_at) == (first.pk, twin.pk, first.sent_at)
    note = twin.notes.get(text__contains="same year-end statement")
    assert f"FY{YEAR} by email to #{twin.pk} on 2027-01-22" in note.text

    # The survivor counts as sent: another run emails no one.
    [line] = statement_plan(fiscal_year=YEAR).lines
    assert line.sent == kept
    run = statements_email(fiscal_year=YEAR)
    assert (run.sent, run.already_sent, len(mailoutbox)) == (0, 1, sent_before)


def test_corrections_and_other_years_and_channels_all_move_with_the_merge(mailoutbox):
    keep, other = donor("Ana", "ana@example.org"), donor("Ana", "")
    sends = [
        StatementSend(supporter=keep, year=YEAR, channel="email"),
        StatementSend(supporter=keep, year=YEAR, channel="email", is_correction=True, note="x"),
        StatementSend(supporter=other, year=YEAR, channel="post"),
        StatementSend(supporter=other, year=YEAR - 1, channel="email"),
        StatementSend(supporter=other, year=YEAR, channel="email", is_correction=True, note="y"),
    ]
    StatementSend.objects.bulk_create(sends)

    supporters_merge(survivor=keep, other=other)

    assert StatementSend.objects.filter(supporter=keep).count() == 5
    assert not keep.notes.filter(text__contains="statement").exists()


def test_the_statement_sends_are_settled_before_the_rows_move():
    assert [f.__name__ for f in recompute.supporters_merging.registered] == [
        "_statement_sends_before_merge"
    ]
