"""The staff home's figures: what to do today. Each is a few aggregate queries answered by the
database (indexes on the thank-you queue, gift dates, campaigns and refund dates), so the page
stays fast with a million gifts: nothing here loops over gifts in Python."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from crm.models import ImportJob
from donations.acknowledgements.queue import gifts_to_thank
from donations.models import ZERO, Campaign, Gift, RecurringGift
from donations.summary import COUNTED, RECEIVED, first_counted_gift
from mailings.models import Mailing
from reports import ledger
from reports.ledger import Raised

MONEY = DecimalField(max_digits=14, decimal_places=2)
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
    """This fiscal year to today and last year to the same day, as the report overview
    counts them (reports.ledger.raised_by_period): the two pages show the same money."""

    fiscal_year: int
    start: datetime.date
    today: datetime.date
    last_start: datetime.date
    last_today: datetime.date  # the same point last year
    this: Raised
    last: Raised

    @property
    def change(self) -> Decimal:
        return self.this.gross - self.last.gross

    @property
    def change_percent(self) -> Decimal | None:
        return ledger.change(self.this.gross, self.last.gross)[1]


@dataclass(frozen=True)
class Giving:
    year: YearToDate
    campaigns: list[Campaign]


def giving_so_far(*, today: datetime.date) -> Giving:
    """This fiscal year so far against last year to the same day, and the campaigns running
    today with what each raised.

    The year is the ledger's (reports.ledger): money received counts on the day it came in
    (gifts refunded later included), each refund on its own day and card fees with their
    gift, so a July refund of a June gift lowers July's year. Both years to date are summed
    from the days' totals (ledger.raised_by_period, donations.models.GivingDay). A
    campaign: its counted gifts, each less its refunds, whenever they came, summed with the
    campaigns' list from index gift_campaign alone."""
    fiscal_year, this, last = ledger.year_to_date_and_last(today)
    now, before = ledger.raised_by_period([this, last])
    campaigns = _running_campaigns(today)
    for campaign in campaigns:  # a handful of campaigns, not their gifts
        campaign.percent = int(100 * campaign.raised / campaign.goal) if campaign.goal else None
        campaign.bar = min(campaign.percent or 0, 100)
    year = YearToDate(
        fiscal_year=fiscal_year,
        start=this.start,
        today=today,
        last_start=last.start,
        last_today=last.end,
        this=now,
        last=before,
    )
    return Giving(year=year, campaigns=campaigns)


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


CANCELLED_DAYS = 30


def plans_cancelled(*, today: datetime.date) -> list[RecurringGift]:
    """Recurring gifts that stopped in the last 30 days, latest first (one query): by the
    donor on their account page, by staff, or at Stripe (retries given up, the portal)."""
    since = today - datetime.timedelta(days=CANCELLED_DAYS)
    cancelled = RecurringGift.objects.filter(
        status=RecurringGift.Status.CANCELLED, cancelled_at__date__gte=since
    )
    return list(cancelled.select_related("supporter").order_by("-cancelled_at", "-pk")[:LIST_SIZE])


def mailings_in_progress() -> list[Mailing]:
    """Mailings sending now, then those scheduled, soonest first."""
    mailings = Mailing.objects.filter(status__in=IN_PROGRESS)
    return list(mailings.order_by("-status", F("scheduled_for").asc(nulls_last=True), "pk"))


def import_problems() -> list[ImportJob]:
    """Import jobs that stopped, were refused, or wait for confirmation (kept two days: see
    crm.importing.jobs), newest first."""
    jobs = ImportJob.objects.filter(status__in=IMPORT_PROBLEMS).select_related("created_by")
    return list(jobs.order_by("-updated_at", "-pk"))
