"""Writes for households: put supporters together in one, take one out, set its names.

A household holds two or more people: one left alone is no household, so taking out the
second-to-last member dissolves it. A member of another household must leave it first (a
person is in one household at most), and an organization is never a member."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from crm.models import Household, Supporter


def _refusal(person: Supporter, household: Household | None) -> str:
    if person.kind == Supporter.Kind.ORGANISATION:
        return f"{person} is an organization; households are for people."
    joined = person.household_id
    if joined is not None and (household is None or joined != household.pk):
        return f"{person} is already in {person.household}; take them out of it first."
    return ""


@transaction.atomic
def household_add_members(*, supporter: Supporter, others: Sequence[Supporter]) -> Household:
    """Put `others` in `supporter`'s household, starting one when `supporter` has none.
    ValidationError, changing nothing, when no one new is given or someone cannot join."""
    supporter = (
        Supporter.objects.select_for_update(of=("self",))
        .select_related("household")
        .get(pk=supporter.pk)
    )
    ids = sorted({o.pk for o in others if o.pk != supporter.pk})
    people = list(
        Supporter.objects.select_for_update(of=("self",))
        .select_related("household")
        .filter(pk__in=ids)
    )
    household = supporter.household
    problems = [p for p in (_refusal(o, household) for o in people) if p]
    if household is None and (problem := _refusal(supporter, None)):
        problems.insert(0, problem)
    new = [o for o in people if household is None or o.household_id != household.pk]
    if not new and not problems:
        problems.append("Choose at least one other person to put in the household.")
    if problems:
        raise ValidationError({"members": problems})
    if household is None:
        household = Household.objects.create()
        new = [supporter, *new]
    for person in new:
        person.household = household
        person._change_reason = "Put in a household"
        person.save(update_fields=["household", "updated_at"])
    return household


@transaction.atomic
def household_remove_member(*, supporter: Supporter) -> Household | None:
    """Take `supporter` out of their household; the household is dissolved when fewer than
    two remain. Returns the household when it still stands."""
    supporter = Supporter.objects.select_for_update().get(pk=supporter.pk)
    household = supporter.household
    if household is None:
        raise ValidationError({"members": f"{supporter} is not in a household."})
    leaving = [supporter]
    rest = list(household.members.exclude(pk=supporter.pk).select_for_update())
    if len(rest) < 2:
        leaving += rest
    for person in leaving:
        person.household = None
        person._change_reason = "Taken out of a household"
        person.save(update_fields=["household", "updated_at"])
    if len(rest) < 2:
        household.delete()
        return None
    return household


def household_update(
    *, household: Household, name: str, greeting: str, envelope_name: str
) -> Household:
    """Set the household's names; a blank one falls back to the suggestion from its members."""
    household.name = " ".join(name.split())
    household.greeting = " ".join(greeting.split())
    household.envelope_name = " ".join(envelope_name.split())
    household.full_clean()
    household.save()
    return household
