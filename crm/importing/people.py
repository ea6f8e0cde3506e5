"""The people in an import file, for every import that names people (supporters, gifts): each
row's person parsed, matched to the records on file (crm.importing.row_matching), rows of one
person folded (crm.importing.folding), and the changes each person's record will get planned.
crm.importing.writing writes them."""

from collections.abc import Sequence
from itertools import islice

from django.core.exceptions import ValidationError

from core.spreadsheets import formula_error
from crm import addresses
from crm.importing import cells
from crm.importing import supporter_columns as columns
from crm.importing.folding import rows_fold
from crm.importing.outcome import RESTRICTIONS, SIDE_VALUES, RowOutcome
from crm.importing.row_matching import ids_text, supporters_match
from crm.models import Note, SourceId, Supporter

BATCH_SIZE = 1000


class ParseMemo:
    """What reading a cell or an address gave, remembered for one file: the answer depends only
    on the text (and the organisation's country), and a file repeats the same names, cities,
    ZIP codes, tags and yes/no cells thousands of times."""

    def __init__(self) -> None:
        # Per field: a cell's text -> what reading it gave.
        self.cells: dict[str, dict[str, tuple[bool, object] | None]] = {}
        self.addresses: dict[tuple, tuple] = {}
        self.home_country = addresses.home_country()  # a setting, read once per file


