"""Refunds are dated rows: a refund lands in the fiscal year it was made, in the donor summary
and on the year-end statement, whether staff made it or Stripe did, and never twice."""

import datetime
import importlib
import io
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from core.models import Organisation
from donations.acknowledgements.receipts import receipt_issue
from donations.acknowledgements.statement_runs import statements_email
from donations.models import DonorSummary, DonorYearTotal, Fund, Gift, Receipt, Refund, StripeEvent
from donations.refunds import refund_record
from donations.services import GiftEntry, gift_record
from tests.donations.stripe_events import event, post, stripe_object
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

DEC_20 = datetime.datetime(2026, 12, 20, 15, tzinfo=datetime.UTC)
JAN_10 = datetime.datetime(2027, 1, 10, 15, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def calendar_year(db):
    """FY2026 is January to December 2026; the clock stands in February 2027."""
    Fund.objects.create(name="General operating", code="general", is_default=True)
    organisation = Organisation.current()
    organisation.fiscal_year_start_month = 1
    organisation.name = "Immigrant Justice Project"
    organisation.save()
    with time_machine.travel(datetime.datetime(2027, 2, 1, 15, tzinfo=datetime.UTC), tick=False):
        yield


def years(supporter) -> dict[int, Decimal]:
    rows = DonorYearTotal.objects.filter(supporter=supporter)
    return dict(rows.values_list("fiscal_year", "total"))


def statement_text(sent_mail, year: int) -> str:
    sent_mail().clear()
    statements_email(fiscal_year=year)
    [message] = sent_mail()
    pdf = message.attachments[0][1]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())  # table cells wrap: compare words, not line breaks


def test_a_january_refund_of_a_december_gift_lands_in_january(staff, sent_mail):
    maria = SupporterFactory(first_name="Maria", last_name="Lopez", email="maria@example.org")
    gift = gift_record(
        entry=GiftEntry(supporter=maria, amount=Decimal("100.00"), received_on=DEC_20.date())
    )

    refund = refund_record(
        gift=gift,
        amount=Decimal("40.00"),
        refunded_on=JAN_10.date(),
        reason="Cheque returned in part",
        recorded_by=staff,
    )

    assert (refund.refunded_on, refund.recorded_by, refund.stripe_refund_id) == (
        JAN_10.date(), staff, None,
    )  # fmt: skip
    gift.refresh_from_db()
    assert (gift.status, gift.amount_refunded) == ("partially_refunded", Decimal("40.00"))
    assert years(maria) == {2026: Decimal("100.00"), 2027: Decimal("-40.00")}
    assert DonorSummary.objects.get(supporter=maria).lifetime_total == Decimal("60.00")

    december = statement_text(sent_mail, 2026)
    assert "December 20, 2026" in december and "$100.00" in december
    assert "$40.00" not in december and "$60.00" not in december
    january = statement_text(sent_mail, 2027)
    assert "January 10, 2027" in january and "Refund of the gift of December 20, 2026" in january
    assert "-$40.00" in january


def test_a_refund_in_the_gifts_own_year_is_netted_and_listed_with_its_date(sent_mail):
    maria = SupporterFactory(first_name="Maria", last_name="Lopez", email="maria@example.org")
    gift = gift_record(
        entry=GiftEntry(supporter=maria, amount=Decimal("100.00"), received_on=DEC_20.date())
    )
    refund_record(gift=gift, amount=Decimal("25.00"), refunded_on=datetime.date(2026, 12, 28))
    assert years(maria) == {2026: Decimal("75.00")}
    text = statement_text(sent_mail, 2026)
    assert "$75.00" in text and "$100.00 given, less refunds: $25.00 (December 28, 2026)" in text


def test_a_gift_refunded_in_full_within_its_year_leaves_no_year_of_giving():
    maria = SupporterFactory()
    gift = gift_record(
        entry=GiftEntry(supporter=maria, amount=Decimal("30.00"), received_on=DEC_20.date())
    )
    refund_record(gift=gift, amount=Decimal("30.00"), refunded_on=datetime.date(2026, 12, 21))
    gift.refresh_from_db()
    assert gift.status == "refunded"
    assert years(maria) == {}
    assert not DonorSummary.objects.filter(supporter=maria).exists()


