"""The staff home's figures: what to do today. Each is a few aggregate queries answered by the
database (indexes on the thank-you queue, gift dates, campaigns and refund dates), so the page
stays fast with a million gifts: nothing here loops over gifts in Python."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce

from core.models import Organisation
from crm.models import ImportJob
from donations.acknowledgements.queue import gifts_to_thank
from donations.models import ZERO, Campaign, Gift, RecurringGift, Refund
from donations.summary import COUNTED, RECEIVED, first_counted_gift
from mailings.models import Mailing

MONEY = DecimalField(max_digits=14, decimal_places=2)
CENT = Decimal("0.01")
NET = F("amount") - F("amount_refunded")  # a gift's amount less its refunds
LIST_SIZE = 5
RECENT = 10
# A checked file waits for someone's confirmation; refused and failed ones for a look.
IMPORT_PROBLEMS = (ImportJob.Status.FAILED, ImportJob.Status.REFUSED, ImportJob.Status.READY)
IN_PROGRESS = (Mailing.Status.SENDING, Mailing.Status.SCHEDULED)


@dataclass(frozen=True)
class ThanksWaiting:
    count: int
    total: Decimal
    oldest: Gift | None
    oldest_days: int | None
    first_time: int  # gifts that are their donor's first counted gift ever
    first_gifts: list[Gift]  # the oldest few of those, to welcome first


def thanks_waiting(*, today: datetime.date) -> ThanksWaiting:
    queue = gifts_to_thank()
    figures = queue.aggregate(
        count=Count("pk"),
        total=Coalesce(Sum(NET, output_field=MONEY), ZERO, output_field=MONEY),
        first_time=Count("pk", filter=first_counted_gift()),
    )
    oldest = queue.select_related("supporter").first() if figures["count"] else None
    first_gifts = (
        list(queue.filter(first_counted_gift()).select_related("supporter")[:LIST_SIZE])
        if figures["first_time"]
        else []
    )
    return ThanksWaiting(
        count=figures["count"],
        total=figures["total"],
        oldest=oldest,
        oldest_days=(today - oldest.received_on).days if oldest else None,
        first_time=figures["first_time"],
        first_gifts=first_gifts,
    )


def recent_gifts() -> list[Gift]:
    """The last gifts received (money that came in, refunded since or not), newest first: the
    gift list's own order."""
    gifts = Gift.objects.filter(status__in=RECEIVED).select_related("supporter", "campaign")
    return list(gifts.order_by("-received_on", "-pk")[:RECENT])


@dataclass(frozen=True)
class YearToDate:
    fiscal_year: int
    start: datetime.date
    today: datetime.date
    last_start: datetime.date
    last_today: datetime.date  # the same point last year
    gross: Decimal
    refunds: Decimal
    last_gross: Decimal
    last_refunds: Decimal

    @property
    def net(self) -> Decimal:
        return self.gross - self.refunds

    @property
    def last_net(self) -> Decimal:
        return self.last_gross - self.last_refunds

    @property
    def change(self) -> Decimal:
        return self.net - self.last_net

    @property
    def change_percent(self) -> Decimal | None:
        if self.last_net <= 0:
            return None
        return (100 * self.change / self.last_net).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Giving:
    year: YearToDate
    campaigns: list[Campaign]


def giving_so_far(*, today: datetime.date) -> Giving:
    """This fiscal year so far against last year to the same day, and the campaigns running
    today with what each raised.

    The year: money received (gifts refunded later included) counts on the day it came in,
    and each refund on its own day, as in the donors' year totals (donations.summary): a
    January refund of a December gift lowers January's year; a gift refunded in full nets to
    zero. A campaign: its counted gifts, each less its refunds, whenever they came.

    Each year is one pass over its own range of index gift_received_on (the index carries
    status and amount, so no table row is read); each campaign's gifts are summed with the
    campaigns' list, by the campaign index. One query over the gifts with the two conditions
    OR'd together read the whole table instead."""
    organisation = Organisation.current()
    fiscal_year = organisation.fiscal_year_of(today)
    start, _ = organisation.fiscal_year_bounds(fiscal_year)
    last_start, _ = organisation.fiscal_year_bounds(fiscal_year - 1)
    last_today = _year_earlier(today)
    campaigns = _running_campaigns(today)
    gifts = _received(this=(start, today), last=(last_start, last_today))
    refunds = Refund.objects.filter(refunded_on__gte=last_start, refunded_on__lte=today).aggregate(
        this=_sum("amount", Q(refunded_on__gte=start)),
        last=_sum("amount", Q(refunded_on__lte=last_today)),
    )
    for campaign in campaigns:  # a handful of campaigns, not their gifts
        campaign.percent = int(100 * campaign.raised / campaign.goal) if campaign.goal else None
        campaign.bar = min(campaign.percent or 0, 100)
    year = YearToDate(
        fiscal_year=fiscal_year,
        start=start,
        today=today,
        last_start=last_start,
        last_today=last_today,
        gross=gifts["this"],
        refunds=refunds["this"],
        last_gross=gifts["last"],
        last_refunds=refunds["last"],
    )
    return Giving(year=year, campaigns=campaigns)


