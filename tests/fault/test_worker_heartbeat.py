"""`manage.py worker` as production runs it: a real process on PostgreSQL beats while it runs
(so /healthz says a worker is running), takes tasks, and removes its beat when stopped."""

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection

from core.models import OutboxMessage, WorkerHeartbeat
from tests.processes import worker_command

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_a_running_worker_beats_takes_tasks_and_forgets_its_beat_on_stop(client, settings):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # Its own cache: the outbox's follow-up key must not reach other tests' workers.
        "CACHE_URL": "redis://127.0.0.1:6379/10",
    }
    worker = subprocess.Popen(worker_command(worker_id="beat-test"), cwd=ROOT, env=env)  # noqa: S603
    try:
        _wait_for(lambda: WorkerHeartbeat.objects.filter(worker_id="beat-test").exists())
        beat = WorkerHeartbeat.objects.get(worker_id="beat-test")
        assert beat.pid == worker.pid

        body = json.loads(client.get("/healthz").content)
        assert body["checks"]["worker"]["ok"] is True, body

        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        from core.tasks import outbox_drain

        OutboxMessage.objects.create(
            kind="thank-you", to_email="ana@example.org", from_email="giving@example.org",
            subject="Thank you", text_body="Thank you, Ana",
        )  # fmt: skip
        result = outbox_drain.enqueue()
        _wait_for(lambda: result.refresh() or result.is_finished)
        assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert not WorkerHeartbeat.objects.filter(worker_id="beat-test").exists()
