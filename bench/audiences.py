"""Audience speed on PostgreSQL: 100,000 supporters with giving summaries; times the count,
the exclusions for email and for print, and the preview of a typical audience, beside the
bare `SELECT count(*)` of supporters in the same run (the floor), with the ratio.

    .venv/bin/python bench/audiences.py [--supporters 100000] [--keep]

Creates the database bench_audiences (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/bench_audiences) and drops it afterwards unless --keep.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal

from bench_django import django_on, server_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_audiences"
REPEATS = 5


def _populate(n: int) -> dict:
    """Supporters with tags, summaries and fiscal-year totals, written in bulk."""
    from crm.models import Supporter, Tag
    from donations.models import DonorSummary, DonorYearTotal

    rng = random.Random(7)
    tags = [Tag.objects.create(name=name) for name in ("Newsletter", "Volunteer", "Gala", "Board")]
    people = []
    for i in range(n):
        email = "" if i % 13 == 0 else f"person{i}@example.org"
        if i % 50 == 1:  # the same inbox as the person before, written differently
            email = f"person{i - 1}+news@example.org"
        home = i - 1 if i % 40 == 1 else i  # some share a home with the person before
        person = Supporter(
            first_name=f"First{i}",
            last_name=f"Last{i % 5000}",
            email=email,
            address_line1=f"{home} Main St" if i % 17 else "",
            city="Oakland",
            region=rng.choice(["CA", "NY", "TX", "IL"]),
            postal_code=f"{94000 + home % 900:05d}",
            preferred_language="es" if i % 3 == 0 else "en",
            email_opt_in=rng.choice(["opted_in", "unknown", "unknown", "opted_out"]),
            do_not_mail=i % 97 == 0,
            deceased=i % 211 == 0,
        )
        person.refresh_match_keys()  # the keys and email hash Supporter.save sets
        people.append(person)
    Supporter.objects.bulk_create(people, batch_size=5000)
    ids = list(Supporter.objects.order_by("pk").values_list("pk", flat=True))
    through = Supporter.tags.through
    through.objects.bulk_create(
        [
            through(supporter_id=pk, tag_id=tags[(k // 2) % 4].pk)
            for k, pk in enumerate(ids)
            if k % 2
        ],
        batch_size=10000,
    )
    summaries, years = [], []
    for k, pk in enumerate(ids):
        if k % 10 >= 6:  # 60% gave
            continue
        last_year = 2025 - k % 4  # some gave recently, some lapsed
        amount = Decimal(rng.choice([25, 50, 100, 250, 1000]))
        count = 1 + k % 3
        summaries.append(
            DonorSummary(
                supporter_id=pk,
                first_gift_on=datetime.date(last_year - count + 1, 3, 1),
                first_gift_amount=amount,
                last_gift_on=datetime.date(last_year, 5, 1),
                last_gift_amount=amount,
                highest_gift=amount,
                lifetime_total=amount * count,
                gift_count=count,
                has_active_plan=k % 25 == 0,
            )
        )
        years += [
            DonorYearTotal(supporter_id=pk, fiscal_year=last_year - j, total=amount, gift_count=1)
            for j in range(count)
        ]
    DonorSummary.objects.bulk_create(summaries, batch_size=10000)
    DonorYearTotal.objects.bulk_create(years, batch_size=10000)
    return {"tags": tags}


def _median_ms(action) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--supporters", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="leave the database for a look")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    name = url.rsplit("/", 1)[1]
    server_database(url, f'DROP DATABASE IF EXISTS "{name}"')
    server_database(url, f'CREATE DATABASE "{name}"')
    try:
        _run(url, args.supporters)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            server_database(url, f'DROP DATABASE IF EXISTS "{name}"')


def _run(url: str, n: int) -> None:
    django_on(url)
    started = time.perf_counter()
    made = _populate(n)
    print(f"built {n:,} supporters with summaries in {time.perf_counter() - started:.1f} s")
    from django.db import connection

    from crm.models import Supporter
    from mailings.audiences.models import Audience
    from mailings.audiences.selectors import (
        audience_exclusions,
        audience_preview,
        audience_supporters,
    )

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    gala = made["tags"][2]
    monthly = Audience.objects.create(name="Monthly", criteria={"has_plan": True})
    typical = Audience.objects.create(
        name="Lapsed Spanish-speaking donors",
        criteria={
            "sybunt": True,
            "language": "es",
            "highest_min": "25",
            "tags_none": [gala.pk],
            "exclude_audiences": [monthly.pk],
        },
    )
    table = Supporter._meta.db_table

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            cursor.fetchone()

    figures = {
        "SELECT count(*) of supporters (floor)": _median_ms(floor),
        "audience count": _median_ms(lambda: audience_supporters(typical).count()),
        "exclusions, email": _median_ms(lambda: audience_exclusions(typical, "email")),
        "exclusions, print": _median_ms(lambda: audience_exclusions(typical, "print")),
        "preview (first 25)": _median_ms(lambda: audience_preview(typical)),
    }
    everyone = Audience(criteria={})
    figures["exclusions, email, everyone"] = _median_ms(
        lambda: audience_exclusions(everyone, "email")
    )
    figures["exclusions, print, everyone"] = _median_ms(
        lambda: audience_exclusions(everyone, "print")
    )
    count = audience_supporters(typical).count()
    email, post = audience_exclusions(typical, "email"), audience_exclusions(typical, "print")
    print(f"typical audience: {count:,} of {n:,}; email reaches {email.recipient_count:,}, "
          f"print {post.recipient_count:,}")  # fmt: skip
    print(f"  email left out: {email.excluded}")
    print(f"  print left out: {post.excluded}")
    base = figures["SELECT count(*) of supporters (floor)"]
    print(f"median of {REPEATS} runs, PostgreSQL {connection.pg_version // 10000}:")
    for label, ms in figures.items():
        print(f"  {label:<40} {ms:8.1f} ms   {ms / base:6.1f}x floor")
    editor = sum(
        figures[k] for k in ("exclusions, email", "exclusions, print", "preview (first 25)")
    )
    print(f"  {'one editor refresh (email+print+preview)':<40} {editor:8.1f} ms   "
          f"{editor / base:6.1f}x floor")  # fmt: skip


if __name__ == "__main__":
    main()
