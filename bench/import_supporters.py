"""Supporter import speed: 20,000 rows, first import and re-import of the same file,
on SQLite and on PostgreSQL (when reachable). Prints rows/s, and the CPU time this process
spent (on a busy machine the wall clock also counts the time others had the CPU). Each run
starts from a new, empty database; with --runs N (default 3) the last lines give each
figure's median and best of the N runs, as one run can be slowed by anything else the
machine does.

Goals: first import 10,000 rows/s, re-import 5,000 rows/s.

The floor, in the same run and on the same empty table: the same rows' text columns written
with the import's bulk writer (core.bulk) and nothing else (no parsing, matching, folding,
history or consent), then deleted again; the import's rate is printed as a ratio of it.

    .venv/bin/python bench/import_supporters.py [--rows 20000] [--runs 3]
                                               [--only sqlite|postgres]
"""

import argparse
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOALS = {"first import": 10_000, "re-import": 5_000}  # rows/s, the median of the runs


def run_one(database_url: str, rows: int, results: str) -> None:
    """Runs in a child process so each database gets its own Django set-up; appends its
    figures to the file `results` as one JSON line."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    # Production settings: with DEBUG on, Django also logs every query's SQL.
    os.environ.update(
        DEBUG="false",
        SECRET_KEY="bench-only",
        STRIPE_SECRET_KEY="sk_test_bench",
        STRIPE_WEBHOOK_SECRET="whsec_bench",
        ALLOWED_HOSTS="localhost",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from crm.demo_data import HEADERS, demo_rows
    from crm.importing.supporters import supporters_import
    from crm.models import Supporter

    # The file as staff would upload it: CSV text parsed by tablib, like the admin does.
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(demo_rows(rows, seed=7))
    import tablib

    dataset = tablib.Dataset().load(buffer.getvalue(), format="csv")
    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    floor = _floor(dataset, rows)
    print(f"{engine:10} {'floor: the rows written, nothing else':42} {floor:8.0f} rows/s")
    figures = {"engine": engine, "floor": floor}

    for label in ("first import", "re-import (all matched, nothing changed)"):
        started, cpu_started = time.perf_counter(), time.process_time()
        report = supporters_import(
            headers=dataset.headers, rows=dataset, dry_run=False, file_name="bench.csv"
        )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        assert report.ok, report.file_errors or report.invalid_rows[:3]
        totals = dict(report.totals)
        print(
            f"{engine:10} {label:42} {rows / elapsed:8.0f} rows/s  ({elapsed:.2f} s, "
            f"{cpu:.2f} s of CPU here; {totals}); "
            f"ratio to the floor {rows / elapsed / floor:.2f}",
            flush=True,
        )
        figures[label.split(" (")[0]] = rows / elapsed
    with open(results, "a") as out:
        out.write(json.dumps(figures) + "\n")
    # Rows of one person (one without an email, one with) fold into one supporter.
    assert Supporter.objects.count() == rows - totals.get("folded", 0)


def _floor(dataset, rows: int) -> float:
    """Rows/s of writing the file's text columns straight into an empty supporter table, with
    the bulk writer the import itself uses (core.bulk: COPY on PostgreSQL)."""
    from core import bulk
    from crm.importing.supporter_columns import SUPPORTER_HEADERS
    from crm.models import Supporter

    text_fields = {
        f.name: f.max_length
        for f in Supporter._meta.concrete_fields
        if f.get_internal_type() in ("CharField", "EmailField") and f.max_length and f.editable
    }
    mapping, _, _ = SUPPORTER_HEADERS.map(list(dataset.headers))
    columns = [(i, name) for i, name in mapping.items() if name in text_fields]
    started = time.perf_counter()
    bulk.insert_rows(
        Supporter,
        ({name: str(row[i] or "")[: text_fields[name]] for i, name in columns} for row in dataset),
    )
    elapsed = time.perf_counter() - started
    Supporter.objects.all().delete()
    return rows / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--results", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(args.child, args.rows, args.results)
        return

    engines = [e for e in ("sqlite", "postgres") if args.only in (None, e)]
    if "postgres" in engines and fresh_postgres_database() is None:
        print("PostgreSQL not reachable on 127.0.0.1:5432: skipped")
        engines.remove("postgres")
    print(f"Importing {args.rows:,} supporters (CSV, matching on email then name + postal code)")
    results = Path(tempfile.mkdtemp(prefix="bench-import-")) / "results.jsonl"
    for engine in engines:
        for run in range(args.runs):
            if engine == "sqlite":
                url = f"sqlite:///{results.parent}/bench-{run}.sqlite3"
            else:
                url = fresh_postgres_database()
            subprocess.run(
                [sys.executable, __file__, "--rows", str(args.rows), "--child", url,
                 "--results", str(results)],
                check=True,
            )  # fmt: skip
    print_summary([json.loads(line) for line in results.read_text().splitlines()], args.runs)


def print_summary(runs: list[dict], count: int) -> None:
    print(f"\nMedian and best of {count} runs (goals: first import 10,000, re-import 5,000 rows/s)")
    for engine in dict.fromkeys(r["engine"] for r in runs):
        mine = [r for r in runs if r["engine"] == engine]
        for label in ("floor", "first import", "re-import"):
            rates = [r[label] for r in mine]
            median, best = statistics.median(rates), max(rates)
            line = f"{engine:10} {label:14} median {median:8.0f}  best {best:8.0f} rows/s"
            if label != "floor":
                ratios = [r[label] / r["floor"] for r in mine]
                line += f"; ratio to the same run's floor: median {statistics.median(ratios):.2f}"
                verdict = "met" if median >= GOALS[label] else "MISSED"
                line += f"; goal {GOALS[label]:,}: {verdict}"
            print(line)


def fresh_postgres_database() -> str | None:
    import psycopg

    for user in ("postgres", "root"):
        try:
            with psycopg.connect(
                host="127.0.0.1", user=user, dbname="postgres", autocommit=True, connect_timeout=3
            ) as conn:
                conn.execute("DROP DATABASE IF EXISTS donorcrm_bench")
                conn.execute("CREATE DATABASE donorcrm_bench")
            return f"postgres://{user}@127.0.0.1:5432/donorcrm_bench"
        except psycopg.OperationalError:
            continue
    return None


if __name__ == "__main__":
    main()
