"""Import jobs: an uploaded file is checked in the request (size, encoding, an XLSX's real
size), stored, and then dry-run, shown and written by the importers (crm.importing.supporters,
donations.imports.gifts). A small file is handled while the page waits; a large one by the
background worker, with a progress bar, so no request outlives the web server's timeout. The
dry run's outcome is kept as counts plus one ImportJobRow per shown row, read a page at a time;
confirming writes the whole file or nothing.

Each importer describes itself as an ImportKind (SUPPORTER_IMPORT in
crm.importing.supporter_preview, GIFT_IMPORT in donations.imports.resources); crm never imports
donations.
"""

import datetime
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Page, Paginator
from django.utils import timezone

from core import bulk
from crm.importing import files as import_files
from crm.importing.mapping import ColumnFields
from crm.importing.outcome import ImportReport, RowOutcome
from crm.models import ImportJob, ImportJobRow

logger = logging.getLogger(__name__)

PAGE_SIZE = 100
ROW_BATCH = 5000
# Files, previews and jobs older than this are forgotten: they hold personal data.
KEEP_FOR = datetime.timedelta(days=2)
Status = ImportJob.Status


@dataclass(frozen=True)
class ImportKind:
    name: str  # ImportJob.kind
    # (headers=, rows=, dry_run=, actor=, file_name=, progress=, columns=, **options)
    # -> ImportReport
    run: Callable[..., ImportReport]
    headers: Sequence[str]  # the preview's columns
    # (the file's headers, the job's options) -> how its rows are shown; see Preview
    preview: Callable[[Sequence[object], Mapping[str, Any]], "Preview"]
    labels: Mapping[str, str]  # field name -> the column name staff know
    shown: tuple[str, ...]  # the row actions a clean file's preview lists
    summary: Callable[[Mapping[str, int]], str]  # '2 new, 0 updated, ...'
    # The fields the mapping step offers (crm.importing.mapping); run() and preview() then
    # take the choice as `columns` (run's keyword, the preview's option).
    columns: ColumnFields | None = None


@dataclass(frozen=True)
class Preview:
    """How one job's rows are shown, set up once per job (a query or two, never one per row).

    A cell is text, or [old, new] for a changed value, or {"parts": [...], "sep": ", "} for
    several values in one cell (a name, an address), each part a dict of: label; text, or
    old and new; note ("default": the import fills it in, the file did not say)."""

    # (row, the row's cells as read from the file) -> the row's preview cells
    cells: Callable[[RowOutcome, Sequence[object]], list]
    notes: Sequence[str] = ()  # said once above the preview, e.g. how every gift is thanked
    headers: Sequence[str] = ()  # the preview's columns, when not the kind's (a detected file)
    shown: tuple[str, ...] = ()  # the row actions listed, when not the kind's


def preview_part(
    label: str = "",
    text: object = "",
    *,
    change: tuple[object, object] | None = None,
    note: str = "",
) -> dict[str, str]:
    """One value of a preview cell: its text, or old → new when an update changes it."""
    part = {"label": label} if label else {}
    if change is not None:
        part.update(old=preview_text(change[0]), new=preview_text(change[1]))
    else:
        part["text"] = preview_text(text)
    if note:
        part["note"] = note
    return part


def preview_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | set):
        return ", ".join(str(v) for v in value)
    return str(value)


def import_job_start(
    *,
    kind: ImportKind,
    upload: UploadedFile,
    file_format: str,
    options: dict[str, Any],
    user: AbstractBaseUser | None,
) -> ImportJob:
    """Check and store an upload as a queued job; ImportFileError says why it cannot be."""
    checked = import_files.check_upload(upload, file_format)
    import_jobs_forget_old()
    job = ImportJob(
        kind=kind.name,
        file_name=(upload.name or "upload")[:255],
        file_format=file_format,
        options=options,
        created_by=user if getattr(user, "pk", None) else None,
        background=checked.data_size > settings.IMPORT_INLINE_MAX_KB * 1024,
    )
    job.file.save(f"{uuid.uuid4().hex}.{file_format}", ContentFile(checked.content), save=False)
    job.save()
    return job