def test_a_staff_refund_of_a_receipted_gift_reissues_its_receipt(staff):
    gift = gift_record(
        entry=GiftEntry(
            supporter=SupporterFactory(), amount=Decimal("300.00"), received_on=DEC_20.date()
        )
    )
    receipt_issue(gift=gift)
    refund_record(gift=gift, amount=Decimal("100.00"), refunded_on=JAN_10.date(), recorded_by=staff)
    latest = Receipt.objects.filter(gift=gift).order_by("-version").first()
    assert (latest.version, latest.reason, latest.amount) == (2, "refund", Decimal("200.00"))


@pytest.mark.parametrize(
    ("amount", "day", "field", "message"),
    [
        ("60.01", JAN_10.date(), "amount", "cannot exceed what is left of the gift: $60.00"),
        ("0", JAN_10.date(), "amount", "more than zero"),
        ("10", datetime.date(2026, 12, 19), "refunded_on", "before the gift was received"),
        ("10", datetime.date(2027, 3, 1), "refunded_on", "in the future"),
    ],
)
def test_an_impossible_refund_is_refused_and_changes_nothing(amount, day, field, message):
    maria = SupporterFactory()
    gift = gift_record(
        entry=GiftEntry(supporter=maria, amount=Decimal("100.00"), received_on=DEC_20.date())
    )
    refund_record(gift=gift, amount=Decimal("40.00"), refunded_on=JAN_10.date())

    with pytest.raises(ValidationError) as refused:
        refund_record(gift=gift, amount=Decimal(amount), refunded_on=day)

    assert message in " ".join(refused.value.message_dict[field])
    assert list(Refund.objects.values_list("amount", flat=True)) == [Decimal("40.00")]
    gift.refresh_from_db()
    assert gift.amount_refunded == Decimal("40.00")
    assert years(maria) == {2026: Decimal("100.00"), 2027: Decimal("-40.00")}


def stripe_refund(refund_id: str, cents: int, when: datetime.datetime) -> dict:
    return {
        "id": refund_id,
        "object": "refund",
        "amount": cents,
        "charge": "ch_test_payment_1",
        "created": int(when.timestamp()),
        "currency": "usd",
        "payment_intent": "pi_test_payment_1",
        "reason": "requested_by_customer",
        "status": "succeeded",
    }


def charge_refunded(*refunds: dict) -> dict:
    return stripe_object(
        "charge_refunded",
        amount_refunded=sum(r["amount"] for r in refunds),
        refunded=False,
        refunds={"object": "list", "data": list(refunds), "has_more": False},
    )


def test_stripe_partial_refunds_twice_then_replayed_are_recorded_once_each(client):
    session = stripe_object("checkout_session_payment", created=int(DEC_20.timestamp()))
    post(client, event("checkout.session.completed", session))
    first = stripe_refund("re_1", 2000, datetime.datetime(2026, 12, 28, 15, tzinfo=datetime.UTC))
    second = stripe_refund("re_2", 1000, JAN_10)
    early = event("charge.refunded", charge_refunded(first), event_id="evt_refund_1")
    late = event("charge.refunded", charge_refunded(second, first), event_id="evt_refund_2")

    assert post(client, early).status_code == 200
    assert post(client, late).status_code == 200
    assert post(client, early).status_code == 200  # the same event again
    # The first refund again in a new event (Stripe resends on a retry of its own), and the
    # older event arriving after the newer one: nothing is recorded twice.
    again = event("charge.refunded", charge_refunded(first), event_id="evt_refund_1_again")
    assert post(client, again).status_code == 200

    rows = Refund.objects.order_by("refunded_on")
    assert [(r.stripe_refund_id, r.amount, r.refunded_on) for r in rows] == [
        ("re_1", Decimal("20.00"), datetime.date(2026, 12, 28)),
        ("re_2", Decimal("10.00"), JAN_10.date()),
    ]
    assert rows[0].reason == "Refunded in Stripe: requested by the donor"
    gift = Gift.objects.get()
    assert (gift.status, gift.amount_refunded) == ("partially_refunded", Decimal("30.00"))
    assert years(gift.supporter) == {2026: Decimal("30.00"), 2027: Decimal("-10.00")}
    assert DonorSummary.objects.get().lifetime_total == Decimal("20.00")
    assert StripeEvent.objects.filter(processed_at__isnull=False).count() == 4


