"""Tags staff put on supporters (an event, a list, a kind of donor)."""

from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
