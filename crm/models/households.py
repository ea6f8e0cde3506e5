"""Households: supporters at one address who get one letter. Each member keeps their own
record (email, phone, consent, gifts); the household adds a name, a greeting and an envelope
name worked out from its members, each of which staff may override. A couple on one record
(the partner fields) stays as it is: a household groups records, not names."""

from django.db import models
from django.urls import reverse

from crm import greetings


class Household(models.Model):
    name = models.CharField(
        max_length=200, blank=True, help_text="Leave blank to use the suggested one."
    )
    greeting = models.CharField(
        "household greeting",
        max_length=200,
        blank=True,
        help_text="After 'Dear' on a household letter. Leave blank to use the suggested one.",
    )
    envelope_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="Name on the household's envelope. Leave blank to use the suggested one.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.effective_name

    def get_absolute_url(self) -> str:
        return reverse("admin:crm_household_change", args=[self.pk])

    def member_list(self) -> list:
        """Members in the order they joined (the greeting names them in this order)."""
        cached = getattr(self, "_members", None)
        if cached is None:
            prefetched = getattr(self, "_prefetched_objects_cache", {}).get("members")
            if prefetched is not None:  # a print run reads every household's members at once
                cached = sorted(prefetched, key=lambda m: m.pk)
            else:
                cached = list(self.members.order_by("pk")) if self.pk else []
            self._members = cached
        return cached

    @property
    def suggested_name(self) -> str:
        return greetings.household_name([m.greeting_parts() for m in self.member_list()])

    @property
    def suggested_greeting(self) -> str:
        return greetings.household_greeting([m.effective_salutation for m in self.member_list()])

    @property
    def suggested_envelope_name(self) -> str:
        members = self.member_list()
        return greetings.household_envelope(
            [m.greeting_parts() for m in members], [m.effective_addressee for m in members]
        )

    @property
    def effective_name(self) -> str:
        return self.name or self.suggested_name

    def name_in(self, language: str) -> str:
        """The name a letter in `language` uses: staff's, or the suggestion in that language."""
        parts = [m.greeting_parts() for m in self.member_list()]
        return self.name or greetings.household_name(parts, language)

    @property
    def effective_greeting(self) -> str:
        return self.greeting or self.suggested_greeting

    @property
    def effective_envelope_name(self) -> str:
        return self.envelope_name or self.suggested_envelope_name
