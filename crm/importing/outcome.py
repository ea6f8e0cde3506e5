"""What an import found: one RowOutcome per row (its values, problems, matched supporter and
planned changes) and the ImportReport of the whole file. Shared by the supporter and gift
imports, by their previews and by import jobs."""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from crm.models import Supporter

# Restrictions an import may set but never lift: lifting one needs a person's decision.
RESTRICTIONS = ("do_not_email", "do_not_mail", "do_not_contact", "deceased")
# Values that are not Supporter columns: source ids are SourceId rows.
SIDE_VALUES = ("tags", "notes", "consent_source", "source_id", "source_system", "source_ids")


@dataclass
class RowOutcome:
    number: int  # 1 = first row under the headers
    action: str = "new"  # new | update | skip | folded | invalid
    values: dict[str, object] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    supporter: Supporter | None = None  # the matched record
    supporter_id: int | None = None  # set for matched and newly written rows
    changes: dict[str, tuple[object, object]] = field(default_factory=dict)
    new_tags: list[str] = field(default_factory=list)
    add_note: bool = False
    # Values the file did not give and the import filled in (a missing country is US): they
    # shape a new record but never overwrite what a matched record already holds.
    defaulted: set[str] = field(default_factory=set)
    # What the matched supporter already has, so a re-import adds nothing twice.
    known_tags: set[str] = field(default_factory=set)
    known_notes: set[str] = field(default_factory=set)
    # (system, id) pairs the person has in other systems; new_source_ids are the ones to write.
    source_ids: list[tuple[str, str]] = field(default_factory=list)
    new_source_ids: list[tuple[str, str]] = field(default_factory=list)
    # Rows of one person fold into the first of them (the lead), which is written for all.
    folded_into: "RowOutcome | None" = None
    folded: list["RowOutcome"] = field(default_factory=list)  # on the lead: the rows it took
    # On a lead: where its folded rows disagreed and which value was kept, one sentence each.
    differences: list[str] = field(default_factory=list)
    # For a row no record matched: records of the same name and postal code under another
    # email, shown as likely duplicates to merge after the import.
    namesakes: list[Supporter] = field(default_factory=list)
    # Folded name and postal code, as matching computed it (crm.importing.row_matching).
    name_key: tuple[str, str] | None = None
    # For an import of records about a person (gifts), the row's person (crm.importing.people).
    person: "RowOutcome | None" = None

    def error(self, field_name: str, message: str) -> None:
        self.errors.setdefault(field_name, []).append(message)
        self.action = "invalid"


@dataclass
class ImportReport:
    rows: list[RowOutcome] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    written: bool = False
    # Said once above the preview: rows folded into one person, the source system...
    notes: list[str] = field(default_factory=list)
    # Counts beside the rows' own actions (a gift import's donors: donors_new ...).
    extra_totals: dict[str, int] = field(default_factory=dict)
    # Decisions staff make before the import runs (unknown campaigns: create or map), each
    # {"key", "kind", "text", "rows", "options": [[value, label], ...], "default"}.
    choices: list[dict] = field(default_factory=list)

    @property
    def totals(self) -> Counter:
        counts = Counter(row.action for row in self.rows)
        counts.update(self.extra_totals)
        return counts

    @property
    def invalid_rows(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.action == "invalid"]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.invalid_rows


PROGRESS_EVERY = 1000  # rows read between progress reports (a background import's bar)


def rows_read(
    report: ImportReport,
    rows: Iterable[Sequence[object]],
    parse: Callable[[int, Sequence[object]], RowOutcome | None],
    progress: Callable[[int], None] | None,
) -> None:
    """Parse every row into the report (numbered from 1 under the headers; a blank row gives
    None and is left out), telling `progress` how many rows have been read."""
    for number, raw in enumerate(rows, start=1):
        outcome = parse(number, raw)
        if outcome is not None:
            report.rows.append(outcome)
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number)
