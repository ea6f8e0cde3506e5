"""Import jobs: a file on its way in (supporters or gifts), checked, previewed page by page
and imported whole on confirmation (crm.importing.jobs); column mappings saved by name
(crm.importing.mapping)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class ImportJob(models.Model):
    """One uploaded file on its way in (supporters or gifts): checked (a dry run), shown to
    staff page by page, then imported whole on confirmation. Large files are checked and
    imported by the background worker, so no request waits for them (crm.importing.jobs)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be checked"
        CHECKING = "checking", "Checking"
        READY = "ready", "Checked: waiting for your confirmation"
        REFUSED = "refused", "Cannot be imported"
        CONFIRMED = "confirmed", "Waiting to be imported"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Stopped by an unexpected error"

    kind = models.CharField(max_length=20)  # crm.importing.jobs.ImportKind.name
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # The upload as checked (a CSV re-encoded as UTF-8), under MEDIA_ROOT/imports/; removed
    # once the job is done or refused.
    file = models.FileField(upload_to="imports/", blank=True)
    file_name = models.CharField(max_length=255)  # as uploaded, for messages and history
    file_format = models.CharField(max_length=4)  # csv | xlsx
    options = models.JSONField(default=dict, blank=True)  # the import form's extra fields
    background = models.BooleanField(default=False)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # Counts, file-wide errors, ignored columns and the preview's headers; the rows themselves
    # are ImportJobRow, read a page at a time.
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import of {self.file_name} ({self.get_status_display().lower()})"

    @property
    def running(self) -> bool:
        return self.status in (
            self.Status.QUEUED,
            self.Status.CHECKING,
            self.Status.CONFIRMED,
            self.Status.IMPORTING,
        )


class ImportJobRow(models.Model):
    """One row of a job's preview: its cells as shown and, for a problem row, what is wrong."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()  # 1 = the first row under the headers
    action = models.CharField(max_length=8)  # new | update | skip | invalid
    cells = models.JSONField(default=list)
    errors = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            # Also the index behind the preview's pages: one job's rows in file order.
            models.UniqueConstraint(fields=["job", "number"], name="import_job_row_unique")
        ]

    def __str__(self) -> str:
        return f"Row {self.number}"


class ImportMapping(models.Model):
    """A column mapping saved by name on the import's mapping step: which field each header of
    another system's export goes to, so that system's next file needs no choosing
    (crm.importing.mapping). Headers are kept as written; they are compared as
    crm.importing.headers.header_key reads them."""

    name = models.CharField(max_length=100)
    # [[header, field], ...] in the file's order; field "" is a column not imported.
    columns = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # 'Bloomerang' and 'bloomerang' are one name to staff and to `import_file --mapping`.
            models.UniqueConstraint(Lower("name"), name="import_mapping_name_unique")
        ]

    def __str__(self) -> str:
        return self.name
