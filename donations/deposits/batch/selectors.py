"""Reads for the cheque batch: donors found by what staff type, shown so that two people of
one name are told apart (where they live, their email, their last gift)."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import formats

from core.money import money_text
from crm.matching import fold
from crm.models import Supporter
from donations.models import DonorSummary

LIMIT = 8


@dataclass(frozen=True)
class DonorChoice:
    id: int
    name: str
    place: str
    email: str
    last_gift: str

    @property
    def details(self) -> str:
        """'Austin, TX · mar…@gmail.com · last gift $50.00 on Mar 2, 2026'."""
        return " · ".join(part for part in (self.place, self.email, self.last_gift) if part)

    @property
    def label(self) -> str:
        return f"{self.name} (#{self.id}) · {self.details}"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "place": self.place,
            "email": self.email,
            "last_gift": self.last_gift,
            "details": self.details,
        }


def email_hint(email: str) -> str:
    """Enough of an address to tell two people apart, not all of it: 'mar…@gmail.com'."""
    local, at, domain = (email or "").partition("@")
    if not at:
        return ""
    return f"{local[:3]}…@{domain}" if len(local) > 3 else f"{local}@{domain}"


def place(supporter: Supporter) -> str:
    town = ", ".join(part for part in (supporter.city, supporter.region) if part)
    town = town or supporter.postal_code
    if supporter.country and supporter.country != "US":
        town = f"{town} ({supporter.country})" if town else supporter.country
    return town


def last_gift(supporter: Supporter) -> str:
    try:
        summary = supporter.giving
    except DonorSummary.DoesNotExist:
        summary = None
    if summary is None or summary.last_gift_on is None:
        return "no gifts yet"
    day = formats.date_format(summary.last_gift_on, "DATE_FORMAT")
    return f"last gift {money_text(summary.last_gift_amount)} on {day}"


def donor_choice(supporter: Supporter) -> DonorChoice:
    return DonorChoice(
        id=supporter.pk,
        name=supporter.display_name or f"Supporter #{supporter.pk}",
        place=place(supporter) or "no address",
        email=email_hint(supporter.email),
        last_gift=last_gift(supporter),
    )


def _found(query: str) -> QuerySet[Supporter]:
    text = query.strip()
    people = Supporter.objects.select_related("giving")
    if text.lstrip("#").isdigit():  # an id typed from a cheque's reply slip or the profile
        return people.filter(pk=int(text.lstrip("#")))
    if "@" in text:
        return people.filter(email__startswith=text.lower())
    folded = fold(text)
    if not folded:
        return people.none()
    # 'garcia' finds García, as the supporter list's search does; an organization by its name.
    return people.filter(Q(match_name__contains=folded) | Q(organisation_name__icontains=text))


def donor_search(query: str, *, limit: int = LIMIT) -> list[DonorChoice]:
    """Donors matching a name, an email's beginning, or an id; in the list's name order."""
    return [donor_choice(supporter) for supporter in _found(query)[:limit]]


def donor_choices(ids: set[int]) -> dict[int, DonorChoice]:
    """The picked donors of a batch's rows, by id, in one query."""
    people = Supporter.objects.select_related("giving").filter(pk__in=ids)
    return {supporter.pk: donor_choice(supporter) for supporter in people}
