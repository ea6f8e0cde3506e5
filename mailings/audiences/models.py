"""A saved audience: a name and its criteria, never a frozen list of people."""

from django.core.exceptions import ValidationError
from django.db import models


class Audience(models.Model):
    name = models.CharField(
        max_length=120, unique=True, help_text="For staff, e.g. 'Lapsed donors in California'."
    )
    description = models.TextField(
        blank=True, help_text="Optional: who this is for and when to use it."
    )
    # The criteria document; its keys and their checks are in mailings.audiences.criteria.
    criteria = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from mailings.audiences.criteria import criteria_errors

        errors = criteria_errors(self.criteria, audience_id=self.pk)
        if errors:
            raise ValidationError(
                {"criteria": [f"{k}: {m}" for k, ms in errors.items() for m in ms]}
            )
