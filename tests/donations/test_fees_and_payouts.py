"""Stripe fees on gifts, payouts reconciled to the cent, and the deposits journal.

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
from donations.models import Fund, Gift, Payout, PayoutLine, StripeEvent
from donations.services import GiftEntry, gifts_record_batch
from donations.tasks import gift_fee_fill
from tests.donations.stripe_events import event, post, stripe_object
from tests.stripe_balance_standin import BalanceStandIn, balance_transaction

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fund(db):
    return Fund.objects.create(name="General operating", code="general", is_default=True)


@pytest.fixture
def stripe_api(settings):
    with BalanceStandIn() as api:
        settings.STRIPE_API_BASE = api.url
        settings.STRIPE_SECRET_KEY = "sk_test_standin"
        yield api


def _charge(charge_id: str, intent: str, *, amount: int) -> dict:
    return {"id": charge_id, "object": "charge", "amount": amount, "payment_intent": intent}


def _checkout(client, n: int, *, amount: int, email: str) -> Gift:
    session = stripe_object(
        "checkout_session_payment",
        id=f"cs_test_{n}",
        payment_intent=f"pi_test_{n}",
        amount_total=amount,
        amount_subtotal=amount,
        customer_details={"email": email, "name": f"Donor {n}", "address": None},
    )
    assert post(client, event("checkout.session.completed", session)).status_code == 200
    return Gift.objects.get(stripe_checkout_session_id=f"cs_test_{n}")


def _after_commit(callbacks) -> None:
    """What the webhook's transaction.on_commit queued, run as a real commit would."""
    for callback in callbacks:
        callback()


def test_a_checkout_reads_its_fee_in_a_task_after_the_webhook_commits(
    client, stripe_api, django_capture_on_commit_callbacks
):
    txn = balance_transaction("txn_1", amount=5000, fee=175, source="ch_test_1")
    stripe_api.payment_intents["pi_test_1"] = {
        "id": "pi_test_1",
        "object": "payment_intent",
        "amount": 5000,
        "latest_charge": {
            **_charge("ch_test_1", "pi_test_1", amount=5000),
            "balance_transaction": txn,
        },
    }
    with django_capture_on_commit_callbacks() as callbacks:
        gift = _checkout(client, 1, amount=5000, email="ana@example.org")
    # Nothing was read from Stripe while the webhook's transaction was open.
    assert gift.fee is None and stripe_api.requests == []
    _after_commit(callbacks)
    gift.refresh_from_db()
    assert (gift.amount, gift.fee, gift.net) == (
        Decimal("50.00"),
        Decimal("1.75"),
        Decimal("48.25"),
    )
    assert gift.stripe_charge_id == "ch_test_1"
    ((path, query),) = stripe_api.requests  # one read, from the payment intent to the fee
    assert path == "/v1/payment_intents/pi_test_1"
    assert query["expand[0]"] == ["latest_charge.balance_transaction"]
    # Run twice (a worker retried it, a second event queued it): no second read, same fee.
    assert gift_fee_fill.call(gift.pk, "") is False
    assert len(stripe_api.requests) == 1
    gift.refresh_from_db()
    assert gift.fee == Decimal("1.75")


def test_with_the_database_queue_the_thanks_and_fee_read_are_the_events_own_rows(
    client, stripe_api, settings, sent_mail
):
    """The queue in production: a paid gift's two tasks are written with the event, in its
    one transaction, and running them as the worker would thanks the donor and reads the fee.
    """
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    txn = balance_transaction("txn_7", amount=2500, fee=103, source="ch_test_7")
    stripe_api.payment_intents["pi_test_7"] = {
        "id": "pi_test_7",
        "object": "payment_intent",
        "latest_charge": {
            **_charge("ch_test_7", "pi_test_7", amount=2500),
            "balance_transaction": txn,
        },
    }
    gift = _checkout(client, 7, amount=2500, email="lucia@example.org")
    rows = DBTaskResult.objects.order_by("task_path")
    assert [(row.task_path, row.args_kwargs) for row in rows] == [
        ("donations.tasks.gift_fee_fill", {"args": [gift.pk, ""], "kwargs": {}}),
        ("donations.tasks.thank_donor", {"args": [gift.pk], "kwargs": {}}),
    ]
    assert gift.fee is None and stripe_api.requests == []

    for row in rows:  # what the worker runs for each row
        row.task.call(*row.args_kwargs["args"])
    gift.refresh_from_db()
    assert (gift.fee, gift.net, gift.acknowledgement) == (
        Decimal("1.03"),
        Decimal("23.97"),
        Gift.Acknowledgement.THANKED,
    )
    assert [mail.to for mail in sent_mail()] == [["lucia@example.org"]]

    # Stripe sends the checkout again as another event: the gift is known, nothing is queued.
    _checkout(client, 7, amount=2500, email="lucia@example.org")
    assert DBTaskResult.objects.count() == 2


