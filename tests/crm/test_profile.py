"""The supporter profile: who they are and their consent in words at the top, one timeline of
what happened (gifts, mailings, notes, consent, merges, interactions, tasks) newest first and
filterable, the change form still reachable as the Edit page, and as few queries for a donor
of hundreds of gifts as for a new one."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from crm.models import ConsentEvent, Interaction, Note, Supporter, Task
from crm.services import supporters_merge
from donations.models import Fund, Gift
from donations.services import GiftEntry, gift_record
from mailings.models import Letter, Mailing
from mailings.sending.models import Delivery
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 5, 10, 15, 0, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def fund(db):
    return Fund.objects.create(name="General", code="general", is_default=True)


def url(supporter: Supporter, query: str = "") -> str:
    return reverse("admin:crm_supporter_change", args=[supporter.pk]) + query


def _gift(supporter, day, amount, **kw) -> Gift:
    return gift_record(entry=GiftEntry(supporter=supporter, amount=Decimal(amount),
                                       received_on=day, **kw))  # fmt: skip


def _kinds(html: str) -> list[str]:
    import re

    return re.findall(r'<li class="entry-\w+" data-kind="(\w+)"', html)


def test_it_shows_who_they_are_with_an_edit_button_and_consent_in_words(staff_client, staff):
    ana = SupporterFactory(first_name="Ana", last_name="Ruiz", email="ana@example.org",
                           phone="212-555-0101", email_opt_in="opted_in")  # fmt: skip
    with time_machine.travel(datetime.datetime(2026, 5, 3, 12, 0, tzinfo=datetime.UTC)):
        ConsentEvent.objects.create(supporter=ana, field="email_opt_in", old_value="unknown",
                                    new_value="opted_in", method="web_form")  # fmt: skip
    page = staff_client.get(url(ana)).content.decode()
    assert '<h1 id="profile-name">Ana Ruiz</h1>' in page
    assert "Dear Ana," in page and "ana@example.org" in page and "212-555-0101" in page
    assert '<span data-figure="email-consent">Opted in by web form, May 3, 2026</span>' in page
    assert 'href="?edit=1" id="edit-link"' in page
    # The Edit page is the change form as before, with its stale-edit stamp.
    edit = staff_client.get(url(ana, "?edit=1")).content.decode()
    assert 'id="supporter_form"' in edit and 'name="edit_snapshot"' in edit


def test_a_staff_change_says_who_made_it(staff_client, staff):
    ana = SupporterFactory(do_not_mail=True)
    ConsentEvent.objects.create(supporter=ana, field="email_opt_in", old_value="unknown",
                                new_value="opted_out", method="staff", actor=staff)  # fmt: skip
    ana.email_opt_in = "opted_out"
    ana.save()
    page = staff_client.get(url(ana)).content.decode()
    assert "Opted out by staff (dana), May 10, 2026" in page


def test_the_timeline_holds_everything_newest_first_and_filters_by_kind(staff_client, staff, fund):
    ana = SupporterFactory(first_name="Ana", last_name="Ruiz")
    twin = SupporterFactory(first_name="Ana", last_name="Ruiz")
    _gift(ana, D(2026, 1, 5), "25.00")
    _gift(ana, D(2026, 4, 1), "100.00", method="cheque")
    letter = Letter.objects.create(name="Spring letter")
    mailing = Mailing.objects.create(name="Spring appeal", slug="spring", letter=letter)
    with time_machine.travel(datetime.datetime(2026, 2, 1, 12, 0, tzinfo=datetime.UTC)):
        Delivery.objects.create(mailing=mailing, supporter=ana, channel="email",
                                email="ana@example.org")  # fmt: skip
        Delivery.objects.create(mailing=mailing, supporter=twin, channel="print")
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)):
        Note.objects.create(supporter=ana, text="Loves the garden project", author=staff)
    with time_machine.travel(datetime.datetime(2026, 3, 1, 13, 0, tzinfo=datetime.UTC)):
        ConsentEvent.objects.create(supporter=ana, field="do_not_mail", old_value="False",
                                    new_value="True", method="staff", actor=staff)  # fmt: skip
    with time_machine.travel(datetime.datetime(2026, 3, 20, 12, 0, tzinfo=datetime.UTC)):
        supporters_merge(survivor=ana, other=twin, actor=staff)
    Interaction.objects.create(supporter=ana, kind="visit", happened_on=D(2026, 5, 2),
                               staff=staff, notes="Toured the site")  # fmt: skip
    Task.objects.create(supporter=ana, title="Send the annual report", due_on=D(2026, 5, 20),
                        assigned_to=staff)  # fmt: skip

    page = staff_client.get(url(ana)).content.decode()
    kinds = _kinds(page)
    # The merge notes what differed between the two records, at the moment of the merge.
    assert sorted(kinds[3:5]) == ["merge", "note"]
    assert kinds[:3] + kinds[5:] == ["task", "visit", "gift", "consent", "note", "letter",
                                     "email", "gift"]  # fmt: skip
    assert "$100.00 by check" in page and "Toured the site" in page
    assert "Do not mail on by staff (dana)" in page
    assert f"#{twin.pk} Ana Ruiz merged in" in page
    assert "Spring appeal" in page and "Loves the garden project" in page
    assert _kinds(staff_client.get(url(ana, "?show=gift")).content.decode()) == ["gift", "gift"]
    shown = staff_client.get(url(ana, "?show=interaction")).content.decode()
    assert _kinds(shown) == ["visit"]
    assert _kinds(staff_client.get(url(ana, "?show=letter")).content.decode()) == ["letter"]
    # An unknown filter shows everything rather than nothing.
    assert len(_kinds(staff_client.get(url(ana, "?show=bogus")).content.decode())) == 10


def test_a_busy_donor_opens_in_as_few_queries_as_a_new_one(
    staff_client, staff, fund, django_assert_max_num_queries
):
    new, busy = SupporterFactory(), SupporterFactory()
    for n in range(120):
        _gift(busy, D(2025, 1, 1) + datetime.timedelta(days=n), "10.00")
        Note.objects.create(supporter=busy, text=f"note {n}")
    Task.objects.create(supporter=busy, title="Call", due_on=D(2026, 5, 1), assigned_to=staff)
    staff_client.get(url(new))  # sessions and permissions warmed up alike
    with django_assert_max_num_queries(40) as new_page:
        staff_client.get(url(new))
    with django_assert_max_num_queries(len(new_page.captured_queries)) as busy_page:
        page = staff_client.get(url(busy)).content.decode()
    assert len(_kinds(page)) <= 2 * 50 + 1  # the newest of each kind, not all 240 rows
    assert len(busy_page.captured_queries) == len(new_page.captured_queries)


def test_the_list_shows_and_sorts_by_last_gift_lifetime_and_this_year(staff_client, fund):
    small = SupporterFactory(last_name="Small")
    big = SupporterFactory(last_name="Big")
    SupporterFactory(last_name="Never")
    _gift(small, D(2026, 5, 1), "40.00")
    _gift(big, D(2025, 3, 1), "900.00")  # the previous fiscal year (calendar by default)
    _gift(big, D(2026, 2, 1), "10.00")
    changelist = reverse("admin:crm_supporter_changelist")
    page = staff_client.get(changelist).content.decode()
    for header in ("Last gift", "Lifetime", "This year"):
        assert header in page
    assert '$40.00<br><span class="quiet" style="white-space:nowrap">May 1, 2026</span>' in page
    assert "$910.00" in page

    def order(column: str) -> list[str]:
        response = staff_client.get(changelist, {"o": column})
        return [s.last_name for s in response.context["cl"].result_list]

    columns = response_columns(staff_client.get(changelist))
    last, life, year = (columns.index(n) for n in ("last_gift", "lifetime", "this_year"))
    assert order(f"-{life}") == ["Big", "Small", "Never"]
    assert order(f"-{year}") == ["Small", "Big", "Never"]
    assert order(f"-{last}") == ["Small", "Big", "Never"]
    assert order(f"{last}") == ["Never", "Big", "Small"]


def response_columns(response) -> list[str]:
    return [getattr(c, "__name__", c) for c in response.context["cl"].list_display]


def test_kind_is_spelled_organization_for_staff(staff_client):
    assert dict(Supporter.Kind.choices)["organisation"] == "Organization"
    page = staff_client.get(reverse("admin:crm_supporter_add")).content.decode()
    assert ">Organization<" in page and "Organisation" not in page


def test_saving_the_edit_page_returns_to_the_profile(staff_client):
    from tests.crm.test_supporter_admin import form_data

    ana = SupporterFactory(first_name="Ana", last_name="Ruiz")
    data = form_data(first_name="Ana", last_name="Ruiz", email=ana.email, city="Yonkers")
    response = staff_client.post(url(ana, "?edit=1"), {**data, "_save": "Save"})
    assert response.status_code == 302 and response.url == url(ana)
    response = staff_client.post(url(ana, "?edit=1"), {**data, "_continue": "Save"})
    assert response.url == url(ana, "?edit=1")
    ana.refresh_from_db()
    assert ana.city == "Yonkers"