def person_parse(
    number: int,
    raw: Sequence[object],
    mapping: dict[int, str],
    default_source: str,
    memo: ParseMemo | None = None,
) -> RowOutcome | None:
    """The row's person as its cells say; None for a blank line. Pass one `memo` for all the
    rows of a file."""
    memo = memo or ParseMemo()
    memos = memo.cells
    outcome = RowOutcome(number=number)
    values = outcome.values
    width = len(raw)
    for index, field_name in mapping.items():
        cell = raw[index] if index < width else ""
        if cell.__class__ is str:  # a CSV's cells; others (numbers, dates, bools) are not kept
            read = memos.get(field_name)
            if read is None:
                read = memos[field_name] = {}
            found = read.get(cell, _UNREAD)
            if found is _UNREAD:
                found = read[cell] = _read_cell(field_name, cell)
        else:
            found = _read_cell(field_name, cell)
        if found is None:
            continue
        ok, value = found
        if not ok:
            outcome.error(field_name, value)
        else:
            values[field_name] = list(value) if value.__class__ is list else value
    if not values and not outcome.errors:
        return None  # a blank line in the sheet

    if "kind" not in values:
        has_person_name = values.get("first_name") or values.get("last_name")
        only_org = values.get("organisation_name") and not has_person_name
        values["kind"] = "organisation" if only_org else "person"
    if values["kind"] == "organisation" and not values.get("organisation_name"):
        outcome.error("organisation_name", "An organization needs a name.")
    columns.complete_row(values, outcome.errors)  # couples, titles, suffixes
    if "country" not in values:
        values["country"] = memo.home_country
        outcome.defaulted.add("country")
    if cells.normalise_address(
        values, outcome.errors, guess_country="country" in outcome.defaulted, memo=memo.addresses
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


_UNREAD = object()


def _read_cell(field_name: str, cell: object) -> tuple[bool, object] | None:
    """(True, value) or (False, the problem in plain words); None for a blank cell."""
    text = cells.cell_text(cell)
    if not text:
        return None
    if message := formula_error(text):
        return False, message
    parser = columns.PARSERS.get(field_name)
    try:
        if parser is None:
            cells.check_length(text, columns.MAX_LENGTHS.get(field_name))
            return True, text
        return True, parser(text)
    except ValidationError as exc:
        return False, exc.messages[0]


def people_resolve(rows: list[RowOutcome], *, system: str) -> list[list[RowOutcome]]:
    """Match, fold and plan every valid row; returns the groups of rows folded into one."""
    for row in rows:
        if row.values.get("source_id"):
            pair = (str(row.values.get("source_system") or system), str(row.values["source_id"]))
            row.source_ids = [pair]
    valid = [r for r in rows if r.action != "invalid"]
    iterator = iter(valid)
    while batch := list(islice(iterator, BATCH_SIZE)):
        _match_batch(batch)
    folds = rows_fold([r for r in valid if r.action != "invalid"])
    leads = [r for r in valid if r.action not in ("invalid", "folded")]
    iterator = iter(leads)
    while batch := list(islice(iterator, BATCH_SIZE)):
        _load_known(batch)
    for row in leads:
        if row.action != "invalid":
            _plan_changes(row)
    return folds


def _match_batch(batch: list[RowOutcome]) -> None:
    """Find each row's supporter with three queries for the whole batch; a row none is found
    for is a new supporter (noting records of its name and postal code under another email),
    and one several could be is refused."""
    matches = supporters_match(batch)
    for row in matches.unmatched:
        row.namesakes = matches.namesakes.get(row.number, [])
    for row, found in matches.ambiguous:
        row.error(
            "last_name",
            f"Matches {len(found)} supporters with this name and postal code ({ids_text(found)}); "
            "merge them first, or add an email to this row.",
        )


def _load_known(batch: list[RowOutcome]) -> None:
    """What matched records already hold (tags, notes, ids), so a re-import adds none twice."""
    by_id = {r.supporter.pk: r for r in batch if r.supporter is not None}
    tagged = [pk for pk, r in by_id.items() if r.values.get("tags") or r.values.get("notes")]
    if tagged:
        tag_links = Supporter.tags.through.objects.filter(supporter_id__in=tagged).values_list(
            "supporter_id", "tag__name"
        )
        for supporter_id, tag_name in tag_links:
            by_id[supporter_id].known_tags.add(tag_name)
    noted = [pk for pk, r in by_id.items() if r.values.get("notes")]
    if noted:
        for supporter_id, text in Note.objects.filter(supporter_id__in=noted).values_list(
            "supporter_id", "text"
        ):
            by_id[supporter_id].known_notes.add(text)
    with_ids = [pk for pk, r in by_id.items() if r.source_ids]
    if with_ids:
        for supporter_id, system, value in SourceId.objects.filter(
            supporter_id__in=with_ids
        ).values_list("supporter_id", "system", "value"):
            row = by_id[supporter_id]
            row.source_ids = [p for p in row.source_ids if p != (system, value)]


def _plan_changes(row: RowOutcome) -> None:
    values = row.values
    row.new_tags = [t for t in dict.fromkeys(values.get("tags", [])) if t not in row.known_tags]
    row.add_note = bool(values.get("notes")) and values["notes"] not in row.known_notes
    row.new_source_ids = list(row.source_ids)  # those already on file were taken out
    if row.supporter is None:
        if values.get("kind") == "person" and not (
            values.get("first_name") or values.get("last_name")
        ):
            who = values.get("email") or values.get("source_id") or ""
            row.error(
                "last_name",
                (f"No supporter on file matches '{who}'; a new " if who else "A new ")
                + "person needs at least a first or a last name.",
            )
            return
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
    if row.new_source_ids:
        row.changes["source_ids"] = ("", ", ".join(f"{s} {v}" for s, v in row.new_source_ids))
    row.action = "update" if row.changes else "skip"


def likely_duplicates(rows: list[RowOutcome]) -> list[RowOutcome]:
    """New people (leads) whose name and postal code match a supporter on file with another
    email: most likely the same person with a new address, to merge after the import."""
    found = []
    for row in rows:
        if row.action != "new":
            continue
        seen = {s.pk: s for r in (row, *row.folded) for s in r.namesakes}
        if seen:
            row.namesakes = sorted(seen.values(), key=lambda s: s.pk)
            found.append(row)
    return found


def duplicate_notes(rows: list[RowOutcome], limit: int = 50) -> list[str]:
    """'Row 4: Ana Ruiz, 11368, may be supporter #123 (ana@old.org): merge after import if
    so.'"""
    notes = []
    for row in rows[:limit]:
        v = row.values
        name = " ".join(str(v[p]) for p in ("first_name", "last_name") if v.get(p))
        parts = (name or v.get("organisation_name"), v.get("postal_code"))
        who = ", ".join(str(x) for x in parts if x)
        if v.get("email"):
            who += f" ({v['email']})"
        notes.append(
            f"Row {row.number}: {who}, may be supporter {namesakes_text(row)}: "
            "merge after import if so."
        )
    if len(rows) > limit:
        notes.append(f"… and {len(rows) - limit} more new supporters who may be on file already.")
    return notes


def namesakes_text(row: RowOutcome) -> str:
    """'#123 (ana@old.org)': the records a new person may be (a likely duplicate)."""
    return " or ".join(f"#{s.pk} ({s.email or 'no email'})" for s in row.namesakes)
