"""The checks behind /healthz. Each answers ok or not with a short, non-sensitive detail: no
host names, paths, queries or exception text (those go to the log, for staff)."""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.health.heartbeat import last_heartbeat

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    figures: dict[str, int] = field(default_factory=dict)


def database_check() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health: the database did not answer")
        return Check("database", False, "not reachable")
    return Check("database", True, "reachable")


def _seconds_since(moment: datetime | None, now: datetime) -> int | None:
    return None if moment is None else max(0, int((now - moment).total_seconds()))


def task_queue_check(*, now: datetime | None = None) -> Check:
    """The oldest task that is due and not yet taken: a growing age means no worker is taking
    work (or the workers cannot keep up)."""
    now = now or timezone.now()
    limit = settings.HEALTH_TASK_WAIT_LIMIT_SECONDS
    try:
        oldest = (
            DBTaskResult.objects.ready()
            .order_by("enqueued_at")
            .values_list("enqueued_at", flat=True)
            .first()
        )
    except DatabaseError:
        logger.exception("Health: the task queue could not be read")
        return Check("tasks", False, "queue not readable")
    age = _seconds_since(oldest, now)
    if age is None:
        return Check("tasks", True, "no task waiting", {"oldest_waiting_seconds": 0})
    figures = {"oldest_waiting_seconds": age}
    if age > limit:
        return Check("tasks", False, f"a task has waited over {limit} s", figures)
    return Check("tasks", True, "tasks are being taken", figures)


def worker_check(*, now: datetime | None = None) -> Check:
    now = now or timezone.now()
    limit = settings.HEALTH_WORKER_SILENCE_LIMIT_SECONDS
    try:
        seen = last_heartbeat()
    except DatabaseError:
        logger.exception("Health: worker heartbeats could not be read")
        return Check("worker", False, "heartbeats not readable")
    age = _seconds_since(seen, now)
    if age is None:
        return Check("worker", False, "no worker has been seen")
    figures = {"last_seen_seconds": age}
    if age > limit:
        return Check("worker", False, f"no worker seen for over {limit} s", figures)
    return Check("worker", True, "a worker is running", figures)


def storage_check() -> Check:
    """Writes, reads back and deletes a small file where receipts and print runs are kept."""
    name = f"healthz/{uuid.uuid4().hex}.txt"
    payload = b"ok"
    try:
        saved = default_storage.save(name, ContentFile(payload))
        try:
            with default_storage.open(saved, "rb") as handle:
                readable = handle.read() == payload
        finally:
            default_storage.delete(saved)
    except Exception:  # any backend's error (OSError, botocore's ClientError...) means not writable
        logger.exception("Health: file storage could not be written")
        return Check("storage", False, "not writable")
    if not readable:
        return Check("storage", False, "did not read back what was written")
    return Check("storage", True, "writable")


CHECKS: tuple[Callable[[], Check], ...] = (
    database_check,
    task_queue_check,
    worker_check,
    storage_check,
)


def health_report() -> tuple[bool, list[Check]]:
    checks = [check() for check in CHECKS]
    return all(check.ok for check in checks), checks


def worker_warning(*, now: datetime | None = None) -> str:
    """For the staff home: what to say when no worker has been seen for longer than the limit
    (ten minutes by default); empty while a worker is beating."""
    now = now or timezone.now()
    seen = last_heartbeat()
    work = "thank-you emails, receipts, imports and mailings wait until one runs"
    if seen is None:
        return f"No background worker has been seen: {work}."
    silence = now - seen
    if silence <= timedelta(seconds=settings.HEALTH_WORKER_SILENCE_LIMIT_SECONDS):
        return ""
    minutes = int(silence.total_seconds() // 60)
    return f"The background worker has not been seen for {minutes} minutes: {work} again."
