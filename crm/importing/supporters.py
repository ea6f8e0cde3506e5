"""Supporter import: the whole file is read and checked before anything is written, matched
to existing supporters a batch at a time (source id first, then email, then name and postal
code), rows of one person folded into one supporter (crm.importing.folding), and written in one
transaction, or not at all when any row has a problem.

The admin's import screens call this through an import job (crm.importing.jobs, with the
kind in donations.imports.any_file that also reads gift files); the benchmark and
`seed_demo` call it directly.
"""

from collections.abc import Callable, Iterable, Sequence

from django.contrib.auth.models import AbstractBaseUser

from core import bulk
from crm.importing import supporter_columns as columns
from crm.importing.folding import fold_notes, person_name
from crm.importing.headers import columns_found, repeated_columns_error
from crm.importing.outcome import ImportReport, RowOutcome, rows_read
from crm.importing.people import (
    ParseMemo,
    duplicate_notes,
    likely_duplicates,
    people_resolve,
    person_parse,
)
from crm.importing.sources import system_for_file
from crm.importing.writing import write_import

NAME_FIELDS = ("first_name", "last_name", "organisation_name")


@bulk.gc_paused()
def supporters_import(
    *,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    dry_run: bool,
    actor: AbstractBaseUser | None = None,
    consent_source: str = "",
    source_system: str = "",
    file_name: str = "",
    progress: Callable[[int], None] | None = None,
    chosen: Sequence[str] | None = None,
) -> ImportReport:
    """Check, match and (unless dry_run or anything is wrong) write a whole file.
    `source_system` names the system the file's ids belong to (guessed when blank).
    `chosen`, when given, is the field of each column as chosen on the mapping step
    (crm.importing.mapping), read instead of the headers.
    `progress`, when given, is told how many rows have been read so far."""
    report = ImportReport()
    headers = list(headers or [])
    mapping, report.ignored_columns, repeated = columns.SUPPORTER_HEADERS.map_columns(
        headers, chosen
    )
    if not any(f in mapping.values() for f in NAME_FIELDS):
        report.file_errors.append(
            "The file has no name column. Add 'First Name' and 'Last Name' columns "
            f"(or 'Organization' for organizations). Columns found: {columns_found(headers)}."
        )
    if repeated:
        report.file_errors.append(repeated_columns_error(repeated))
    if report.file_errors:
        return report

    default_source = consent_source.strip()
    memo = ParseMemo()
    rows_read(
        report, rows, lambda n, raw: person_parse(n, raw, mapping, default_source, memo), progress
    )
    if not report.rows:
        report.file_errors.append("The file has headers but no rows to import.")
        return report

    system, system_note = system_for_file(source_system, headers)
    if "source_id" in mapping.values():
        report.notes.append(system_note)
    folds = people_resolve(report.rows, system=system)
    report.notes.extend(fold_notes(folds, _describe))
    if duplicates := likely_duplicates(report.rows):
        report.notes.extend(duplicate_notes(duplicates))
        report.extra_totals["likely_duplicates"] = len(duplicates)

    if report.ok and not dry_run:
        write_import(report.rows, actor=actor, file_name=file_name)
        report.written = True
    return report


def _describe(members: list[RowOutcome]) -> str:
    lead = members[0]
    if lead.supporter is not None:
        return f"update the same supporter, once: {person_name(lead)}."
    return f"are one supporter: {person_name(lead)}."
