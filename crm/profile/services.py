"""Writes behind the profile's actions: notes, interactions, follow-up tasks."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crm.models import Interaction, Note, Supporter, Task


def note_add(*, supporter: Supporter, text: str, author: AbstractBaseUser) -> Note:
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write the note first."})
    return Note.objects.create(supporter=supporter, text=text, author=author)


@transaction.atomic
def interaction_log(
    *,
    supporter: Supporter,
    kind: str,
    happened_on: datetime.date,
    staff: AbstractBaseUser | None,
    notes: str,
    logged_by: AbstractBaseUser,
    follow_up: str = "",
    follow_up_due: datetime.date | None = None,
    follow_up_to: AbstractBaseUser | None = None,
) -> Interaction:
    """Record a call, meeting, visit or letter; with `follow_up`, also the task it leads to."""
    if kind not in Interaction.Kind.values:
        raise ValidationError({"kind": "Choose a call, a meeting, a visit or a letter."})
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": "An interaction is logged once it has happened."})
    interaction = Interaction.objects.create(
        supporter=supporter,
        kind=kind,
        happened_on=happened_on,
        staff=staff,
        notes=notes.strip(),
        logged_by=logged_by,
    )
    if follow_up.strip():
        task_add(
            supporter=supporter,
            title=follow_up,
            due_on=follow_up_due,
            assigned_to=follow_up_to or logged_by,
            created_by=logged_by,
            interaction=interaction,
        )
    return interaction


def task_add(
    *,
    supporter: Supporter,
    title: str,
    due_on: datetime.date | None,
    assigned_to: AbstractBaseUser | None,
    created_by: AbstractBaseUser,
    interaction: Interaction | None = None,
) -> Task:
    errors = {}
    if not title.strip():
        errors["title"] = "Say what is to be done."
    if due_on is None:
        errors["due_on"] = "Give the task a due date."
    if assigned_to is None:
        errors["assigned_to"] = "Assign the task to someone."
    if errors:
        raise ValidationError(errors)
    return Task.objects.create(
        supporter=supporter,
        title=title.strip(),
        due_on=due_on,
        assigned_to=assigned_to,
        created_by=created_by,
        interaction=interaction,
    )


def task_complete(*, task: Task, by: AbstractBaseUser) -> bool:
    """Mark the task done; False when it already was (a second click changes nothing)."""
    return bool(
        Task.objects.filter(pk=task.pk, done_at=None).update(done_at=timezone.now(), done_by=by)
    )
