"""Rows of one person in one file become one supporter: joined by a stored record they both
match, by email, by an id in the source system, and then by name and postal code when that
joins no two emails and no two stored records. The first row of each group (its lead) takes
the others' values where it has none and is written once for all of them, so no stored
supporter is written twice by one file (two rows adding one tag was a UniqueViolation).

A group whose rows match two different stored supporters (the same email on one, the same id
on another) is refused in plain words: those records are to be merged first.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from crm.importing.outcome import RowOutcome
from crm.importing.row_matching import ids_text


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
    lead = members[0]
    values = lead.values
    for other in members[1:]:
        for name, value in other.values.items():
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
        lead.source_ids.extend(p for p in other.source_ids if p not in lead.source_ids)
        other.action, other.folded_into = "folded", lead
        lead.folded.append(other)
    if supporter is not None:
        lead.supporter, lead.supporter_id = supporter, supporter.pk


def rows_text(numbers: list[int]) -> str:
    """'rows 2, 5 and 9'."""
    shown = [str(n) for n in numbers]
    if len(shown) == 1:
        return f"row {shown[0]}"
    return f"rows {', '.join(shown[:-1])} and {shown[-1]}"


def fold_notes(folds: list[list[RowOutcome]], describe, limit: int = 50) -> list[str]:
    """One sentence per group: 'Rows 2, 5 and 9 are one donor: Ana Ruiz, 3 gifts.'"""
    notes = [
        f"{rows_text([r.number for r in members]).capitalize()} {describe(members)}"
        for members in folds[:limit]
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
