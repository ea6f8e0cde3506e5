import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from mailings.models import Letter, Mailing
from mailings.sending.models import Delivery
from reports.ledger import Period
from reports.selectors.sources import by_appeal, by_campaign, by_channel, by_fund, by_method
from tests.reports.scenario import D, build, money

pytestmark = pytest.mark.django_db
FY26 = Period(D(2025, 7, 1), D(2026, 6, 30))


def figures(book, period, keep) -> tuple:
    """(gross, refunds, fees, net, gifts, donors, counted total) of the rows `keep` picks."""
    rows = [r for r in book.rows if keep(r)]
    inside = [r for r in rows if period.start <= r.day <= period.end]
    money_in = [r for r in inside if r.status in {"succeeded", "partially_refunded",
                                                  "disputed", "refunded"}]  # fmt: skip
    good = [r for r in money_in if r.status != "refunded"]
    gross = sum((r.amount for r in money_in), Decimal(0))
    fees = sum((r.fee or 0 for r in money_in), Decimal(0))
    refunds = sum(
        (a for r in rows for d, a in r.refunds if period.start <= d <= period.end), Decimal(0)
    )
    total = sum((r.amount for r in good), Decimal(0))
    return (
        gross,
        refunds,
        fees,
        gross - refunds - fees,
        len(good),
        len({r.person for r in good}),
        total,
    )


def got(row) -> tuple:
    g = row.giving
    return g.gross, g.refunds, g.fees, g.net, g.gifts, g.donors, g.counted_total


def channel(row) -> str:
    return "online" if row.stripe else "mail" if row.method == "cheque" else "other"


@pytest.mark.parametrize("period", [FY26, Period(D(2021, 7, 1), D(2026, 6, 30))])
def test_fund_method_and_channel_match_plain_python(july_book, period):
    build(july_book)
    for select, key in [
        (by_fund, lambda r: r.fund_id),
        (by_method, lambda r: r.method),
        (by_channel, channel),
    ]:
        rows = select(period)
        keys = {
            key(r)
            for r in july_book.rows
            if (r.status not in ("failed", "pending") and period.start <= r.day <= period.end)
            or any(period.start <= d <= period.end for d, _ in r.refunds)
        }
        assert {row.key for row in rows} == keys, select.__name__
        for row in rows:
            expected = figures(july_book, period, lambda r, k=row.key, f=key: f(r) == k)
            assert got(row) == expected, (select.__name__, row.key)
        # Every gift is in one group: the groups add up to the whole.
        assert sum(row.giving.gross for row in rows) == july_book.gross(period.start, period.end)
        assert sum(row.giving.refunds for row in rows) == july_book.refunds(
            period.start, period.end
        )
    labels = {row.key: row.label for row in by_channel(period)}
    assert labels["online"] == "Online" and labels["mail"] == "Mail (checks)"


def mailing(letter, slug, started, recipients, channel="print", cost=None) -> Mailing:
    sent = Mailing.objects.create(
        name=slug,
        slug=slug,
        letter=letter,
        cost=cost,
        started_at=None
        if started is None
        else timezone.make_aware(datetime.datetime.combine(started, datetime.time(12))),
    )
    Delivery.objects.bulk_create(
        Delivery(mailing=sent, supporter=person, channel=channel) for person in recipients
    )
    return sent


def test_appeals_and_campaigns_with_their_mailings(july_book):
    who = build(july_book)
    crowd = [july_book.person() for _ in range(12)]
    coded = Letter.objects.create(name="Spring letter", appeal_code="spring26")
    by_campaign_code = Letter.objects.create(name="Spring email", campaign=who["spring"])
    fall = Letter.objects.create(name="Fall letter", appeal_code="fall25")
    mailing(coded, "spring-print", D(2025, 9, 1), crowd[:10], cost=Decimal("120.00"))
    mailing(coded, "spring-email", D(2025, 9, 2), crowd[:5], channel="email")
    mailing(by_campaign_code, "spring-email-2", D(2026, 2, 1), crowd[10:], channel="email")
    mailing(fall, "fall-old", D(2024, 10, 1), crowd, cost=Decimal("99"))  # FY2025
    mailing(fall, "fall-draft", None, crowd)  # never sent

    rows = {row.key: row for row in by_appeal(FY26)}
    spring = rows["spring26"]
    assert got(spring) == figures(july_book, FY26, lambda r: r.appeal_code == "spring26")
    assert (spring.recipients, spring.cost) == (10 + 5 + 2, Decimal("120.00"))
    donors = figures(july_book, FY26, lambda r: r.appeal_code == "spring26")[5]
    assert spring.response_rate == (Decimal(donors) * 100 / 17).quantize(Decimal("0.1"))
    total = figures(july_book, FY26, lambda r: r.appeal_code == "spring26")[6]
    assert spring.cost_per_dollar == money(Decimal("120") / total)
    assert rows["fall25"].recipients is None and rows["fall25"].cost is None
    assert rows[""].label == "No appeal code"
    assert got(rows["fall25"]) == figures(july_book, FY26, lambda r: r.appeal_code == "fall25")
    old = {row.key: row for row in by_appeal(Period(D(2024, 7, 1), D(2025, 6, 30)))}
    assert (old["fall25"].recipients, old["fall25"].cost) == (12, Decimal("99"))
    assert old["fall25"].response_rate is not None

    campaigns = {row.key: row for row in by_campaign(FY26)}
    spring_campaign = campaigns[who["spring"].pk]
    assert spring_campaign.label == "Spring appeal"
    assert got(spring_campaign) == figures(
        july_book, FY26, lambda r: r.campaign_id == who["spring"].pk
    )
    assert spring_campaign.recipients == 17
    assert got(campaigns[None]) == figures(july_book, FY26, lambda r: r.campaign_id is None)