def test_a_stripe_refund_beyond_the_gift_needs_attention_and_records_nothing(client):
    session = stripe_object("checkout_session_payment", created=int(DEC_20.timestamp()))
    post(client, event("checkout.session.completed", session))
    too_much = stripe_refund("re_big", 6000, JAN_10)
    payload = event("charge.refunded", charge_refunded(too_much), event_id="evt_big")
    assert post(client, payload).status_code == 200
    assert (
        "cannot exceed what is left of the gift"
        in StripeEvent.objects.get(event_id="evt_big").attention
    )
    assert not Refund.objects.exists() and Gift.objects.get().status == "succeeded"


def test_a_lost_dispute_is_one_dated_refund_however_often_it_arrives(client):
    session = stripe_object("checkout_session_payment", created=int(DEC_20.timestamp()))
    post(client, event("checkout.session.completed", session))
    lost = stripe_object("dispute", status="lost")
    post(client, event("charge.dispute.closed", lost))
    post(client, event("charge.dispute.closed", lost))  # a second delivery under a new id
    [refund] = Refund.objects.all()
    assert (refund.stripe_refund_id, refund.amount, refund.reason) == (
        "du_test_1", Decimal("50.00"), "Dispute lost",
    )  # fmt: skip
    assert refund.refunded_on == datetime.date(2027, 2, 1)
    assert Gift.objects.get().status == "refunded"


def test_the_migration_gives_each_refunded_gift_one_dated_refund():
    maria = SupporterFactory()
    gift = gift_record(
        entry=GiftEntry(supporter=maria, amount=Decimal("80.00"), received_on=DEC_20.date())
    )
    with time_machine.travel(JAN_10, tick=False):
        gift.amount_refunded, gift.status = Decimal("30.00"), "partially_refunded"
        gift.save()  # how refunds were kept before 0013: a field and a history row
    untouched = gift_record(
        entry=GiftEntry(supporter=maria, amount=Decimal("5.00"), received_on=DEC_20.date())
    )
    migration = importlib.import_module("donations.migrations.0013_refunds")

    migration.one_refund_per_refunded_gift(apps, None)

    [refund] = Refund.objects.all()
    assert (refund.gift, refund.amount, refund.refunded_on) == (
        gift, Decimal("30.00"), JAN_10.date(),
    )  # fmt: skip
    assert not untouched.refunds.exists()


def test_staff_record_a_refund_from_the_gift_page_and_see_it_listed(staff_client, staff):
    gift = gift_record(
        entry=GiftEntry(
            supporter=SupporterFactory(), amount=Decimal("100.00"), received_on=DEC_20.date()
        )
    )
    page = staff_client.get(f"/admin/donations/gift/{gift.pk}/change/")
    assert f'href="/admin/donations/gift/{gift.pk}/refund/"' in page.content.decode()
    url = f"/admin/donations/gift/{gift.pk}/refund/"
    assert "at most $100.00 can still be refunded" in staff_client.get(url).content.decode()

    too_much = staff_client.post(url, {"amount": "150", "refunded_on": "2027-01-10"})
    assert "cannot exceed what is left of the gift" in too_much.content.decode()
    assert not Refund.objects.exists()

    done = staff_client.post(
        url, {"amount": "40", "refunded_on": "2027-01-10", "reason": "Asked by the donor"}
    )
    assert done.status_code == 302 and done.url == f"/admin/donations/gift/{gift.pk}/change/"
    [refund] = Refund.objects.all()
    assert (refund.amount, refund.refunded_on, refund.recorded_by, refund.reason) == (
        Decimal("40.00"), JAN_10.date(), staff, "Asked by the donor",
    )  # fmt: skip
    page = staff_client.get(f"/admin/donations/gift/{gift.pk}/change/").content.decode()
    assert "Asked by the donor" in page and 'name="amount_refunded"' not in page


def test_a_board_member_cannot_record_a_refund(board_client):
    gift = gift_record(
        entry=GiftEntry(
            supporter=SupporterFactory(), amount=Decimal("100.00"), received_on=DEC_20.date()
        )
    )
    response = board_client.post(
        f"/admin/donations/gift/{gift.pk}/refund/", {"amount": "40", "refunded_on": "2027-01-10"}
    )
    assert response.status_code == 403 and not Refund.objects.exists()
