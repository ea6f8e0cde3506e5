"""Finding the supporter each imported row is about, for every kind of import: by its id in the
source system first, then by email, then by folded name and postal code, a batch of rows in
three queries.

A stored record with a different email is a different person who shares a name; a row with no
email is most likely the one record of that name and postal code. When more than one record
could be meant, the row is ambiguous and the importer says so instead of guessing.
"""

from dataclasses import dataclass, field

from core.bulk_filters import one_of, pairs_one_of
from crm import matching
from crm.importing.outcome import RowOutcome
from crm.models import SourceId, Supporter


@dataclass
class Matches:
    """Rows no record was found for, rows more than one record could be (with those), and for
    unmatched rows the records of the same name and postal code under another email."""

    unmatched: list[RowOutcome] = field(default_factory=list)
    ambiguous: list[tuple[RowOutcome, list[Supporter]]] = field(default_factory=list)
    namesakes: dict[int, list[Supporter]] = field(default_factory=dict)  # row number -> records


def name_postal_key(values: dict[str, object]) -> tuple[str, str]:
    """The row's folded name (a person's, or an organization's when it names no person) and
    postal code, as crm.matching computes them for stored supporters."""
    kind = values.get("kind")
    if kind is None:
        person = values.get("first_name") or values.get("last_name")
        kind = "person" if person else "organisation"
    name = matching.name_key(
        first_name=str(values.get("first_name", "")),
        last_name=str(values.get("last_name", "")),
        organisation_name=str(values.get("organisation_name", "")),
        kind=str(kind),
    )
    return name, matching.postal_key(str(values.get("postal_code", "")))


def supporters_match(rows: list[RowOutcome]) -> Matches:
    """Set `supporter` and `supporter_id` on each row whose record is found."""
    result = Matches()
    by_source = _by_source_id({pair for r in rows for pair in r.source_ids})
    emails = {r.values["email"] for r in rows if r.values.get("email")}
    by_email = (
        {s.email: s for s in Supporter.objects.filter(one_of("email", emails))} if emails else {}
    )
    by_name: list[tuple[RowOutcome, tuple[str, str]]] = []
    for row in rows:
        found = next((by_source[p] for p in row.source_ids if p in by_source), None)
        if found is None:
            found = by_email.get(row.values.get("email") or "")
        if found is not None:
            row.supporter, row.supporter_id = found, found.pk
        else:
            row.name_key = name_postal_key(row.values)
            by_name.append((row, row.name_key))
    if not by_name:
        return result
    keys = {key for _, key in by_name if key[0]}
    candidates: dict[tuple[str, str], list[Supporter]] = {}
    for s in Supporter.objects.filter(pairs_one_of(("match_name", "match_postal"), keys)):
        candidates.setdefault((s.match_name, s.match_postal), []).append(s)
    for row, key in by_name:
        same_name = candidates.get(key, []) if key[0] else []
        found = [s for s in same_name if not s.email]
        if not row.values.get("email") and len(found) != 1 and len(same_name) == 1:
            found = same_name
        if len(found) > 1:
            result.ambiguous.append((row, found))
        elif found:
            row.supporter, row.supporter_id = found[0], found[0].pk
        else:
            result.unmatched.append(row)
            if same_name:
                result.namesakes[row.number] = same_name
    return result


def _by_source_id(pairs: set[tuple[str, str]]) -> dict[tuple[str, str], Supporter]:
    if not pairs:
        return {}
    values = {value for _, value in pairs}
    stored = SourceId.objects.filter(one_of("value", values)).select_related("supporter")
    return {(s.system, s.value): s.supporter for s in stored if (s.system, s.value) in pairs}


def ids_text(supporters: list[Supporter]) -> str:
    return ", ".join(f"#{pk}" for pk in sorted(s.pk for s in supporters))
