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
from donations.summary import donor_summaries_refresh


@dataclass(frozen=True)
class GiftEntry:
    supporter: Supporter
    amount: Decimal
    received_on: datetime.date
    method: str = Gift.Method.CHEQUE
    cheque_number: str = ""
    in_kind_description: str = ""
    fund: Fund | None = None
    campaign: Campaign | None = None
    notes: str = ""


def _checked(entry: GiftEntry) -> dict:
    errors: dict[str, str] = {}
    if entry.amount is None or entry.amount <= 0:
        errors["amount"] = "A gift must be more than zero."
    if entry.received_on and entry.received_on > timezone.localdate() + datetime.timedelta(1):
        errors["received_on"] = "The date received is in the future."
    if entry.method == Gift.Method.IN_KIND and not entry.in_kind_description.strip():
        errors["in_kind_description"] = "Describe what was given in kind."
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
