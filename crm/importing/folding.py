"""Rows of one person in one file become one supporter: joined by a stored record they both
match, by email, by an id in the source system, and then by name and postal code when that
joins no two emails and no two stored records. The first row of each group (its lead) takes
the others' values where it has none and is written once for all of them, so no stored
supporter is written twice by one file (two rows adding one tag was a UniqueViolation).
Where the rows disagree (two addresses, two phones, a second email) the lead's value is kept,
the preview says so, and a second email or a third phone is kept in a note on the supporter.

A group whose rows match two different stored supporters (the same email on one, the same id
on another) is refused in plain words: those records are to be merged first.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from crm import matching
from crm.importing.outcome import RESTRICTIONS, RowOutcome
from crm.importing.row_matching import ids_text
from crm.importing.supporter_columns import COLUMN_LABELS

# Values with rules of their own when rows disagree (see _combine).
ADDRESS_PARTS = ("address_line1", "address_line2", "city", "region", "postal_code", "country")
PHONES = ("phone", "phone_2")
_OWN_RULES = {*ADDRESS_PARTS, *PHONES, "email"}
# Not values a person has: how the row was read, and ids (all of them are kept).
_NOT_COMPARED = {"kind", "consent_source", "source_id", "source_system"}


@dataclass
class _Group:
    rows: list[int] = field(default_factory=list)
    emails: set[str] = field(default_factory=set)
    supporters: dict[int, object] = field(default_factory=dict)  # pk -> Supporter


class _Union:
    """Union-find over the positions of rows that share a key (most rows share none, and cost
    nothing here), each root carrying its group's emails and stored records."""

    def __init__(self, rows: list[RowOutcome]) -> None:
        self.rows = rows
        self.parent: dict[int, int] = {}
        self.groups: dict[int, _Group] = {}

    def find(self, i: int) -> int:
        if i not in self.parent:
            row = self.rows[i]
            self.parent[i] = i
            group = self.groups[i] = _Group(rows=[i])
            if row.values.get("email"):
                group.emails.add(str(row.values["email"]))
            if row.supporter is not None:
                group.supporters[row.supporter.pk] = row.supporter
            return i
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = sorted((self.find(a), self.find(b)))
        if ra == rb:
            return
        self.parent[rb] = ra
        kept, gone = self.groups[ra], self.groups.pop(rb)
        kept.rows.extend(gone.rows)
        kept.emails |= gone.emails
        kept.supporters.update(gone.supporters)


