"""The staff home at /admin/: each figure against the rows the test builds (counted here in
plain Python, apart from the selectors), its links open the filtered lists behind it, and who
may see it: staff and board (the board without buttons that change data), nobody else."""

import datetime
import random
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import resolve, reverse

from core.models import Organisation
from crm.models import ImportJob
from donations.models import Campaign, Gift, RecurringGift, Refund
from donations.summary import first_counted_gift
from mailings.models import Letter, Mailing
from reports.home import selectors
from reports.home.views import staff_home
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 3, 15)  # fiscal year 2026 runs July 1, 2025 to June 30, 2026
THIS_START, LAST_START, LAST_TODAY = D(2025, 7, 1), D(2024, 7, 1), D(2025, 3, 15)
COUNTED = {"succeeded", "partially_refunded", "disputed"}
RECEIVED = COUNTED | {"refunded"}
QUEUE = {"succeeded", "partially_refunded"}  # the thank-you queue's statuses


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 3, 15, 15, 0, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def ledger(db):
    """Gifts over two fiscal years with every status, refunds (one across the year boundary,
    one in full), campaigns running and not, and the edge days of both periods."""
    organisation = Organisation.current()
    organisation.fiscal_year_start_month = 7
    organisation.save()
    running = Campaign.objects.create(name="Spring", code="spring", goal=Decimal(1000))
    no_goal = Campaign.objects.create(name="Hotline", code="hotline", starts_on=D(2026, 1, 1))
    ended = Campaign.objects.create(
        name="Old", code="old", goal=Decimal(50), starts_on=D(2024, 1, 1), ends_on=D(2026, 3, 14)
    )
    later = Campaign.objects.create(name="Fall", code="fall", starts_on=D(2026, 3, 16))
    people = [SupporterFactory() for _ in range(12)]
    rng = random.Random(13)  # noqa: S311 - test data
    statuses = ["succeeded"] * 6 + ["pending", "failed", "disputed"]
    rows = []  # (gift, its refunds as (day, amount)) as the test knows them

    def gift(supporter, day, amount, status="succeeded", campaign=None, ack="thanked", refunds=()):
        refunded = sum((a for _d, a in refunds), Decimal(0))
        if refunds:
            status = "refunded" if refunded == amount else "partially_refunded"
        made = Gift.objects.create(
            supporter=supporter, amount=amount, received_on=day, method="card", status=status,
            campaign=campaign, acknowledgement=ack, amount_refunded=refunded,
        )  # fmt: skip
        for refund_day, refund_amount in refunds:
            Refund.objects.create(gift=made, refunded_on=refund_day, amount=refund_amount)
        rows.append((made, list(refunds)))
        return made

    for _ in range(70):
        day = LAST_START - datetime.timedelta(days=30) + datetime.timedelta(rng.randint(0, 650))
        day = min(day, TODAY)
        amount = Decimal(rng.choice((10, 25, 50, 100, 250)))
        refunds = ()
        if rng.random() < 0.15:
            refunds = ((min(day + datetime.timedelta(rng.randint(0, 40)), TODAY), amount / 5),)
        gift(
            rng.choice(people[:8]), day, amount, status=rng.choice(statuses),
            campaign=rng.choice((running, no_goal, ended, later, None)),
            ack=rng.choice(("thanked", "pending", "not_needed")), refunds=refunds,
        )  # fmt: skip
    # Edge days: each period's first and last day, the day after, the day before.
    for day in (THIS_START, TODAY, LAST_START, LAST_TODAY):
        gift(people[8], day, Decimal(40))
    gift(people[8], LAST_TODAY + datetime.timedelta(1), Decimal(70))
    gift(people[8], LAST_START - datetime.timedelta(1), Decimal(80))
    # Refunded in this fiscal year, given in the last one (after its same point).
    gift(people[9], D(2025, 6, 20), Decimal(300), refunds=[(D(2025, 7, 5), Decimal(120))])
    # Refunded in full within this year: nets to nothing.
    gift(people[9], D(2025, 9, 1), Decimal(500), refunds=[(D(2025, 9, 3), Decimal(500))])
    # First-time donors waiting for thanks (two gifts on one day: the first entered is first).
    gift(people[10], D(2026, 3, 1), Decimal(60), ack="pending")
    gift(people[10], D(2026, 3, 1), Decimal(15), ack="pending")
    gift(people[11], D(2024, 2, 2), Decimal(20), status="failed")  # never counted
    gift(people[11], D(2025, 2, 2), Decimal(35), ack="pending", campaign=running)
    return {"rows": rows, "campaigns": [running, no_goal, ended, later], "people": people}


