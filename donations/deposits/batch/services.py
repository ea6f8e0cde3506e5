"""Recording a batch of checks: the batch's date, fund and campaign passed down to its rows,
every row checked by the ledger's rules and this screen's own, then all saved or none."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import formats

from core.money import money_text
from crm.models import Supporter
from donations.models import Campaign, Fund, Gift
from donations.services import GiftEntry, gift_check, gifts_record_batch

Errors = dict[str | None, list[str]]  # by field; None: about the whole row or batch


@dataclass(frozen=True)
class Batch:
    """What every row inherits unless it says otherwise."""

    deposit_date: datetime.date
    fund: Fund | None = None
    campaign: Campaign | None = None
    reference: str = ""
    expected_total: Decimal | None = None


@dataclass(frozen=True)
class ChequeRow:
    number: int  # the row's place on the screen, for its errors
    supporter: Supporter
    amount: Decimal
    cheque_number: str = ""
    received_on: datetime.date | None = None
    fund: Fund | None = None
    campaign: Campaign | None = None


class BatchRefused(Exception):
    """Nothing was saved; the reasons, for the batch and by row number."""

    def __init__(self, *, batch: Errors | None = None, rows: dict[int, Errors] | None = None):
        super().__init__("The batch was not saved.")
        self.batch = batch or {}
        self.rows = rows or {}


def cheque_batch_entry(batch: Batch, row: ChequeRow) -> GiftEntry:
    return GiftEntry(
        supporter=row.supporter,
        amount=row.amount,
        received_on=row.received_on or batch.deposit_date,
        method=Gift.Method.CHEQUE,
        cheque_number=row.cheque_number.strip(),
        fund=row.fund or batch.fund,
        campaign=row.campaign or batch.campaign,
        notes=f"Deposit {batch.reference.strip()}" if batch.reference.strip() else "",
    )


def _row_errors(batch: Batch, rows: list[ChequeRow]) -> dict[int, Errors]:
    """1. The ledger's rules for each gift. 2. A check received after the day it was banked.
    3. The same donor's check number twice in the batch, or already recorded (typed twice)."""
    errors: dict[int, Errors] = defaultdict(lambda: defaultdict(list))
    seen: dict[tuple[int, str], int] = {}
    for row in rows:
        entry = cheque_batch_entry(batch, row)
        try:
            gift_check(entry)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[row.number][field].extend(messages)
        if entry.received_on > batch.deposit_date:
            errors[row.number]["received_on"].append("Received after the deposit date.")
        if entry.cheque_number:
            key = (row.supporter.pk, entry.cheque_number)
            if key in seen:
                errors[row.number]["cheque_number"].append(
                    f"This donor's check {entry.cheque_number} is also on row {seen[key] + 1}."
                )
            seen.setdefault(key, row.number)
    earlier = Gift.objects.filter(
        method=Gift.Method.CHEQUE,
        supporter_id__in={supporter for supporter, _ in seen},
        cheque_number__in={number for _, number in seen},
    ).values_list("supporter_id", "cheque_number", "received_on")
    for supporter_id, cheque_number, received_on in earlier:
        if (supporter_id, cheque_number) in seen:
            day = formats.date_format(received_on, "DATE_FORMAT")
            errors[seen[(supporter_id, cheque_number)]]["cheque_number"].append(
                f"This donor's check {cheque_number} was already recorded (received {day})."
            )
    return {number: dict(found) for number, found in errors.items()}


def cheque_batch_check(*, batch: Batch, rows: list[ChequeRow]) -> None:
    """Raise BatchRefused with every reason the batch cannot be recorded, by row."""
    if not rows:
        raise BatchRefused(batch={None: ["Enter at least one check."]})
    row_errors = _row_errors(batch, rows)
    batch_errors: Errors = {}
    total = sum((row.amount for row in rows), start=Decimal("0"))
    if batch.expected_total is not None and batch.expected_total != total:
        batch_errors["expected_total"] = [
            f"The rows add up to {money_text(total)}, not {money_text(batch.expected_total)}."
        ]
    if row_errors or batch_errors:
        raise BatchRefused(batch=batch_errors, rows=row_errors)


def cheque_batch_record(
    *, batch: Batch, rows: list[ChequeRow], recorded_by: AbstractBaseUser | None = None
) -> list[Gift]:
    """Record the batch's checks as gifts deposited on its date: all of them, or none (then
    BatchRefused says why, by row)."""
    cheque_batch_check(batch=batch, rows=rows)
    entries = [cheque_batch_entry(batch, row) for row in rows]
    try:
        return gifts_record_batch(
            entries=entries, deposit_date=batch.deposit_date, recorded_by=recorded_by
        )
    except ValidationError as exc:  # a ledger rule met only in the transaction
        raise BatchRefused(batch={None: exc.messages}) from exc
