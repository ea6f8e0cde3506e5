"""Gift import (CSV/XLSX): each row is a gift and the donor who gave it. In one pass the donor
is matched (by the source system's id, email, then name and postal code) or created, rows of
one donor fold into one supporter (crm.importing.people), and each gift is recorded through
the gifts service. The whole file is read and checked first; it is written in one transaction,
or not at all when any row has a problem.

A gift already recorded is skipped, so importing a file twice adds nothing: found by its id in
the source system (Transaction ID), else by the same donor, date, amount and check number.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from core import bulk
from core.spreadsheets import formula_error
from crm.importing.cells import cell_text
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
from crm.models import Supporter
from donations.imports import columns as gift_columns
from donations.imports.references import references_apply, references_found
from donations.models import Gift
from donations.services import IMPORTED, GiftEntry, gift_check, gifts_record

WHO = ("email", "first_name", "last_name", "organisation_name", "source_id")


@bulk.gc_paused()
def gifts_import(
    *,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    dry_run: bool,
    actor: AbstractBaseUser | None = None,
    already_thanked: bool = True,
    source_system: str = "",
    decisions: Mapping[str, str] | None = None,
    file_name: str = "",
    progress: Callable[[int], None] | None = None,
    chosen: Sequence[str] | None = None,
) -> ImportReport:
    """Check, match and (unless dry_run or anything is wrong) record a whole file of gifts and
    their donors. `already_thanked` is for rows without an 'Acknowledged?' column; `decisions`
    answer the report's choices about new campaigns, funds and appeals (references_found);
    `chosen`, when given, is each column's field as chosen on the mapping step
    (crm.importing.mapping), read instead of the headers."""
    report = ImportReport()
    headers = list(headers or [])
    mapping, report.ignored_columns, repeated = gift_columns.HEADERS.map_columns(headers, chosen)
    gift_map = {i: n for i, n in mapping.items() if n in gift_columns.GIFT_HEADERS}
    person_map = {i: n for i, n in mapping.items() if n not in gift_columns.GIFT_HEADERS}
    found = set(mapping.values())
    missing = [label for name, label in gift_columns.REQUIRED.items() if name not in found]
    if missing:
        report.file_errors.append(
            f"The file needs these columns: {', '.join(missing)}. "
            f"Columns found: {columns_found(headers)}."
        )
    if not found & set(WHO):
        report.file_errors.append(
            "The file needs a column that says who gave: 'Email', a donor id, or 'First "
            "Name', 'Last Name' and 'ZIP' (or 'Organization' and 'ZIP')."
        )
    if repeated:
        report.file_errors.append(repeated_columns_error(repeated))
    if report.file_errors:
        return report

    lookups = gift_columns.Lookups.load()
    memo = ParseMemo()  # one reading per distinct cell text, for the whole file
    rows_read(
        report,
        rows,
        lambda n, raw: _parse_row(n, raw, gift_map, person_map, lookups, memo),
        progress,
    )
    if not report.rows:
        report.file_errors.append("The file has headers but no gifts under them.")
        return report

    system, system_note = system_for_file(source_system, headers)
    if {"source_id", "source_gift_id"} & found:
        report.notes.append(system_note)
    people = [r.person for r in report.rows]
    folds = people_resolve(people, system=system)
    for row in report.rows:
        for name, messages in row.person.errors.items():
            if name not in row.errors:
                row.errors[name] = messages
                row.action = "invalid"
        if row.values.get("source_gift_id"):
            row.values["source_system"] = system
        donor = donor_of(row)
        row.supporter, row.supporter_id = donor.supporter, donor.supporter_id
    report.notes.extend(fold_notes(folds, _describe))
    if duplicates := likely_duplicates(people):
        report.notes.extend(duplicate_notes(duplicates))
        report.extra_totals["likely_duplicates"] = len(duplicates)
    report.choices = references_found(report.rows)
    references_apply(report.rows, report.choices, decisions or {}, create=False)
    _skip_gifts_already_recorded([r for r in report.rows if r.action == "new"])
    leads = [p for p in people if p.action in ("new", "update", "skip")]
    for action in ("new", "update", "skip"):
        report.extra_totals[f"donors_{action}"] = sum(p.action == action for p in leads)
    if report.ok and not dry_run:
        with transaction.atomic():
            references_apply(report.rows, report.choices, decisions or {}, create=True)
            write_import(people, actor=actor, file_name=file_name)
            for row in report.rows:
                row.supporter_id = donor_of(row).supporter_id
            _record(
                report.rows,
                actor=actor,
                already_thanked=already_thanked,
                column_given="acknowledged" in found,
            )
        report.written = True
    return report


def _parse_row(
    number: int,
    raw: Sequence[object],
    gift_map: dict[int, str],
    person_map: dict[int, str],
    lookups: "gift_columns.Lookups",
    memo: ParseMemo,
) -> RowOutcome | None:
    outcome = RowOutcome(number=number)
    values = outcome.values
    for index, name in gift_map.items():
        cell = raw[index] if index < len(raw) else None
        text = cell_text(cell)
        if not text:
            continue
        if message := formula_error(text):
            outcome.error(name, message)
            continue
        try:
            values[name] = gift_columns.parse(name, cell, text, lookups)
        except ValidationError as exc:
            outcome.error(name, exc.messages[0])
    person = person_parse(number, raw, person_map, "", memo)
    if not values and not outcome.errors and person is None:
        return None  # a blank line
    if person is None or not any(person.values.get(f) for f in WHO):
        person = person or RowOutcome(number=number)
        person.action = "invalid"
        if not person.errors:  # else a cell that says who was refused: that message says it
            outcome.error("email", "Say who gave: an email, a donor id, or a name and ZIP code.")
    outcome.person = person
    for name, label in gift_columns.REQUIRED.items():
        if name not in values and name not in outcome.errors:
            outcome.error(name, f"{label} is empty.")
    values.setdefault(
        "method", Gift.Method.CHEQUE if values.get("cheque_number") else Gift.Method.OTHER
    )
    code = values.get("appeal_code")
    if isinstance(code, str) and code and "campaign" not in values:
        # The gifts service names the campaign from the appeal code; done here too, so the
        # preview shows the campaign (and its fund) the row will be recorded with.
        found = lookups.campaigns.get(code.lower())
        if found is not None and found.code == code:
            values["campaign"] = found
            outcome.defaulted.add("campaign")
    if "amount" in values and "received_on" in values:
        # The gifts service's rules, checked per row so the preview lists every refusal.
        try:
            gift_check(_entry(values, supporter=0))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                outcome.error(name, messages[0])
    return outcome


def donor_of(row: RowOutcome) -> RowOutcome:
    """The person row that is written for this gift's donor (the first row of their folds)."""
    person = row.person
    return person.folded_into or person


