"""The mailer end to end on PostgreSQL: a 50,000-recipient email mailing sent by 1 and then 2
`manage.py worker` processes through anymail's Postmark backend to a local stand-in answering after
30 ms (like a real ESP's API): messages per second from the Send to the last recorded outcome
(snapshot, compose, send, record). In the same run, the compose-only rate (the same letters
rendered for the same donors in this process, nothing sent) and the ratio; and the snapshot
alone (plan, deliveries, outbox rows) for 100,000 supporters.

    .venv/bin/python bench/mailing.py [--recipients 50000] [--supporters 100000] [--keep]

Creates the database bench_mailing (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/bench_mailing) and drops it afterwards unless --keep.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ is sys.path[0]: the repository's root too, for the project's modules.
sys.path.insert(0, str(ROOT))

from tests.postmark_standin import TOKEN  # noqa: E402
from tests.processes import production_environment, worker_command  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_mailing"
PORT = 8025


def _server_database(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(sql)


def _environment(url: str) -> dict[str, str]:
    return production_environment(
        database_url=url, email_api_url=f"http://127.0.0.1:{PORT}/", email_token=TOKEN
    )


def _setup(url: str) -> None:
    os.environ.update(_environment(url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def _populate(supporters: int, recipients: int) -> tuple[object, object]:
    """Supporters written in bulk; the first `recipients` of them carry the tag the mailing's
    audience asks for. Returns (everyone, tagged) audiences."""
    from django.db import transaction
    from django.utils import timezone

    from core import bulk
    from crm import matching
    from crm.models import Supporter, Tag
    from mailings.audiences.models import Audience
    from mailings.demo_data import demo_letters_seed

    now = timezone.now()
    with transaction.atomic():
        ids = bulk.reserve_ids(Supporter, supporters)
        rows = []
        for n, pk in enumerate(ids):
            email = f"donor{n}@example.org"
            row = {
                "id": pk, "first_name": f"First{n}", "last_name": f"Last{n % 5000}",
                "email": email, "address_line1": f"{n} Main St", "city": "Queens",
                "region": "NY", "postal_code": f"{10000 + n % 900}", "country": "US",
                "preferred_language": "es" if n % 3 == 0 else "en",
                "created_at": now, "updated_at": now,
            }  # fmt: skip
            rows.append(row | matching.record_keys(row))
        bulk.insert_rows(Supporter, rows)
        tag = Tag.objects.create(name="Bench")
        bulk.insert_rows(
            Supporter.tags.through,
            ({"supporter_id": pk, "tag_id": tag.pk} for pk in ids[:recipients]),
        )
    demo_letters_seed(seed=1)
    everyone = Audience.objects.create(name="Everyone", criteria={})
    tagged = Audience.objects.create(name="Tagged", criteria={"tags_any": [tag.pk]})
    return everyone, tagged


def _mailing(slug: str, audience: object) -> object:
    from mailings.models import Letter, Mailing

    letter = Letter.objects.get(appeal_code="sanct26")
    return Mailing.objects.create(
        name=slug, slug=slug, letter=letter, channel=Mailing.Channel.EMAIL, audience=audience
    )


def _clear_outbox() -> None:
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from core.models import OutboxAttachment, OutboxEvent, OutboxMessage
    from mailings.sending.models import Delivery

    models = (OutboxAttachment, OutboxEvent, OutboxMessage, Delivery, DBTaskResult)
    tables = ", ".join(f'"{model._meta.db_table}"' for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables}")


def _snapshot_alone(everyone: object) -> tuple[float, int]:
    from mailings.sending.services import mailing_send

    mailing = _mailing("snapshot", everyone)
    started = time.perf_counter()
    mailing_send(mailing=mailing, user=None)
    seconds = time.perf_counter() - started
    count = mailing.deliveries.count()
    _clear_outbox()
    return seconds, count


def _compose_only(tagged: object, count: int) -> float:
    """The worker's own work without the ESP: compose (merge values, render) in chunks."""
    from core.models import OutboxMessage
    from core.outbox.sending import _email
    from mailings.sending.composer import appeal_messages_compose
    from mailings.sending.services import mailing_send

    mailing = _mailing("compose-only", tagged)
    mailing_send(mailing=mailing, user=None)
    messages = list(OutboxMessage.objects.order_by("pk")[:count])
    started = time.perf_counter()
    for start in range(0, len(messages), 48):
        chunk = messages[start : start + 48]
        appeal_messages_compose(chunk)
        for message in chunk:
            _email(message)  # the EmailMessage anymail is handed
    rate = len(messages) / (time.perf_counter() - started)
    _clear_outbox()
    return rate


def _send(url: str, tagged: object, workers: int, slug: str) -> tuple[float, int]:
    from core.models import OutboxMessage
    from mailings.sending.services import mailing_send

    env = _environment(url)
    mailing = _mailing(slug, tagged)
    started = time.perf_counter()
    mailing_send(mailing=mailing, user=None)
    processes = [subprocess.Popen(worker_command(), cwd=ROOT, env=env) for _ in range(workers)]
    pending = OutboxMessage.objects.filter(status__in=["queued", "sending"])
    try:
        while pending.exists():
            time.sleep(0.5)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
    seconds = time.perf_counter() - started
    sent = OutboxMessage.objects.filter(status="sent").count()
    _clear_outbox()
    return seconds, sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=50_000)
    parser.add_argument("--supporters", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        url = DEFAULT_URL
    name = url.rsplit("/", 1)[1]
    _server_database(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _server_database(url, f'CREATE DATABASE "{name}"')
    standin = subprocess.Popen(  # noqa: S603 - our own stand-in
        [sys.executable, "tests/postmark_standin.py", "--port", str(PORT), "--latency", "0.03"],
        cwd=ROOT, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _setup(url)
        everyone, tagged = _populate(options.supporters, options.recipients)
        snapshot_seconds, snapshot_count = _snapshot_alone(everyone)
        print(
            f"snapshot alone: {snapshot_count:,} recipients in {snapshot_seconds:.1f} s "
            "(goal: under 10 s)"
        )
        compose = _compose_only(tagged, 3000)
        print(f"compose only (one process, nothing sent): {compose:,.0f} messages/s")
        for workers in (1, 2):
            seconds, sent = _send(url, tagged, workers, f"send-{workers}")
            rate = sent / seconds
            print(
                f"{workers} worker(s): {sent:,} sent in {seconds:.1f} s = {rate:,.0f} messages/s "
                f"end to end; {rate / (compose * workers):.2f} of compose-only x {workers} "
                "(goal: 500/s with 2 workers)"
            )
    finally:
        standin.terminate()
        if not options.keep:
            from django.db import connections

            connections.close_all()
            _server_database(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
