"""A refund staff pay back on a check or cash gift is in the deposits journal: dated on the
refund's day, debiting donations income against the gift's fund and campaign (a negative
gross, as a payout's refund line), and balanced by the money paid out of the clearing account."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from crm.models import Supporter
from donations.models import Campaign, Fund, Gift
from donations.refunds import refund_record
from donations.services import GiftEntry, gift_record, gifts_record_batch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mid_february():
    with time_machine.travel(datetime.datetime(2026, 2, 15, 15, tzinfo=datetime.UTC), tick=False):
        yield


def _journal(tmp_path, start: str, end: str) -> list[dict]:
    out = tmp_path / f"journal-{start}.csv"
    call_command(
        "export_journal", "--from", start, "--to", end, "--out", str(out), stdout=io.StringIO()
    )
    with open(out, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _balances(rows: list[dict]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = {}
    for row in rows:
        name = row["*Narration"]
        sums[name] = sums.get(name, Decimal(0)) + Decimal(row["*Amount"])
    return sums


def test_staff_refunds_of_a_check_and_a_cash_gift_are_journaled_on_the_refund_day(
    staff_client, tmp_path
):
    general = Fund.objects.create(name="General operating", code="general", is_default=True)
    legal = Fund.objects.create(name="Legal defense", code="legal")
    spring = Campaign.objects.create(name="Spring appeal", code="spring26", fund=legal)
    ann = Supporter.objects.create(first_name="Ann", last_name="Reed")
    bo = Supporter.objects.create(first_name="Bo", last_name="Lin")
    check, _other = gifts_record_batch(
        entries=[
            GiftEntry(
                supporter=ann, amount=Decimal("250.00"), received_on=datetime.date(2026, 1, 5),
                cheque_number="1002", campaign=spring,
            ),
            GiftEntry(
                supporter=bo, amount=Decimal("20.00"), received_on=datetime.date(2026, 1, 5),
                cheque_number="1003",
            ),
        ],
        deposit_date=datetime.date(2026, 1, 6),
    )  # fmt: skip
    cash = gift_record(
        entry=GiftEntry(
            supporter=bo, amount=Decimal("40.00"), received_on=datetime.date(2026, 1, 8),
            method=Gift.Method.CASH,
        ),
        deposit_date=datetime.date(2026, 1, 9),
    )  # fmt: skip

    # Staff record the refunds as they do: the check from its page, the cash by the service.
    response = staff_client.post(
        f"/admin/donations/gift/{check.pk}/refund/",
        {"amount": "100", "refunded_on": "2026-01-20", "reason": "Pledge overpaid"},
    )
    assert response.status_code == 302
    refund_record(gift=cash, amount=Decimal("40.00"), refunded_on=datetime.date(2026, 1, 20))
    refund_record(gift=check, amount=Decimal("50.00"), refunded_on=datetime.date(2026, 2, 3))

    rows = _journal(tmp_path, "2026-01-01", "2026-01-31")
    sums = _balances(rows)
    assert list(sums) == [
        "Bank deposit 2026-01-06", "Bank deposit 2026-01-09", "Refunds paid 2026-01-20",
    ]  # fmt: skip
    assert all(total == 0 for total in sums.values()), sums
    paid = [row for row in rows if row["*Narration"] == "Refunds paid 2026-01-20"]
    assert [row["Type"] for row in paid] == ["Refund", "Refund", "Paid out"]
    assert {row["*Date"] for row in paid} == {"20 Jan 2026"}
    to_ann, to_bo, out = paid
    assert to_ann["Description"] == (
        "Refund to Ann Reed: Check no. 1002 of 2026-01-05, banked 2026-01-06"
    )
    assert (to_ann["*AccountCode"], to_ann["Donor"]) == (
        settings.JOURNAL_ACCOUNT_DONATIONS, "Ann Reed",
    )  # fmt: skip
    assert [Decimal(to_ann[c]) for c in ("*Amount", "Gross", "Fee", "Net")] == [
        Decimal("100.00"), Decimal("-100.00"), Decimal("0.00"), Decimal("-100.00"),
    ]  # fmt: skip
    assert (to_ann["TrackingOption1"], to_ann["TrackingOption2"]) == (legal.name, spring.name)
    assert to_bo["Description"].startswith("Refund to Bo Lin: Cash of 2026-01-08")
    assert (to_bo["TrackingOption1"], to_bo["TrackingOption2"]) == (general.name, "")
    assert out["*AccountCode"] == settings.JOURNAL_ACCOUNT_CHEQUE_CLEARING
    assert Decimal(out["*Amount"]) == Decimal("-140.00")

    # The deposits themselves are unchanged by the refunds: the money was banked.
    deposit = [row for row in rows if row["*Narration"] == "Bank deposit 2026-01-06"]
    assert Decimal(deposit[-1]["*Amount"]) == Decimal("270.00")

    # February's refund is February's, alone in its journal.
    february = _journal(tmp_path, "2026-02-01", "2026-02-28")
    assert _balances(february) == {"Refunds paid 2026-02-03": Decimal("0.00")}
    assert Decimal(february[0]["Gross"]) == Decimal("-50.00")


def test_a_refund_of_a_gift_never_banked_by_hand_is_not_in_the_refunds_journal(tmp_path):
    Fund.objects.create(name="General operating", code="general", is_default=True)
    online = gift_record(
        entry=GiftEntry(
            supporter=Supporter.objects.create(first_name="Cy", last_name="Web"),
            amount=Decimal("30.00"), received_on=datetime.date(2026, 1, 5),
            method=Gift.Method.CARD,
            details={"stripe_charge_id": "ch_test_online"},
        ),
        deposit_date=datetime.date(2026, 1, 7),  # even given one, Stripe banks it
    )  # fmt: skip
    refund_record(gift=online, amount=Decimal("30.00"), refunded_on=datetime.date(2026, 1, 20))
    # A Stripe gift's refunds are lines of the payout that paid them, never journaled here.
    assert _journal(tmp_path, "2026-01-01", "2026-01-31") == []
