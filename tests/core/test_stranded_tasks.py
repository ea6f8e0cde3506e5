"""Tasks claimed by a worker that died (killed mid-task) go back in the queue once its
heartbeat is five minutes old; a live worker's, and a plain db_worker's, are left alone."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core.health.heartbeat import heartbeat_record, stranded_tasks_requeue
from core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def claimed(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from core.tasks import outbox_drain

    def claimed_by(worker_id: str) -> DBTaskResult:
        result = outbox_drain.enqueue()
        row = DBTaskResult.objects.get(pk=result.id)
        row.claim(worker_id)
        return row

    return claimed_by


def test_a_dead_workers_task_is_put_back_and_others_are_left(claimed):
    now = timezone.now()
    for worker in ("dead", "alive"):
        heartbeat_record(worker_id=worker, started_at=now - timedelta(hours=1))
    WorkerHeartbeat.objects.filter(worker_id="dead").update(seen_at=now - timedelta(minutes=6))
    dead, alive, plain = claimed("dead"), claimed("alive"), claimed("plain-db-worker")

    assert stranded_tasks_requeue() == 1
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses[dead.pk] == TaskResultStatus.READY
    assert statuses[alive.pk] == statuses[plain.pk] == TaskResultStatus.RUNNING
    assert DBTaskResult.objects.ready().filter(pk=dead.pk).exists(), "a worker will take it"


def test_a_worker_silent_for_less_than_five_minutes_keeps_its_task(claimed):
    heartbeat_record(worker_id="slow", started_at=timezone.now())
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=4))
    claimed("slow")
    assert stranded_tasks_requeue() == 0
