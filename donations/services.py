"""Every gift is written here, whichever way it comes in: the admin's add and change forms (the
supporter page's "Record a gift" is the add form), admin delete, cheque batches, gift imports
and the Stripe webhook. One set of rules for all of them:

1. Checks (`gift_check`): more than zero, not dated in the future, an in-kind gift says what
   was given. A refusal is a ValidationError keyed by field, so forms show it by the field.
2. Defaults (`_attribution`): an appeal code names its campaign and a campaign its code; a
   gift with no fund goes to its campaign's fund, else the default fund. They are read from
   donations.reference (remembered per process), so the webhook pays no query for them.
3. History: one row per write, by whoever made it (no one for Stripe), with a reason naming
   the way in ("Recorded by staff", "Cheque batch", "Imported", "Stripe").
4. Summary: the donor's giving summary is recomputed in the same transaction. The Stripe
   event runner alone defers it, to refresh every supporter an event touched once, at its end.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from crm.models import Supporter
from donations import reference
from donations.models import Campaign, Fund, Gift
from donations.noncash import noncash_errors, ticker_normal
from donations.summary import donor_summaries_refresh

BY_STAFF = "Recorded by staff"
CHEQUE_BATCH = "Check batch"
IMPORTED = "Imported"
STRIPE = "Stripe"
# A donor a time zone ahead (or Stripe's UTC clock) may date a gift tomorrow; later is a typo.
FUTURE_ALLOWANCE = datetime.timedelta(days=1)


@dataclass(frozen=True)
class GiftEntry:
    """A gift as entered. supporter, fund and campaign may be rows or their ids (the webhook
    and imports hold ids). `details` carries any other Gift field as given (Stripe ids,
    tribute, acknowledgement ...): written as is, no rule reads them."""

    supporter: Supporter | int
    amount: Decimal
    received_on: datetime.date
    method: str = Gift.Method.CHEQUE
    cheque_number: str = ""
    in_kind_description: str = ""
    stock_ticker: str = ""
    stock_shares: Decimal | None = None
    given_on: datetime.date | None = None
    fund: Fund | int | None = None
    campaign: Campaign | int | None = None
    appeal_code: str = ""
    notes: str = ""
    status: str = Gift.Status.SUCCEEDED
    details: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> "GiftEntry":
        """From a form's cleaned data or any mapping of Gift field names."""
        own = {f.name for f in fields(cls)} - {"details"}
        given = {name: value for name, value in values.items() if name in own}
        text = ("cheque_number", "in_kind_description", "stock_ticker", "appeal_code", "notes")
        for name in text:
            given[name] = given.get(name) or ""
        details = {
            name: value
            for name, value in values.items()
            if name not in own and name in _GIFT_FIELDS and value is not None
        }
        return cls(**given, details=details)


_GIFT_FIELDS = {f.name for f in Gift._meta.concrete_fields} - {"id"}


def gift_check(entry: GiftEntry) -> None:
    """The ledger's rules for any gift, raised together as one ValidationError by field."""
    errors: dict[str, str] = {}
    if entry.amount is None or entry.amount <= 0:
        errors["amount"] = "A gift must be more than zero."
    if entry.received_on and entry.received_on > timezone.localdate() + FUTURE_ALLOWANCE:
        errors["received_on"] = f"{entry.received_on:%Y-%m-%d} is in the future."
    # Stock and in kind (donations.noncash): an in-kind gift needs a description, stock a
    # ticker and shares.
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


def _id(value: Any) -> int | None:
    return getattr(value, "pk", value)


def _attribution(entry: GiftEntry) -> dict[str, Any]:
    """Campaign, appeal code and fund, each filled from the others where left blank."""
    code = entry.appeal_code.strip()
    campaign_id, campaign_code, campaign_fund = _id(entry.campaign), "", None
    if isinstance(entry.campaign, Campaign):
        campaign_code, campaign_fund = entry.campaign.code, entry.campaign.fund_id
    elif campaign_id is not None or code:
        known = reference.campaigns()
        ref = (
            next((c for c in known.values() if c.id == campaign_id), None)
            if campaign_id is not None
            else known.get(code)
        )
        if ref is not None:
            campaign_id, campaign_code, campaign_fund = ref.id, ref.code, ref.fund_id
    fund_id = _id(entry.fund) or campaign_fund or reference.fund_ids().get("")
    return {"campaign_id": campaign_id, "appeal_code": code or campaign_code, "fund_id": fund_id}


def _stock_details(entry: GiftEntry) -> dict[str, Any]:
    """Ticker, shares and date given belong to stock; another method keeps none of them (the
    staff form hides them, so they can only be left over from a changed method)."""
    stock = entry.method == Gift.Method.STOCK
    return {
        "stock_ticker": ticker_normal(entry.stock_ticker) if stock else "",
        "stock_shares": entry.stock_shares if stock else None,
        "given_on": entry.given_on if stock else None,
    }


