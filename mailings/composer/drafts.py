"""What the composer does with text that is not saved yet: check it field by field with the
line of each problem, render it as the email and the printed page for one supporter (or sample
values), and save every language version at once, all or nothing.

A draft is an unsaved LetterVersion built from the posted fields, so it goes through exactly
the compile and render path a saved letter does (mailings.letters.rendering, mailings.emails,
mailings.printing): what the preview shows is what will be sent."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, translation

from core.models import Organisation
from crm.models import Supporter
from mailings.emails.rendering import render_email
from mailings.letters.merge_fields import FIELDS
from mailings.letters.merge_template import check_template
from mailings.letters.merge_values import recipients, sample_recipient_values, with_test_links
from mailings.letters.rendering import CompiledVersion
from mailings.models import LANGUAGES, TEMPLATED_FIELDS, Letter, LetterVersion
from mailings.revisions.services import record_revision

# The fields the composer edits, in the order a letter reads.
DRAFT_FIELDS = TEMPLATED_FIELDS
LANGUAGE_CODES = tuple(code for code, _name in LANGUAGES)


@dataclass(frozen=True)
class FieldProblem:
    field: str
    label: str
    line: int
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field, "label": self.label, "line": self.line, "message": self.message
        }  # fmt: skip


@dataclass
class Draft:
    """One language's posted text, as an unsaved version of the letter."""

    letter: Letter
    language: str
    text: dict[str, str]
    problems: list[FieldProblem] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(value.strip() for value in self.text.values())

    def as_version(self) -> LetterVersion:
        return LetterVersion(letter=self.letter, language=self.language, **self.text)


def label(field_name: str) -> str:
    return str(LetterVersion._meta.get_field(field_name).verbose_name).capitalize()


def draft_from(letter: Letter, language: str, data: Any, prefix: str = "") -> Draft:
    """The posted fields of one language (`<prefix><field>`), line endings as typed in a
    browser (CRLF) made plain."""
    text = {
        name: str(data.get(f"{prefix}{name}", "")).replace("\r\n", "\n") for name in DRAFT_FIELDS
    }
    draft = Draft(letter=letter, language=language, text=text)
    draft.problems = draft_problems(draft)
    return draft


def draft_problems(draft: Draft) -> list[FieldProblem]:
    """Every merge problem and every too-long field, each with its field and line."""
    problems = []
    for name in TEMPLATED_FIELDS:
        for problem in check_template(draft.text.get(name, "")):
            problems.append(FieldProblem(name, label(name), problem.line, problem.message))
    for name in DRAFT_FIELDS:
        limit = LetterVersion._meta.get_field(name).max_length
        if limit and len(draft.text[name]) > limit:
            problems.append(
                FieldProblem(
                    name, label(name), 1,
                    f"This is {len(draft.text[name]):,} characters; it can be at most {limit}.",
                )
            )  # fmt: skip
    return problems


def preview_values(letter: Letter, supporter: Supporter | None) -> dict[str, Any]:
    """The merge values the preview fills in: this supporter's, or the sample values. Links in
    them are harmless test links, so clicking one in a preview changes nobody's preferences."""
    if supporter is None:
        return with_test_links(sample_recipient_values(letter))
    [recipient] = recipients(letter, [supporter])
    return with_test_links(recipient.values)


# The side panel's groups, in the order a writer reaches for them; a field added to the
# allow-list and not placed here is listed under "More".
FIELD_GROUPS = (
    ("The person", ("salutation", "dear", "first_name", "last_name", "full_name", "addressee",
                    "address_block")),
    ("Their giving", ("last_gift_amount", "last_gift_date", "highest_gift", "lifetime_total",
                      "this_year_total", "last_year_total")),
    ("The ask", ("ask_amount", "ask_1", "ask_2", "ask_3")),
    ("Links", ("donate_url", "preferences_url", "unsubscribe_url", "account_url")),
    ("The letter", ("organisation_name", "today", "channel")),
    ("Thank-you letters", ("gift_amount", "gift_date", "gift_description", "gift_fund",
                           "gift_campaign", "tribute", "receipt_number", "monthly_amount",
                           "first_of_plan", "next_charge_date")),
)  # fmt: skip


def field_panel(values: dict[str, Any], language: str) -> list[dict[str, str]]:
    """The side panel: each merge field, what it means and its value in the preview."""
    with translation.override(language):
        return [
            {"name": name, "description": str(merge.description), "value": _shown(values.get(name))}
            for name, merge in FIELDS.items()
        ]


def field_groups(panel: list[dict[str, str]], letter: Letter) -> list[dict[str, Any]]:
    """The panel in groups; the thank-you fields start folded away on an appeal."""
    by_name = {item["name"]: item for item in panel}
    placed = {name for _title, names in FIELD_GROUPS for name in names}
    groups = [(title, [by_name[n] for n in names if n in by_name]) for title, names in FIELD_GROUPS]
    groups.append(("More", [item for item in panel if item["name"] not in placed]))
    thanks = letter.purpose == Letter.Purpose.THANK_YOU
    return [
        {"title": title, "fields": fields, "open": thanks or title != "Thank-you letters"}
        for title, fields in groups
        if fields
    ]


def render_draft_email(draft: Draft, values: dict[str, Any]) -> dict[str, str]:
    email = render_email(
        CompiledVersion(draft.as_version()), values, organisation=Organisation.current()
    )
    return {"subject": email.subject, "html": email.html, "text": email.text}


def save_drafts(letter: Letter, drafts: list[Draft], user: Any) -> list[FieldProblem]:
    """Every language version written at once, or nothing when any has a problem. A language
    with every field empty is not created (and an existing one is kept: removing a language is
    done on the letter's settings page, on purpose). A save that changes something is kept as
    a saved version (mailings.revisions)."""
    problems = [p for draft in drafts for p in draft.problems]
    if problems:
        return problems
    with transaction.atomic():
        existing = {v.language: v for v in letter.versions.select_for_update()}
        for draft in drafts:
            version = existing.get(draft.language)
            if version is None and draft.is_empty:
                continue
            version = version or LetterVersion(letter=letter, language=draft.language)
            for name, value in draft.text.items():
                setattr(version, name, value)
            try:
                version.full_clean(exclude=["letter"])
            except ValidationError as exc:  # anything check_template does not cover
                transaction.set_rollback(True)
                return [
                    FieldProblem(name, label(name), 1, message)
                    for name, messages in exc.message_dict.items()
                    for message in messages
                ]
            version.save()
        letter.save(update_fields=["updated_at"])
        record_revision(letter, user)
    return []


def print_notes(check: Any, envelope: Any) -> list[dict[str, str]]:
    """Under the printed preview: a letter that spills a line or two onto a new sheet, and
    whether the address stays in the envelope's window (drawn dashed over the page)."""
    notes = []
    if check.spill_warning:
        notes.append({"level": "warning", "text": check.spill_warning})
    verdict = check.envelope_verdict
    notes.append(
        {"level": "ok" if verdict.ok else "warning", "text": f"{envelope.name}: {verdict.reason}"}
    )
    return notes


def _shown(value: Any) -> str:
    if value is None or value == "":
        return ""
    if hasattr(value, "year") and hasattr(value, "day"):
        return formats.date_format(value, "DATE_FORMAT")
    return str(value)