def test_a_fee_read_that_fails_leaves_the_fee_for_the_payout(
    client, stripe_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        gift = _checkout(client, 5, amount=3000, email="el@example.org")  # Stripe answers 404
    gift.refresh_from_db()
    assert gift.fee is None and gift.amount == Decimal("30.00")
    assert [path for path, _ in stripe_api.requests] == ["/v1/payment_intents/pi_test_5"]


def test_a_charge_event_naming_its_balance_transaction_reads_it_once(
    client, stripe_api, settings, django_capture_on_commit_callbacks
):
    settings.STRIPE_SECRET_KEY = ""  # the checkout arrives while no read is possible
    gift = _checkout(client, 2, amount=10000, email="ben@example.org")
    assert gift.fee is None
    settings.STRIPE_SECRET_KEY = "sk_test_standin"
    stripe_api.transactions["txn_2"] = balance_transaction("txn_2", amount=10000, fee=320)
    charge = {**_charge("ch_test_2", "pi_test_2", amount=10000), "balance_transaction": "txn_2"}
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, event("charge.updated", charge)).status_code == 200
        assert stripe_api.requests == []  # not inside the webhook
    gift.refresh_from_db()
    assert (gift.fee, gift.net, gift.stripe_charge_id) == (
        Decimal("3.20"),
        Decimal("96.80"),
        "ch_test_2",
    )
    assert [path for path, _ in stripe_api.requests] == ["/v1/balance_transactions/txn_2"]


def test_a_fee_expanded_in_the_event_needs_no_read(
    client, stripe_api, settings, django_capture_on_commit_callbacks
):
    settings.STRIPE_SECRET_KEY = ""
    gift = _checkout(client, 3, amount=2500, email="cy@example.org")
    settings.STRIPE_SECRET_KEY = "sk_test_standin"
    txn = balance_transaction("txn_3", amount=2500, fee=103)
    charge = {**_charge("ch_test_3", "pi_test_3", amount=2500), "balance_transaction": txn}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post(client, event("charge.succeeded", charge))
    assert callbacks == []  # stored at once: no task queued
    gift.refresh_from_db()
    assert (gift.fee, gift.net) == (Decimal("1.03"), Decimal("23.97"))
    assert stripe_api.requests == []


def _payout_fixture(client, stripe_api, settings, *, amount: int, payout_id: str = "po_test_1"):
    """Two online gifts (one partly refunded), a Radar fee, and the payout's own transaction."""
    settings.STRIPE_SECRET_KEY = ""
    first = _checkout(client, 11, amount=5000, email="dee@example.org")
    second = _checkout(client, 12, amount=10000, email="eve@example.org")
    settings.STRIPE_SECRET_KEY = "sk_test_standin"
    stripe_api.payouts[payout_id] = [
        balance_transaction(
            "txn_c1", amount=5000, fee=175, source=_charge("ch_11", "pi_test_11", amount=5000)
        ),
        balance_transaction(
            "txn_c2", amount=10000, fee=320, source=_charge("ch_12", "pi_test_12", amount=10000)
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


def test_a_payout_whose_gifts_refund_and_fees_add_up_is_reconciled(client, stripe_api, settings):
    # 48.25 + 96.80 - 25.00 - 2.00 = 118.05
    first, second, paid = _payout_fixture(client, stripe_api, settings, amount=11805)
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
    pages = [q for path, q in stripe_api.requests if path == "/v1/balance_transactions"]
    assert [q.get("starting_after") for q in pages] == [None, ["txn_c2"], ["txn_f1"]]
    assert all(q["payout"] == ["po_test_1"] for q in pages)


def test_a_payout_that_does_not_add_up_is_flagged(client, stripe_api, settings, staff_client):
    *_, paid = _payout_fixture(client, stripe_api, settings, amount=11806)
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


def test_a_failed_payout_is_recorded_and_a_late_paid_does_not_undo_it(client, stripe_api):
    failed = stripe_object(
        "payout", id="po_failed", status="failed", failure_code="account_closed",
        failure_message="The bank account has been closed.",
    )  # fmt: skip
    assert post(client, event("payout.failed", failed)).status_code == 200
    payout = Payout.objects.get(stripe_payout_id="po_failed")
    assert payout.status == "failed" and "closed" in payout.failure_message
    assert stripe_api.requests == []  # a failed payout reached no bank: no lines to match
    post(client, event("payout.paid", stripe_object("payout", id="po_failed")))
    assert Payout.objects.get(stripe_payout_id="po_failed").status == "failed"


def test_a_replayed_or_repeated_payout_event_records_nothing_twice(client, stripe_api, settings):
    *_, paid = _payout_fixture(client, stripe_api, settings, amount=11805)
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
    client, stripe_api, settings, tmp_path
):
    _first, _second, paid = _payout_fixture(client, stripe_api, settings, amount=11805)
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
    client, stripe_api, settings, tmp_path
):
    *_, paid = _payout_fixture(client, stripe_api, settings, amount=11806)
    post(client, paid)
    out = tmp_path / "journal.csv"
    _export(out)
    rows = _read_csv(out)
    assert all(total == 0 for total in _sums(rows).values())
    odd = [r for r in rows if r["Type"] == "Unreconciled difference"]
    assert len(odd) == 1 and odd[0]["*AccountCode"] == settings.JOURNAL_ACCOUNT_SUSPENSE
    assert "Does not add up" in odd[0]["Description"]


def test_staff_download_the_journal_from_the_admin_and_the_board_cannot(
    client, stripe_api, settings, staff, board
):
    *_, paid = _payout_fixture(client, stripe_api, settings, amount=11805)
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
