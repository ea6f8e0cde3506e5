"""Moves management: interactions staff log with a supporter (a call, a meeting, a visit, a
letter) and the follow-up tasks they assign to one another."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from crm.models.people import Supporter


class Interaction(models.Model):
    class Kind(models.TextChoices):
        CALL = "call", "Call"
        MEETING = "meeting", "Meeting"
        VISIT = "visit", "Visit"
        LETTER = "letter", "Letter"

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    happened_on = models.DateField("date")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="who",
        help_text="The staff member who called, met, visited or wrote.",
    )
    notes = models.TextField(blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    logged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-happened_on", "-pk"]
        indexes = [
            # The profile's timeline: a supporter's interactions, newest first.
            models.Index(fields=["supporter", "-happened_on"], name="interaction_by_supporter")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.happened_on:%Y-%m-%d}"


class Task(models.Model):
    """A follow-up one staff member owes a supporter, due on a day; done once, kept after."""

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField("what to do", max_length=200)
    due_on = models.DateField("due")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="crm_tasks"
    )
    interaction = models.ForeignKey(
        Interaction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        help_text="The interaction it follows up, if any.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            # The staff home's 'My tasks': one person's open tasks by due date.
            models.Index(
                fields=["assigned_to", "due_on"],
                name="task_open_by_user",
                condition=Q(done_at=None),
            ),
            # The profile's timeline: a supporter's tasks.
            models.Index(fields=["supporter", "-due_on"], name="task_by_supporter"),
        ]

    def __str__(self) -> str:
        return self.title
