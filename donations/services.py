"""Writes to the ledger by staff: single gifts and batches of cheques."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crm.models import Supporter
from donations.models import Campaign, Fund, Gift
from donations.noncash import noncash_errors, ticker_normal
from donations.summary import donor_summaries_refresh


@dataclass(frozen=True)
class GiftEntry:
    supporter: Supporter
    amount: Decimal
    received_on: datetime.date
    method: str = Gift.Method.CHEQUE
    cheque_number: str = ""
    in_kind_description: str = ""
    stock_ticker: str = ""
    stock_shares: Decimal | None = None
    given_on: datetime.date | None = None
    fund: Fund | None = None
    campaign: Campaign | None = None
    notes: str = ""


def _checked(entry: GiftEntry) -> dict:
    errors: dict[str, str] = {}
    if entry.amount is None or entry.amount <= 0:
        errors["amount"] = "A gift must be more than zero."
    if entry.received_on and entry.received_on > timezone.localdate() + datetime.timedelta(1):
        errors["received_on"] = "The date received is in the future."
    errors |= noncash_errors(
        method=entry.method,
        description=entry.in_kind_description,
        ticker=entry.stock_ticker,
        shares=entry.stock_shares,
    )
    stock = entry.method == Gift.Method.STOCK
    if stock and entry.given_on and entry.received_on and entry.given_on > entry.received_on:
        errors["given_on"] = "The date given is after the date received."
    if errors:
        raise ValidationError(errors)
    fund = entry.fund or (entry.campaign.fund if entry.campaign else None)
    fund = fund or Fund.objects.filter(is_default=True).first()
    return {
        "supporter": entry.supporter,
        "amount": entry.amount,
        "received_on": entry.received_on,
        "method": entry.method,
        "cheque_number": entry.cheque_number.strip(),
        "in_kind_description": entry.in_kind_description.strip(),
        # Ticker, shares and date given belong to stock; another method keeps none of them
        # (the staff form hides them, so they can only be left over from a changed method).
        "stock_ticker": ticker_normal(entry.stock_ticker) if stock else "",
        "stock_shares": entry.stock_shares if stock else None,
        "given_on": entry.given_on if stock else None,
        "fund": fund,
        "campaign": entry.campaign,
        "appeal_code": entry.campaign.code if entry.campaign else "",
        "notes": entry.notes,
        "status": Gift.Status.SUCCEEDED,
    }


@transaction.atomic
def gift_record(
    *,
    entry: GiftEntry,
    recorded_by: AbstractBaseUser | None = None,
    deposit_date: datetime.date | None = None,
) -> Gift:
    gift = Gift.objects.create(
        **_checked(entry), recorded_by=recorded_by, deposit_date=deposit_date
    )
    donor_summaries_refresh(supporter_ids=[gift.supporter_id])
    return gift


@transaction.atomic
def gifts_record_batch(
    *,
    entries: list[GiftEntry],
    deposit_date: datetime.date,
    recorded_by: AbstractBaseUser | None = None,
) -> list[Gift]:
    """A deposit of cheques: all of them are recorded, or none."""
    if not entries:
        raise ValidationError("The batch has no gifts.")
    gifts = [
        Gift.objects.create(**_checked(entry), recorded_by=recorded_by, deposit_date=deposit_date)
        for entry in entries
    ]
    donor_summaries_refresh(supporter_ids={gift.supporter_id for gift in gifts})
    return gifts
