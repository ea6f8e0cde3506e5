"""Supporter import: the whole file is read and checked before anything is written, matched
to existing supporters a batch at a time (email first, then name and postal code), and
written in one transaction, or not at all when any row has a problem.

The admin's import screens call this through an import job (crm.importing.jobs, with the
SUPPORTER_IMPORT kind in crm.importing.supporter_preview); the benchmark and `seed_demo` call
it directly.
"""

from collections.abc import Callable, Iterable, Sequence
from itertools import islice

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

from core.spreadsheets import formula_error
from crm import addresses
from crm.importing import cells
from crm.importing import supporter_columns as columns
from crm.importing.headers import columns_found, repeated_columns_error
from crm.importing.outcome import RESTRICTIONS, SIDE_VALUES, ImportReport, RowOutcome, rows_read
from crm.importing.row_matching import ids_text, name_postal_key, supporters_match
from crm.importing.writing import write_import
from crm.models import Note, Supporter

BATCH_SIZE = 1000
NAME_FIELDS = ("first_name", "last_name", "organisation_name")


def supporters_import(
    *,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    dry_run: bool,
    actor: AbstractBaseUser | None = None,
    consent_source: str = "",
    file_name: str = "",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check, match and (unless dry_run or anything is wrong) write a whole file.
    `progress`, when given, is told how many rows have been read so far."""
    report = ImportReport()
    headers = list(headers or [])
    mapping, report.ignored_columns, repeated = columns.SUPPORTER_HEADERS.map(headers)
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
    rows_read(report, rows, lambda n, raw: _parse_row(n, raw, mapping, default_source), progress)
    if not report.rows:
        report.file_errors.append("The file has headers but no rows to import.")
        return report

    _flag_repeats_within_file(report.rows)
    rows_to_match = [r for r in report.rows if r.action != "invalid"]
    iterator = iter(rows_to_match)
    while batch := list(islice(iterator, BATCH_SIZE)):
        _match_batch(batch)
        _load_tags_and_notes(batch)
    for row in rows_to_match:
        if row.action != "invalid":
            _plan_changes(row)

    if report.ok and not dry_run:
        write_import(report.rows, actor=actor, file_name=file_name)
        report.written = True
    return report


def _parse_row(
    number: int, raw: Sequence[object], mapping: dict[int, str], default_source: str
) -> RowOutcome | None:
    outcome = RowOutcome(number=number)
    values = outcome.values
    for index, field_name in mapping.items():
        text = cells.cell_text(raw[index]) if index < len(raw) else ""
        if not text:
            continue
        if message := formula_error(text):
            outcome.error(field_name, message)
            continue
        parser = columns.PARSERS.get(field_name)
        try:
            if parser is None:
                cells.check_length(text, columns.MAX_LENGTHS.get(field_name))
                values[field_name] = text
            else:
                values[field_name] = parser(text)
        except ValidationError as exc:
            outcome.error(field_name, exc.messages[0])
    if not values and not outcome.errors:
        return None  # a blank line in the sheet

    if "kind" not in values:
        has_person_name = values.get("first_name") or values.get("last_name")
        only_org = values.get("organisation_name") and not has_person_name
        values["kind"] = "organisation" if only_org else "person"
    if values["kind"] == "organisation" and not values.get("organisation_name"):
        outcome.error("organisation_name", "An organisation needs a name.")
    if values["kind"] == "person" and not (values.get("first_name") or values.get("last_name")):
        outcome.error("last_name", "Give at least a first or a last name.")
    if "country" not in values:
        values["country"] = addresses.home_country()
        outcome.defaulted.add("country")
    if cells.normalise_address(
        values, outcome.errors, guess_country="country" in outcome.defaulted
    ):
        outcome.defaulted.discard("country")  # the address itself said which country
    if outcome.errors:
        outcome.action = "invalid"
    if values.get("email_opt_in") == "opted_in":
        values.setdefault("consent_source", default_source)
        if not values["consent_source"]:
            outcome.error(
                "email_opt_in",
                "Opt-in 'yes' needs to say where consent was given: add a 'Consent Source' "
                "column (e.g. 'Spring gala sign-up sheet') or fill in the consent source "
                "for the whole file.",
            )
    elif default_source:
        values.setdefault("consent_source", default_source)
    return outcome


def _flag_repeats_within_file(rows: list[RowOutcome]) -> None:
    seen_email: dict[str, int] = {}
    seen_name: dict[tuple[str, str], int] = {}
    for row in rows:
        if row.action == "invalid":
            continue
        email = row.values.get("email")
        if email:
            if email in seen_email:
                row.error("email", f"Repeats row {seen_email[email]} (same email); keep one.")
                continue
            seen_email[email] = row.number
        else:
            key = name_postal_key(row.values)
            if key in seen_name:
                row.error(
                    "last_name",
                    f"Repeats row {seen_name[key]} (same name and postal code); keep one.",
                )
                continue
            seen_name[key] = row.number


def _match_batch(batch: list[RowOutcome]) -> None:
    """Find each row's supporter with two queries for the whole batch; a row none is found
    for is a new supporter, and one several could be is refused."""
    for row, found in supporters_match(batch).ambiguous:
        row.error(
            "last_name",
            f"Matches {len(found)} supporters with this name and postal code ({ids_text(found)}); "
            "merge them first, or add an email to this row.",
        )


def _load_tags_and_notes(batch: list[RowOutcome]) -> None:
    by_id = {
        r.supporter.pk: r
        for r in batch
        if r.supporter is not None and (r.values.get("tags") or r.values.get("notes"))
    }
    if not by_id:
        return
    through = Supporter.tags.through
    tag_links = through.objects.filter(supporter_id__in=by_id).values_list(
        "supporter_id", "tag__name"
    )
    for supporter_id, tag_name in tag_links:
        by_id[supporter_id].known_tags.add(tag_name)
    noted = [pk for pk, r in by_id.items() if r.values.get("notes")]
    for supporter_id, text in Note.objects.filter(supporter_id__in=noted).values_list(
        "supporter_id", "text"
    ):
        by_id[supporter_id].known_notes.add(text)


def _plan_changes(row: RowOutcome) -> None:
    values = row.values
    row.new_tags = [t for t in dict.fromkeys(values.get("tags", [])) if t not in row.known_tags]
    row.add_note = bool(values.get("notes")) and values["notes"] not in row.known_notes
    if row.supporter is None:
        row.action = "new"
        return
    for name, value in values.items():
        if name in SIDE_VALUES or name == "kind":
            continue
        if name in RESTRICTIONS and not value:
            continue
        current = getattr(row.supporter, name)
        if name in row.defaulted and current:
            continue  # a country the file left out keeps the one on file

        # 'SMITH' in someone's sheet is not a reason to overwrite 'Smith'.
        same_text = isinstance(value, str) and str(current).casefold() == value.casefold()
        if value != current and not same_text:
            row.changes[name] = (current, value)
    if row.new_tags:
        row.changes["tags"] = (", ".join(sorted(row.known_tags)), ", ".join(row.new_tags))
    if row.add_note:
        row.changes["notes"] = ("", values["notes"])
    row.action = "update" if row.changes else "skip"
