"""The reports bench's data (bench/reports.py): 100,000 supporters and 1,000,000 gifts over six
fiscal years (July start), written in bulk, and the donor summaries built with
donations.summary.

Most donors give one to three times a year in the years they give (some lapse, some come
back); about 5% give monthly through a RecurringGift (failed payments among them); online gifts
carry Stripe ids and fees; about 1.5% of gifts are refunded in full or in part, some weeks
later, so June gifts' refunds cross the fiscal-year boundary; campaigns, funds and appeal codes
by season. Gifts in the last ten days wait to be thanked.
"""

import datetime
import random
import time
from decimal import Decimal

TODAY = datetime.date(2026, 11, 20)  # FY2027 (July start): FY2022 to FY2027, six years
FIRST_DAY = datetime.date(2021, 7, 1)
CHUNK = 50_000
GIVES = 0.7  # chance a donor gives in a year after their first


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


class _Writer:
    """Gift rows collected and written with core.bulk.insert_rows (COPY) every CHUNK rows."""

    def __init__(self) -> None:
        from django.utils import timezone

        from core import bulk
        from donations.models import Gift

        self.bulk, self.Gift, self.now = bulk, Gift, timezone.now()
        self.rows: list[dict] = []
        self.written = 0
        self.started = time.perf_counter()

    def add(self, row: dict) -> None:
        self.rows.append(row)
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        self.bulk.insert_rows(self.Gift, self.rows)
        self.written += len(self.rows)
        self.rows = []
        rate = self.written / (time.perf_counter() - self.started)
        print(f"  gifts written: {self.written:,} ({rate:,.0f} rows/s)", flush=True)