@pytest.fixture
def work(db, staff, board):
    """Recurring plans, mailings and import jobs in every state."""
    donor = SupporterFactory()
    for status, interval, amount in (
        ("past_due", "month", 25), ("past_due", "year", 300), ("active", "month", 10),
        ("cancelled", "month", 5),
    ):  # fmt: skip
        RecurringGift.objects.create(
            supporter=donor, status=status, interval=interval, amount=Decimal(amount)
        )
    letter = Letter.objects.create(name="Letter")
    for n, status in enumerate(("sending", "scheduled", "draft", "sent", "cancelled")):
        Mailing.objects.create(name=f"M {status}", slug=f"m{n}", letter=letter, status=status)
    for status, owner in (("failed", staff), ("refused", board), ("ready", staff),
                          ("done", staff), ("importing", staff)):  # fmt: skip
        ImportJob.objects.create(
            kind="file", status=status, file_name=f"{status}.csv", file_format="csv",
            created_by=owner,
        )  # fmt: skip


def _money(rows, *, start, end):
    """(gross, refunds): money received in the period, refunds dated in it (no card fees
    in this ledger)."""
    gross = sum(
        g.amount for g, _r in rows if g.status in RECEIVED and start <= g.received_on <= end
    )
    back = sum(a for _g, refunds in rows for d, a in refunds if start <= d <= end)
    return gross, back


def _queue(rows):
    waiting = [g for g, _r in rows if g.acknowledgement == "pending" and g.status in QUEUE]
    return sorted((g for g in waiting if g.amount > g.amount_refunded), key=_order)


def _order(gift):
    return (gift.received_on, gift.pk)


def _first_gifts(rows):
    firsts = {}
    for gift, _r in sorted(rows, key=lambda row: _order(row[0])):
        if gift.status in COUNTED:
            firsts.setdefault(gift.supporter_id, gift.pk)
    return set(firsts.values())


def test_it_counts_the_gifts_to_thank(ledger):
    queue = _queue(ledger["rows"])
    firsts = [g for g in queue if g.pk in _first_gifts(ledger["rows"])]
    waiting = selectors.thanks_waiting(today=TODAY)
    assert waiting.count == len(queue) > 0
    assert waiting.total == sum(g.amount - g.amount_refunded for g in queue)
    assert waiting.oldest.pk == queue[0].pk
    assert waiting.oldest_days == (TODAY - queue[0].received_on).days
    assert waiting.first_time == len(firsts) >= 2
    assert [g.pk for g in waiting.first_gifts] == [g.pk for g in firsts][: selectors.LIST_SIZE]


def test_first_gift_is_the_first_counted_and_the_first_entered_that_day(ledger):
    firsts = _first_gifts(ledger["rows"])
    shown = {g.pk for g in Gift.objects.filter(first_counted_gift())}
    assert shown == firsts
    twice, after_failed = ledger["people"][10], ledger["people"][11]
    same_day = [g for g, _r in ledger["rows"] if g.supporter_id == twice.pk]
    assert same_day[0].pk in shown and same_day[1].pk not in shown
    late = [g for g, _r in ledger["rows"] if g.supporter_id == after_failed.pk]
    assert late[0].status == "failed" and late[0].pk not in shown and late[1].pk in shown


def test_it_lists_the_last_ten_gifts_received(ledger):
    received = sorted((g for g, _r in ledger["rows"] if g.status in RECEIVED), key=_order)
    assert [g.pk for g in selectors.recent_gifts()] == [g.pk for g in received[::-1][:10]]


