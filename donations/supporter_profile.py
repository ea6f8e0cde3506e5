"""What donations adds to the supporter pages crm draws: gifts on the profile's timeline,
a household's giving on its members' profiles, and last gift, lifetime and this year's giving
as sortable columns of the supporter list (read
from the donor summaries, kept equal to the gifts on every write)."""

import datetime
from decimal import Decimal

from django.contrib import admin
from django.db.models import (
    DecimalField,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core.dates import day_text
from core.models import Organisation
from core.money import money_text
from crm.households.selectors import HouseholdGiving
from crm.models import Supporter
from crm.profile.timeline import Entry
from donations.models import DonorSummary, DonorYearTotal, Gift, RecurringGift
from donations.summary import given_in_year

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))
NEVER = Value(datetime.date(1, 1, 1))


def gift_entries(supporter: Supporter, limit: int) -> list[Entry]:
    gifts = (
        Gift.objects.filter(supporter=supporter)
        .select_related("campaign", "fund")
        .order_by("-received_on", "-pk")[:limit]
    )
    entries = []
    for gift in gifts:
        where = gift.campaign.name if gift.campaign else (gift.fund.name if gift.fund else "")
        title = f"{money_text(gift.amount)} by {gift.get_method_display().lower()}"
        if gift.status == Gift.Status.SUCCEEDED:
            badge, css = ("to thank", "badge-no") if gift.acknowledgement == "pending" else ("", "")
        else:
            badge, css = gift.get_status_display().lower(), "badge-no"
        entries.append(
            Entry(gift.received_on, "gift", title + (f" · {where}" if where else ""),
                  url=reverse("admin:donations_gift_change", args=[gift.pk]),
                  badge=badge, badge_class=css)
        )  # fmt: skip
    return entries


def this_fiscal_year() -> int:
    return Organisation.current().fiscal_year_of(timezone.localdate())


def with_giving(queryset: QuerySet, request: HttpRequest) -> QuerySet:
    """The list's giving columns read in its one query: the summary row joined, this fiscal
    year's total as a subquery (PostgreSQL works it out for the page's rows only, after the
    sort and limit; the count leaves it out)."""
    if not hasattr(request, "this_fiscal_year"):  # the list reads its queryset several times
        request.this_fiscal_year = this_fiscal_year()
    fiscal_year = request.this_fiscal_year
    year = DonorYearTotal.objects.filter(supporter=OuterRef("pk"), fiscal_year=fiscal_year)
    return queryset.select_related("giving").annotate(
        this_year_total=Subquery(year.values("total")[:1]),
        # Joined only when the list is sorted by this year's giving: a hash join then beats
        # a subquery per supporter.
        this_year_row=FilteredRelation(
            "year_totals", condition=Q(year_totals__fiscal_year=fiscal_year)
        ),
    )


# Sorted with no gifts as nothing given (NULLs sort first or last by database otherwise).
@admin.display(description="Last gift", ordering=Coalesce("giving__last_gift_on", NEVER))
def last_gift(supporter: Supporter) -> str:
    giving = getattr(supporter, "giving", None)
    if giving is None or giving.last_gift_on is None:
        return "—"
    return format_html(
        '{}<br><span class="quiet" style="white-space:nowrap">{}</span>',
        money_text(giving.last_gift_amount),
        day_text(giving.last_gift_on),
    )


@admin.display(description="Lifetime", ordering=Coalesce("giving__lifetime_total", ZERO))
def lifetime(supporter: Supporter) -> str:
    giving = getattr(supporter, "giving", None)
    return money_text(giving.lifetime_total) if giving and giving.gift_count else "—"


@admin.display(description="This year", ordering=Coalesce("this_year_row__total", ZERO))
def this_year(supporter: Supporter) -> str:
    total = getattr(supporter, "this_year_total", None)
    return money_text(total) if total else "—"


def giving_glance(supporter: Supporter, request: HttpRequest) -> str:
    """The supporter page's giving figures, read from the donor summary (kept equal to the
    gifts on every write), and their live plans."""
    organisation = Organisation.current()
    this_year = organisation.fiscal_year_of(timezone.localdate())
    years = dict(
        DonorYearTotal.objects.filter(
            supporter=supporter, fiscal_year__in=(this_year, this_year - 1)
        ).values_list("fiscal_year", "total")
    )
    context = {
        "summary": DonorSummary.objects.filter(supporter=supporter).first(),
        "this_year": this_year,
        "last_year": this_year - 1,
        "this_year_total": years.get(this_year, 0),
        "last_year_total": years.get(this_year - 1, 0),
        "plans": RecurringGift.objects.filter(
            supporter=supporter, status__in=("active", "past_due")
        ),
        "to_thank": Gift.objects.filter(
            supporter=supporter, acknowledgement="pending", status="succeeded"
        ).count(),
    }
    return render_to_string("admin/donations/_giving_glance.html", context, request=request)


def household_giving(member_ids: list[int]) -> HouseholdGiving:
    """A household's giving on its members' profiles: their summaries added up (lifetime and
    this fiscal year), and each member's own lifetime."""
    fiscal_year = this_fiscal_year()
    by_member = dict(
        DonorSummary.objects.filter(supporter_id__in=member_ids).values_list(
            "supporter_id", "lifetime_total"
        )
    )
    years = DonorYearTotal.objects.filter(supporter_id__in=member_ids, fiscal_year=fiscal_year)
    this_year = [given_in_year(total) or 0 for total in years.values_list("total", flat=True)]
    return HouseholdGiving(
        lifetime=sum(by_member.values(), Decimal(0)),
        this_year=sum(this_year, Decimal(0)),
        fiscal_year=fiscal_year,
        by_member=by_member,
    )
