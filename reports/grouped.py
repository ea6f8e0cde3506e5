"""The ledger's figures per group: months, fiscal years, funds, campaigns, appeal codes,
methods, channels. The counting rules are reports.ledger's: gifts whose money came in, on
the day received; refunds on their own date, in their gift's group."""

from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from donations.giving_days import fold_if_piled_up, from_cents
from donations.models import ZERO, Gift, GivingDay, Refund
from donations.summary import COUNTED, RECEIVED
from reports.ledger import CENT, Period, report_queries


@dataclass(frozen=True)
class Giving:
    """One group's figures under the ledger's rules."""

    gross: Decimal = ZERO
    refunds: Decimal = ZERO
    fees: Decimal = ZERO
    gifts: int = 0  # counted gifts
    donors: int | None = 0  # distinct supporters with a counted gift; None: not counted
    counted_total: Decimal = ZERO  # amount of the counted gifts (for the average gift)

    @property
    def net(self) -> Decimal:
        return self.gross - self.refunds - self.fees

    @property
    def average_gift(self) -> Decimal | None:
        return (self.counted_total / self.gifts).quantize(CENT) if self.gifts else None


def giving_grouped(period: Period, gift_key, refund_key, *, donors: bool = True) -> dict:
    """The ledger's figures per group in two queries: gifts received in the period grouped by
    `gift_key` (a Gift field name or expression) and refunds dated in the period grouped by
    `refund_key` (the same thing seen from Refund, e.g. "gift__fund_id"). A refund falls in
    the group of its gift but in the period of its own date. With donors=False the donors
    are not counted (None): a distinct count sorts every gift, where the rest is one hash
    aggregation."""
    with report_queries():
        return _giving_grouped(period, gift_key, refund_key, donors=donors)


def money_grouped(period: Period, day_key, refund_key) -> dict:
    """giving_grouped's figures without donors (None), per group of days, from the days'
    totals (donations.models.GivingDay): `day_key` groups GivingDay's `day` as `gift_key`
    would group a gift's received_on (a month, a fiscal year). A few hundred rows a year
    instead of every gift."""
    with report_queries():
        days = (
            GivingDay.objects.filter(day__range=(period.start, period.end))
            .annotate(group=day_key)
            .values("group")
            .annotate(
                gross=Sum("gross_cents"),
                fees=Sum("fee_cents"),
                gifts=Sum("counted_gifts"),
                counted_total=Sum("counted_cents"),
                rows=Count("pk"),
                days=Count("day", distinct=True),
            )
            .order_by()
        )
        found = {
            row["group"]: Giving(
                gross=from_cents(row["gross"]),
                fees=from_cents(row["fees"]),
                gifts=row["gifts"] or 0,
                donors=None,
                counted_total=from_cents(row["counted_total"]),
            )
            for row in days
        }
        fold_if_piled_up(sum(row["rows"] - row["days"] for row in days))
        return _with_refunds(found, period, refund_key, donors=False)


def _giving_grouped(period: Period, gift_key, refund_key, *, donors: bool) -> dict:
    counted = Q(status__in=COUNTED)
    distinct = {"donors": Count("supporter_id", distinct=True, filter=counted)} if donors else {}
    gifts = (
        Gift.objects.filter(status__in=RECEIVED, received_on__range=(period.start, period.end))
        .annotate(group=gift_key if not isinstance(gift_key, str) else F(gift_key))
        .values("group")
        .annotate(
            gross=Sum("amount"),
            fees=Sum("fee"),
            gifts=Count("pk", filter=counted),
            counted_total=Sum("amount", filter=counted),
            **distinct,
        )
        .order_by()
    )
    found: dict = {}
    for row in gifts:
        found[row["group"]] = Giving(
            gross=row["gross"] or ZERO,
            fees=row["fees"] or ZERO,
            gifts=row["gifts"],
            donors=row.get("donors"),
            counted_total=row["counted_total"] or ZERO,
        )
    return _with_refunds(found, period, refund_key, donors=donors)


def _with_refunds(found: dict, period: Period, refund_key, *, donors: bool) -> dict:
    """The refunds dated in the period added to the groups `found` (a group of refunds
    alone gets a Giving of its own)."""
    refunds = (
        Refund.objects.filter(refunded_on__range=(period.start, period.end))
        .annotate(group=refund_key if not isinstance(refund_key, str) else F(refund_key))
        .values("group")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in refunds:
        before = found.get(row["group"], Giving(donors=0 if donors else None))
        found[row["group"]] = replace(before, refunds=row["total"] or ZERO)
    return found