def import_job_confirm(*, job: ImportJob, decisions: Mapping[str, str] | None = None) -> bool:
    """Mark a checked job to be written, with staff's answers to its choices (see
    ImportReport.choices; an answer not offered is ignored); False when it was not waiting
    (confirmed twice)."""
    options = dict(job.options)
    if decisions:
        offered = {
            c["key"]: {str(value) for value, _label in c["options"]}
            for c in (job.result or {}).get("choices", [])
        }
        options["decisions"] = {
            key: str(value)
            for key, value in decisions.items()
            if str(value) in offered.get(key, set())
        }
    claimed = ImportJob.objects.filter(pk=job.pk, status=Status.READY).update(
        status=Status.CONFIRMED, rows_done=0, updated_at=timezone.now(), options=options
    )
    job.refresh_from_db()
    return bool(claimed)


def import_job_run(*, job_id: int, kind: ImportKind) -> None:
    """Do the job's next step: the dry run of a queued job, the import of a confirmed one.
    Safe to run twice: each step is claimed first, and a second call finds nothing to do."""
    for waiting, working, dry_run in (
        (Status.QUEUED, Status.CHECKING, True),
        (Status.CONFIRMED, Status.IMPORTING, False),
    ):
        claimed = ImportJob.objects.filter(pk=job_id, status=waiting, kind=kind.name).update(
            status=working, updated_at=timezone.now()
        )
        if claimed:
            job = ImportJob.objects.get(pk=job_id)
            try:
                _run(job, kind, dry_run=dry_run)
            except Exception:
                logger.exception("Import job %s stopped", job_id)
                _finish(job, Status.FAILED)
            return


def import_job_page(*, job: ImportJob, number: object) -> Page:
    """One page of the job's preview rows, in file order."""
    rows = ImportJobRow.objects.filter(job=job).order_by("number")
    return Paginator(rows, PAGE_SIZE).get_page(number)


def import_jobs_forget_old() -> None:
    """Remove stored files and previews of jobs nobody finished within KEEP_FOR."""
    for job in ImportJob.objects.filter(created_at__lt=timezone.now() - KEEP_FOR):
        job.file.delete(save=False)
        job.delete()


def _run(job: ImportJob, kind: ImportKind, *, dry_run: bool) -> None:
    try:
        with job.file.open("rb") as stored:
            headers, rows = import_files.read_rows(stored, job.file_format)
    except import_files.ImportFileError as exc:
        job.result = {"file_errors": [exc.message]}
        _finish(job, Status.REFUSED)
        return
    total = len(rows)
    ImportJob.objects.filter(pk=job.pk).update(rows_total=total, rows_done=0)

    def progress(done: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            rows_done=min(done, total), updated_at=timezone.now()
        )

    preview = kind.preview(headers, job.options)
    report = kind.run(
        headers=headers,
        rows=rows,
        dry_run=dry_run,
        actor=job.created_by,
        file_name=job.file_name,
        progress=progress,
        **job.options,
    )
    job.rows_total = job.rows_done = total
    job.result = {
        "totals": dict(report.totals),
        "file_errors": report.file_errors,
        "ignored_columns": report.ignored_columns,
        "headers": list(preview.headers or kind.headers),
        "notes": [*preview.notes, *report.notes],
        "choices": report.choices,
        "mapped": bool(job.options.get("columns")),  # columns chosen on the mapping step
    }
    ImportJobRow.objects.filter(job=job).delete()
    if report.written:
        _finish(job, Status.DONE)
    elif report.ok:
        shown = [r for r in report.rows if r.action in (preview.shown or kind.shown)]
        _store_rows(job, kind, preview, shown, rows)
        _finish(job, Status.READY)
    else:
        _store_rows(job, kind, preview, report.invalid_rows, rows)
        _finish(job, Status.REFUSED)


def _store_rows(
    job: ImportJob,
    kind: ImportKind,
    preview: Preview,
    rows: list[RowOutcome],
    file_rows: Sequence[Sequence[object]],
) -> None:
    # core.bulk: 100,000 preview rows in seconds, where bulk_create takes a minute.
    shown = (
        {
            "job_id": job.pk,
            "number": row.number,
            "action": row.action,
            "cells": preview.cells(row, file_rows[row.number - 1]),
            "errors": {kind.labels.get(name, name): msgs for name, msgs in row.errors.items()},
        }
        for row in rows
    )
    while batch := list(islice(shown, ROW_BATCH)):
        bulk.insert_rows(ImportJobRow, batch)


def _finish(job: ImportJob, status: str) -> None:
    job.status = status
    if status not in (Status.READY, Status.REFUSED):
        # Nothing more will read the file: done or failed. A refused file is kept (forgotten
        # with its job after KEEP_FOR) so its columns can be mapped again (crm.importing.mapping).
        job.file.delete(save=False)
    job.save()
