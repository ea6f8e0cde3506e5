"""Reads about supporters that are more than a filter."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from crm.models import NotDuplicate, Supporter, SupporterMerge


def supporter_current(supporter_id: int) -> Supporter | None:
    """The supporter a link made for `supporter_id` speaks for today: that record, or the
    record it was merged into. None when it was deleted outright.

    Links already sent (unsubscribe, donate) keep naming a merged-away id; CAN-SPAM and
    RFC 8058 require that they keep working, and act on the record that survived. A merge
    moves earlier merges' log to its survivor (crm.services.supporters_merge), so one step
    reaches the end of a chain of merges."""
    found = Supporter.objects.filter(pk=supporter_id).first()
    if found is not None:
        return found
    survivor_id = (
        SupporterMerge.objects.filter(merged_supporter_id=supporter_id)
        .order_by("-merged_at")
        .values_list("survivor_id", flat=True)
        .first()
    )
    return Supporter.objects.filter(pk=survivor_id).first() if survivor_id else None


RULES = (
    ("match_email", None, "Same email"),
    ("match_name", "match_postal", "Same name and postal code"),
    ("match_name", "match_phone", "Same name and phone"),
)


@dataclass(frozen=True)
class DuplicatePair:
    first: Supporter
    second: Supporter
    reasons: tuple[str, ...]


def duplicate_pairs(*, limit: int = 200) -> list[DuplicatePair]:
    """Pairs of supporters that look like one person, by the three rules, strongest first.

    Each rule is one GROUP BY over indexed match keys, so this stays cheap at 100,000 records.
    Pairs staff marked 'not a duplicate' are left out.
    """
    reasons: dict[tuple[int, int], list[str]] = {}
    for key, second_key, label in RULES:
        for ids in _groups(key, second_key):
            for pair in _pairs(ids):
                reasons.setdefault(pair, []).append(label)
    dismissed = set(NotDuplicate.objects.values_list("low_id", "high_id"))
    ordered = sorted(
        (pair for pair in reasons if pair not in dismissed),
        key=lambda pair: (-len(reasons[pair]), pair),
    )[:limit]
    people = Supporter.objects.in_bulk({pk for pair in ordered for pk in pair})
    return [
        DuplicatePair(people[low], people[high], tuple(reasons[(low, high)]))
        for low, high in ordered
        if low in people and high in people
    ]


def _groups(key: str, second_key: str | None) -> list[list[int]]:
    fields = [key] + ([second_key] if second_key else [])
    queryset: QuerySet = Supporter.objects.all()
    for name in fields:  # one exclude per key: a blank in either key means no match
        queryset = queryset.exclude(**{name: ""})
    repeated = (
        queryset.values(*fields)
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by()
        .values_list(key, flat=True)
    )
    buckets: dict[tuple, list[int]] = {}
    for pk, *values in queryset.filter(**{f"{key}__in": repeated}).values_list("pk", *fields):
        buckets.setdefault(tuple(values), []).append(pk)
    return [sorted(ids) for ids in buckets.values() if len(ids) > 1]


def _pairs(ids: list[int]) -> Iterator[tuple[int, int]]:
    for i, low in enumerate(ids):
        for high in ids[i + 1 :]:
            yield low, high


def supporter_lookalikes(candidate: Supporter, *, limit: int = 5) -> list[DuplicatePair]:
    """Existing supporters the duplicate finder would pair with `candidate`, a record not yet
    saved (or being edited), by the same three rules, strongest first. Each pair's `first` is
    the existing supporter, `second` the candidate."""
    candidate.refresh_match_keys()
    reasons: dict[int, list[str]] = {}
    for key, second_key, label in RULES:
        names = [key] + ([second_key] if second_key else [])
        values = {name: getattr(candidate, name) for name in names}
        if not all(values.values()):  # a blank key matches nothing, as in the finder
            continue
        found = Supporter.objects.filter(**values).exclude(pk=candidate.pk).order_by("pk")
        for pk in found.values_list("pk", flat=True)[:limit]:
            reasons.setdefault(pk, []).append(label)
    ordered = sorted(reasons, key=lambda pk: (-len(reasons[pk]), pk))[:limit]
    people = Supporter.objects.in_bulk(ordered)
    return [DuplicatePair(people[pk], candidate, tuple(reasons[pk])) for pk in ordered]
