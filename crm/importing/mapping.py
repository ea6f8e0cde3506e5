"""The mapping step: staff choose the field each column of a file goes to, seeing a few of its
values, when the headers alone do not say (or whenever they want to check). The choice is a
list of field names, one per column ("" for a column not imported), kept in the job's options
as "columns" and read by the importers instead of the headers (HeaderMap.map_columns): the
same code path as recognised headers. A choice can be saved by name (ImportMapping) and used
for the next file from the same system, in the admin or by `manage.py import_file --mapping`.

Each kind of import says which fields it offers and what it refuses (ColumnFields); the
people's fields are here, donations.imports.any_file adds the gifts'."""

from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from crm.importing import files as import_files
from crm.importing.cells import cell_text
from crm.importing.headers import header_key
from crm.importing.supporter_columns import SUPPORTER_HEADERS
from crm.models import ImportJob, ImportJobRow, ImportMapping

Choices = tuple[tuple[str, str], ...]

# Rows read for the sample values, and how many values each column shows.
SAMPLE_ROWS = 200
SAMPLES = 3
# Jobs whose columns may still be chosen: not yet checked, checked, or refused (the file is
# kept until it is imported or forgotten, so a wrong choice can be put right).
MAPPABLE = (ImportJob.Status.QUEUED, ImportJob.Status.READY, ImportJob.Status.REFUSED)

