"""The outbox under real workers on PostgreSQL: `manage.py worker` processes send through
anymail's Postmark backend to a local stand-in. Two workers share 2,000 messages while the
stand-in fails one request in ten; a worker killed with SIGKILL mid-run is replaced. Every
recipient gets exactly one message."""

import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.utils import timezone

from core import bulk
from core.models import OutboxMessage
from tests.postmark_standin import TOKEN, PostmarkStandIn
from tests.processes import worker_command

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
WORKERS_CACHE = "redis://127.0.0.1:6379/11"


@pytest.fixture(autouse=True)
def empty_workers_cache():
    redis.Redis.from_url(WORKERS_CACHE).flushdb()


ROOT = Path(__file__).resolve().parents[2]
Status = OutboxMessage.Status


def _queue(count: int) -> None:
    now = timezone.now()
    bulk.insert_rows(
        OutboxMessage,
        (
            {
                "kind": "appeal",
                "priority": OutboxMessage.Priority.BULK,
                "to_email": f"donor{n}@example.org",
                "from_email": "giving@example.org",
                "subject": "Spring appeal",
                "text_body": f"Dear donor {n}",
                "next_attempt_at": now,
                "created_at": now,
            }
            for n in range(count)
        ),
    )


def _worker(standin: PostmarkStandIn, name: str, **extra: str) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
        "ANYMAIL_POSTMARK_SERVER_TOKEN": TOKEN,
        "ANYMAIL_POSTMARK_API_URL": standin.url,
        "OUTBOX_RETRY_BASE_SECONDS": "0",
        "OUTBOX_MAX_ATTEMPTS": "50",
        # A cache of their own: the outbox plans its one follow-up drain with a cache key, and
        # CI's shared Redis (other tests, the other test process) could hold one from elsewhere.
        "CACHE_URL": WORKERS_CACHE,
        **extra,
    }
    return subprocess.Popen(worker_command(worker_id=name), cwd=ROOT, env=env)  # noqa: S603


def _enqueue_drains(settings, count: int) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from core.tasks import outbox_drain

    for _ in range(count):
        outbox_drain.enqueue()


def _wait_until_settled(timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = [Status.QUEUED, Status.SENDING, Status.UNKNOWN]
    while OutboxMessage.objects.filter(status__in=pending).exists():
        assert time.monotonic() < deadline, dict(
            Counter(OutboxMessage.objects.values_list("status", flat=True))
        )
        time.sleep(0.25)


def _stop(*workers: subprocess.Popen) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=30)


def test_two_workers_and_a_flaky_esp_send_each_message_exactly_once(settings):
    _queue(2000)
    with PostmarkStandIn(fail_every=10, latency=0.002) as standin:
        _enqueue_drains(settings, 4)
        workers = [_worker(standin, "worker-a"), _worker(standin, "worker-b")]
        try:
            _wait_until_settled(timeout=180)
        finally:
            _stop(*workers)
        sent = Counter(standin.recipients())
    assert len(sent) == 2000 and set(sent.values()) == {1}, "each recipient exactly once"
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}
    retried = OutboxMessage.objects.filter(attempts__gt=1).count()
    assert retried >= 150, "one request in ten failed and was retried"
    by_worker = Counter(OutboxMessage.objects.values_list("claimed_by", flat=True))
    assert len(by_worker) == 2 and min(by_worker.values()) > 100, by_worker


def test_a_worker_killed_mid_run_leaves_nothing_sent_twice_or_lost(settings):
    _queue(1000)
    fast_sweep = {"OUTBOX_LEASE_SECONDS": "2", "OUTBOX_CHECK_AFTER_SECONDS": "0"}
    with PostmarkStandIn(latency=0.02) as standin:
        _enqueue_drains(settings, 2)
        first = _worker(standin, "worker-killed", **fast_sweep)
        deadline = time.monotonic() + 60
        while len(standin.accepted) < 200:
            assert time.monotonic() < deadline, "the first worker never got going"
            time.sleep(0.02)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        held = OutboxMessage.objects.filter(status=Status.SENDING).count()
        restarted = _worker(standin, "worker-restarted", **fast_sweep)
        try:
            _wait_until_settled(timeout=120)
        finally:
            _stop(restarted)
        sent = Counter(standin.recipients())
    assert held > 0, "the kill caught messages mid-send"
    assert len(sent) == 1000 and set(sent.values()) == {1}, "each recipient exactly once"
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}
