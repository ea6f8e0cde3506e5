"""Reads for the profile's household panel: the household and its members, and who else
lives at a supporter's address (the same address key print mailings fold letters by)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from crm.households.address_key import address_key
from crm.models import Household, Supporter

# Giving for a set of supporters, told by the app that keeps gifts (donations sets it at
# start-up; crm imports no donations): ids -> HouseholdGiving.
GivingReader = Callable[[list[int]], "HouseholdGiving"]


@dataclass(frozen=True)
class HouseholdGiving:
    lifetime: Decimal = Decimal(0)
    this_year: Decimal = Decimal(0)
    fiscal_year: int | None = None
    by_member: dict[int, Decimal] = field(default_factory=dict)  # lifetime, per member


@dataclass(frozen=True)
class HouseholdPanel:
    household: Household | None
    members: list[Supporter]
    giving: HouseholdGiving | None
    candidates: list[Supporter]  # others at this address, not in a household


def same_address(supporter: Supporter, *, limit: int = 10) -> list[Supporter]:
    """Other people at this supporter's address (line 1, line 2, ZIP and country written
    alike), not in a household yet."""
    if not (supporter.address_line1 and supporter.postal_code):
        return []
    key = (
        Supporter.objects.filter(pk=supporter.pk)
        .annotate(k=address_key())
        .values_list("k", flat=True)
        .first()
    )
    return list(
        Supporter.objects.filter(
            match_postal=supporter.match_postal,  # narrows on an index before the key
            household__isnull=True,
            kind=Supporter.Kind.PERSON,
        )
        .exclude(pk=supporter.pk)
        .annotate(k=address_key())
        .filter(k=key)
        .order_by("pk")[:limit]
    )


def household_panel(supporter: Supporter, *, giving: GivingReader | None = None) -> HouseholdPanel:
    household = supporter.household
    if household is None:
        candidates = same_address(supporter) if supporter.kind == Supporter.Kind.PERSON else []
        return HouseholdPanel(None, [], None, candidates)
    members = household.member_list()
    total = giving([m.pk for m in members]) if giving is not None else None
    for member in members:
        member.household_lifetime = total.by_member.get(member.pk) if total else None
    return HouseholdPanel(household, members, total, same_address(supporter))


def supporters_by_ids(text: str) -> tuple[list[Supporter], list[str]]:
    """'12, #15 40' -> those supporters, and the problems with what was typed."""
    words = [w.lstrip("#") for w in text.replace(",", " ").split()]
    bad = [w for w in words if not w.isdigit()]
    if bad:
        return [], [f"'{bad[0]}' is not a supporter ID: give numbers, such as 1042."]
    ids = {int(w) for w in words}
    found = Supporter.objects.in_bulk(ids)
    missing = sorted(ids - set(found))
    problems = [f"There is no supporter #{pk}." for pk in missing]
    return list(found.values()), problems
