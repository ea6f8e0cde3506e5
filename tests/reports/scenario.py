"""One generated history shared by the report tests: hand-placed edge cases plus a seeded
random crowd, on a fiscal year from July (FY2026 = 1 July 2025 to 30 June 2026)."""

import datetime
import random
from decimal import Decimal

from donations.models import Campaign, Fund, RecurringGift
from tests.reports.conftest import Book

D = datetime.date
TODAY = D(2026, 3, 15)
STATUSES = ["succeeded"] * 8 + ["failed", "pending", "disputed"]


def build(book: Book, *, crowd: int = 40) -> dict:
    """Write the history; returns the hand-placed supporters by name."""
    fund = Fund.objects.create(name="General", code="general")
    legal = Fund.objects.create(name="Legal defense", code="legal")
    spring = Campaign.objects.create(name="Spring appeal", code="spring26", fund=fund)
    who = {name: book.person(first_name=name.title()) for name in [
        "alice", "bob", "carol", "dan", "eve", "eve2", "frank", "grace", "heidi", "ivan",
        "judy", "ken", "lena", "mia",
    ]}  # fmt: skip
    give = book.give
    give(who["alice"], 100, D(2024, 8, 1))
    give(who["alice"], 200, D(2025, 7, 1), method="card", fee="6.10", stripe_id="pi_a1")
    give(who["bob"], 50, D(2024, 7, 1), fund=legal)  # first day of FY2025; lapses
    plan = RecurringGift.objects.create(supporter=who["carol"], amount=25, status="active")
    give(who["carol"], 300, D(2025, 9, 10), campaign=spring, appeal_code="spring26")
    give(who["carol"], 25, D(2025, 10, 1), plan=plan, method="card", fee="1.03")
    give(who["carol"], 25, D(2025, 11, 1), plan=plan, method="card", fee="1.03")
    # A gift in FY2025's last month refunded in FY2026, and one on FY2025's last day.
    book.refund(give(who["dan"], 500, D(2025, 6, 15), fee="14.80", method="card"), 500,
                D(2025, 7, 10))  # fmt: skip
    give(who["dan"], 40, D(2025, 6, 30))
    # A duplicate record, merged: an old donor, so not new this year, and counted once.
    give(who["eve"], 10, D(2023, 5, 1))
    give(who["eve2"], 80, D(2025, 12, 1), appeal_code="spring26")
    give(who["eve2"], 20, D(2025, 12, 5))
    give(who["frank"], 1000, D(2025, 8, 1), status="failed")
    give(who["frank"], 70, D(2025, 8, 2), status="pending")
    book.refund(give(who["grace"], 400, D(2025, 10, 10), fee="12"), 100, D(2026, 1, 5))
    give(who["heidi"], 60, D(2025, 2, 1))
    give(who["heidi"], 60, TODAY)
    give(who["ivan"], 999, TODAY + datetime.timedelta(days=1))
    book.refund(give(who["judy"], 90, D(2025, 11, 11)), 90, D(2025, 11, 20))
    give(who["ken"], 30, D(2026, 6, 30))  # last day of FY2026
    give(who["lena"], 300, D(2025, 5, 1))  # downgrades in FY2026
    give(who["lena"], 100, D(2026, 4, 1))
    give(who["mia"], 75, D(2023, 9, 1))  # gave in FY2024 only: SYBUNT in FY2026
    book.merge(who["eve"], who["eve2"])

    rng = random.Random(13)
    for n in range(crowd):
        person = book.person(first_name=f"Crowd{n}")
        for _ in range(rng.randint(1, 6)):
            day = D(2021, 7, 1) + datetime.timedelta(days=rng.randint(0, 1800))
            method = rng.choice(["card", "cheque", "cash", "bank_transfer"])
            online = method == "card" and rng.random() < 0.7
            row = give(
                person,
                rng.choice([5, 10, 25, 50, 100, 250, 500, 1000, 2500, 6000]),
                day,
                status=rng.choice(STATUSES),
                fee=rng.choice([None, "0.50", "3.20"]),
                method=method,
                stripe_id=f"pi_crowd_{len(book.rows)}" if online else None,
                fund=rng.choice([None, fund, legal]),
                campaign=rng.choice([None, spring]),
                appeal_code=rng.choice(["", "spring26", "fall25"]),
            )
            if row.status == "succeeded" and rng.random() < 0.15:
                later = day + datetime.timedelta(days=rng.randint(0, 120))
                if later < D(2026, 11, 1):
                    book.refund(row, rng.choice([row.amount, row.amount / 2]), later)
    book.settle()
    return {"fund": fund, "legal": legal, "spring": spring, "plan": plan, **who}


def money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))
