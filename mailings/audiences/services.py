"""Writes for audiences."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from mailings.audiences.criteria import criteria_errors
from mailings.audiences.models import Audience


@transaction.atomic
def audience_save(
    *, audience: Audience, name: str, description: str, criteria: dict[str, Any]
) -> Audience:
    """Create or update an audience; criteria are checked again here, whoever calls."""
    errors = criteria_errors(criteria, audience_id=audience.pk)
    if errors:
        raise ValidationError(errors)
    audience.name, audience.description, audience.criteria = name, description, criteria
    audience.save()
    return audience


def audiences_using(audience: Audience) -> list[Audience]:
    """Other audiences that include or exclude this one (it cannot be deleted under them)."""
    from mailings.audiences.criteria import audience_references

    return [
        other
        for other in Audience.objects.exclude(pk=audience.pk).only("pk", "name", "criteria")
        if audience.pk in audience_references(other.criteria)
    ]
