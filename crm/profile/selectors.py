"""Reads for the profile and the staff home: consent in words, who can be given a task, the
open tasks of one person."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from core.dates import day_text
from core.roles import STAFF_GROUP
from crm.models import ConsentEvent, Supporter, Task

# How a consent change came about, after its new value: 'Opted in by web form'.
HOW = {
    ConsentEvent.Method.STAFF: "by staff",
    ConsentEvent.Method.IMPORT: "by import",
    ConsentEvent.Method.WEB_FORM: "by web form",
    ConsentEvent.Method.DONATION: "on the donation page",
    ConsentEvent.Method.UNSUBSCRIBE: "by the unsubscribe link",
    ConsentEvent.Method.BOUNCE: "after a bounce or complaint",
    ConsentEvent.Method.MERGE: "in a merge of duplicates",
    ConsentEvent.Method.DEMO: "in demo data",
}
FLAGS = {
    "do_not_email": "Do not email",
    "do_not_mail": "Do not mail",
    "do_not_contact": "Do not contact",
}


def consent_value(field: str, value: str) -> str:
    if field == "email_opt_in":
        return dict(Supporter.EmailOptIn.choices).get(value, value)
    label = FLAGS.get(field, field.replace("_", " ").capitalize())
    return f"{label} {'on' if value == 'True' else 'off'}"


def consent_words(event: ConsentEvent, *, with_day: bool = True) -> str:
    """'Opted in by web form, May 3, 2026' / 'Do not mail on by staff (dana), May 4, 2026'."""
    how = HOW.get(event.method, event.get_method_display().lower())
    if event.method == ConsentEvent.Method.STAFF and event.actor_id:
        how = f"{how} ({event.actor})"
    words = f"{consent_value(event.field, event.new_value)} {how}"
    return f"{words}, {day_text(event.at)}" if with_day else words


def email_consent_line(supporter: Supporter) -> str:
    """The supporter's email consent as it stands and how it came to be."""
    event = (
        ConsentEvent.objects.filter(supporter=supporter, field="email_opt_in")
        .select_related("actor")
        .first()
    )
    if event is not None and event.new_value == supporter.email_opt_in:
        return consent_words(event)
    return supporter.get_email_opt_in_display()


def assignable_staff() -> QuerySet:
    """Who a task can go to: active development staff and administrators."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name=STAFF_GROUP) | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "username")
    )


def open_tasks(*, user: object, today: datetime.date, limit: int = 8) -> dict:
    """The staff home's 'My tasks': the person's open tasks, soonest due first, and how many
    are overdue."""
    mine = Task.objects.filter(assigned_to=user, done_at=None)
    tasks = list(mine.select_related("supporter")[: limit + 1])
    for task in tasks:
        task.overdue = task.due_on < today
    overdue = sum(task.overdue for task in tasks[:limit])
    more = len(tasks) > limit
    if more and tasks[limit].overdue:  # soonest due first: overdue ones lie beyond the list too
        overdue = mine.filter(due_on__lt=today).count()
    return {"tasks": tasks[:limit], "more": more, "overdue": overdue}
