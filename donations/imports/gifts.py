"""Gift import (CSV/XLSX): each row is a gift from a supporter already on file, found by email
or else by name and postal code. The whole file is read and checked first; it is written in
one transaction, or not at all when any row has a problem. A gift already recorded (same donor,
date, amount and cheque number) is skipped, so importing a file twice adds nothing.

People come first: a row whose donor is not on file is an error that says so, rather than a
new record made from a gift sheet's thin name and address columns.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

from core.spreadsheets import formula_error
from crm.importing.cells import cell_text
from crm.importing.headers import columns_found, repeated_columns_error
from crm.importing.outcome import ImportReport, RowOutcome, rows_read
from crm.importing.row_matching import ids_text, supporters_match
from crm.models import Supporter
from donations.imports import columns as gift_columns
from donations.models import Gift
from donations.services import IMPORTED, GiftEntry, gift_check, gifts_record


def gifts_import(
    *,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    dry_run: bool,
    actor: AbstractBaseUser | None = None,
    already_thanked: bool = True,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check, match and (unless dry_run or anything is wrong) record a whole file of gifts.
    `progress`, when given, is told how many rows have been read so far."""
    report = ImportReport()
    headers = list(headers or [])
    mapping, report.ignored_columns, repeated = gift_columns.HEADERS.map(headers)
    found = set(mapping.values())
    missing = [label for name, label in gift_columns.REQUIRED.items() if name not in found]
    if missing:
        report.file_errors.append(
            f"The file needs these columns: {', '.join(missing)}. "
            f"Columns found: {columns_found(headers)}."
        )
    if not found & {"email", "last_name", "organisation_name"}:
        report.file_errors.append(
            "The file needs a column that says who gave: 'Email', or 'First Name', "
            "'Last Name' and 'ZIP' (or 'Organization' and 'ZIP')."
        )
    if repeated:
        report.file_errors.append(repeated_columns_error(repeated))
    if report.file_errors:
        return report

    lookups = gift_columns.Lookups.load()
    rows_read(report, rows, lambda n, raw: _parse_row(n, raw, mapping, lookups), progress)
    if not report.rows:
        report.file_errors.append("The file has headers but no gifts under them.")
        return report

    _match_supporters([r for r in report.rows if r.action != "invalid"])
    _skip_gifts_already_recorded([r for r in report.rows if r.action == "new"])
    if report.ok and not dry_run:
        _record(report.rows, actor=actor, already_thanked=already_thanked)
        report.written = True
    return report


def _parse_row(
    number: int, raw: Sequence[object], mapping: dict[int, str], lookups: "gift_columns.Lookups"
) -> RowOutcome | None:
    outcome = RowOutcome(number=number)
    values = outcome.values
    for index, name in mapping.items():
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
    if not values and not outcome.errors:
        return None  # a blank line
    for name, label in gift_columns.REQUIRED.items():
        if name not in values and name not in outcome.errors:
            outcome.error(name, f"{label} is empty.")
    if not any(values.get(f) for f in ("email", "last_name", "organisation_name", "first_name")):
        outcome.error("email", "Say who gave: an email, or a name and ZIP code.")
    values.setdefault(
        "method", Gift.Method.CHEQUE if values.get("cheque_number") else Gift.Method.OTHER
    )
    code = values.get("appeal_code")
    if code and "campaign" not in values:
        # The gifts service names the campaign from the appeal code; done here too, so the
        # preview shows the campaign (and its fund) the row will be recorded with.
        found = lookups.campaigns.get(str(code).lower())
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


def _match_supporters(rows: list[RowOutcome]) -> None:
    """Email first, then folded name and postal code (crm.importing.row_matching); a gift
    sheet never creates a supporter, so a row nobody matches is refused, saying why."""
    matches = supporters_match(rows)
    for row, found in matches.ambiguous:
        row.error(
            "last_name",
            f"Matches {len(found)} supporters with this name and ZIP ({ids_text(found)}); "
            "merge them first, or add the donor's email.",
        )
    for row in matches.unmatched:
        email = row.values.get("email")
        who = email or " ".join(
            str(row.values[f])
            for f in ("first_name", "last_name", "organisation_name", "postal_code")
            if row.values.get(f)
        )
        namesakes = matches.namesakes.get(row.number, [])
        also = (
            f" Supporter {ids_text(namesakes)} has this name and ZIP but another email: "
            "if it is the same person, correct the email in the file or on their record."
            if namesakes
            else ""
        )
        row.error(
            "email",
            f"No supporter on file matches '{who}' (by email, or by name and ZIP). "
            "Add or import them under Supporters first, or correct the row." + also,
        )


def _gift_key(supporter_id: int, values: dict[str, object]) -> tuple:
    return (supporter_id, values["received_on"], values["amount"], values.get("cheque_number", ""))


def _skip_gifts_already_recorded(rows: list[RowOutcome]) -> None:
    """Gifts on file with the same donor, date, amount and cheque number are skipped; the same
    gift twice in the file is an error (say which with a cheque number or a note)."""
    recorded = {
        _gift_key(sid, {"received_on": day, "amount": amount, "cheque_number": cheque}): pk
        for pk, sid, day, amount, cheque in Gift.objects.filter(
            supporter_id__in={r.supporter_id for r in rows},
            received_on__in={r.values["received_on"] for r in rows},
        ).values_list("pk", "supporter_id", "received_on", "amount", "cheque_number")
    }
    first_row: dict[tuple, int] = {}
    for row in rows:
        key = _gift_key(row.supporter_id, row.values)
        if key in recorded:
            row.action = "skip"
            row.values["skip_reason"] = f"Already recorded (gift #{recorded[key]})"
        elif key in first_row:
            row.error(
                "amount",
                f"The same gift as row {first_row[key]} (donor, date, amount and check number). "
                "If it is a second gift, give each its check number.",
            )
        else:
            first_row[key] = row.number


def _entry(values: dict[str, object], *, supporter: Supporter | int) -> GiftEntry:
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
        fund=values.get("fund"),
        campaign=values.get("campaign"),
        appeal_code=values.get("appeal_code", ""),
        notes=values.get("notes", ""),
    )


def _record(
    rows: list[RowOutcome], *, actor: AbstractBaseUser | None, already_thanked: bool
) -> None:
    """Through the gifts service, like every other way in: one transaction, in bulk."""
    acknowledgement = (
        Gift.Acknowledgement.THANKED if already_thanked else Gift.Acknowledgement.PENDING
    )
    entries = [
        replace(
            _entry(row.values, supporter=row.supporter),
            details={"acknowledgement": acknowledgement},
        )
        for row in rows
        if row.action == "new"
    ]
    if entries:
        gifts_record(entries=entries, recorded_by=actor, reason=IMPORTED)
