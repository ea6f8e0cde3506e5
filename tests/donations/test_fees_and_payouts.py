"""Payouts reconciled to the cent, and the deposits journal (fees: test_fee_reads.py).

Events are real-shaped and signed; Stripe's API is a local stand-in reached by the real SDK."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client

from crm.models import Supporter
from donations.models import Gift, Payout, PayoutLine, StripeEvent
from donations.services import GiftEntry, gifts_record_batch
from tests.donations.fee_support import charge_of, checkout
from tests.donations.stripe_events import event, post, stripe_object
from tests.stripe_balance_standin import balance_transaction

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("general_fund")]


def _payout_fixture(client, balance_api, settings, *, amount: int, payout_id: str = "po_test_1"):
    """Two online gifts (one partly refunded), a Radar fee, and the payout's own transaction."""
    settings.STRIPE_SECRET_KEY = ""
    first = checkout(client, 11, amount=5000, email="dee@example.org")
    second = checkout(client, 12, amount=10000, email="eve@example.org")
    settings.STRIPE_SECRET_KEY = "sk_test_standin"
    balance_api.payouts[payout_id] = [
        balance_transaction(
            "txn_c1", amount=5000, fee=175, source=charge_of("ch_11", "pi_test_11", amount=5000)
        ),
        balance_transaction(
            "txn_c2", amount=10000, fee=320, source=charge_of("ch_12", "pi_test_12", amount=10000)
        ),
        balance_transaction(
            "txn_r1",
            amount=-2500,
            fee=0,
            type="refund",
            source={
                "id": "re_1",
                "object": "refund",
                "amount": 2500,
                "charge": "ch_12",
                "payment_intent": "pi_test_12",
            },
        ),  # fmt: skip
        balance_transaction(
            "txn_f1",
            amount=-200,
            fee=0,
            type="stripe_fee",
            reporting_category="fee",
            description="Radar for Fraud Teams",
        ),  # fmt: skip
        balance_transaction(
            f"txn_{payout_id}", amount=-amount, fee=0, type="payout", source=payout_id
        ),
    ]
    payout = stripe_object("payout", id=payout_id, amount=amount)
    return first, second, event("payout.paid", payout)


def test_a_payout_whose_gifts_refund_and_fees_add_up_is_reconciled(client, balance_api, settings):
    # 48.25 + 96.80 - 25.00 - 2.00 = 118.05
    first, second, paid = _payout_fixture(client, balance_api, settings, amount=11805)
    assert post(client, paid).status_code == 200
    payout = Payout.objects.get(stripe_payout_id="po_test_1")
    assert payout.status == "paid" and payout.reconciled
    assert (payout.amount, payout.lines_total, payout.difference) == (
        Decimal("118.05"), Decimal("118.05"), Decimal("0.00"),
    )  # fmt: skip
    lines = {line.balance_transaction_id: line for line in payout.lines.all()}
    assert set(lines) == {"txn_c1", "txn_c2", "txn_r1", "txn_f1"}  # not the payout's own
    assert lines["txn_c1"].gift == first and lines["txn_c2"].gift == second
    assert lines["txn_r1"].gift == second and lines["txn_r1"].charge_id == "ch_12"
    assert lines["txn_f1"].gift is None
    first.refresh_from_db()
    assert (first.fee, first.net, first.stripe_charge_id) == (
        Decimal("1.75"), Decimal("48.25"), "ch_11",
    )  # fmt: skip
    pages = [q for path, q in balance_api.requests if path == "/v1/balance_transactions"]
    assert [q.get("starting_after") for q in pages] == [None, ["txn_c2"], ["txn_f1"]]
    assert all(q["payout"] == ["po_test_1"] for q in pages)


def test_a_payout_that_does_not_add_up_is_flagged(client, balance_api, settings, staff_client):
    *_, paid = _payout_fixture(client, balance_api, settings, amount=11806)
    assert post(client, paid).status_code == 200
    payout = Payout.objects.get()
    assert not payout.reconciled and payout.difference == Decimal("0.01")
    page = staff_client.get("/admin/donations/payout/?adds_up=no")
    assert "po_test_1" in page.content.decode()
    assert (
        "po_test_1" not in staff_client.get("/admin/donations/payout/?adds_up=yes").content.decode()
    )
    detail = staff_client.get(f"/admin/donations/payout/{payout.pk}/change/").content.decode()
    assert "Gifts (gross)" in detail and "150.00" in detail and "Donor 12" in detail


def test_a_failed_payout_is_recorded_and_a_late_paid_does_not_undo_it(client, balance_api):
    failed = stripe_object(
        "payout", id="po_failed", status="failed", failure_code="account_closed",
        failure_message="The bank account has been closed.",
    )  # fmt: skip
    assert post(client, event("payout.failed", failed)).status_code == 200
    payout = Payout.objects.get(stripe_payout_id="po_failed")
    assert payout.status == "failed" and "closed" in payout.failure_message
    assert balance_api.requests == []  # a failed payout reached no bank: no lines to match
    post(client, event("payout.paid", stripe_object("payout", id="po_failed")))
    assert Payout.objects.get(stripe_payout_id="po_failed").status == "failed"


def test_a_replayed_or_repeated_payout_event_records_nothing_twice(client, balance_api, settings):
    *_, paid = _payout_fixture(client, balance_api, settings, amount=11805)
    post(client, paid)
    post(client, paid)  # the same delivery again
    again = stripe_object("payout", id="po_test_1", amount=11805)
    post(client, event("payout.paid", again))  # the same payout in another event
    assert Payout.objects.count() == 1 and PayoutLine.objects.count() == 4
    assert StripeEvent.objects.filter(type="payout.paid").count() == 2
    assert Payout.objects.get().reconciled