def _describe(members: list[RowOutcome]) -> str:
    lead = members[0]
    gifts = len(members)
    return f"are one donor: {person_name(lead)}, {gifts} gifts."


def _gift_key(donor: object, values: dict[str, object]) -> tuple:
    return (donor, values["received_on"], values["amount"], values.get("cheque_number", ""))


def _skip_gifts_already_recorded(rows: list[RowOutcome]) -> None:
    """Gifts on file with the row's source id, or with the same donor, date, amount and check
    number and no other source id, are skipped; the same gift twice in the file is an error
    (say which with a check number or a transaction id)."""
    ids = {(str(r.values["source_system"]), str(r.values["source_gift_id"])): r for r in rows
           if r.values.get("source_gift_id")}  # fmt: skip
    by_source = {}
    if ids:
        for pk, system, source_id in Gift.objects.filter(
            source_id__in={v for _, v in ids}
        ).values_list("pk", "source_system", "source_id"):
            by_source[(system, source_id)] = pk
    matched = [r for r in rows if donor_of(r).supporter_id is not None]
    recorded: dict[tuple, list[tuple[int, str]]] = {}
    for pk, sid, day, amount, cheque, source_id in Gift.objects.filter(
        supporter_id__in={donor_of(r).supporter_id for r in matched},
        received_on__in={r.values["received_on"] for r in matched},
    ).values_list("pk", "supporter_id", "received_on", "amount", "cheque_number", "source_id"):
        key = _gift_key(sid, {"received_on": day, "amount": amount, "cheque_number": cheque})
        recorded.setdefault(key, []).append((pk, source_id))
    first_row: dict[tuple, int] = {}
    for row in rows:
        donor = donor_of(row)
        own_id = str(row.values.get("source_gift_id", ""))
        pair = (str(row.values.get("source_system", "")), own_id)
        if own_id and pair in by_source:
            row.action = "skip"
            row.values["skip_reason"] = f"Already recorded (gift #{by_source[pair]})"
            continue
        key = _gift_key(donor.supporter_id or f"row {donor.number}", row.values)
        same = [pk for pk, source_id in recorded.get(key, []) if source_id in ("", own_id)]
        if same:
            row.action = "skip"
            row.values["skip_reason"] = f"Already recorded (gift #{same[0]})"
        elif (*key, own_id) in first_row:
            row.error(
                "amount",
                f"The same gift as row {first_row[(*key, own_id)]} (donor, date, amount and "
                "check number). If it is a second gift, give each its check number.",
            )
        else:
            first_row[(*key, own_id)] = row.number


def _entry(values: dict[str, object], *, supporter: Supporter | int) -> GiftEntry:
    campaign, fund = values.get("campaign"), values.get("fund")
    return GiftEntry(
        supporter=supporter,
        amount=values["amount"],
        received_on=values["received_on"],
        method=values["method"],
        cheque_number=values.get("cheque_number", ""),
        in_kind_description=values.get("in_kind_description", ""),
        stock_ticker=str(values.get("stock_ticker", "")),
        stock_shares=values.get("stock_shares"),
        given_on=values.get("given_on"),
        # A campaign or fund still to be created (a NewReference) is set once it is.
        fund=fund if hasattr(fund, "pk") else None,
        campaign=campaign if hasattr(campaign, "pk") else None,
        appeal_code=str(values.get("appeal_code", "")),
        notes=values.get("notes", ""),
    )


def _record(
    rows: list[RowOutcome],
    *,
    actor: AbstractBaseUser | None,
    already_thanked: bool,
    column_given: bool,
) -> None:
    """Through the gifts service, like every other way in: one transaction, in bulk."""
    entries = []
    for row in rows:
        if row.action != "new":
            continue
        details = {
            "acknowledgement": gift_columns.acknowledgement(
                row.values, column_given=column_given, already_thanked=already_thanked
            )
        }
        if row.values.get("source_gift_id"):
            details["source_system"] = row.values["source_system"]
            details["source_id"] = row.values["source_gift_id"]
        entries.append(replace(_entry(row.values, supporter=row.supporter_id), details=details))
    if entries:
        gifts_record(entries=entries, recorded_by=actor, reason=IMPORTED)
