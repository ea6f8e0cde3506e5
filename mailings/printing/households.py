"""One letter per household in a print run: when two or more members of a household are among
the letters to print, they get one letter, greeting them together ('Dear Ben and Ada,') and
addressed to the household's envelope name ('Ben and Ada Okafor').

Who is in it: the members who would each have had a letter (in the audience, and not left out:
a do-not-mail, do-not-contact or deceased member, or one without a usable address, is not named).
Whose address: the household's longest-standing such member (the lowest id), so a member who
may not be mailed never lends their address. When every member is in it, the household's own
names are used (staff may have set them); otherwise names are worked out for those in it.
Emails are never folded: they stay one per person."""

from collections.abc import Sequence
from dataclasses import dataclass

from crm import greetings
from crm.models import Household, Supporter


@dataclass(frozen=True)
class HouseholdNames:
    greeting: str  # after 'Dear'
    envelope: str
    name: str
    members: tuple[int, ...]

    def dear(self, people: Sequence[Supporter], language: str) -> str:
        return greetings.household_dear([p.greeting_parts() for p in people], language)


def letter_groups(rows: Sequence[tuple[int, int | None]]) -> list[tuple[int, ...]]:
    """(id, household id) pairs in print order -> one tuple of ids per letter, the first the
    one it is addressed to; a household's letter sits where its addressee's would have."""
    by_household: dict[int, list[int]] = {}
    for pk, household in rows:
        if household is not None:
            by_household.setdefault(household, []).append(pk)
    groups = []
    for pk, household in rows:
        members = by_household.get(household, []) if household is not None else []
        if len(members) < 2:
            groups.append((pk,))
        elif pk == (lead := min(members)):
            groups.append((lead, *sorted(m for m in members if m != lead)))
    return groups


def household_counts(groups: Sequence[tuple[int, ...]]) -> dict[str, int]:
    """What a plan says about its letters: how many, and how many go to households of whom."""
    shared = [g for g in groups if len(g) > 1]
    return {
        "letters": len(groups),
        "household_letters": len(shared),
        "household_people": sum(len(g) for g in shared),
    }


def household_names(members: Sequence[Supporter]) -> HouseholdNames:
    """The names on one household letter to `members` (two or more of one household, the
    addressee first)."""
    household: Household = members[0].household
    everyone = household.member_list()
    ids = tuple(m.pk for m in members)
    if {m.pk for m in everyone} == set(ids):
        return HouseholdNames(
            household.effective_greeting,
            household.effective_envelope_name,
            household.effective_name,
            ids,
        )
    ordered = sorted(members, key=lambda m: m.pk)  # as the household names them: joining order
    parts = [m.greeting_parts() for m in ordered]
    return HouseholdNames(
        greetings.household_greeting([m.effective_salutation for m in ordered]),
        greetings.household_envelope(parts, [m.effective_addressee for m in ordered]),
        household.effective_name,
        ids,
    )


def household_values(values: dict, members: Sequence[Supporter], language: str) -> dict:
    """A recipient's merge values turned into their household's: greeting, 'Dear' word,
    envelope name and address block (the addressee's address)."""
    names = household_names(members)
    envelope = greetings.in_language(names.envelope, language)
    block = str(values.get("address_block", "")).splitlines()[1:]
    greeting = greetings.in_language(names.greeting, language)
    return {
        **values,
        "salutation": greeting,
        "household_greeting": greeting,
        "household_name": members[0].household.name_in(language),
        "dear": names.dear(members, language),
        "addressee": envelope,
        "address_block": "\n".join([envelope, *block]),
    }
