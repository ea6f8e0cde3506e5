"""The admin's import screens on top of import jobs (crm.importing.jobs), for any model admin
that imports with django-import-export's upload form (Supporters, Gifts).

Upload: the file is checked and stored as a job. When a column is not recognised (or a saved
mapping leaves one open), the answer is the mapping step: one line per column with a few of its
values and the field it goes to (crm.importing.mapping); staff reach it from the preview too
("Check the columns"). Then a small file is dry-run at once and its preview is the answer; a
large one is handed to the background worker and the answer is the job's page, which refreshes
itself with a progress bar until the preview is ready. The preview is read 100 rows a page.
Confirm: the same split, all or nothing.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from crm.importing.files import ImportFileError
from crm.importing.jobs import ImportKind, import_job_confirm, import_job_page, import_job_start
from crm.importing.jobs import import_job_run as run_now
from crm.importing.mapping import (
    MAPPABLE,
    columns_initial,
    file_sample,
    import_job_map,
    import_job_needs_columns,
    undecided,
)
from crm.importing.mapping_form import ColumnsForm, saved_mapping_field
from crm.importing.sources import KNOWN_SYSTEMS
from crm.models import ImportJob, ImportMapping

FORM_FIELDS = ("import_file", "format", "resource", "mapping")
CHOICE_PREFIX = "choice:"


class ImportJobConfirmForm(forms.Form):
    job = forms.IntegerField(widget=forms.HiddenInput())


class ImportJobAdminMixin:
    """Put before ImportExportModelAdmin; set import_kind and import_task."""

    import_kind: ImportKind
    import_task: Any  # a django-tasks Task taking the job id
    import_job_template_name = "admin/crm/import_job.html"
    import_columns_template_name = "admin/crm/import_columns.html"

    def get_urls(self) -> list:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/<int:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name="{}_{}_import_job".format(*info),
            ),
            path(
                "import/<int:job_id>/columns/",
                self.admin_site.admin_view(self.import_columns_view),
                name="{}_{}_import_columns".format(*info),
            ),
            *super().get_urls(),
        ]

    def import_action(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_import_form(request)
        if request.method == "POST" and form.is_valid():
            formats = self.get_import_formats()
            file_format = formats[int(form.cleaned_data["format"])]().get_title().lower()
            options = {k: v for k, v in form.cleaned_data.items() if k not in FORM_FIELDS}
            try:
                job = import_job_start(
                    kind=self.import_kind,
                    upload=form.cleaned_data["import_file"],
                    file_format=file_format,
                    options=options,
                    user=request.user,
                )
            except ImportFileError as exc:
                form.add_error("import_file", exc.message)
            else:
                saved = form.cleaned_data.get("mapping")
                if self.import_kind.columns is not None and import_job_needs_columns(
                    job=job, fields=self.import_kind.columns, saved=saved
                ):
                    return redirect(self._url("import_columns", job.pk))
                return self._check(request, job)
        return self._upload_page(request, form)

    def create_import_form(self, request: HttpRequest) -> Any:
        form = super().create_import_form(request)
        if self.import_kind.columns is not None and ImportMapping.objects.exists():
            form.fields["mapping"] = saved_mapping_field()
        return form

    def import_columns_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        """The mapping step: choose each column's field, then the file is checked again."""
        fields = self.import_kind.columns
        if not self.has_import_permission(request) or fields is None:
            raise PermissionDenied
        job = self._own_job(request, job_id)
        if job.status not in MAPPABLE:
            messages.info(request, "This import has moved on: its columns cannot change now.")
            return redirect(self._job_url(job))
        try:
            sample = file_sample(job)
        except ImportFileError as exc:
            messages.error(request, exc.message)
            return redirect(self._url("import"))
        picked = ImportMapping.objects.filter(pk=_int(request.GET.get("mapping"))).first()
        initial, used = columns_initial(
            job=job, fields=fields, headers=sample.headers, saved=picked
        )
        form = ColumnsForm(
            request.POST or None, fields=fields, sample=sample, initial_columns=initial
        )
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            problems = import_job_map(
                job=job,
                fields=fields,
                headers=sample.headers,
                columns=form.columns(),
                save_as=form.cleaned_data["save_as"],
                user=request.user,
            )
            if not problems:
                return self._check(request, job, answer_with_page=False)
        recognised = fields.recognise(sample.headers)
        context = {
            **self.admin_site.each_context(request),
            "title": self._title(),
            "opts": self.opts,
            "job": job,
            "form": form,
            "problems": problems,
            "saved_used": used,
            "saved_mappings": ImportMapping.objects.all(),
            "unrecognised": undecided(sample.headers, recognised),
            "unrecognised_numbers": [
                i + 1 for i, f in enumerate(recognised) if not f and str(sample.headers[i] or "")
            ],
            "import_url": self._url("import"),
            "job_url": self._job_url(job),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_columns_template_name], context)

    def _check(
        self, request: HttpRequest, job: ImportJob, *, answer_with_page: bool = True
    ) -> HttpResponse:
        """Dry-run a queued job: now, answering with its preview, or in the background."""
        if job.background:
            self.import_task.enqueue(job.pk)
            return redirect(self._job_url(job))
        run_now(job_id=job.pk, kind=self.import_kind)
        job.refresh_from_db()
        if not answer_with_page:
            return redirect(self._job_url(job))
        return self._job_page(request, job)

    @method_decorator(require_POST)
    def process_import(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ImportJobConfirmForm(request.POST)
        if not form.is_valid():
            messages.error(request, "That import was not found: upload the file again.")
            return redirect(self._url("import"))
        job = self._own_job(request, form.cleaned_data["job"])
        # Staff's answers to the preview's choices (new campaigns: create, or use another).
        decisions = {
            key.removeprefix(CHOICE_PREFIX): value
            for key, value in request.POST.items()
            if key.startswith(CHOICE_PREFIX)
        }
        if not import_job_confirm(job=job, decisions=decisions):
            return redirect(self._job_url(job))  # confirmed twice: show where it stands
        if job.background:
            self.import_task.enqueue(job.pk)
            return redirect(self._job_url(job))
        run_now(job_id=job.pk, kind=self.import_kind)
        job.refresh_from_db()
        if job.status == ImportJob.Status.DONE:
            messages.success(request, self._finished_message(job))
            return redirect(self._url("changelist"))
        return self._job_page(request, job)

    def import_job_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = self._own_job(request, job_id)
        return self._job_page(request, job)

    def _job_page(self, request: HttpRequest, job: ImportJob) -> TemplateResponse:
        result = job.result or {}
        page = None if job.running else import_job_page(job=job, number=request.GET.get("page"))
        if page is not None:
            page.object_list = list(page.object_list)
            for row in page.object_list:
                row.shown_cells = [_shown_cell(c) for c in row.cells]
        context = {
            **self.admin_site.each_context(request),
            "title": self._title(),
            "opts": self.opts,
            "job": job,
            "result": result,
            "summary": self.import_kind.summary(result.get("totals", {})),
            "finished_message": self._finished_message(job),
            "percent": round(100 * job.rows_done / job.rows_total) if job.rows_total else 0,
            "page": page,
            "import_url": self._url("import"),
            "changelist_url": self._url("changelist"),
        }
        if self.import_kind.columns is not None and job.status in MAPPABLE and job.file:
            context["columns_url"] = self._url("import_columns", job.pk)
        if job.status == ImportJob.Status.READY:
            context["confirm_form"] = ImportJobConfirmForm(initial={"job": job.pk})
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_job_template_name], context)

    def _upload_page(self, request: HttpRequest, form: Any) -> TemplateResponse:
        resources = [
            resource_class(**self.get_import_resource_kwargs(request=request, form=form))
            for resource_class in self.get_import_resource_classes(request)
        ]
        context = {
            **self.get_import_context_data(),
            **self.admin_site.each_context(request),
            "title": self._title(),
            "form": form,
            "opts": self.opts,
            "media": self.media + form.media,
            # The columns the page lists, in plain words (not the library's field names).
            "recognised_columns": list(
                dict.fromkeys(
                    str(f.column_name) for r in resources for f in r.get_user_visible_fields()
                )
            ),
            "import_error_display": self.import_error_display,
            "import_max_file_mb": settings.IMPORT_MAX_FILE_MB,
            "source_systems": KNOWN_SYSTEMS,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def _title(self) -> str:
        return f"Import {self.opts.verbose_name_plural}"

    def _own_job(self, request: HttpRequest, job_id: int) -> ImportJob:
        """Staff see the imports they started (a preview shows the file's personal data)."""
        job = ImportJob.objects.filter(pk=job_id, kind=self.import_kind.name).first()
        if job is None or (job.created_by_id != request.user.pk and not request.user.is_superuser):
            raise Http404("No such import.")
        return job

    def _finished_message(self, job: ImportJob) -> str:
        totals = (job.result or {}).get("totals", {})
        return f"Import finished: {self.import_kind.summary(totals)}."

    def _job_url(self, job: ImportJob) -> str:
        return self._url("import_job", job.pk)

    def _url(self, name: str, *args: object) -> str:
        url_name = f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}"
        return reverse(url_name, args=args, current_app=self.admin_site.name)


def _shown_cell(cell: object) -> dict:
    """A stored preview cell (see crm.importing.jobs.Preview) as the template reads it: parts,
    each plain text or old → new, and `long` when it may wrap across lines (short values, such
    as dates and amounts, never do)."""
    if isinstance(cell, dict):
        parts, sep = cell.get("parts", []), cell.get("sep", "")
    elif isinstance(cell, list):  # [old, new]
        parts, sep = [{"old": cell[0], "new": cell[1]}], ""
    else:
        parts, sep = ([{"text": cell}] if cell else []), ""
    return {"parts": [{**p, "changed": "old" in p, "long": _long(p)} for p in parts], "sep": sep}


def _long(part: dict) -> bool:
    """A sentence or a note, not a value: over 24 characters, before or after a change."""
    return any(len(str(part.get(key) or "")) > 24 for key in ("text", "old", "new"))


def _int(text: object) -> int | None:
    return int(text) if str(text or "").isdigit() else None
