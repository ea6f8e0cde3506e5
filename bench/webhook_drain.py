"""The other half of bench/webhooks.py: the webhook answers once an event is stored, so its
rate says how fast events are taken in, not how fast the ledger gets them. This starts real
`manage.py db_worker` processes on the events the phases stored and times them until every
event is processed: the drain rate is what the site sustains; the answered rate, what a burst
can reach while the queue grows.

Stripe events go first in the queue (their task's priority); the follow-ups they queue
(thank-yous with their receipt PDFs, fee reads) wait behind them and are counted, not run to
the end. A refund taken by one worker while another is still recording its gift fails once
and is retried: the workers here retry after 1 s (STRIPE_EVENT_RETRY_SECONDS), and the
retries are counted."""

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DRAIN_SECONDS = 240  # gives up (and says so) after this long
TASKS = "django_tasks_database_dbtaskresult"  # django-tasks-db's table of task rows
LOG = ROOT / "var" / "bench_webhook_drain.log"


@dataclass
class Drain:
    workers: int
    events: int  # unprocessed when the workers started
    wall: float  # from starting the workers to the last event processed (start-up included)
    span: float  # first to last processed_at: the workers' own rate
    retried: int
    left: int  # still unprocessed when it stopped (0 unless it gave up)
    follow_ups: int  # tasks the events queued, still waiting

    @property
    def rate(self) -> float:
        return self.events / self.span if self.span else 0.0


def unprocessed(conn: psycopg.Connection) -> int:
    sql = "SELECT count(*) FROM donations_stripeevent WHERE processed_at IS NULL AND attention = ''"
    return conn.execute(sql).fetchone()[0]


def drain(env: dict[str, str], workers: int) -> Drain:
    url = env["DATABASE_URL"]
    with psycopg.connect(url, autocommit=True) as conn:
        events = unprocessed(conn)
        since = conn.execute("SELECT now()").fetchone()[0]
        # Retried refunds are counted below, not logged one by one.
        worker_env = {**env, "STRIPE_EVENT_RETRY_SECONDS": "1", "LOG_LEVEL": "ERROR"}
        command = [sys.executable, "manage.py", "db_worker", "-v0", "--interval", "0.1",
                   "--no-startup-delay", "--no-reload"]  # fmt: skip
        started = time.perf_counter()
        # Stopping a worker between two tasks prints a traceback of the query it was in;
        # what they print goes to a file, named when the drain did not finish.
        log = open(LOG, "w")  # noqa: SIM115 - closed below, after the workers stop
        procs = [
            subprocess.Popen(command, cwd=ROOT, env=worker_env, stdout=log, stderr=log)
            for _ in range(workers)
        ]
        try:
            left = events
            while left and time.perf_counter() - started < DRAIN_SECONDS:
                time.sleep(0.1)
                left = unprocessed(conn)
            wall = time.perf_counter() - started
        finally:
            for proc in procs:
                proc.terminate()  # the worker finishes the task it holds, then stops
            for proc in procs:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            log.close()
        first, last, retried = conn.execute(
            "SELECT min(processed_at), max(processed_at), count(*) FILTER (WHERE attempts > 1) "
            "FROM donations_stripeevent WHERE processed_at >= %s",
            [since],
        ).fetchone()
        follow_ups = conn.execute(
            f"SELECT count(*) FROM {TASKS} "  # noqa: S608 - the table name is django-tasks-db's
            "WHERE status = 'READY' AND task_path <> 'donations.tasks.stripe_event_run'"
        ).fetchone()[0]
    span = (last - first).total_seconds() if first and last else 0.0
    return Drain(workers, events, wall, span, retried, left, follow_ups)


def print_drain(result: Drain, answered_rate: float) -> None:
    print(
        f"drain: {result.events:,} stored events processed by {result.workers} db_worker "
        f"process(es): {result.rate:.0f} events/s (first to last processed, "
        f"{result.span:.1f} s; {result.wall:.1f} s with the workers' start-up); "
        f"{result.rate / answered_rate:.2f} of the 4-client answered rate "
        f"({answered_rate:.0f}/s); {result.retried} retried (a refund ahead of its gift); "
        f"{result.follow_ups:,} follow-up tasks (thank-yous, fee reads) still queued behind",
        flush=True,
    )
    if result.left:
        print(
            f"drain: STOPPED after {DRAIN_SECONDS} s with {result.left:,} events unprocessed; "
            f"the workers' output is in {LOG}"
        )
