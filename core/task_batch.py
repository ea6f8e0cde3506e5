"""Several background tasks enqueued as one write, with the transaction that asks for them.

django-tasks' `enqueue` writes one row per task through the ORM, about half a millisecond of
Python each; a paid Stripe gift asks for two (its thank-you and its fee read), and on the
webhook path that was measurable (bench/webhooks.py). With the database queue the rows are
written here in one INSERT, in the caller's transaction, so the tasks exist exactly when the
change that asked for them commits. Any other backend gets each task enqueued as django-tasks
would, one by one (the tests' immediate backend runs it there and then)."""

from collections.abc import Sequence
from typing import Any

from django_tasks.base import Task
from django_tasks_db import DatabaseBackend
from django_tasks_db.compat import normalize_json
from django_tasks_db.models import DBTaskResult, get_date_max

Call = tuple[Task, Sequence[Any]]


def enqueue_with_transaction(calls: Sequence[Call]) -> None:
    """Enqueue each (task, args): with the database queue, as one INSERT in the current
    transaction (the rows exist exactly when it commits; no task_enqueued signal is sent);
    with any other backend, one enqueue per task."""
    if not calls:
        return
    rows = task_rows(calls)
    if rows is None:
        for task, args in calls:
            task.enqueue(*args)
        return
    DBTaskResult.objects.bulk_create(rows)


def task_rows(calls: Sequence[Call]) -> list[DBTaskResult] | None:
    """The database queue's rows for these calls, unsaved, as django-tasks-db would write
    them; None when the tasks do not all go to one database queue."""
    backend = calls[0][0].get_backend()
    if not isinstance(backend, DatabaseBackend) or any(
        task.get_backend() is not backend for task, _ in calls
    ):
        return None
    rows = []
    for task, args in calls:
        backend.validate_task(task)
        rows.append(
            DBTaskResult(
                args_kwargs=normalize_json({"args": list(args), "kwargs": {}}),
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                # What django-tasks-db's pre_save handler sets; bulk_create sends no signals.
                run_after=task.run_after or get_date_max(),
                backend_name=backend.alias,
            )
        )
    return rows
