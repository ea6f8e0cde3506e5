"""What a signed-in donor sees of their own record: gifts, receipts, statements and plans.
Every read here is filtered by the supporter the session is bound to; views never look a row up
by an id from the URL alone."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from core.models import Organisation
from crm.models import Supporter
from donations.acknowledgements.statements import statement_gifts, statement_pdf
from donations.models import Gift, Receipt, RecurringGift, Refund
from donations.noncash import noncash_description
from donations.summary import LIVE_PLANS, RECEIVED


@dataclass(frozen=True)
class GiftLine:
    received_on: datetime.date
    amount: Decimal
    description: str  # a stock or in-kind gift: what was given, with no value
    designation: str  # the fund (and campaign) as the donor's receipt names it
    monthly: bool
    refunds: list[Refund] = field(default_factory=list)
    receipt_number: str = ""
    receipt_pending: bool = False  # to be thanked, with its receipt, by the next run


def account_gifts(*, supporter: Supporter) -> list[GiftLine]:
    gifts = (
        Gift.objects.filter(supporter=supporter, status__in=RECEIVED)
        .select_related("fund", "campaign")
        .prefetch_related(
            Prefetch("refunds", queryset=Refund.objects.order_by("refunded_on", "pk")),
            Prefetch("receipts", queryset=Receipt.objects.order_by("-version")),
        )
        .order_by("-received_on", "-pk")
    )
    lines = []
    for gift in gifts:
        receipts = list(gift.receipts.all())
        lines.append(
            GiftLine(
                received_on=gift.received_on,
                amount=gift.amount,
                description=noncash_description(gift) if gift.is_non_cash else "",
                designation=_designation(gift),
                monthly=gift.recurring_id is not None,
                refunds=list(gift.refunds.all()),
                receipt_number=receipts[0].number if receipts else "",
                receipt_pending=gift.acknowledgement == Gift.Acknowledgement.PENDING,
            )
        )
    return lines


def _designation(gift: Gift) -> str:
    names = [n for n in (gift.fund.name if gift.fund else "", _campaign(gift)) if n]
    return " · ".join(names)


def _campaign(gift: Gift) -> str:
    return gift.campaign.name if gift.campaign else ""


def account_plans(*, supporter: Supporter) -> list[RecurringGift]:
    return list(
        RecurringGift.objects.filter(supporter=supporter, status__in=LIVE_PLANS)
        .select_related("fund")
        .order_by("-created_at")
    )


def account_statement_years(*, supporter: Supporter) -> list[int]:
    """Fiscal years already ended in which this donor gave (or had a gift refunded)."""
    organisation = Organisation.current()
    this_year = organisation.fiscal_year_of(timezone.localdate())
    days = set(
        Gift.objects.filter(supporter=supporter, status__in=RECEIVED).values_list(
            "received_on", flat=True
        )
    )
    days |= set(
        Refund.objects.filter(gift__supporter=supporter).values_list("refunded_on", flat=True)
    )
    years = {organisation.fiscal_year_of(day) for day in days}
    return sorted((y for y in years if y < this_year), reverse=True)


def account_receipt(*, supporter: Supporter, number: str) -> Receipt | None:
    """The receipt with this number if it is one of this donor's, else None."""
    return Receipt.objects.filter(number=number, gift__supporter=supporter).first()


def account_statement_pdf(*, supporter: Supporter, fiscal_year: int) -> bytes | None:
    """This donor's statement for an ended fiscal year, or None when there is nothing on it."""
    if fiscal_year not in account_statement_years(supporter=supporter):
        return None
    entries = statement_gifts(fiscal_year=fiscal_year, supporter_ids=[supporter.pk]).get(
        supporter.pk
    )
    if not entries:
        return None
    return statement_pdf(supporter=supporter, gifts=entries, fiscal_year=fiscal_year)
