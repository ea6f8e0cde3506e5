"""A ledger for report tests: each gift and refund is written to the database through the
product's own paths and kept beside it as a plain Python row, so that tests compute every
expected figure independently (plain Python over these rows), never through reports/."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from core.models import Organisation
from crm.models import Supporter
from crm.services import supporters_merge
from donations.models import Gift, RecurringGift
from donations.refunds import refund_apply
from donations.summary import donor_summaries_rebuild
from tests.factories import SupporterFactory

GOOD = {"succeeded", "partially_refunded", "disputed"}
MONEY_IN = GOOD | {"refunded"}


@dataclass
class Row:
    gift: Gift
    person: int  # the supporter id after merges
    amount: Decimal
    day: datetime.date
    status: str
    fee: Decimal | None
    recurring: bool
    method: str
    fund_id: int | None
    campaign_id: int | None
    appeal_code: str
    stripe: bool
    refunds: list = field(default_factory=list)  # (day, amount)


class Book:
    def __init__(self, start_month: int) -> None:
        organisation = Organisation.current()
        organisation.fiscal_year_start_month = start_month
        organisation.save()
        self.start_month = start_month
        self.rows: list[Row] = []

    def person(self, **fields) -> Supporter:
        return SupporterFactory(**fields)

    def give(
        self,
        supporter: Supporter,
        amount: str | int,
        day: datetime.date,
        *,
        status: str = "succeeded",
        fee: str | None = None,
        plan: RecurringGift | None = None,
        method: str = "cheque",
        fund=None,
        campaign=None,
        appeal_code: str = "",
        stripe_id: str | None = None,
    ) -> Row:
        gift = Gift.objects.create(
            supporter=supporter,
            amount=Decimal(amount),
            received_on=day,
            method=method,
            status=status,
            fee=None if fee is None else Decimal(fee),
            recurring=plan,
            fund=fund,
            campaign=campaign,
            appeal_code=appeal_code,
            stripe_payment_intent_id=stripe_id,
        )
        row = Row(
            gift=gift,
            person=supporter.pk,
            amount=Decimal(amount),
            day=day,
            status=status,
            fee=None if fee is None else Decimal(fee),
            recurring=plan is not None,
            method=method,
            fund_id=getattr(fund, "pk", None),
            campaign_id=getattr(campaign, "pk", None),
            appeal_code=appeal_code,
            stripe=bool(stripe_id),
        )
        self.rows.append(row)
        return row

    def refund(self, row: Row, amount: str | int, day: datetime.date) -> None:
        gift = Gift.objects.get(pk=row.gift.pk)
        refund_apply(gift=gift, amount=Decimal(amount), refunded_on=day)
        row.refunds.append((day, Decimal(amount)))
        back = sum(a for _, a in row.refunds)
        row.status = "refunded" if back >= row.amount else "partially_refunded"

    def merge(self, survivor: Supporter, other: Supporter) -> None:
        supporters_merge(survivor=survivor, other=other)
        for row in self.rows:
            if row.person == other.pk:
                row.person = survivor.pk

    def settle(self) -> None:
        """The derived year totals, as every write path keeps them."""
        donor_summaries_rebuild()

    # Plain-Python reference figures ------------------------------------------------------

    def fy(self, day: datetime.date) -> int:
        if self.start_month == 1:
            return day.year
        return day.year + 1 if day.month >= self.start_month else day.year

    def fy_bounds(self, year: int) -> tuple[datetime.date, datetime.date]:
        first_year = year if self.start_month == 1 else year - 1
        start = datetime.date(first_year, self.start_month, 1)
        end = datetime.date(start.year + 1, self.start_month, 1) - datetime.timedelta(days=1)
        return start, end

    def good(self, start: datetime.date, end: datetime.date) -> list[Row]:
        return [r for r in self.rows if r.status in GOOD and start <= r.day <= end]

    def gross(self, start, end) -> Decimal:
        return sum(
            (r.amount for r in self.rows if r.status in MONEY_IN and start <= r.day <= end),
            Decimal(0),
        )

    def fees(self, start, end) -> Decimal:
        return sum(
            (r.fee or 0 for r in self.rows if r.status in MONEY_IN and start <= r.day <= end),
            Decimal(0),
        )

    def refunds(self, start, end) -> Decimal:
        return sum((a for r in self.rows for d, a in r.refunds if start <= d <= end), Decimal(0))

    def donors(self, start, end) -> set[int]:
        return {r.person for r in self.good(start, end)}

    def first_gift(self) -> dict[int, datetime.date]:
        first: dict[int, datetime.date] = {}
        for r in self.rows:
            if r.status in GOOD:
                first[r.person] = min(first.get(r.person, r.day), r.day)
        return first

    def year_total(self, person: int, year: int) -> Decimal:
        """Received in the year less refunds dated in the year (the ledger's year total)."""
        start, end = self.fy_bounds(year)
        total = Decimal(0)
        for r in self.rows:
            if r.person != person:
                continue
            if r.status in MONEY_IN and start <= r.day <= end:
                total += r.amount
            total -= sum((a for d, a in r.refunds if start <= d <= end), Decimal(0))
        return total


@pytest.fixture
def july_book(db) -> Book:
    """Fiscal year from July: FY2026 is 1 July 2025 to 30 June 2026."""
    return Book(7)


@pytest.fixture
def january_book(db) -> Book:
    return Book(1)


@pytest.fixture
def scenario_day():
    """The pages and the packet are read on the scenario's day (tests.reports.scenario.TODAY)."""
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 3, 15, 15, 0, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def who(july_book):
    """The scenario (tests.reports.scenario) with a small random crowd."""
    from tests.reports.scenario import build

    return build(july_book, crowd=12)
