"""Supporter import: the whole file is read and checked before anything is written, matched
to existing supporters a batch at a time (email first, then name and postal code), and
written in one transaction, or not at all when any row has a problem.

The admin's import screens call this through an import job (crm.import_jobs, with the
SUPPORTER_IMPORT kind in crm.resources); the benchmark and `seed_demo` call it directly.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

from crm import import_columns as columns
from crm import matching
from crm.import_rows import RESTRICTIONS, SIDE_VALUES, RowOutcome
from crm.import_writing import write_import
from crm.models import Note, Supporter

BATCH_SIZE = 1000
PROGRESS_EVERY = 1000  # rows read between progress reports (a background import's bar)
NAME_FIELDS = ("first_name", "last_name", "organisation_name")


@dataclass
class ImportReport:
    rows: list[RowOutcome] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def totals(self) -> Counter:
        return Counter(row.action for row in self.rows)

    @property
    def invalid_rows(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.action == "invalid"]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.invalid_rows


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
    mapping, report.ignored_columns, repeated = columns.map_headers(list(headers or []))
    if not any(f in mapping.values() for f in NAME_FIELDS):
        report.file_errors.append(
            "The file has no name column. Add 'First Name' and 'Last Name' columns "
            "(or 'Organization' for organisations). Columns found: "
            + (", ".join(str(h) for h in headers if h) or "none")
            + "."
        )
    if repeated:
        report.file_errors.append(
            "These columns say the same thing as an earlier column: "
            + ", ".join(repeated)
            + ". Keep one of each."
        )
    if report.file_errors:
        return report

    default_source = consent_source.strip()
    for number, raw in enumerate(rows, start=1):
        outcome = _parse_row(number, raw, mapping, default_source)
        if outcome is not None:
            report.rows.append(outcome)
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number)
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
        text = columns.cell_text(raw[index]) if index < len(raw) else ""
        if not text:
            continue
        if message := columns.formula_error(text):
            outcome.error(field_name, message)
            continue
        parser = columns.PARSERS.get(field_name)
        if parser is None:
            limit = columns.MAX_LENGTHS.get(field_name)
            if limit and len(text) > limit:
                outcome.error(field_name, f"is {len(text)} characters long; at most {limit} fit.")
                continue
            values[field_name] = text
            continue
        try:
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
        values["country"] = "US"
        outcome.defaulted.add("country")
    if values["country"] == "US":
        columns.normalise_us_address(values, outcome.errors)
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
            key = _name_postal_key(row.values)
            if key in seen_name:
                row.error(
                    "last_name",
                    f"Repeats row {seen_name[key]} (same name and postal code); keep one.",
                )
                continue
            seen_name[key] = row.number


def _name_postal_key(values: dict[str, object]) -> tuple[str, str]:
    name = matching.name_key(
        first_name=str(values.get("first_name", "")),
        last_name=str(values.get("last_name", "")),
        organisation_name=str(values.get("organisation_name", "")),
        kind=str(values["kind"]),
    )
    return name, matching.postal_key(str(values.get("postal_code", "")))


def _match_batch(batch: list[RowOutcome]) -> None:
    """Find each row's supporter with two queries for the whole batch."""
    emails = {r.values["email"] for r in batch if r.values.get("email")}
    by_email = {s.email: s for s in Supporter.objects.filter(email__in=emails)} if emails else {}

    unmatched: list[tuple[RowOutcome, tuple[str, str]]] = []
    for row in batch:
        email = row.values.get("email")
        if email and email in by_email:
            row.supporter = by_email[email]
            row.supporter_id = row.supporter.pk
        else:
            unmatched.append((row, _name_postal_key(row.values)))
    if not unmatched:
        return
    names = {key[0] for _, key in unmatched}
    postals = {key[1] for _, key in unmatched}
    candidates: dict[tuple[str, str], list[Supporter]] = {}
    for supporter in Supporter.objects.filter(match_name__in=names, match_postal__in=postals):
        candidates.setdefault((supporter.match_name, supporter.match_postal), []).append(supporter)
    for row, key in unmatched:
        email = row.values.get("email")
        same_name = candidates.get(key, [])
        # A record with a different email is a different person who shares a name; a row
        # without email is most likely the record that has none either.
        found = [s for s in same_name if not s.email]
        if not email and len(found) != 1 and len(same_name) == 1:
            found = same_name
        if len(found) > 1:
            ids = ", ".join(f"#{s.pk}" for s in found)
            row.error(
                "last_name",
                f"Matches {len(found)} supporters with this name and postal code ({ids}); "
                "merge them first, or add an email to this row.",
            )
        elif found:
            row.supporter = found[0]
            row.supporter_id = row.supporter.pk


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
