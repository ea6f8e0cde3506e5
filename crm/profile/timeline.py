"""The profile's one timeline: everything that happened with a supporter, newest first.

crm gives its own entries (notes, consent changes, merges, interactions, tasks); apps above it
add theirs to SOURCES (donations: gifts; mailings: emails and letters received), as they add
sections to the supporter page, since crm imports none of them. Each source returns at most
`limit` entries, its newest, so a donor with thousands of gifts opens as fast as a new one."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from crm.models import ConsentEvent, Interaction, Note, Supporter, SupporterMerge, Task
from crm.profile.selectors import consent_value, consent_words

# The filter above the timeline: (value, label, the entry kinds it shows).
FILTERS = [
    ("gift", "Gifts", {"gift"}),
    ("email", "Emails", {"email"}),
    ("letter", "Letters", {"letter"}),
    ("interaction", "Calls, meetings, visits", {"call", "meeting", "visit"}),
    ("note", "Notes", {"note"}),
    ("task", "Tasks", {"task"}),
    ("consent", "Consent", {"consent"}),
    ("merge", "Merges", {"merge"}),
]
LIMIT = 50


@dataclass(frozen=True)
class Entry:
    when: datetime.date | datetime.datetime
    kind: str  # gift, email, letter, call, meeting, visit, note, task, consent, merge
    title: str
    detail: str = ""
    who: str = ""
    url: str = ""
    badge: str = ""
    badge_class: str = ""
    # For an entry dated by day only: when it was written, to place it among that day's others.
    written_at: datetime.datetime | None = None

    @property
    def label(self) -> str:
        return LABELS.get(self.kind, self.kind.capitalize())

    @property
    def has_time(self) -> bool:
        return isinstance(self.when, datetime.datetime)

    def sort_key(self) -> tuple:
        if isinstance(self.when, datetime.datetime):
            moment = timezone.localtime(self.when)
            return (moment.date(), moment.time())
        if self.written_at and timezone.localtime(self.written_at).date() == self.when:
            return (self.when, timezone.localtime(self.written_at).time())
        return (self.when, datetime.time.min)


LABELS = {"gift": "Gift", "email": "Email", "letter": "Letter", "call": "Call",
          "meeting": "Meeting", "visit": "Visit", "note": "Note", "task": "Task",
          "consent": "Consent", "merge": "Merge"}  # fmt: skip
Source = Callable[[Supporter, int], list[Entry]]


def _notes(supporter: Supporter, limit: int) -> list[Entry]:
    notes = Note.objects.filter(supporter=supporter).select_related("author")[:limit]
    return [Entry(n.created_at, "note", n.text, who=str(n.author or "")) for n in notes]


def _consent(supporter: Supporter, limit: int) -> list[Entry]:
    events = ConsentEvent.objects.filter(supporter=supporter).select_related("actor")[:limit]
    return [
        Entry(
            e.at,
            "consent",
            consent_words(e, with_day=False),
            detail=(f"Was: {consent_value(e.field, e.old_value)}" if e.old_value else "")
            + (f" · {e.source}" if e.source else ""),
            who=str(e.actor or ""),
        )
        for e in events
    ]


def _merges(supporter: Supporter, limit: int) -> list[Entry]:
    merges = SupporterMerge.objects.filter(survivor=supporter).select_related("merged_by")
    entries = []
    for merge in merges[:limit]:
        snap = merge.merged_snapshot
        parts = (snap.get("first_name"), snap.get("last_name"), snap.get("organisation_name"))
        name = " ".join(p for p in parts if p)
        moved = ", ".join(f"{n} {kind}" for kind, n in (merge.moved or {}).items() if n)
        entries.append(
            Entry(merge.merged_at, "merge", f"#{merge.merged_supporter_id} {name} merged in",
                  detail=f"Moved: {moved}" if moved else "", who=str(merge.merged_by or "system"))
        )  # fmt: skip
    return entries


def _interactions(supporter: Supporter, limit: int) -> list[Entry]:
    rows = Interaction.objects.filter(supporter=supporter).select_related("staff")[:limit]
    return [
        Entry(i.happened_on, i.kind, " by ".join(filter(None, [i.get_kind_display(),
              _name(i.staff)])), detail=i.notes, who=_name(i.staff), written_at=i.logged_at)
        for i in rows
    ]  # fmt: skip


def _name(user: object) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _tasks(supporter: Supporter, limit: int) -> list[Entry]:
    today = timezone.localdate()
    tasks = (
        Task.objects.filter(supporter=supporter)
        .select_related("assigned_to")
        .order_by("-due_on", "-pk")[:limit]
    )
    entries = []
    for task in tasks:
        if task.done_at:
            badge, css = "done", "badge-yes"
        elif task.due_on < today:
            badge, css = "overdue", "badge-no"
        else:
            badge, css = "open", ""
        entries.append(
            Entry(task.due_on, "task", task.title, detail=f"For {_name(task.assigned_to)}",
                  who=_name(task.assigned_to), badge=badge, badge_class=css,
                  written_at=task.created_at,
                  url=reverse("admin:crm_task_done", args=[task.pk]) if not task.done_at else "")
        )  # fmt: skip
    return entries


# (the entry kinds a source gives, the source): a filter asks only the sources it shows.
SOURCES: list[tuple[set[str], Source]] = [
    ({"note"}, _notes),
    ({"consent"}, _consent),
    ({"merge"}, _merges),
    ({"call", "meeting", "visit", "letter"}, _interactions),
    ({"task"}, _tasks),
]


def timeline(supporter: Supporter, *, show: str = "", limit: int = LIMIT) -> list[Entry]:
    """The supporter's entries of the kinds `show` names (all when blank), newest first."""
    kinds = next((k for value, _label, k in FILTERS if value == show), None)
    entries = [
        entry
        for gives, source in SOURCES
        if kinds is None or gives & kinds
        for entry in source(supporter, limit)
        if kinds is None or entry.kind in kinds
    ]
    entries.sort(key=Entry.sort_key, reverse=True)
    return entries
