"""`manage.py worker`: django-tasks-db's db_worker (same options) plus a heartbeat, so /healthz
and the staff home know the worker is alive. Run this one in production and in `make demo`."""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from core.health.heartbeat import HeartbeatThread, heartbeat_forget


class Command(DbWorkerCommand):
    help = "Run the background worker (the database task queue) with a heartbeat"

    def handle(self, *args: object, **options: object) -> None:
        # With --reload the parent process only watches files: its child runs the tasks and
        # is the one that beats.
        if options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            return super().handle(*args, **options)
        worker_id = str(options["worker_id"])
        beat = HeartbeatThread(worker_id=worker_id)
        beat.start()
        try:
            super().handle(*args, **options)
        finally:
            beat.stop()
            beat.join(timeout=5)
            heartbeat_forget(worker_id=worker_id)
