"""Demo gifts for `seed_demo`: funds, dated campaigns, three years of gifts for about two
thirds of the demo supporters (a campaign's gifts inside its dates or just after), monthly
plans with the payments they made, a few refunds, and the last ten days' offline gifts to thank
(among them a first-time donor without email, for a printed letter, and a larger gift).
Deterministic for a seed and a day; added only once."""

import datetime
import random
from collections import Counter
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from crm.models import Supporter
from donations.demo_plans import demo_plans_seed
from donations.demo_refunds import demo_refunds_seed
from donations.models import Campaign, Fund, Gift, RecurringGift
from donations.services import GiftEntry, gifts_record

AMOUNTS = [Decimal(a) for a in (10, 20, 25, 25, 35, 50, 50, 75, 100, 100, 150, 250, 500, 1000)]
METHODS = (
    [Gift.Method.CHEQUE] * 4
    + [Gift.Method.CARD] * 5
    + [Gift.Method.CASH, Gift.Method.BANK_TRANSFER]
)


TAIL = datetime.timedelta(days=21)  # replies to an appeal keep coming a few weeks after it
LATE_REPLIES = 0.1  # the share of a campaign's gifts that come in those weeks
YEARS = 3
FIRST_TIME_NOTE = "First gift: met us at the community legal clinic."


def demo_gifts_seed(*, seed: int) -> str:
    if Gift.objects.exists() or RecurringGift.objects.exists():
        return "Demo gifts: already there."
    general, _ = Fund.objects.get_or_create(
        code="general",
        defaults={"name": "General operating", "name_es": "Fondo general", "is_default": True},
    )
    legal, _ = Fund.objects.get_or_create(
        code="legal-defense", defaults={"name": "Legal defense", "name_es": "Defensa legal"}
    )
    today = timezone.localdate()
    first_day = today - datetime.timedelta(days=YEARS * 365)
    campaigns = _campaigns(today, first_day, general=general, legal=legal)
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    people = list(
        Supporter.objects.filter(deceased=False).order_by("pk").values_list("pk", "email")
    )
    entries: list[GiftEntry] = []
    for supporter_id, _email in people:
        if rng.random() > 0.66:
            continue
        for _ in range(rng.choice((1, 1, 2, 3, 4, 6))):
            campaign, day = _when(rng, campaigns, today, first_day)
            entries.append(_gift(rng, supporter_id, day, campaign, general, today))
    entries += _property_gifts(people, today, general)
    entries += _recent_story(people, entries, today, campaigns, general)
    plans, instalments = demo_plans_seed(rng=rng, people=people, fund=general, today=today)
    # Through the gifts service, like every gift (its defaults, history and summaries).
    entries += instalments
    gifts = gifts_record(entries=entries, reason="Demo data") if entries else []
    _goals(campaigns, today, rng)
    from donations.deposits.demo import demo_deposits_seed

    deposits = demo_deposits_seed()
    refunds = demo_refunds_seed(today=today)
    return (
        f"Demo gifts: {len(gifts)} gifts ({len(instalments)} of them from {len(plans)} monthly "
        f"plans), {refunds} refunds, {len(campaigns)} campaigns, 2 funds. " + deposits
    )


def _campaigns(
    today: datetime.date, first_day: datetime.date, *, general: Fund, legal: Fund
) -> list[Campaign]:
    """A spring appeal (March to May, for legal defense) and a year-end appeal (November and
    December) each year, named for the years the demo covers, begun by today."""
    found = []
    for year in range(first_day.year, today.year + 1):
        for code, name, starts_on, ends_on, fund in (
            (f"spring{year % 100:02}", f"Spring appeal {year}",
             datetime.date(year, 3, 1), datetime.date(year, 5, 31), legal),
            (f"yearend{year % 100:02}", f"Year-end appeal {year}",
             datetime.date(year, 11, 1), datetime.date(year, 12, 31), general),
        ):  # fmt: skip
            if starts_on <= today and ends_on + TAIL >= first_day:
                values = {"name": name, "fund": fund, "starts_on": starts_on, "ends_on": ends_on}
                found.append(Campaign.objects.get_or_create(code=code, defaults=values)[0])
    return found


