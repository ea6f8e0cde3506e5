"""Writes to supporter records: creating one, consent changes and merging duplicates."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.forms.models import model_to_dict

from core import recompute
from crm.models import ConsentEvent, NotDuplicate, Note, Supporter, SupporterMerge
from crm.selectors import DuplicatePair, supporter_lookalikes

CONSENT_FIELDS = ("email_opt_in", "do_not_email", "do_not_mail", "do_not_contact")
# Fields a merge may fill on the surviving record when it is blank there.
MERGE_FILLABLE = (
    "title",
    "first_name",
    "last_name",
    "preferred_name",
    "partner_title",
    "partner_first_name",
    "partner_last_name",
    "organisation_name",
    "salutation",
    "formal_salutation",
    "addressee",
    "email",
    "phone",
    "phone_2",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "source",
)


def consent_snapshot(supporter: Supporter) -> dict[str, Any]:
    return {name: getattr(supporter, name) for name in CONSENT_FIELDS}


def consent_record_changes(
    *,
    supporter: Supporter,
    before: dict[str, Any],
    method: str,
    source: str = "",
    actor: AbstractBaseUser | None = None,
) -> list[ConsentEvent]:
    """Write one consent event for each consent field that differs from `before`."""
    events = [
        ConsentEvent(
            supporter=supporter,
            field=name,
            old_value=str(before.get(name, "")),
            new_value=str(getattr(supporter, name)),
            method=method,
            source=source[:200],
            actor=actor if getattr(actor, "pk", None) else None,
        )
        for name in CONSENT_FIELDS
        if before.get(name) != getattr(supporter, name)
    ]
    return ConsentEvent.objects.bulk_create(events)


@transaction.atomic
def supporters_merge(
    *, survivor: Supporter, other: Supporter, actor: AbstractBaseUser | None = None
) -> SupporterMerge:
    """Fold `other` into `survivor`, keeping everything both held.

    1. Snapshot `other` (every field, tag and id) into a SupporterMerge row.
    2. Fill blank fields on the survivor from `other`; the strictest consent wins.
    3. Let apps above settle rows that would collide once both are the survivor's, then move
       every row that points at `other` (notes, consent events, gifts, deliveries and
       whatever later apps add) to the survivor, and union the tags.
    4. Delete `other`; its history rows stay in the history table.
    """
    if survivor.pk == other.pk:
        raise ValueError("A record cannot be merged into itself.")
    survivor = Supporter.objects.select_for_update().get(pk=survivor.pk)
    other = Supporter.objects.select_for_update().get(pk=other.pk)

    snapshot = model_to_dict(other, exclude=["tags"])
    snapshot["tags"] = sorted(other.tags.values_list("name", flat=True))
    snapshot["id"] = other.pk
    snapshot["created_at"] = other.created_at.isoformat()

    filled = _fill_blanks(survivor, other)
    differences = _differences(survivor, other)
    consent_before = consent_snapshot(survivor)
    _merge_consent(survivor, other)
    if survivor.household_id is None and other.household_id is not None:
        survivor.household_id = other.household_id  # the other record's place in a household
        filled.append("household")

    if other.email:
        # Free the unique email before the survivor may take it; the snapshot keeps it.
        Supporter.objects.filter(pk=other.pk).update(email="")
    survivor._change_reason = f"Merged with supporter #{other.pk}"
    survivor.save()

    # Apps above crm settle rows that could not both be the survivor's (core.recompute).
    recompute.supporters_merging.run(survivor_id=survivor.pk, merged_id=other.pk)
    moved = _move_related_rows(survivor, other)
    if differences:
        Note.objects.create(
            supporter=survivor,
            author=actor if getattr(actor, "pk", None) else None,
            text=f"Merged with supporter #{other.pk}, whose record also had: "
            + "; ".join(differences)
            + ".",
        )
    survivor.tags.add(*other.tags.all())
    consent_record_changes(
        supporter=survivor,
        before=consent_before,
        method=ConsentEvent.Method.MERGE,
        source=f"Merged with supporter #{other.pk}",
        actor=actor,
    )
    merge = SupporterMerge.objects.create(
        survivor=survivor,
        merged_supporter_id=other.pk,
        merged_snapshot=snapshot,
        fields_filled=filled,
        moved=moved,
        merged_by=actor if getattr(actor, "pk", None) else None,
    )
    # Records merged into `other` earlier now live on in `survivor`: their merge log moves
    # with it (deleting `other` would otherwise cascade it away), so links of those records
    # still resolve (crm.selectors.supporter_current).
    SupporterMerge.objects.filter(survivor=other).update(survivor=survivor)
    other._change_reason = f"Merged into supporter #{survivor.pk}"
    other.delete()
    # Apps above crm recompute what they derive from the survivor's rows (core.recompute).
    recompute.supporters_merged.run(survivor_id=survivor.pk, merged_id=snapshot["id"])
    return merge


def _fill_blanks(survivor: Supporter, other: Supporter) -> list[str]:
    filled = []
    for name in MERGE_FILLABLE:
        if not getattr(survivor, name) and getattr(other, name):
            setattr(survivor, name, getattr(other, name))
            filled.append(name)
    if (
        survivor.preferred_language == Supporter.Language.ENGLISH
        and other.preferred_language != "en"
    ):
        survivor.preferred_language = other.preferred_language
        filled.append("preferred_language")
    return filled


def _differences(survivor: Supporter, other: Supporter) -> list[str]:
    """Values of `other` that the survivor keeps a different value for, kept in a note."""
    differences = []
    for name in MERGE_FILLABLE:
        mine, theirs = getattr(survivor, name), getattr(other, name)
        if theirs and mine and mine != theirs:
            label = Supporter._meta.get_field(name).verbose_name
            differences.append(f"{label} '{theirs}'")
    return differences


def _merge_consent(survivor: Supporter, other: Supporter) -> None:
    """A 'no' from either record stands; an opt-in stands only where neither said no."""
    for name in ("do_not_email", "do_not_mail", "do_not_contact", "deceased"):
        setattr(survivor, name, getattr(survivor, name) or getattr(other, name))
    statuses = {survivor.email_opt_in, other.email_opt_in}
    if Supporter.EmailOptIn.OPTED_OUT in statuses:
        survivor.email_opt_in = Supporter.EmailOptIn.OPTED_OUT
    elif Supporter.EmailOptIn.OPTED_IN in statuses:
        survivor.email_opt_in = Supporter.EmailOptIn.OPTED_IN


def _move_related_rows(survivor: Supporter, other: Supporter) -> dict[str, int]:
    """Point every foreign key at `other` to `survivor`, found from the model graph so apps
    added later (gifts, deliveries) are covered without touching this function."""
    moved: dict[str, int] = {}
    for relation in Supporter._meta.related_objects:
        if relation.many_to_many or relation.related_model in (SupporterMerge, NotDuplicate):
            continue
        if relation.on_delete is models.DO_NOTHING or relation.one_to_one:
            continue
        if getattr(relation.related_model, "derived_from_supporter_rows", False):
            continue  # recomputed by its app (core.recompute); the delete drops the old
        model = relation.related_model
        count = model._base_manager.filter(**{relation.field.name: other}).update(
            **{relation.field.name: survivor}
        )
        if count:
            moved[model._meta.label] = count
    NotDuplicate.objects.filter(models.Q(low=other) | models.Q(high=other)).delete()
    return moved


def supporters_mark_not_duplicate(
    *, first: Supporter, second: Supporter, actor: AbstractBaseUser | None = None
) -> NotDuplicate:
    low, high = sorted([first, second], key=lambda s: s.pk)
    decision, _ = NotDuplicate.objects.get_or_create(
        low=low, high=high, defaults={"decided_by": actor if getattr(actor, "pk", None) else None}
    )
    return decision


def supporter_find_or_create_by_email(
    *,
    email: str,
    name: str = "",
    first_name: str = "",
    last_name: str = "",
    address: dict[str, str] | None = None,
    language: str = "",
    source: str = "",
) -> Supporter:
    """The supporter with this email (any case), or a new one from what a payment form gave.

    An existing record's data is left alone: a donor's typing on a payment page does not
    overwrite what staff keep.
    """
    email = (email or "").strip().lower()
    if email:
        # unique key, so no ordering: the model's name ordering costs more to build than the query
        existing = Supporter.objects.filter(email=email).order_by("pk").first()
        if existing is not None:
            return existing
    if first_name or last_name:
        first, last = first_name.strip(), last_name.strip()
    else:  # one "name" field, as Stripe's page gives it: the last word is the surname
        first, _, last = (name or "").strip().rpartition(" ")
        if not first:
            first, last = last, ""
    address = address or {}
    supporter = Supporter(
        first_name=first[:100],
        last_name=last[:100] or ("(no name)" if not first else ""),
        email=email,
        address_line1=(address.get("line1") or "")[:200],
        address_line2=(address.get("line2") or "")[:200],
        city=(address.get("city") or "")[:100],
        region=(address.get("state") or "")[:100],
        postal_code=(address.get("postal_code") or "")[:20],
        country=(address.get("country") or "US")[:2].upper(),
        preferred_language=language if language in ("en", "es") else "en",
        source=source[:100],
    )
    supporter._change_reason = f"Created from {source}" if source else "Created"
    supporter.save()
    return supporter


class LooksLikeExisting(Exception):
    """A new supporter the duplicate finder would pair with existing ones (`matches`)."""

    def __init__(self, matches: list[DuplicatePair]) -> None:
        super().__init__("This looks like a supporter already on file.")
        self.matches = matches

    @property
    def same_email(self) -> bool:
        return any("Same email" in match.reasons for match in self.matches)


@transaction.atomic
def supporter_create(
    *,
    values: Mapping[str, Any],
    created_by: AbstractBaseUser | None = None,
    source: str = "",
    allow_lookalikes: bool = False,
) -> Supporter:
    """A new supporter typed by staff (a donor met while entering a batch of checks).

    1. The record's own rules (a name, a valid address and email), raised by field.
    2. The duplicate finder's rules (same email; same name and postal code or phone): a match
       raises LooksLikeExisting unless staff confirmed `allow_lookalikes`. A same email is
       never created twice (the database's unique key), confirmed or not.
    3. Saved with its history row naming who created it."""
    typed = {name: v.strip() if isinstance(v, str) else v for name, v in values.items()}
    supporter = Supporter(**typed, source=source[:100])
    supporter.full_clean(validate_constraints=False)
    matches = supporter_lookalikes(supporter)
    if matches and not allow_lookalikes:
        raise LooksLikeExisting(matches)
    try:
        supporter.validate_constraints()
    except ValidationError as exc:
        if matches:
            raise LooksLikeExisting(matches) from exc
        raise
    supporter._history_user = created_by if getattr(created_by, "pk", None) else None
    supporter._change_reason = f"Created in {source}" if source else "Created"
    supporter.save()
    return supporter
