"""The cheque batch's donor search on PostgreSQL: 100,000 supporters with giving summaries;
times what the picker asks as staff type (a surname, a full name, an email's start, an id),
beside the bare `SELECT count(*)` of supporters in the same run (the floor).

    .venv/bin/python bench/batch_search.py [--supporters 100000] [--keep]

Creates the database bench_batch_search (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/bench_batch_search) and drops it afterwards unless --keep.
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

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_batch_search"
REPEATS = 7
FIRST = ["Maria", "José", "Ana", "James", "Lin", "Fatima", "David", "Grace", "Omar", "Rosa"]
LAST = ["Garcia", "García", "Okafor", "Chen", "Nguyen", "Smith", "Lopez", "Haddad", "Kim", "Diaz"]


def _populate(n: int) -> None:
    from crm.models import Supporter
    from donations.models import DonorSummary

    rng = random.Random(11)
    people = []
    for i in range(n):
        first, last = rng.choice(FIRST), f"{rng.choice(LAST)}{'' if i % 4 else i % 500}"
        person = Supporter(
            first_name=first, last_name=last, email=f"{first[:1].lower()}{i}@example.org",
            city=rng.choice(["Austin", "El Paso", "Houston", "Dallas"]), region="TX",
            postal_code=f"{78000 + i % 900:05d}",
        )  # fmt: skip
        person.refresh_match_keys()  # the keys and email hash Supporter.save sets
        people.append(person)
    Supporter.objects.bulk_create(people, batch_size=5000)
    day = datetime.date(2026, 3, 2)
    DonorSummary.objects.bulk_create(
        [
            DonorSummary(supporter_id=pk, last_gift_on=day, last_gift_amount=Decimal("50"))
            for pk in Supporter.objects.values_list("pk", flat=True)[: n // 2]
        ],
        batch_size=5000,
    )


def _median_ms(action) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--supporters", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    name = url.rsplit("/", 1)[1]
    server_database(url, f'DROP DATABASE IF EXISTS "{name}"')
    server_database(url, f'CREATE DATABASE "{name}"')
    try:
        django_on(url)
        from django.db import connection

        from crm.models import Supporter
        from donations.deposits.batch.selectors import donor_search

        _populate(args.supporters)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        some = Supporter.objects.order_by("pk")[777]
        some_id, some_email = str(some.pk), some.email.split("@")[0] + "@"

        def floor() -> None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM crm_supporter")

        floor_ms = _median_ms(floor)
        print(f"supporters: {args.supporters:,}; floor (count of supporters): {floor_ms:.1f} ms")
        for query in ("garcia", "maria garcia", "okafor12", some_email, some_id):
            found = len(donor_search(query))
            ms = _median_ms(lambda q=query: donor_search(q))
            ratio = ms / floor_ms
            print(f"  search {query!r:16} {found} shown  {ms:7.1f} ms  ({ratio:.1f}x floor)")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            server_database(url, f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    sys.exit(main())
