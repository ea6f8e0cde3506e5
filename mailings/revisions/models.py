"""One saved state of a letter: everything that makes it, as a JSON snapshot (see
mailings.revisions.snapshot), numbered from 1 per letter."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class LetterRevision(models.Model):
    letter = models.ForeignKey(
        "mailings.Letter", on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField()
    saved_at = models.DateTimeField(default=timezone.now)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    snapshot = models.JSONField()
    changes = models.TextField(blank=True, help_text="What this save changed, in words.")

    class Meta:
        ordering = ["letter", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "number"], name="one_revision_number_each")
        ]

    def __str__(self) -> str:
        return f"{self.letter} — version {self.number}"