PERSON_FIELDS: Choices = (
    ("title", "Title (Mr., Ms., Dr.)"),
    ("first_name", "First name"),
    ("middle_name", "Middle name"),
    ("last_name", "Last name"),
    ("suffix", "Suffix (Jr., III)"),
    ("preferred_name", "Preferred name"),
    ("organisation_name", "Organization"),
    ("kind", "Type (person or organization)"),
    ("partner_title", "Partner's title"),
    ("partner_first_name", "Partner's first name"),
    ("partner_last_name", "Partner's last name"),
    ("salutation", "Salutation (Dear …)"),
    ("formal_salutation", "Formal salutation"),
    ("addressee", "Envelope name (addressee)"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("phone_2", "Second phone"),
    ("preferred_language", "Preferred language"),
    ("tags", "Tags"),
    ("source", "How they came to us (source)"),
    ("notes", "Note (on the gift, in a file of gifts)"),
    ("email_opt_in", "Email opt-in (yes or no)"),
    ("consent_source", "Where consent was given"),
    ("do_not_email", "Do not email"),
    ("do_not_mail", "Do not mail"),
    ("do_not_contact", "Do not contact"),
    ("deceased", "Deceased"),
)
ADDRESS_FIELDS: Choices = (
    ("address_line1", "Street address"),
    ("address_line2", "Address line 2 (apartment, suite)"),
    ("city", "City"),
    ("region", "State or province"),
    ("postal_code", "ZIP or postal code"),
    ("country", "Country"),
)
PERSON_ID_FIELDS: Choices = (
    ("source_id", "The person's id in the old system (VANID, Donor ID…)"),
    ("source_system", "Which system the ids are from"),
)
NAME_FIELDS = ("first_name", "last_name", "organisation_name")


@dataclass(frozen=True)
class ColumnFields:
    """What one kind of import offers on the mapping step."""

    groups: tuple[tuple[str, Choices], ...]  # (group, ((field, label), ...)), as on the page
    # The file's headers -> the field each column is read as today ("" when not recognised).
    recognise: Callable[[Sequence[object]], list[str]]
    # (headers, the field chosen for each column) -> what is wrong, in plain words.
    check: Callable[[Sequence[object], Sequence[str]], list[str]]

    def label(self, field: str) -> str:
        return next((label for _g, fs in self.groups for f, label in fs if f == field), field)

    def offered(self) -> set[str]:
        return {field for _group, fields in self.groups for field, _label in fields}


@dataclass(frozen=True)
class FileSample:
    headers: list[object]
    samples: list[list[str]]  # per column: its first few non-blank values


def column_name(headers: Sequence[object], index: int) -> str:
    header = str(headers[index] or "").strip()
    return header or f"Column {index + 1} (no header)"


def repeated_fields(
    fields: ColumnFields, headers: Sequence[object], columns: Sequence[str]
) -> list[str]:
    """'Col A' and 'Col C' both go to Email: one message per field chosen twice."""
    by_field: dict[str, list[str]] = defaultdict(list)
    for index, field in enumerate(columns):
        if field:
            by_field[field].append(f"'{column_name(headers, index)}'")
    return [
        f"{' and '.join(names)} both go to {fields.label(field)}. Choose one of them, and set "
        "the other to Don't import."
        for field, names in by_field.items()
        if len(names) > 1
    ]


def people_check(headers: Sequence[object], columns: Sequence[str]) -> list[str]:
    """A file of people: each field once, and a name."""
    problems = repeated_fields(SUPPORTER_FIELDS, headers, columns)
    if not set(columns) & set(NAME_FIELDS):
        problems.append(
            "Choose the column with each person's name: First name and Last name, or "
            "Organization for organizations."
        )
    return problems


def _people_recognise(headers: Sequence[object]) -> list[str]:
    mapping, _unknown, _repeated = SUPPORTER_HEADERS.map(list(headers))
    return [mapping.get(index, "") for index in range(len(headers))]


SUPPORTER_FIELDS = ColumnFields(
    groups=(
        ("Person", PERSON_FIELDS),
        ("Address", ADDRESS_FIELDS),
        ("Source ids", PERSON_ID_FIELDS),
    ),
    recognise=_people_recognise,
    check=people_check,
)


def file_sample(job: ImportJob) -> FileSample:
    """The stored file's headers and a few values of each column; ImportFileError when the
    file is gone or cannot be read."""
    if not job.file:
        raise import_files.ImportFileError("This import's file is no longer kept. Upload it again.")
    with job.file.open("rb") as stored:
        headers, rows = import_files.read_head(stored, job.file_format, SAMPLE_ROWS)
    samples: list[list[str]] = [[] for _ in headers]
    for row in rows:
        for index, cell in enumerate(row[: len(headers)]):
            text = cell_text(cell)
            if text and len(samples[index]) < SAMPLES:
                samples[index].append(text)
    return FileSample(headers=list(headers), samples=samples)


def undecided(headers: Sequence[object], columns: Sequence[str]) -> list[str]:
    """Headed columns with no field: the reason to show the mapping step."""
    return [
        str(header)
        for header, field in zip(headers, columns, strict=False)
        if not field and str(header or "").strip()
    ]


def columns_from_saved(
    saved: ImportMapping, headers: Sequence[object], fields: ColumnFields
) -> tuple[list[str], list[str]]:
    """Each column's field by a saved mapping, matched by header as people write them; a
    header the mapping does not name is read as recognised. Also the headers it left open."""
    kept: dict[str, deque[str]] = defaultdict(deque)
    for header, field in saved.columns:
        kept[header_key(header)].append(field if field in fields.offered() else "")
    recognised = fields.recognise(headers)
    columns, left_open = [], []
    for index, header in enumerate(headers):
        key = header_key(header)
        if key in kept:
            # The same header twice in a file takes the saved fields in order.
            field = kept[key].popleft() if len(kept[key]) > 1 else kept[key][0]
        else:
            field = recognised[index]
            if not field and key:
                left_open.append(str(header))
        columns.append(field)
    return columns, left_open


def saved_mapping_suggest(headers: Sequence[object]) -> ImportMapping | None:
    """The saved mapping made for files with these headers: one that names every header of
    the file, the closest fit first (the fewest headers the file lacks), then the newest."""
    keys = {header_key(h) for h in headers if str(h or "").strip()}
    if not keys:
        return None
    best, best_extra = None, None
    for saved in ImportMapping.objects.order_by("-created_at"):
        saved_keys = {header_key(h) for h, _field in saved.columns}
        extra = len(saved_keys - keys)
        if keys <= saved_keys and (best_extra is None or extra < best_extra):
            best, best_extra = saved, extra
    return best


def saved_mapping_find(name: str) -> ImportMapping | None:
    return ImportMapping.objects.filter(name__iexact=name.strip()).first()


def columns_initial(
    *, job: ImportJob, fields: ColumnFields, headers: Sequence[object], saved: ImportMapping | None
) -> tuple[list[str], ImportMapping | None]:
    """What the mapping page shows first, and the saved mapping it came from: the one staff
    picked, else the choice already made for this job, else a saved mapping made for these
    headers, else what the import recognised."""
    chosen = job.options.get("columns")
    if saved is None and isinstance(chosen, list) and len(chosen) == len(headers):
        return list(chosen), None
    saved = saved or saved_mapping_suggest(headers)
    if saved is not None:
        return columns_from_saved(saved, headers, fields)[0], saved
    return fields.recognise(headers), None


def import_mapping_save(
    *,
    name: str,
    headers: Sequence[object],
    columns: Sequence[str],
    user: AbstractBaseUser | None,
) -> ImportMapping:
    """Keep a mapping by name; ValidationError when the name is taken (names are told apart
    without case, as `import_file --mapping` finds them)."""
    name = " ".join(name.split())
    taken = (
        f"There is already a saved mapping named '{name}'. Choose another name, or delete "
        "the old one under Import mappings."
    )
    if saved_mapping_find(name) is not None:
        raise ValidationError(taken)
    pairs = [[str(header or ""), field] for header, field in zip(headers, columns, strict=False)]
    try:
        with transaction.atomic():
            return ImportMapping.objects.create(
                name=name, columns=pairs, created_by=user if getattr(user, "pk", None) else None
            )
    except IntegrityError:  # saved by someone else a moment ago
        raise ValidationError(taken) from None


def import_job_map(
    *,
    job: ImportJob,
    fields: ColumnFields,
    headers: Sequence[object],
    columns: Sequence[str],
    save_as: str = "",
    user: AbstractBaseUser | None = None,
) -> list[str]:
    """Set the field of each column of a job's file (and save the choice by name when asked),
    putting the job back to be checked again; or, changing nothing, say what is wrong."""
    columns = [field if field in fields.offered() else "" for field in columns]
    problems = fields.check(headers, columns)
    if problems:
        return problems
    try:
        with transaction.atomic():
            if save_as.strip():
                import_mapping_save(name=save_as, headers=headers, columns=columns, user=user)
            claimed = ImportJob.objects.filter(pk=job.pk, status__in=MAPPABLE).update(
                status=ImportJob.Status.QUEUED,
                options={**job.options, "columns": columns},
                result={},
                rows_done=0,
                rows_total=0,
            )
            if not claimed:
                raise ValidationError(
                    "This import has already been confirmed, so its columns cannot change."
                )
            ImportJobRow.objects.filter(job=job).delete()
    except ValidationError as exc:
        return exc.messages
    job.refresh_from_db()
    return []


def import_job_needs_columns(
    *, job: ImportJob, fields: ColumnFields, saved: ImportMapping | None = None
) -> bool:
    """Whether a new job goes to the mapping step: a column the headers (or the saved mapping
    staff picked on upload) leave open. A saved mapping that decides every column is applied
    to the job; one that leaves some open is where the mapping page starts."""
    try:
        headers = file_sample(job).headers
    except import_files.ImportFileError:
        return False  # the check says what is wrong with the file, as for any upload
    if saved is None:
        return bool(undecided(headers, fields.recognise(headers)))
    columns, left_open = columns_from_saved(saved, headers, fields)
    if left_open or fields.check(headers, columns):
        job.options = {**job.options, "columns": columns}
        job.save(update_fields=["options"])
        return True
    return bool(import_job_map(job=job, fields=fields, headers=headers, columns=columns))
