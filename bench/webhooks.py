"""Stripe webhook throughput: events per second through the real view, served by gunicorn
on PostgreSQL, with 1 and 4 concurrent clients and a mix of new and replayed events.
Goal: at least 300 events/s with p95 under 50 ms.

    .venv/bin/python bench/webhooks.py [--events 2000]
"""

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "stripe"
SECRET = "whsec_bench"
DB = "donorcrm_bench_webhooks"


def fresh_database() -> str:
    import psycopg

    for user in ("postgres", "root"):
        try:
            with psycopg.connect(
                host="127.0.0.1", user=user, dbname="postgres", autocommit=True, connect_timeout=3
            ) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {DB}")
                conn.execute(f"CREATE DATABASE {DB}")
            return f"postgres://{user}@127.0.0.1:5432/{DB}"
        except psycopg.OperationalError:
            continue
    sys.exit("PostgreSQL is not reachable on 127.0.0.1:5432")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sign(body: bytes) -> str:
    import hashlib
    import hmac

    timestamp = int(time.time())
    mac = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def fixture(name: str, **overrides: object) -> dict:
    return {**json.loads((FIXTURES / f"{name}.json").read_text()), **overrides}


def make_events(run: str, count: int) -> list[bytes]:
    """New checkouts, instalments of a few plans, refunds of earlier gifts, ~30% replays."""
    rng = random.Random(run)
    sent: list[bytes] = []
    paid: list[str] = []
    for n in range(count):
        roll = rng.random()
        if sent and roll < 0.30:
            sent.append(rng.choice(sent))
            continue
        if paid and roll < 0.38:
            intent = rng.choice(paid)
            obj = fixture(
                "charge_refunded",
                id=f"ch_{intent}",
                payment_intent=intent,
                amount_refunded=1000,
                refunded=False,
            )
            kind = "charge.refunded"
        elif roll < 0.48:
            sub = f"sub_{run}_{n % 20}"
            obj = fixture(
                "invoice_paid",
                id=f"in_{run}_{n}",
                customer_email=f"plan{n % 20}@x.org",
                parent={
                    "type": "subscription_details",
                    "subscription_details": {
                        "subscription": sub,
                        "metadata": {"interval": "month"},
                    },
                },
            )
            kind = "invoice.paid"
        else:
            intent = f"pi_{run}_{n}"
            paid.append(intent)
            obj = fixture(
                "checkout_session_payment",
                id=f"cs_{run}_{n}",
                payment_intent=intent,
                customer_details={
                    "email": f"donor{run}{n}@example.org",
                    "name": "Bench Donor",
                    "address": None,
                },
            )
            kind = "checkout.session.completed"
        sent.append(
            json.dumps(
                {
                    "id": f"evt_{run}_{n}",
                    "object": "event",
                    "type": kind,
                    "created": int(time.time()),
                    "livemode": False,
                    "data": {"object": obj},
                }
            ).encode()
        )
    return sent


def deliver(conn: http.client.HTTPConnection, body: bytes) -> int:
    conn.request(
        "POST",
        "/stripe/webhook/",
        body,
        {"Content-Type": "application/json", "Stripe-Signature": sign(body)},
    )
    response = conn.getresponse()
    response.read()
    return response.status


def run_phase(port: int, events: list[bytes], clients: int) -> dict:
    latencies: list[float] = []
    failures: list[int] = []
    retries: list[bytes] = []
    lock = threading.Lock()
    shares = [events[i::clients] for i in range(clients)]

    def client(share: list[bytes]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for body in share:
            started = time.perf_counter()
            status = deliver(conn, body)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    failures.append(status)
            if status != 200:
                # A refund raced ahead of its checkout on another client: retry later, as
                # Stripe does (the retry is not timed).
                retries.append(body)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    retry_failures = 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for body in retries:
        retry_failures += deliver(conn, body) != 200
    conn.close()
    latencies.sort()
    return {
        "rate": len(events) / wall,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "failures": failures,
        "retry_failures": retry_failures,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    url = fresh_database()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_WEBHOOK_SECRET": SECRET,
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [
            python,
            "manage.py",
            "shell",
            "-v0",
            "-c",
            "from donations.models import Fund; Fund.objects.create(name='General', "
            "code='general', is_default=True)",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = free_port()
    # 2 cores: 4 sync workers keep both cores busy while others wait on PostgreSQL.
    server = subprocess.Popen(
        [
            str(Path(python).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        run_phase(port, make_events("warm", 50), 1)
        print(
            f"Stripe webhook via gunicorn (4 workers) on PostgreSQL, {args.events} events "
            "per phase, ~30% replays; goal >= 300 events/s, p95 < 50 ms"
        )
        for clients in (1, 4):
            events = make_events(f"c{clients}", args.events)
            result = run_phase(port, events, clients)
            print(
                f"{clients} client(s): {result['rate']:7.0f} events/s  "
                f"p50 {result['p50']:5.1f} ms  p95 {result['p95']:5.1f} ms  "
                f"p99 {result['p99']:5.1f} ms  non-200 (out of order, retried): "
                f"{len(result['failures'])}, still failing after retry: "
                f"{result['retry_failures']}"
            )
        check_ledger(url)
    finally:
        server.terminate()
        server.wait(timeout=10)


def check_ledger(url: str) -> None:
    import psycopg

    with psycopg.connect(url) as conn:
        events = conn.execute("SELECT count(*) FROM donations_stripeevent").fetchone()[0]
        unprocessed = conn.execute(
            "SELECT count(*) FROM donations_stripeevent WHERE processed_at IS NULL"
        ).fetchone()[0]
        gifts = conn.execute("SELECT count(*) FROM donations_gift").fetchone()[0]
        keyed = conn.execute(
            "SELECT count(DISTINCT coalesce(stripe_checkout_session_id, stripe_invoice_id)) "
            "FROM donations_gift"
        ).fetchone()[0]
    ok = unprocessed == 0 and gifts == keyed
    print(
        f"ledger check: {'ok' if ok else 'MISMATCH'} ({events} events stored, "
        f"{unprocessed} unprocessed, {gifts} gifts)"
    )


if __name__ == "__main__":
    main()