def _new_gift(
    entry: GiftEntry,
    *,
    recorded_by: AbstractBaseUser | None,
    deposit_date: datetime.date | None,
    reason: str,
) -> Gift:
    gift_check(entry)
    user = recorded_by if getattr(recorded_by, "pk", None) else None
    values: dict[str, Any] = {
        **entry.details,
        "amount": entry.amount,
        "received_on": entry.received_on,
        "method": entry.method,
        "cheque_number": entry.cheque_number.strip(),
        "in_kind_description": entry.in_kind_description.strip(),
        **_stock_details(entry),
        "notes": entry.notes,
        "status": entry.status,
        "recorded_by": user,
        **_attribution(entry),
    }
    if isinstance(entry.supporter, Supporter):
        values["supporter"] = entry.supporter
    else:
        values["supporter_id"] = entry.supporter
    if deposit_date is not None:
        values["deposit_date"] = deposit_date
    gift = Gift(**values)
    # Read by django-simple-history for the creation row: the same shape from every way in.
    gift._history_user = user
    gift._change_reason = reason
    return gift


def gift_record(
    *,
    entry: GiftEntry,
    recorded_by: AbstractBaseUser | None = None,
    deposit_date: datetime.date | None = None,
    reason: str = BY_STAFF,
    summary_refresh: bool = True,
) -> Gift:
    """Check, complete and record one gift. summary_refresh=False only for a caller that
    refreshes every supporter it touched itself (the Stripe event runner, once per event)."""
    # Checked before the transaction: a refusal leaves the caller's transaction usable.
    gift = _new_gift(entry, recorded_by=recorded_by, deposit_date=deposit_date, reason=reason)
    # No savepoint: it would cost the webhook two statements, and the caller's suffices.
    with transaction.atomic(savepoint=False):
        gift.save(force_insert=True)
        if summary_refresh:
            donor_summaries_refresh(supporter_ids=[gift.supporter_id])
    return gift


@transaction.atomic
def gifts_record(
    *,
    entries: list[GiftEntry],
    recorded_by: AbstractBaseUser | None = None,
    deposit_date: datetime.date | None = None,
    reason: str = CHEQUE_BATCH,
) -> list[Gift]:
    """Many gifts at once (a deposit, an import): all of them are recorded, or none. Written
    in bulk, with their history, and one summary refresh for everyone in them."""
    if not entries:
        raise ValidationError("The batch has no gifts.")
    gifts = []
    for number, entry in enumerate(entries, start=1):
        try:
            gifts.append(
                _new_gift(entry, recorded_by=recorded_by, deposit_date=deposit_date, reason=reason)
            )
        except ValidationError as exc:
            raise ValidationError(
                [f"Gift {number}: {message}" for message in exc.messages]
            ) from exc
    user = recorded_by if getattr(recorded_by, "pk", None) else None
    gifts = bulk_create_with_history(
        gifts, Gift, batch_size=500, default_user=user, default_change_reason=reason
    )
    donor_summaries_refresh(supporter_ids={gift.supporter_id for gift in gifts})
    return gifts


def gifts_record_batch(
    *,
    entries: list[GiftEntry],
    deposit_date: datetime.date,
    recorded_by: AbstractBaseUser | None = None,
) -> list[Gift]:
    """A deposit of cheques: all of them are recorded, or none."""
    return gifts_record(
        entries=entries, recorded_by=recorded_by, deposit_date=deposit_date, reason=CHEQUE_BATCH
    )


@transaction.atomic
def gift_update(*, gift: Gift, updated_by: AbstractBaseUser | None = None) -> Gift:
    """Check an edited gift by the same rules as a new one, fill blank defaults, save, and
    refresh the summary of the donor it belongs to and of the donor it was moved from."""
    stored_supporter = Gift.objects.filter(pk=gift.pk).values_list("supporter_id", flat=True)
    previous = stored_supporter.first()
    entry = GiftEntry(
        supporter=gift.supporter_id,
        amount=gift.amount,
        received_on=gift.received_on,
        method=gift.method,
        cheque_number=gift.cheque_number,
        in_kind_description=gift.in_kind_description,
        stock_ticker=gift.stock_ticker,
        stock_shares=gift.stock_shares,
        given_on=gift.given_on,
        fund=gift.fund_id,
        campaign=gift.campaign_id,
        appeal_code=gift.appeal_code,
        status=gift.status,
    )
    gift_check(entry)
    for name, value in {**_stock_details(entry), **_attribution(entry)}.items():
        setattr(gift, name, value)
    gift._history_user = updated_by if getattr(updated_by, "pk", None) else None
    gift.save()
    donor_summaries_refresh(supporter_ids={gift.supporter_id, previous} - {None})
    return gift


@transaction.atomic
def gift_delete(*, gift: Gift, deleted_by: AbstractBaseUser | None = None) -> None:
    """Delete a gift (a typo, a duplicate) with a history row saying who, and refresh the
    donor's summary. A receipted gift is protected by its receipts and cannot be deleted."""
    supporter_id = gift.supporter_id
    gift._history_user = deleted_by if getattr(deleted_by, "pk", None) else None
    gift.delete()
    donor_summaries_refresh(supporter_ids=[supporter_id])


@transaction.atomic
def gifts_delete(*, gifts: Iterable[Gift], deleted_by: AbstractBaseUser | None = None) -> int:
    """Several gifts (the admin's bulk delete action): each as gift_delete would, one
    summary refresh for all."""
    supporter_ids, count = set(), 0
    for gift in gifts:
        supporter_ids.add(gift.supporter_id)
        gift._history_user = deleted_by if getattr(deleted_by, "pk", None) else None
        gift.delete()
        count += 1
    donor_summaries_refresh(supporter_ids=supporter_ids)
    return count
