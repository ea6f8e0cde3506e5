"""A worker's heartbeat: a row per worker process, written every HEARTBEAT_SECONDS by a thread
beside the task loop (core/management/commands/worker.py). The same thread puts back in the
queue the tasks of workers that stopped beating (killed mid-task)."""

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core.models import WorkerHeartbeat

HEARTBEAT_SECONDS = 30
# A worker not heard from for this long has died (a live one beats every 30 s even while a
# long task runs, from its own thread): the tasks it had claimed are put back in the queue.
DEAD_AFTER = timedelta(seconds=HEARTBEAT_SECONDS * 10)
logger = logging.getLogger(__name__)


def heartbeat_record(*, worker_id: str, started_at: datetime) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )


def heartbeat_forget(*, worker_id: str) -> None:
    """A worker stopping on purpose removes its row (a crashed one's row simply goes stale)."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def last_heartbeat() -> datetime | None:
    return WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()


def heartbeats_prune(*, older_than: datetime) -> int:
    return WorkerHeartbeat.objects.filter(seen_at__lt=older_than).delete()[0]


def stranded_tasks_requeue(*, now: datetime | None = None) -> int:
    """Put back in the queue the tasks a dead worker had claimed (killed mid-task, its
    machine gone): another worker runs them again, as every task is safe to run twice. Only
    workers that beat (`manage.py worker`) are judged; a task of a worker with no heartbeat
    row at all (a plain db_worker) is left alone."""
    now = now or timezone.now()
    dead = set(
        WorkerHeartbeat.objects.filter(seen_at__lt=now - DEAD_AFTER).values_list(
            "worker_id", flat=True
        )
    )
    if not dead:
        return 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    stranded = [
        pk
        for pk, workers in running.values_list("pk", "worker_ids")
        if workers and workers[-1] in dead
    ]
    requeued = running.filter(pk__in=stranded).update(
        status=TaskResultStatus.READY, started_at=None
    )
    if requeued:
        logger.warning("Put %s task(s) of dead workers back in the queue", requeued)
    return requeued


class HeartbeatThread(threading.Thread):
    """Beats until stopped. A database hiccup is logged and tried again at the next beat: the
    health check, not this thread, decides when silence matters."""

    def __init__(self, *, worker_id: str, interval: float = HEARTBEAT_SECONDS) -> None:
        super().__init__(name="worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.started_at = timezone.now()
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            # Rows of workers that crashed long ago (a stopped one removes its own).
            heartbeats_prune(older_than=timezone.now() - timedelta(days=1))
        except DatabaseError:
            logger.warning("Old worker heartbeats not pruned", exc_info=True)
        try:
            while not self.stopped.is_set():
                close_old_connections()
                try:
                    heartbeat_record(worker_id=self.worker_id, started_at=self.started_at)
                    stranded_tasks_requeue()
                except DatabaseError:
                    logger.warning("Worker heartbeat not recorded; trying again", exc_info=True)
                self.stopped.wait(self.interval)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