def populate(supporters: int, gifts: int) -> dict:  # noqa: C901 - one generator, read top-down
    """Returns counts of what was written."""
    from django.db import transaction

    from core import bulk
    from core.models import Organisation
    from crm.models import Supporter
    from donations.models import Campaign, Fund, Gift, RecurringGift, Refund

    rng = random.Random(13)
    Organisation.current()
    Organisation.objects.filter(pk=1).update(fiscal_year_start_month=7)
    funds = [
        Fund.objects.create(name=name, code=code, is_default=code == "general")
        for name, code in [
            ("General operating", "general"),
            ("Legal defense", "legal"),
            ("Scholarships", "scholar"),
            ("Building", "building"),
        ]
    ]
    campaigns = []  # (campaign, start, end): spring, year-end, a summer match, each year
    for year in range(2021, 2027):
        for code, name, start, end, fund in [
            ("spring", "Spring appeal", (3, 1), (4, 30), 0),
            ("match", "Summer match", (6, 1), (6, 30), 2),
            ("eoy", "Year-end appeal", (11, 1), (12, 31), 0),
            ("legal", "Legal defense drive", (9, 1), (10, 15), 1),
        ]:
            s, e = datetime.date(year, *start), datetime.date(year, *end)
            campaign = Campaign.objects.create(
                name=f"{name} {year}", code=f"{code}{year % 100}", starts_on=s, ends_on=e,
                goal=Decimal(rng.choice([50_000, 100_000, 250_000])), fund=funds[fund],
            )  # fmt: skip
            campaigns.append((campaign, s, e))

    started = time.perf_counter()
    with transaction.atomic():
        ids = bulk.reserve_ids(Supporter, supporters)
        now = datetime.datetime.now(datetime.UTC)
        bulk.insert_rows(
            Supporter,
            (_supporter(n, pk, now) for n, pk in enumerate(ids)),
        )
    print(f"  supporters written: {supporters:,} in {time.perf_counter() - started:.1f} s")

    writer = _Writer()
    refunds: list[dict] = []
    plans: list[dict] = []
    n_gift = 0
    gift_ids = iter(())

    def next_id() -> int:
        nonlocal gift_ids
        try:
            return next(gift_ids)
        except StopIteration:
            with transaction.atomic():
                gift_ids = iter(bulk.reserve_ids(Gift, 100_000))
            return next(gift_ids)

    def campaign_for(day: datetime.date):
        running = [c for c, s, e in campaigns if s <= day <= e]
        return running[0] if running and rng.random() < 0.7 else None

    def gift(supporter_id: int, day: datetime.date, amount: Decimal, *, online: bool,
             plan: int | None = None, status: str = "succeeded") -> None:  # fmt: skip
        nonlocal n_gift
        pk = next_id()
        campaign = None if plan else campaign_for(day)
        method = "card" if online else rng.choice(["cheque", "cheque", "cheque", "cash",
                                                   "bank_transfer", "stock"])  # fmt: skip
        fee = (amount * Decimal("0.022") + Decimal("0.30")).quantize(Decimal("0.01"))
        refunded = Decimal("0.00")
        if status == "succeeded" and rng.random() < 0.015 and day < TODAY:
            # Refunds: mostly in full, some in part, some weeks after the gift.
            whole = rng.random() < 0.7
            refunded = amount if whole else (amount / 2).quantize(Decimal("0.01"))
            status = "refunded" if whole else "partially_refunded"
            on = min(day + datetime.timedelta(days=rng.choice([0, 3, 10, 25, 40])), TODAY)
            refunds.append({"gift_id": pk, "refunded_on": on, "amount": refunded})
        elif status == "succeeded" and rng.random() < 0.0005:
            status = "disputed"
        thanked = day < TODAY - datetime.timedelta(days=10) or rng.random() < 0.2
        writer.add(
            {"id": pk, "supporter_id": supporter_id, "amount": amount, "received_on": day,
             "method": method, "status": status, "amount_refunded": refunded,
             "fee": fee if online and status != "failed" else None,
             "net": amount - fee if online and status != "failed" else None,
             "fund_id": (campaign.fund_id if campaign else funds[0].pk) if rng.random() < 0.9
             else funds[rng.randrange(4)].pk,
             "campaign_id": campaign.pk if campaign else None,
             "appeal_code": campaign.code if campaign else "",
             "recurring_id": plan,
             "stripe_payment_intent_id": f"pi_{pk}" if online and not plan else None,
             "stripe_invoice_id": f"in_{pk}" if plan else None,
             "acknowledgement": "thanked" if thanked or status not in ("succeeded",
                                                                       "partially_refunded")
             else "pending", "created_at": writer.now}
        )  # fmt: skip
        n_gift += 1

    # 1. Monthly donors (about 3% of supporters): a plan and a gift a month while it ran.
    plan_ids = []
    order = list(ids)
    rng.shuffle(order)
    monthly = order[: supporters * 5 // 100]
    with transaction.atomic():
        plan_ids = bulk.reserve_ids(RecurringGift, len(monthly))
    for supporter_id, plan_id in zip(monthly, plan_ids, strict=True):
        start = _day(rng, FIRST_DAY, TODAY - datetime.timedelta(days=30))
        amount = Decimal(rng.choice([10, 15, 20, 25, 50, 100]))
        cancelled = rng.random() < 0.35
        end = _day(rng, start, TODAY) if cancelled else TODAY
        past_due = not cancelled and rng.random() < 0.04
        plans.append(
            {"id": plan_id, "supporter_id": supporter_id, "amount": amount, "interval": "month",
             "status": "cancelled" if cancelled else "past_due" if past_due else "active",
             "stripe_subscription_id": f"sub_{plan_id}", "started_on": start,
             "next_charge_on": end + datetime.timedelta(days=30),
             "cancelled_at": datetime.datetime.combine(end, datetime.time(12), datetime.UTC)
             if cancelled else None, "created_at": writer.now}
        )  # fmt: skip
    with transaction.atomic():
        bulk.insert_rows(RecurringGift, plans)
    for plan in plans:
        day = plan["started_on"]
        while day <= (TODAY if plan["status"] != "cancelled" else plan["cancelled_at"].date()):
            failed = rng.random() < 0.03 or (plan["status"] == "past_due" and day > TODAY
                                             - datetime.timedelta(days=30))  # fmt: skip
            gift(plan["supporter_id"], day, plan["amount"], online=True, plan=plan["id"],
                 status="failed" if failed else "succeeded")  # fmt: skip
            day = (day + datetime.timedelta(days=31)).replace(day=min(day.day, 28))

    # 2. Everyone else who gives: 1-3 gifts in each year they give, until `gifts` are written.
    fiscal_years = [(datetime.date(y - 1, 7, 1), min(datetime.date(y, 6, 30), TODAY))
                    for y in range(2022, 2028)]  # fmt: skip
    donors = order[len(monthly) : len(monthly) + supporters * 85 // 100]
    first_year = {sid: rng.choice([0, 0, 0, 1, 1, 2, 3, 4, 5]) for sid in donors}
    size = {sid: rng.choice([10, 20, 25, 35, 50, 50, 75, 100, 100, 150, 250, 500, 1000, 5000])
            for sid in donors}  # fmt: skip
    counts = [1, 1, 2, 2, 3, 3, 4, 6, 12]  # most give 1-3 times; a few by check every month
    expected = sum(6 - first_year[sid] for sid in donors) * GIVES * sum(counts) / len(counts)
    keep = min(1.0, (gifts - n_gift) / expected)  # thins every year alike to hit `gifts`
    while n_gift < gifts:
        for sid in donors:
            for y in range(first_year[sid], 6):
                if rng.random() > GIVES:  # lapsed this year (some come back later)
                    continue
                start, end = fiscal_years[y]
                for _ in range(rng.choice(counts)):
                    if n_gift >= gifts or rng.random() > keep:
                        continue
                    amount = Decimal(size[sid]) * Decimal(rng.choice(["0.5", "1", "1", "2"]))
                    gift(sid, _day(rng, start, end), amount, online=rng.random() < 0.45)
            if n_gift >= gifts:
                break
    writer.flush()
    seconds = time.perf_counter() - writer.started
    with transaction.atomic():
        bulk.insert_rows(Refund, ({**r, "created_at": writer.now} for r in refunds))
    print(f"  refunds written: {len(refunds):,}; plans: {len(plans):,}")
    return {"gifts": n_gift, "gift_seconds": seconds, "refunds": len(refunds)}


def summaries() -> tuple[int, float]:
    """donations.summary's own refresh, in slices so progress shows."""
    from donations.models import Gift, RecurringGift
    from donations.summary import donor_summaries_refresh

    ids = sorted(
        set(Gift.objects.values_list("supporter_id", flat=True).distinct())
        | set(RecurringGift.objects.values_list("supporter_id", flat=True).distinct())
    )
    started = time.perf_counter()
    for start in range(0, len(ids), 10_000):
        donor_summaries_refresh(supporter_ids=ids[start : start + 10_000])
        print(f"  summaries: {min(start + 10_000, len(ids)):,} of {len(ids):,}", flush=True)
    return len(ids), time.perf_counter() - started


def _supporter(n: int, pk: int, now: datetime.datetime) -> dict:
    """Supporter n, with the match keys and email hash a saved supporter has: the pages that
    find namesakes and housemates read by them."""
    from crm import matching

    record = {"id": pk, "first_name": f"First{n}", "last_name": f"Last{n % 5000}",
              "email": "" if n % 9 == 0 else f"donor{n}@example.org",
              "address_line1": f"{n} Main St", "city": "Oakland", "region": "CA",
              "postal_code": f"{94000 + n % 900:05d}", "country": "US",
              "created_at": now, "updated_at": now}  # fmt: skip
    return record | matching.record_keys(record)
