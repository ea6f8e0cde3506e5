"""Writes to the organisation's settings."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from core import recompute
from core.models import Organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, changes: Mapping[str, Any] | None = None
) -> Organisation:
    """Apply `changes` (a form may have applied its own already), check and save. A new first
    month of the fiscal year regroups every stored fiscal-year figure: the apps that keep
    such figures are told through core.recompute (core imports no app)."""
    stored = (
        Organisation.objects.filter(pk=organisation.pk)
        .values_list("fiscal_year_start_month", flat=True)
        .first()
    )
    for name, value in (changes or {}).items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    if stored is not None and stored != organisation.fiscal_year_start_month:
        recompute.fiscal_year_moved.run()
    return organisation