def _export(out) -> None:
    call_command(
        "export_journal", "--from", "2026-01-01", "--to", "2026-01-31", "--out", str(out),
        stdout=io.StringIO(),
    )  # fmt: skip


def _read_csv(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _read_xlsx(path) -> list[dict]:
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _sums(rows: list[dict]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = {}
    for row in rows:
        sums[row["*Narration"]] = sums.get(row["*Narration"], Decimal(0)) + Decimal(
            str(row["*Amount"])
        )
    return sums


def test_the_journal_of_a_payout_and_a_cheque_batch_balances(
    client, balance_api, settings, tmp_path
):
    _first, _second, paid = _payout_fixture(client, balance_api, settings, amount=11805)
    post(client, paid)
    sly = Supporter.objects.create(first_name='=HYPERLINK("http://x")', last_name="Sly")
    ann = Supporter.objects.create(first_name="Ann", last_name="Cheque")
    day = datetime.date(2026, 1, 5)
    gifts_record_batch(
        entries=[
            GiftEntry(
                supporter=sly, amount=Decimal("20.00"), received_on=day, cheque_number="1001"
            ),
            GiftEntry(
                supporter=ann, amount=Decimal("250.00"), received_on=day, cheque_number="1002"
            ),
        ],
        deposit_date=datetime.date(2026, 1, 6),
    )
    for kind, read in (("csv", _read_csv), ("xlsx", _read_xlsx)):
        out = tmp_path / f"journal.{kind}"
        _export(out)
        rows = read(out)
        sums = _sums(rows)
        assert set(sums) == {"Stripe payout po_test_1", "Bank deposit 2026-01-06"}
        assert all(total == 0 for total in sums.values()), sums
        stripe = [r for r in rows if r["*Narration"] == "Stripe payout po_test_1"]
        assert [r["Type"] for r in stripe] == [
            "Gift",
            "Gift",
            "Refund",
            "Stripe fee",
            "Fees",
            "Deposit",
        ]
        deposit = stripe[-1]
        assert Decimal(str(deposit["*Amount"])) == Decimal("118.05")
        assert deposit["*AccountCode"] == settings.JOURNAL_ACCOUNT_STRIPE_CLEARING
        gift = stripe[1]
        assert gift["Donor"] == "Donor 12" and gift["TrackingOption1"] == "General operating"
        assert [Decimal(str(gift[c])) for c in ("Gross", "Fee", "Net", "*Amount")] == [
            Decimal("100.00"), Decimal("3.20"), Decimal("96.80"), Decimal("-100.00"),
        ]  # fmt: skip
        cheques = [r for r in rows if r["*Narration"] == "Bank deposit 2026-01-06"]
        assert cheques[0]["Donor"].startswith("'=HYPERLINK")  # text, never a formula
        assert cheques[0]["Description"].startswith("Check no. 1001 from")
        assert Decimal(str(cheques[-1]["*Amount"])) == Decimal("270.00")
    assert _read_csv(tmp_path / "journal.csv")[0]["*Date"] == "06 Jan 2026"
    sheet = openpyxl.load_workbook(tmp_path / "journal.xlsx").active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_journal_keeps_an_unreconciled_payout_balanced_in_suspense(
    client, balance_api, settings, tmp_path
):
    *_, paid = _payout_fixture(client, balance_api, settings, amount=11806)
    post(client, paid)
    out = tmp_path / "journal.csv"
    _export(out)
    rows = _read_csv(out)
    assert all(total == 0 for total in _sums(rows).values())
    odd = [r for r in rows if r["Type"] == "Unreconciled difference"]
    assert len(odd) == 1 and odd[0]["*AccountCode"] == settings.JOURNAL_ACCOUNT_SUSPENSE
    assert "Does not add up" in odd[0]["Description"]


def test_staff_download_the_journal_from_the_admin_and_the_board_cannot(
    client, balance_api, settings, staff, board
):
    *_, paid = _payout_fixture(client, balance_api, settings, amount=11805)
    post(client, paid)
    query = "?start=2026-01-01&end=2026-01-31&kind=csv"
    staff_client, board_client = Client(), Client()
    staff_client.force_login(staff)
    board_client.force_login(board)
    response = staff_client.get("/admin/donations/payout/journal/" + query)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('journal-2026-01-01-to-2026-01-31.csv"')
    assert b"Stripe payout po_test_1" in response.content
    form = staff_client.get("/admin/donations/payout/journal/")
    assert b"Xero" in form.content
    assert board_client.get("/admin/donations/payout/journal/" + query).status_code == 403


def test_the_demo_has_reconciled_payouts_and_cheque_batches_whose_journal_balances(tmp_path):
    call_command("seed_demo", supporters=60, seed=3, stdout=io.StringIO())
    assert Payout.objects.exists() and not Payout.objects.filter(reconciled=False).exists()
    assert Gift.objects.filter(method="cheque", deposit_date__isnull=True).count() == 0
    out = tmp_path / "demo.csv"
    call_command(
        "export_journal", "--from", "2020-01-01", "--to", "2030-12-31", "--out", str(out),
        stdout=io.StringIO(),
    )  # fmt: skip
    rows = _read_csv(out)
    sums = _sums(rows)
    assert any(name.startswith("Bank deposit") for name in sums)
    assert any(name.startswith("Stripe payout") for name in sums)
    assert all(total == 0 for total in sums.values())
