"""The gift list (GiftAdmin's changelist): the columns staff read, and the count and total of
what the filters show (donations.gift_entry.listing)."""

import datetime
import re
from decimal import Decimal

import pytest

from donations.gift_entry.listing import gifts_total
from donations.models import Campaign, Fund, Gift
from donations.refunds import refund_record
from donations.services import GiftEntry, gift_record
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def gifts(db, staff):
    Fund.objects.create(name="General", code="general", is_default=True)
    spring = Campaign.objects.create(name="Spring appeal", code="spring26")
    ana, ben = SupporterFactory(first_name="Ana"), SupporterFactory(first_name="Ben")

    def give(who, amount, method="cheque", **more):
        return gift_record(entry=GiftEntry(supporter=who, amount=Decimal(amount), received_on=DAY,
                                           method=method, campaign=spring, **more))  # fmt: skip

    refunded = give(ana, "100.00")
    refund_record(gift=refunded, amount=Decimal("40.00"), refunded_on=DAY, recorded_by=staff)
    give(ana, "250.00")
    give(ben, "60.00", method="cash")
    give(ben, "25.00", method="card", status=Gift.Status.FAILED)
    return spring


def _figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="gifts-(\w+)">([^<]+)<', html))


def test_the_total_counts_and_sums_what_the_filters_show(staff_client, gifts):
    every = staff_client.get("/admin/donations/gift/").content.decode()
    # A failed gift is listed but adds nothing; the refund shows as the figure after refunds.
    assert _figures(every) == {"count": "4 gifts", "sum": "$410.00", "net": "$370.00"}
    checks = staff_client.get("/admin/donations/gift/?method__exact=cheque").content.decode()
    assert _figures(checks) == {"count": "2 gifts", "sum": "$350.00", "net": "$310.00"}
    assert "shown by the filters" in checks and "shown by the filters" not in every
    cash = staff_client.get("/admin/donations/gift/?method__exact=cash").content.decode()
    assert _figures(cash) == {"count": "1 gift", "sum": "$60.00"}  # nothing refunded: no net
    found = staff_client.get("/admin/donations/gift/?q=Ben").content.decode()
    assert _figures(found)["sum"] == "$60.00" and "shown by the filters" in found
    march = staff_client.get("/admin/donations/gift/?received_on__year=2026&received_on__month=3")
    assert _figures(march.content.decode())["count"] == "4 gifts"
    assert "shown by the filters" in march.content.decode()
    assert (
        "shown by the filters"
        not in staff_client.get("/admin/donations/gift/?o=1").content.decode()
    )
    assert _figures(
        staff_client.get("/admin/donations/gift/?received_on__year=2025").content.decode()
    ) == {"count": "0 gifts", "sum": "$0.00"}


def test_the_selector_sums_in_one_query(gifts, django_assert_num_queries):
    with django_assert_num_queries(1):
        total = gifts_total(Gift.objects.all(), count=4)
    assert (total.count, total.amount, total.net, total.refunded) == (
        4, Decimal("410.00"), Decimal("370.00"), Decimal("40.00"),
    )  # fmt: skip
    empty = gifts_total(Gift.objects.none())
    assert (empty.count, empty.amount, empty.net) == (0, Decimal("0.00"), Decimal("0.00"))


def test_the_list_shows_amount_date_donor_method_campaign_fund_and_thanked(staff_client, gifts):
    html = staff_client.get("/admin/donations/gift/").content.decode()
    heads = re.findall(r'<th scope="col" class="[^"]*column-(\w+)', html)
    assert heads == ["amount", "date", "donor", "method", "campaign", "fund", "thanked"]
    assert "March 2, 2026" in html and '<td class="field-campaign">Spring appeal</td>' in html
    assert "To thank" in html and "partially refunded" in html and "failed" in html
    ana = Gift.objects.filter(supporter__first_name="Ana").first().supporter
    assert f'href="/admin/crm/supporter/{ana.pk}/change/"' in html


def test_board_members_see_the_list_and_its_total(board_client, gifts):
    html = board_client.get("/admin/donations/gift/").content.decode()
    assert _figures(html)["sum"] == "$410.00"