def _window(
    campaign: Campaign, yesterday: datetime.date, first_day: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """The campaign's own days that the demo covers, up to yesterday."""
    return max(campaign.starts_on, first_day), min(campaign.ends_on, yesterday)


def _when(
    rng: random.Random, campaigns: list[Campaign], today: datetime.date, first_day: datetime.date
) -> tuple[Campaign | None, datetime.date]:
    """Half the gifts answer a campaign, on a day inside it (year-end ones twice as thick on
    the ground as spring ones) or, for a few late replies, in the weeks after it; the rest
    come any day, attached to none."""
    yesterday = today - datetime.timedelta(days=1)
    if campaigns and rng.random() < 0.5:
        windows = [_window(c, yesterday, first_day) for c in campaigns]
        weights = [
            max((end - start).days + 1, 0) * (2 if c.code.startswith("yearend") else 1)
            for c, (start, end) in zip(campaigns, windows, strict=True)
        ]
        if sum(weights):
            index = rng.choices(range(len(campaigns)), weights=weights)[0]
            campaign, (start, end) = campaigns[index], windows[index]
            late = min(TAIL.days, (yesterday - campaign.ends_on).days)
            if late > 0 and rng.random() < LATE_REPLIES:
                return campaign, campaign.ends_on + datetime.timedelta(days=rng.randint(1, late))
            return campaign, start + datetime.timedelta(days=rng.randint(0, (end - start).days))
    return None, today - datetime.timedelta(days=rng.randint(1, YEARS * 365))


def _gift(
    rng: random.Random,
    supporter_id: int,
    day: datetime.date,
    campaign: Campaign | None,
    general: Fund,
    today: datetime.date,
) -> GiftEntry:
    method = rng.choice(METHODS)
    return GiftEntry(
        supporter=supporter_id,
        amount=rng.choice(AMOUNTS),
        received_on=day,
        method=method,
        cheque_number=str(rng.randint(1000, 9999)) if method == Gift.Method.CHEQUE else "",
        campaign=campaign,
        fund=campaign.fund if campaign else general,
        details={"acknowledgement": _acknowledgement(day, today, method)},
    )


def _acknowledgement(day: datetime.date, today: datetime.date, method: str) -> str:
    """Card gifts are online ones, thanked by email as they arrive; the office thanks the
    rest within about ten days, so only those newer than that still wait."""
    waiting = (today - day).days <= 10 and method != Gift.Method.CARD
    return Gift.Acknowledgement.PENDING if waiting else Gift.Acknowledgement.THANKED


def _running(campaigns: list[Campaign], day: datetime.date) -> Campaign | None:
    return next((c for c in campaigns if c.starts_on <= day <= c.ends_on + TAIL), None)


def _recent_story(
    people: list[tuple[int, str]],
    entries: list[GiftEntry],
    today: datetime.date,
    campaigns: list[Campaign],
    general: Fund,
) -> list[GiftEntry]:
    """Gifts still to thank that the queue should show: a first-time donor's check (no
    email, so a printed letter) and a long-time donor's larger gift."""
    givers = {e.supporter for e in entries}
    newcomer = next((pk for pk, email in people if pk not in givers and not email), None)
    loyal = Counter(e.supporter for e in entries).most_common(1)
    story = []
    for supporter_id, amount, days_ago, note in (
        (newcomer, Decimal(100), 3, FIRST_TIME_NOTE),
        (loyal[0][0] if loyal else None, Decimal(2500), 5, ""),
    ):
        if supporter_id is None:
            continue
        day = today - datetime.timedelta(days=days_ago)
        campaign = _running(campaigns, day)
        story.append(
            GiftEntry(
                supporter=supporter_id,
                amount=amount,
                received_on=day,
                method=Gift.Method.CHEQUE,
                cheque_number=str(1000 + days_ago),
                notes=note,
                campaign=campaign,
                fund=campaign.fund if campaign else general,
                details={"acknowledgement": Gift.Acknowledgement.PENDING},
            )  # fmt: skip
        )
    return story


def _goals(campaigns: list[Campaign], today: datetime.date, rng: random.Random) -> None:
    """Goals as the office would have set them: ended campaigns near what they raised (some
    met, some missed), the running one a little above its pace so far."""
    raised = dict(
        Gift.objects.filter(campaign__in=campaigns)
        .values_list("campaign")
        .annotate(total=Sum("amount"))
        .values_list("campaign", "total")
    )
    for campaign in campaigns:
        total = raised.get(campaign.pk) or Decimal(0)
        if campaign.ends_on + TAIL < today:
            goal = total * Decimal(rng.uniform(0.85, 1.15))
        else:  # running, or its replies still coming in
            days = (campaign.ends_on + TAIL - campaign.starts_on).days
            elapsed = max((today - campaign.starts_on).days, 1)
            goal = total * days / elapsed * Decimal("1.1")
        campaign.goal = max(Decimal(1000), round(goal / 1000) * Decimal(1000))
    Campaign.objects.bulk_update(campaigns, ["goal"])


def _property_gifts(
    people: list[tuple[int, str]], today: datetime.date, fund: Fund
) -> list[GiftEntry]:
    """A stock gift and an in-kind gift, thanked, so receipts and statements show both kinds.
    Their own picks, after the cash gifts, keep the cash gifts the same for a seed."""
    donors = [pk for pk, email in people if email][:2]
    if len(donors) < 2:
        return []
    day = today - datetime.timedelta(days=40)
    thanked = {"acknowledgement": Gift.Acknowledgement.THANKED}
    return [
        GiftEntry(
            supporter=donors[0], amount=Decimal("4210.00"), received_on=day,
            method=Gift.Method.STOCK, stock_ticker="MSFT", stock_shares=Decimal("10"),
            given_on=day - datetime.timedelta(days=2), fund=fund, details=thanked,
        ),
        GiftEntry(
            supporter=donors[1], amount=Decimal("600.00"), received_on=day,
            method=Gift.Method.IN_KIND, fund=fund, details=thanked,
            in_kind_description="Two office printers (HP LaserJet), used, working",
        ),
    ]  # fmt: skip