def rows_fold(rows: list[RowOutcome]) -> list[list[RowOutcome]]:
    """Fold the (valid, matched) rows; returns the groups of two rows or more, lead first."""
    union = _Union(rows)
    by_key: dict[tuple, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        for pair in row.source_ids:
            by_key[("id", *pair)].append(i)
        if email := row.values.get("email"):
            by_key[("email", email)].append(i)
        if row.supporter_id is not None:
            by_key[("supporter", row.supporter_id)].append(i)
    for members in by_key.values():
        for i in members[1:]:
            union.union(members[0], i)

    # A row matched to a stored record met the others of its name through that record
    # (crm.importing.row_matching); new rows meet here, by the key matching computed.
    by_name: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        if row.supporter is None and row.name_key and row.name_key[0]:
            by_name[row.name_key].append(i)
    for members in by_name.values():
        if len(members) < 2 or all(rows[i].values.get("email") for i in members):
            continue  # rows that all have emails are one person only by the same email
        roots = {union.find(i) for i in members}
        emails = set().union(*(union.groups[r].emails for r in roots))
        stored = set().union(*(union.groups[r].supporters for r in roots))
        if len(emails) <= 1 and len(stored) <= 1:
            for i in members[1:]:
                union.union(members[0], i)

    folds = []
    for group in union.groups.values():
        if len(group.rows) < 2:
            continue
        members = [rows[i] for i in sorted(group.rows)]
        if len(group.supporters) > 1:
            numbers = rows_text([r.number for r in members])
            found = ids_text(list(group.supporters.values()))
            for row in members:
                row.error(
                    "email",
                    f"{numbers.capitalize()} are one person in this file (the same email or "
                    f"id), but match different supporters on file ({found}). Merge those "
                    "records first, then import the file again.",
                )
            continue
        _combine(members, next(iter(group.supporters.values()), None))
        folds.append(members)
    folds.sort(key=lambda members: members[0].number)
    return folds


def _combine(members: list[RowOutcome], supporter: object) -> None:
    """The lead takes the others' values where it has none. Where they disagree the lead's
    is kept and the difference said (lead.differences); a second email, and a phone beyond
    the two a record holds, go into a note, so nothing the file gave is silently lost."""
    lead = members[0]
    values = lead.values
    differ: dict[str, list[int]] = {}  # what differs -> the other rows that differ
    extra: list[str] = []  # lines for the supporter's note
    for other in members[1:]:
        _take_address(lead, other, differ)
        _take_phones(lead, other, differ, extra)
        if email := other.values.get("email"):
            if not values.get("email"):
                values["email"] = email
            elif email != values["email"]:
                differ.setdefault("email", []).append(other.number)
                extra.append(f"Other email (from an import): {email}")
        for name, value in other.values.items():
            if name in _OWN_RULES:
                continue
            if name == "tags":
                values["tags"] = list(dict.fromkeys([*values.get("tags", []), *value]))
            elif name == "notes":
                notes = str(values.get("notes", ""))
                if str(value) not in notes:
                    values["notes"] = f"{notes}\n\n{value}" if notes else value
            elif name in other.defaulted or value in ("", None):
                continue
            elif name not in values or name in lead.defaulted:
                values[name] = value
                lead.defaulted.discard(name)
            elif name in RESTRICTIONS:
                if value and not values[name]:  # an import sets a restriction, never lifts one
                    values[name] = value
                    differ.setdefault(name, []).append(other.number)
            elif name not in _NOT_COMPARED and _differs(values[name], value):
                differ.setdefault(name, []).append(other.number)
        lead.source_ids.extend(p for p in other.source_ids if p not in lead.source_ids)
        other.action, other.folded_into = "folded", lead
        lead.folded.append(other)
    if extra:
        lines = [line for line in dict.fromkeys(extra) if line not in str(values.get("notes"))]
        notes = str(values.get("notes") or "")
        values["notes"] = "\n".join([notes, *lines] if notes else lines)
    lead.differences = [_difference(lead, name, others) for name, others in differ.items()]
    if supporter is not None:
        lead.supporter, lead.supporter_id = supporter, supporter.pk


def _differs(kept: object, value: object) -> bool:
    if isinstance(kept, str) and isinstance(value, str):
        # 'SMITH' or 'Lopez' in one row is still Smith or López: only a real difference is said.
        return matching.fold(kept) != matching.fold(value)
    return kept != value


def _take_address(lead: RowOutcome, other: RowOutcome, differ: dict[str, list[int]]) -> None:
    """One address, whole: never one row's street with another's city. The other row's parts
    fill the lead's blanks only when the parts both rows give agree."""
    mine, theirs = (
        {n: row.values[n] for n in ADDRESS_PARTS
         if row.values.get(n) and n not in row.defaulted}
        for row in (lead, other)
    )  # fmt: skip
    if not theirs:
        return
    shared = mine.keys() & theirs.keys()
    if any(_address_part(n, mine[n]) != _address_part(n, theirs[n]) for n in shared):
        differ.setdefault("address", []).append(other.number)
        return
    for name in theirs.keys() - mine.keys():
        lead.values[name] = theirs[name]
        lead.defaulted.discard(name)


def _address_part(name: str, value: object) -> str:
    if name == "postal_code":
        return matching.postal_key(str(value))
    return matching.fold(str(value))


def _take_phones(
    lead: RowOutcome, other: RowOutcome, differ: dict[str, list[int]], extra: list[str]
) -> None:
    """The numbers of both rows, each once (compared as the phone library reads them): the
    first two are the record's phone and other phone, any more go into the note."""
    country = str(lead.values.get("country") or "US")

    def numbers(row: RowOutcome) -> dict[str, str]:
        texts = (str(row.values[n]) for n in PHONES if row.values.get(n))
        return {(matching.phone_key(t, country) or t): t for t in texts}

    mine, theirs = numbers(lead), numbers(other)
    new = [text for key, text in theirs.items() if key not in mine]
    if not new:
        return
    kept = [*mine.values(), *new]
    if mine:
        noted = len(kept) > len(PHONES)  # the record's two numbers are taken
        differ.setdefault("phone noted" if noted else "phone", []).append(other.number)
    for name, text in zip(PHONES, kept, strict=False):
        lead.values[name] = text
    extra.extend(f"Other phone (from an import): {text}" for text in kept[len(PHONES) :])


_DIFFERENCE_TEXT = {
    "address": "different addresses; {lead}'s is kept.",
    "phone": "different phones; {lead}'s is kept, and the other number as the other phone.",
    "phone noted": "different phones; {lead}'s are kept, and the others in a note on the "
    "supporter (a record holds two).",
    "email": "different emails; {lead}'s is kept, and the other is saved in a note on the "
    "supporter.",
}


def _difference(lead: RowOutcome, name: str, others: list[int]) -> str:
    """'Rows 4 and 9 give different addresses; row 4's is kept.'"""
    numbers = [lead.number, *dict.fromkeys(others)]
    rows = rows_text(numbers).capitalize()
    first = f"row {lead.number}"
    if name in _DIFFERENCE_TEXT:
        return f"{rows} give {_DIFFERENCE_TEXT[name].format(lead=first)}"
    label = COLUMN_LABELS.get(name, name)
    if name in RESTRICTIONS:
        return f"{rows} differ on {label}; 'yes' is kept (an import never lifts a restriction)."
    return f"{rows} give different values for {label}; {first}'s is kept."


def rows_text(numbers: list[int]) -> str:
    """'rows 2, 5 and 9'."""
    shown = [str(n) for n in numbers]
    if len(shown) == 1:
        return f"row {shown[0]}"
    return f"rows {', '.join(shown[:-1])} and {shown[-1]}"


def fold_notes(folds: list[list[RowOutcome]], describe, limit: int = 50) -> list[str]:
    """One sentence per group: 'Rows 2, 5 and 9 are one donor: Ana Ruiz, 3 gifts.', then
    where its rows disagree. Groups whose rows disagree come first, so none is cut off."""
    ordered = sorted(folds, key=lambda members: not members[0].differences)
    notes = [
        " ".join(
            [
                f"{rows_text([r.number for r in members]).capitalize()} {describe(members)}",
                *members[0].differences,
            ]
        )
        for members in ordered[:limit]
    ]
    if len(folds) > limit:
        notes.append(f"… and {len(folds) - limit} more groups of rows folded the same way.")
    return notes


def person_name(row: RowOutcome) -> str:
    """The name a lead row will be known by: the stored record's, or the file's."""
    if row.supporter is not None:
        return f"{row.supporter} (#{row.supporter.pk} on file)"
    v = row.values
    name = " ".join(str(v[p]) for p in ("first_name", "last_name") if v.get(p))
    return name or str(v.get("organisation_name") or v.get("email") or "")
