"""One row of a supporter import as the importer sees it, shared by reading and writing."""

from dataclasses import dataclass, field

from crm.models import Supporter

# Restrictions an import may set but never lift: lifting one needs a person's decision.
RESTRICTIONS = ("do_not_email", "do_not_mail", "do_not_contact", "deceased")
# Values that are not Supporter columns.
SIDE_VALUES = ("tags", "notes", "consent_source")


@dataclass
class RowOutcome:
    number: int  # 1 = first row under the headers
    action: str = "new"  # new | update | skip | invalid
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

    def error(self, field_name: str, message: str) -> None:
        self.errors.setdefault(field_name, []).append(message)
        self.action = "invalid"
