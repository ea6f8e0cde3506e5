"""The days' totals (donations.models.GivingDay) stay equal to the gifts whatever writes them:
a save, Django's bulk_create, the import's bulk writer (COPY on PostgreSQL), a queryset
update, a delete and a merge. Each step is checked against the gifts
summed afresh; the staff home's year to date reads these rows (reports.ledger)."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection

from core import bulk
from crm.services import supporters_merge
from donations import giving_days
from donations.giving_days import FIGURES, giving_days_fold
from donations.models import Gift, GivingDay
from donations.summary import COUNTED, RECEIVED
from reports import ledger
from reports.ledger import Period
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def days_from_gifts() -> dict:
    """What the table must hold: each day's received gifts summed in Python."""
    days: dict = defaultdict(lambda: [0, 0, 0, 0, 0])
    for gift in Gift.objects.filter(status__in=RECEIVED):
        day = days[gift.received_on]
        day[0] += int(gift.amount * 100)
        day[1] += int((gift.fee or 0) * 100)
        day[2] += 1
        if gift.status in COUNTED:
            day[3] += 1
            day[4] += int(gift.amount * 100)
    return {day: tuple(figures) for day, figures in days.items()}


def days_kept() -> dict:
    """The table, a day's rows summed, without days that came back to nothing."""
    days: dict = defaultdict(lambda: [0, 0, 0, 0, 0])
    for row in GivingDay.objects.all():
        day = days[row.day]
        for n, name in enumerate(FIGURES):
            day[n] += getattr(row, name)
    return {day: tuple(figures) for day, figures in days.items() if any(figures)}


def assert_kept() -> None:
    assert days_kept() == days_from_gifts()


def gift(supporter, amount: str, day: datetime.date, **fields) -> Gift:
    return Gift.objects.create(
        supporter=supporter, amount=Decimal(amount), received_on=day, **fields
    )


def test_every_way_of_writing_a_gift_keeps_the_days_equal_to_the_gifts():
    ana, luis = SupporterFactory(), SupporterFactory()
    first = gift(ana, "50.00", D(2026, 3, 1), fee=Decimal("1.75"))
    gift(ana, "19.99", D(2026, 3, 1))
    gift(luis, "100.00", D(2026, 3, 2), status="pending")  # not received: not counted
    assert days_kept() == {D(2026, 3, 1): (6999, 175, 2, 2, 6999)}
    assert_kept()

    # Django's bulk_create and the import's bulk writer (COPY on PostgreSQL).
    Gift.objects.bulk_create(
        [Gift(supporter=luis, amount=Decimal("0.10"), received_on=D(2026, 3, n)) for n in (1, 3)]
    )
    bulk.insert_rows(
        Gift,
        [
            {"supporter_id": luis.pk, "amount": Decimal("12.34"), "received_on": D(2026, 3, 3),
             "status": "succeeded", "fee": Decimal("0.66")},
            {"supporter_id": ana.pk, "amount": Decimal("5.00"), "received_on": D(2026, 3, 4),
             "status": "failed", "fee": None},
        ],
    )  # fmt: skip
    assert days_kept()[D(2026, 3, 3)] == (1244, 66, 2, 2, 1244)
    assert_kept()

    # Changes of status, amount, fee and day; and updates that change no money.
    Gift.objects.filter(status="pending").update(status="succeeded")
    first.fee = Decimal("2.05")
    first.amount = Decimal("55.00")
    first.save()
    Gift.objects.filter(received_on=D(2026, 3, 3)).update(received_on=D(2026, 2, 28))
    Gift.objects.filter(amount=Decimal("19.99")).update(status="refunded")  # still received
    Gift.objects.filter(amount=Decimal("0.10")).update(status="failed")  # no longer received
    Gift.objects.update(acknowledgement="thanked")
    assert days_kept()[D(2026, 2, 28)] == (1234, 66, 1, 1, 1234)
    assert_kept()

    # A merge moves gifts, not days; deletes: one gift, then the rest at once.
    supporters_merge(survivor=luis, other=ana)
    assert_kept()
    first.delete()
    assert_kept()
    Gift.objects.all().delete()
    assert days_kept() == {}


def test_cents_stay_exact_over_many_gifts():
    """Ten thousand gifts of $0.01 to $0.99 on one day: the sums are whole cents, on SQLite
    (whose decimal columns hold floats) as on PostgreSQL."""
    ana = SupporterFactory()
    amounts = [Decimal(n % 99 + 1) / 100 for n in range(10_000)]
    bulk.insert_rows(
        Gift,
        [{"supporter_id": ana.pk, "amount": a, "received_on": D(2026, 1, 5),
          "status": "succeeded", "fee": a / 2 if a * 100 % 2 == 0 else None} for a in amounts],
    )  # fmt: skip
    assert days_kept()[D(2026, 1, 5)][::2] == (
        int(sum(amounts) * 100),
        10_000,
        int(sum(amounts) * 100),
    )
    assert_kept()


def test_the_triggers_are_installed_on_this_database():
    """A later migration that rebuilds the gift table (SQLite remakes a table to alter it)
    would drop its triggers without a word: this fails then."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'donations_gift'::regclass "
                "AND NOT tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'donations_gift'"
            )
        names = {row[0] for row in cursor.fetchall()}
    assert {"giving_days_insert", "giving_days_update", "giving_days_delete"} <= names


def test_a_days_rows_fold_into_one_with_the_same_money(monkeypatch):
    """PostgreSQL's triggers add a row per statement; folding sums each day's rows into one.
    The staff home's year to date folds them once they pile up, and shows the same money."""
    ana = SupporterFactory()
    for n in range(30):
        gift(ana, f"{n + 1}.25", D(2026, 3, 1 + n % 3), fee=Decimal("0.30"))
    Gift.objects.filter(amount=Decimal("7.25")).update(status="failed")
    before = days_kept()
    giving_days_fold()
    assert days_kept() == before == days_from_gifts()
    assert GivingDay.objects.count() == 3

    # The reader folds once more rows than days pile up (here: more than 5).
    monkeypatch.setattr(giving_days, "PILED_UP", 5)
    for n in range(12):
        gift(ana, "10.00", D(2026, 3, 1 + n % 2))
    year = Period(D(2025, 7, 1), D(2026, 6, 30))
    [raised] = ledger.raised_by_period([year])
    assert raised.gross == Decimal(sum(v[0] for v in days_from_gifts().values())) / 100
    assert GivingDay.objects.count() == 3
    assert_kept()