def _received(**spans: tuple[datetime.date, datetime.date]) -> dict[str, Decimal]:
    """Money received in each span, in one statement of one scalar subquery per span, so each
    reads exactly its range of index gift_received_on: one range from last year's start to
    today also walked the eight months between the two (twice the rows)."""
    marks = ", ".join(["%s"] * len(RECEIVED))
    one = (
        f"(SELECT COALESCE(SUM(amount), 0) FROM {Gift._meta.db_table} "  # noqa: S608
        f"WHERE status IN ({marks}) AND received_on BETWEEN %s AND %s)"
    )  # the table's name from the model, values as parameters
    params = [value for span in spans.values() for value in (*map(str, RECEIVED), *span)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join([one] * len(spans)), params)
        row = cursor.fetchone()
    # SQLite answers a sum of decimals as a float or an int: to the cent, as the ORM does.
    return {name: Decimal(str(v)).quantize(CENT) for name, v in zip(spans, row, strict=True)}


def _running_campaigns(today: datetime.date) -> list[Campaign]:
    """Campaigns running today (no dates: running), soonest to end first, each with what it
    raised (`raised`): its counted gifts less their refunds, summed by the campaign index in
    the same query."""
    raised = (
        Gift.objects.filter(campaign_id=OuterRef("pk"), status__in=COUNTED)
        .order_by()
        .values("campaign_id")
        .annotate(total=Sum(NET, output_field=MONEY))
        .values("total")
    )
    campaigns = (
        Campaign.objects.filter(Q(starts_on__isnull=True) | Q(starts_on__lte=today))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .annotate(raised=Coalesce(Subquery(raised, output_field=MONEY), ZERO, output_field=MONEY))
        .order_by(F("ends_on").asc(nulls_last=True), "name")
    )
    return list(campaigns)


@dataclass(frozen=True)
class FailedPlans:
    count: int
    monthly_amount: Decimal  # what the monthly plans among them would bring each month
    plans: list[RecurringGift]


def failed_plans() -> FailedPlans:
    """Recurring gifts whose last payment failed (Stripe retries them: past due)."""
    past_due = RecurringGift.objects.filter(status=RecurringGift.Status.PAST_DUE)
    figures = past_due.aggregate(
        count=Count("pk"),
        monthly=Coalesce(
            Sum("amount", filter=Q(interval=RecurringGift.Interval.MONTH), output_field=MONEY),
            ZERO,
            output_field=MONEY,
        ),
    )
    plans = (
        list(past_due.select_related("supporter").order_by("next_charge_on", "pk")[:LIST_SIZE])
        if figures["count"]
        else []
    )
    return FailedPlans(count=figures["count"], monthly_amount=figures["monthly"], plans=plans)


def mailings_in_progress() -> list[Mailing]:
    """Mailings sending now, then those scheduled, soonest first."""
    mailings = Mailing.objects.filter(status__in=IN_PROGRESS)
    return list(mailings.order_by("-status", F("scheduled_for").asc(nulls_last=True), "pk"))


def import_problems() -> list[ImportJob]:
    """Import jobs that stopped, were refused, or wait for confirmation (kept two days: see
    crm.importing.jobs), newest first."""
    jobs = ImportJob.objects.filter(status__in=IMPORT_PROBLEMS).select_related("created_by")
    return list(jobs.order_by("-updated_at", "-pk"))


def _sum(field: str | Combinable, condition: Q) -> Coalesce:
    return Coalesce(Sum(field, filter=condition, output_field=MONEY), ZERO, output_field=MONEY)


def _year_earlier(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
