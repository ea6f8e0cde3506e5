"""Demo gifts for `seed_demo`: funds, campaigns, three years of gifts for about two thirds
of the demo supporters, a few monthly plans, and some gifts still to thank (among them
donors without email, for printed letters). Deterministic for a seed; added only once."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from crm.models import Supporter
from donations.models import Campaign, Fund, Gift, RecurringGift
from donations.services import GiftEntry, gifts_record
from donations.summary import donor_summaries_refresh

AMOUNTS = [Decimal(a) for a in (10, 20, 25, 25, 35, 50, 50, 75, 100, 100, 150, 250, 500, 1000)]
METHODS = (
    [Gift.Method.CHEQUE] * 4
    + [Gift.Method.CARD] * 5
    + [Gift.Method.CASH, Gift.Method.BANK_TRANSFER]
)


def demo_gifts_seed(*, seed: int) -> str:
    if Gift.objects.exists() or RecurringGift.objects.exists():
        return "Demo gifts: already there."
    general, _ = Fund.objects.get_or_create(
        code="general", defaults={"name": "General operating", "is_default": True}
    )
    legal, _ = Fund.objects.get_or_create(code="legal-defense", defaults={"name": "Legal defense"})
    today = timezone.localdate()
    campaigns = [
        Campaign.objects.get_or_create(code=code, defaults=values)[0]
        for code, values in (
            (
                "yearend24",
                {"name": "Year-end appeal 2024", "fund": general, "goal": Decimal(60000)},
            ),
            (
                "yearend25",
                {"name": "Year-end appeal 2025", "fund": general, "goal": Decimal(75000)},
            ),
            ("spring26", {"name": "Spring appeal 2026", "fund": legal, "goal": Decimal(40000)}),
        )
    ]
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    people = list(
        Supporter.objects.filter(deceased=False).order_by("pk").values_list("pk", "email")
    )
    entries: list[GiftEntry] = []
    for supporter_id, email in people:
        if rng.random() > 0.66:
            continue
        for _ in range(rng.choice((1, 1, 2, 3, 4, 6))):
            day = today - datetime.timedelta(days=rng.randint(1, 3 * 365))
            campaign = rng.choice([*campaigns, None])
            method = rng.choice(METHODS)
            recent = (today - day).days < 20
            entries.append(
                GiftEntry(
                    supporter=supporter_id,
                    amount=rng.choice(AMOUNTS),
                    received_on=day,
                    method=method,
                    cheque_number=str(rng.randint(1000, 9999))
                    if method == Gift.Method.CHEQUE
                    else "",
                    campaign=campaign,
                    fund=campaign.fund if campaign else general,
                    details={
                        "acknowledgement": Gift.Acknowledgement.PENDING
                        if recent or not email and rng.random() < 0.1
                        else Gift.Acknowledgement.THANKED
                    },
                )
            )
    entries += _property_gifts(people, today, general)
    # Through the gifts service, like every gift (its defaults, history and summaries).
    gifts = gifts_record(entries=entries, reason="Demo data") if entries else []
    plans = [
        RecurringGift(
            supporter_id=supporter_id,
            amount=rng.choice((Decimal(10), Decimal(20), Decimal(25), Decimal(50))),
            interval=RecurringGift.Interval.MONTH,
            status=RecurringGift.Status.ACTIVE,
            fund=general,
            started_on=today - datetime.timedelta(days=rng.randint(30, 700)),
            next_charge_on=today + datetime.timedelta(days=rng.randint(1, 28)),
        )
        for supporter_id, email in rng.sample(people, k=min(len(people) // 25, 40))
        if email
    ]
    bulk_create_with_history(
        plans, RecurringGift, batch_size=500, default_change_reason="Demo data"
    )
    donor_summaries_refresh(supporter_ids={p.supporter_id for p in plans})
    from donations.deposits.demo import demo_deposits_seed

    deposits = demo_deposits_seed()
    return (
        f"Demo gifts: {len(gifts)} gifts, {len(plans)} monthly plans, 3 campaigns, 2 funds. "
        + deposits
    )


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