def test_the_year_to_date_against_the_same_point_last_year(ledger):
    rows = ledger["rows"]
    year = selectors.giving_so_far(today=TODAY).year
    assert (year.fiscal_year, year.start, year.last_start, year.last_today) == (
        2026, THIS_START, LAST_START, LAST_TODAY,
    )  # fmt: skip
    this, this_back = _money(rows, start=THIS_START, end=TODAY)
    last, last_back = _money(rows, start=LAST_START, end=LAST_TODAY)
    assert (year.this.gross, year.this.refunds, year.this.fees) == (this, this_back, 0)
    assert (year.last.gross, year.last.refunds, year.last.fees) == (last, last_back, 0)
    assert (year.this.net, year.last.net) == (this - this_back, last - last_back)
    assert year.change == this - last
    assert year.change_percent == (100 * (this - last) / last).quantize(Decimal("0.1"))
    # The refund across the boundary lowers this year, not the year of its gift.
    assert year.this.refunds >= Decimal(120) + Decimal(500)


def test_campaigns_running_today_with_what_they_raised(ledger):
    running, no_goal, _ended, _later = ledger["campaigns"]
    shown = selectors.giving_so_far(today=TODAY).campaigns
    assert {c.pk for c in shown} == {running.pk, no_goal.pk}
    for campaign in shown:
        expected = sum(
            g.amount - g.amount_refunded
            for g, _r in ledger["rows"]
            if g.campaign_id == campaign.pk and g.status in COUNTED
        )
        assert campaign.raised == expected
    spring = next(c for c in shown if c.pk == running.pk)
    assert spring.percent == int(100 * spring.raised / 1000)
    assert spring.bar == min(spring.percent, 100)
    assert next(c for c in shown if c.pk == no_goal.pk).percent is None


def test_failed_payments_mailings_and_imports(work):
    failed = selectors.failed_plans()
    assert failed.count == 2
    assert failed.monthly_amount == Decimal(25)  # the yearly plan is not a monthly amount
    assert [m.name for m in selectors.mailings_in_progress()] == ["M sending", "M scheduled"]
    assert {j.file_name for j in selectors.import_problems()} == {
        "failed.csv", "refused.csv", "ready.csv",
    }  # fmt: skip


def _figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert match, name
    return match.group(1).strip()


def _links(html: str) -> list[str]:
    main = html[html.index('<div class="home-grid">') : html.index('<div id="all-sections">')]
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"#]+)"', main)]


def test_staff_see_every_figure_with_its_buttons(staff_client, ledger, work):
    assert resolve("/admin/").func is staff_home
    assert reverse("admin:index") == "/admin/"
    html = staff_client.get("/admin/").content.decode()
    rows = ledger["rows"]
    assert _figure(html, "thanks-count") == str(len(_queue(rows)))
    firsts = [g for g in _queue(rows) if g.pk in _first_gifts(rows)]
    assert _figure(html, "thanks-first") == str(len(firsts))
    gross, back = _money(rows, start=THIS_START, end=TODAY)
    assert _figure(html, "year-raised") == f"${gross:,.2f}"
    assert _figure(html, "year-net") == f"${gross - back:,.2f}"
    assert _figure(html, "failed-plans") == "2"
    assert _figure(html, "mailings") == "2"
    assert _figure(html, "imports") == "3"
    assert 'id="home-actions"' in html and reverse("admin:donations_gift_record") in html
    assert 'id="all-sections"' in html and reverse("admin:crm_supporter_changelist") in html


def _listed(client, links: list[str]) -> dict:
    """Each filtered list the home links to: (path, its query as a dict) -> rows listed."""
    found = []
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link  # an unknown filter redirects to ?e=1
        query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
        if query and response.context and "cl" in response.context:
            found.append((urlsplit(link).path, query, response.context["cl"].result_count))
    return found


def _count(found, path: str, **query: str) -> int:
    matches = [n for p, q, n in found if p == path and q == query]
    assert len(set(matches)) == 1, (path, query, found)
    return matches[0]


