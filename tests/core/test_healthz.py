"""/healthz: 200 when the database answers, no due task waits too long, a worker beats and the
file storage takes a file; 503 naming the part that failed, and nothing sensitive."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.health.heartbeat import heartbeat_record
from core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_beating():
    heartbeat_record(worker_id="w1", started_at=timezone.now())


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from core.tasks import outbox_drain

    return outbox_drain


def _health(client, **headers) -> tuple[int, dict]:
    response = client.get("/healthz", **headers)
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, json.loads(response.content)


def test_it_answers_200_when_every_part_is_well(client, worker_beating, database_queue):
    database_queue.enqueue()  # just queued: a worker will take it
    status, body = _health(client)
    assert status == 200, body
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"database", "tasks", "worker", "storage"}
    assert body["checks"]["tasks"]["oldest_waiting_seconds"] < 60
    assert body["checks"]["worker"]["last_seen_seconds"] < 60


def test_a_task_waiting_too_long_fails_the_tasks_check(client, worker_beating, database_queue):
    database_queue.enqueue()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=11))
    status, body = _health(client)
    assert status == 503
    assert body["failing"] == ["tasks"]
    assert body["checks"]["tasks"]["oldest_waiting_seconds"] >= 660


def test_a_task_scheduled_for_later_is_not_waiting(client, worker_beating, database_queue):
    database_queue.using(run_after=timezone.now() + timedelta(hours=2)).enqueue()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(hours=1))
    status, body = _health(client)
    assert status == 200, body


def test_no_worker_ever_seen_fails_the_worker_check(client):
    status, body = _health(client)
    assert status == 503
    assert body["failing"] == ["worker"]
    assert body["checks"]["worker"]["detail"] == "no worker has been seen"


def test_a_worker_silent_for_eleven_minutes_fails(client, worker_beating):
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=11))
    status, body = _health(client)
    assert status == 503 and body["failing"] == ["worker"]
    assert body["checks"]["worker"]["last_seen_seconds"] >= 660


def test_storage_that_cannot_be_written_fails_and_says_no_more(
    client, worker_beating, settings, tmp_path
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker / "media"
    status, body = _health(client)
    assert status == 503 and body["failing"] == ["storage"]
    assert body["checks"]["storage"]["detail"] == "not writable"
    assert str(tmp_path) not in json.dumps(body), "no path leaks"


def test_storage_is_left_as_it_was(client, worker_beating, settings):
    _health(client)
    media = Path(settings.MEDIA_ROOT)
    assert not any(media.rglob("*.txt")), "the probe file is deleted"


def test_an_unreachable_database_fails_the_database_check(tmp_path):
    """A real process whose database is a PostgreSQL port nobody listens on."""
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nowhere",
        "MEDIA_ROOT": str(tmp_path),
    }
    script = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/healthz')\n"
        "print(r.status_code); print(r.content.decode())\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    status, body = done.stdout.strip().split("\n", 1)
    assert status == "503", done.stderr[-2000:]
    report = json.loads(body)
    assert "database" in report["failing"]
    assert report["checks"]["database"]["detail"] == "not reachable"
    assert "9/nowhere" not in body and "nobody" not in body


def test_it_answers_a_load_balancer_by_ip_over_plain_http(client, worker_beating, settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["crm.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    status, body = _health(client, HTTP_HOST="10.0.0.7:8000")
    assert status == 200, body
    assert client.get("/donate/", HTTP_HOST="10.0.0.7:8000").status_code == 400


def test_only_get_and_head(client, worker_beating):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


def test_staff_home_warns_when_the_worker_is_silent(staff_client, worker_beating):
    assert b'id="worker-warning"' not in staff_client.get("/admin/").content
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=14))
    page = staff_client.get("/admin/").content.decode()
    assert 'id="worker-warning"' in page
    assert "has not been seen for 14 minutes" in page


def test_storage_check_writes_to_the_bucket(client, worker_beating, bucket):
    status, body = _health(client)
    assert status == 200, body
    assert bucket.stored_keys() == [], "the probe file is deleted"


def test_a_missing_bucket_fails_the_storage_check(client, worker_beating, bucket):
    bucket.client.delete_bucket(Bucket="crm-files")
    status, body = _health(client)
    assert status == 503 and body["failing"] == ["storage"]
    assert "crm-files" not in json.dumps(body)
