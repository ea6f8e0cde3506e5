"""The supporter list's paginator: a page read as ids first, then its rows, is the page the
plain slice gives, in the same order, with the list's joins and columns."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Value
from django.db.models.functions import Coalesce

from core.paginators import IdsFirstPaginator
from crm.models import Supporter
from donations.models import DonorSummary
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

# Lifetime giving of each supporter; ties and no summary at all among them.
TOTALS = [Decimal("500"), None, Decimal("75"), Decimal("500"), None, Decimal("1200"), Decimal("75")]


@pytest.fixture
def donors() -> list[Supporter]:
    people = []
    for n, total in enumerate(TOTALS):
        person = SupporterFactory(first_name=f"Donor{n}", last_name="Ruiz")
        if total is not None:
            DonorSummary.objects.create(supporter=person, lifetime_total=total, gift_count=1)
        people.append(person)
    return people


def by_lifetime():
    return (
        Supporter.objects.select_related("giving")
        .prefetch_related("tags")
        .order_by(Coalesce("giving__lifetime_total", Value(Decimal(0))).desc(), "-pk")
    )


def test_every_page_is_the_plain_slice_in_the_same_order(donors):
    plain, ids_first = Paginator(by_lifetime(), 3), IdsFirstPaginator(by_lifetime(), 3)
    assert ids_first.num_pages == plain.num_pages == 3
    for number in plain.page_range:
        expected = list(plain.page(number).object_list)
        page = ids_first.page(number)
        assert [s.pk for s in page.object_list] == [s.pk for s in expected]
        assert [getattr(s, "giving", None) and s.giving.lifetime_total for s in page] == [
            getattr(s, "giving", None) and s.giving.lifetime_total for s in expected
        ]
    # Orphans fold the short last page into the one before, as Django's own does.
    assert len(IdsFirstPaginator(by_lifetime(), 3, orphans=1).page(2).object_list) == 4


def test_the_supporter_list_sorted_by_lifetime_shows_the_biggest_givers_first(staff_client, donors):
    names = [getattr(c, "__name__", c) for c in admin.site._registry[Supporter].list_display]
    column = names.index("lifetime") + 1
    page = staff_client.get(f"/admin/crm/supporter/?o=-{column}").content.decode()
    assert all(f"Donor{n}" in page for n in range(len(TOTALS)))
    shown = sorted(range(len(TOTALS)), key=lambda n: page.index(f"Donor{n}"))
    # 1,200; then the two 500s and the two 75s, newest record first; then no giving.
    assert shown == [5, 3, 0, 6, 2, 4, 1]
    assert "$1,200.00" in page