def test_each_link_opens_its_list_with_its_filter(staff_client, ledger, work):
    rows = ledger["rows"]
    links = _links(staff_client.get("/admin/").content.decode())
    found = _listed(staff_client, links)
    gifts = reverse("admin:donations_gift_changelist")
    firsts = [g for g in _queue(rows) if g.pk in _first_gifts(rows)]
    queue_statuses = "succeeded,partially_refunded"
    assert _count(
        found, gifts, acknowledgement__exact="pending", status__in=queue_statuses,
        first_gift="yes",
    ) == len(firsts)  # fmt: skip
    received = ",".join(("succeeded", "partially_refunded", "disputed", "refunded"))
    for start, end in ((THIS_START, TODAY), (LAST_START, LAST_TODAY)):
        in_range = [g for g, _r in rows if g.status in RECEIVED and start <= g.received_on <= end]
        assert _count(
            found, gifts, received_on__gte=str(start), received_on__lte=str(end),
            status__in=received,
        ) == len(in_range)  # fmt: skip
        refunds = [d for _g, r in rows for d, _a in r if start <= d <= end]
        assert _count(
            found, reverse("admin:donations_refund_changelist"),
            refunded_on__gte=str(start), refunded_on__lte=str(end),
        ) == len(refunds)  # fmt: skip
    for campaign in ledger["campaigns"][:2]:
        counted = [g for g, _r in rows if g.campaign_id == campaign.pk and g.status in COUNTED]
        assert _count(
            found, gifts, campaign__id__exact=str(campaign.pk),
            status__in="succeeded,partially_refunded,disputed",
        ) == len(counted)  # fmt: skip
    plans = reverse("admin:donations_recurringgift_changelist")
    assert _count(found, plans, status__exact="past_due") == 2
    mailings = reverse("admin:mailings_mailing_changelist")
    assert _count(found, mailings, status__in="sending,scheduled") == 2
    for mailing in Mailing.objects.filter(status__in=("sending", "scheduled")):
        assert reverse("admin:mailings_mailing_results", args=[mailing.pk]) in links
    assert reverse("admin:donations_gift_thanks") in links
    assert gifts in links  # the whole list, beside the last ten
    for gift in selectors.recent_gifts():
        assert reverse("admin:donations_gift_change", args=[gift.pk]) in links


def test_an_import_opens_only_for_whoever_uploaded_it(staff_client, work):
    links = _links(staff_client.get("/admin/").content.decode())
    own = ImportJob.objects.get(status="failed")
    other = ImportJob.objects.get(status="refused")  # the board member's
    assert reverse("admin:crm_supporter_import_job", args=[own.pk]) in links
    assert reverse("admin:crm_supporter_import_job", args=[other.pk]) not in links


def test_the_board_sees_the_figures_without_buttons(board_client, ledger, work):
    html = board_client.get("/admin/").content.decode()
    assert _figure(html, "thanks-count") == str(len(_queue(ledger["rows"])))
    assert _figure(html, "failed-plans") == "2"
    assert 'class="button"' not in html
    for name in ("donations_gift_record", "donations_gift_batch", "mailings_mailing_add",
                 "crm_supporter_import"):  # fmt: skip
        assert reverse(f"admin:{name}") not in html
    assert all(board_client.get(link).status_code == 200 for link in _links(html)[:8])


def test_an_outsider_is_sent_to_sign_in(client, outsider):
    client.force_login(outsider)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    client.logout()
    assert client.get("/admin/").url.startswith(reverse("admin:login"))


def test_it_answers_in_a_few_queries(staff_client, ledger, work, django_assert_max_num_queries):
    staff_client.get("/admin/")  # sessions and permissions warmed up alike either way
    # The session, the user and their permissions (4), then one to three per panel (14, with
    # cancelled plans and 'My tasks'), however many gifts there are: the database aggregates;
    # and the last worker heartbeat (1).
    with django_assert_max_num_queries(19):
        response = staff_client.get("/admin/")
    assert response.status_code == 200
