"""The gift list's columns and its total of what is filtered (GiftAdmin's changelist)."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import admin
from django.db.models import Case, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.urls import reverse
from django.utils.html import format_html

from core.dates import day_text, month_day_text
from core.money import money_text
from donations.models import Gift

ZERO = Decimal("0.00")
# Money that never arrived: neither counts toward what was given (as Gift.net_amount).
NOT_RECEIVED = Q(status__in=[Gift.Status.PENDING, Gift.Status.FAILED])


@dataclass(frozen=True)
class GiftsTotal:
    count: int
    amount: Decimal  # every gift's amount as recorded (pending and failed left out)
    net: Decimal  # less what was refunded

    @property
    def refunded(self) -> Decimal:
        return self.amount - self.net


def gifts_total(gifts: QuerySet, *, count: int | None = None) -> GiftsTotal:
    """Count and sums of a (filtered) gift list in one query; `count` when already known."""
    money = DecimalField(max_digits=14, decimal_places=2)
    received = Case(When(NOT_RECEIVED, then=Value(ZERO)), default=F("amount"), output_field=money)
    refunded = Case(
        When(NOT_RECEIVED, then=Value(ZERO)), default=F("amount_refunded"), output_field=money
    )
    sums = gifts.order_by().aggregate(amount=Sum(received), refunded=Sum(refunded))
    amount, refunded_sum = sums["amount"] or ZERO, sums["refunded"] or ZERO
    if count is None:
        count = gifts.count()
    return GiftsTotal(count=count, amount=amount, net=amount - refunded_sum)


@admin.display(description="Amount", ordering="amount")
def amount(gift: Gift) -> str:
    if gift.status == Gift.Status.SUCCEEDED:
        return money_text(gift.amount)
    status = gift.get_status_display().lower()
    return format_html('{} <span class="badge badge-no">{}</span>', money_text(gift.amount), status)


@admin.display(description="Date", ordering="received_on")
def date(gift: Gift) -> str:
    return day_text(gift.received_on)


@admin.display(description="Donor", ordering="supporter__last_name")
def donor(gift: Gift) -> str:
    url = reverse("admin:crm_supporter_change", args=[gift.supporter_id])
    return format_html('<a href="{}">{}</a>', url, gift.supporter)


@admin.display(description="Campaign", ordering="campaign__name")
def campaign(gift: Gift) -> str:
    return gift.campaign.name if gift.campaign else "—"


@admin.display(description="Fund", ordering="fund__name")
def fund(gift: Gift) -> str:
    return gift.fund.name if gift.fund else "—"


@admin.display(description="Thanked", ordering="acknowledgement")
def thanked(gift: Gift) -> str:
    if gift.acknowledgement == Gift.Acknowledgement.THANKED:
        at = gift.acknowledged_at
        when = f" {month_day_text(at)}" if at else ""
        return format_html('<span class="badge badge-yes">Thanked{}</span>', when)
    if gift.acknowledgement == Gift.Acknowledgement.PENDING:
        return format_html('<span class="badge badge-no">{}</span>', "To thank")
    return "Not needed"
