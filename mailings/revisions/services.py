"""Writes for a letter's saved versions: keep one after every save that changed something, put
an old one back, and start a new letter from a letter or one of its saved versions."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from donations.models import Campaign
from mailings.models import Letter, LetterSignatory, LetterVersion, Signatory
from mailings.revisions.compare import FieldComparison, compare_snapshots
from mailings.revisions.models import LetterRevision
from mailings.revisions.snapshot import (
    LETTER_FIELDS,
    VERSION_FIELDS,
    Snapshot,
    describe_changes,
    letter_snapshot,
    same_letter,
)


@dataclass
class Outcome:
    """A restored or new letter, and what could not be carried over, in plain words."""

    letter: Letter
    revision: LetterRevision | None
    notes: list[str] = field(default_factory=list)


@transaction.atomic
def record_revision(
    letter: Letter, user: AbstractBaseUser | None, *, note: str = ""
) -> LetterRevision | None:
    """Keep the letter as stored now, unless that is what its last saved version says.
    Called after every save (the admin's, once its inlines are saved; the composer's)."""
    # The row lock makes two saves of one letter take numbers one after the other.
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    snapshot = letter_snapshot(letter)
    last = letter.revisions.order_by("-number").first()
    if last is not None and same_letter(last.snapshot, snapshot):
        return None
    changes = describe_changes(last.snapshot if last else None, snapshot)
    return LetterRevision.objects.create(
        letter=letter,
        number=last.number + 1 if last else 1,
        saved_by=user if user is not None and user.is_authenticated else None,
        snapshot=snapshot,
        changes=f"{note}: {changes}" if note else changes,
    )


def compare(
    older: LetterRevision | Snapshot, newer: LetterRevision | Snapshot
) -> list[FieldComparison]:
    """Per field of the letter, the older and newer text with the words removed and added."""
    return compare_snapshots(_snapshot(older), _snapshot(newer))


def compare_with_letter(revision: LetterRevision) -> list[FieldComparison]:
    """What restoring this version would change in the letter as it is now."""
    return compare_snapshots(letter_snapshot(revision.letter), revision.snapshot)


@transaction.atomic
def restore_revision(revision: LetterRevision, user: AbstractBaseUser | None) -> Outcome:
    """Write a saved version back over its letter, all or nothing, and keep the result as a
    new saved version 'Restored version N'. A campaign or signatory deleted since is left
    out and said so; text the merge checks now refuse raises ValidationError, changing nothing."""
    letter = Letter.objects.select_for_update().get(pk=revision.letter_id)
    notes = _write_settings(letter, revision.snapshot, keep_name_if_taken=True)
    letter.save()
    letter.versions.exclude(language__in=list(revision.snapshot["versions"])).delete()
    for language, fields in revision.snapshot["versions"].items():
        version = letter.versions.filter(language=language).first()
        version = version or LetterVersion(letter=letter, language=language)
        _write_version(version, fields)
    letter.lettersignatory_set.all().delete()
    notes += _write_signatories(letter, revision.snapshot)
    kept = record_revision(letter, user, note=f"Restored version {revision.number}")
    letter.refresh_from_db()
    return Outcome(letter, kept, notes)


@transaction.atomic
def start_new_letter_from(
    source: Letter | LetterRevision, user: AbstractBaseUser | None, *, name: str = ""
) -> Outcome:
    """A new letter with the source's settings, language versions and signatories, named as
    staff say or '<name> (copy)'. A name already taken raises ValidationError."""
    snapshot = _snapshot(source)
    name = name.strip() or copy_name(snapshot["letter"]["name"])
    if Letter.objects.filter(name__iexact=name).exists():
        raise ValidationError(f"A letter named “{name}” exists already: choose another name.")
    letter = Letter(name=name)
    notes = _write_settings(letter, snapshot, keep_name_if_taken=False)
    letter.name = name
    letter.save()
    for language, fields in snapshot["versions"].items():
        _write_version(LetterVersion(letter=letter, language=language), fields)
    notes += _write_signatories(letter, snapshot)
    if isinstance(source, LetterRevision):
        where = f"“{source.letter.name}”, version {source.number}"
    else:
        where = f"“{source.name}”"
    kept = record_revision(letter, user, note=f"Started from {where}")
    return Outcome(letter, kept, notes)


def copy_name(name: str) -> str:
    """'<name> (copy)', or '(copy 2)', '(copy 3)'... when taken; within the field's 200."""
    for count in range(1, 1000):
        suffix = " (copy)" if count == 1 else f" (copy {count})"
        candidate = name[: 200 - len(suffix)] + suffix
        if not Letter.objects.filter(name__iexact=candidate).exists():
            return candidate
    raise ValidationError("Too many copies of this letter: give the new one a name.")


def _snapshot(source: Letter | LetterRevision | Snapshot) -> Snapshot:
    if isinstance(source, LetterRevision):
        return source.snapshot
    if isinstance(source, Letter):
        return letter_snapshot(source)
    return source


def _write_settings(letter: Letter, snapshot: Snapshot, *, keep_name_if_taken: bool) -> list:
    notes = []
    settings = snapshot["letter"]
    for name in LETTER_FIELDS:
        if name in settings:
            setattr(letter, name, settings[name])
    taken = Letter.objects.filter(name=letter.name).exclude(pk=letter.pk).exists()
    if keep_name_if_taken and taken:
        letter.name = Letter.objects.get(pk=letter.pk).name
        notes.append(
            f"The name “{settings['name']}” now belongs to another letter, so this one "
            f"keeps the name “{letter.name}”."
        )
    campaign_id = settings.get("campaign_id")
    if campaign_id and not Campaign.objects.filter(pk=campaign_id).exists():
        notes.append(
            f"The campaign “{settings.get('campaign')}” no longer exists, so the letter has "
            f"no campaign now: choose one on the letter."
        )
        campaign_id = None
    letter.campaign_id = campaign_id
    letter.full_clean(exclude=["name"])
    return notes


def _write_version(version: LetterVersion, fields: dict) -> None:
    for name in VERSION_FIELDS:
        if name in fields:
            setattr(version, name, fields[name])
    version.full_clean()
    version.save()


def _write_signatories(letter: Letter, snapshot: Snapshot) -> list[str]:
    notes = []
    existing = set(
        Signatory.objects.filter(
            pk__in=[signer["id"] for signer in snapshot["signatories"]]
        ).values_list("pk", flat=True)
    )
    position = 0
    for signer in snapshot["signatories"]:
        if signer["id"] not in existing:
            notes.append(
                f"The signatory “{signer['name']}” no longer exists, so the letter is signed "
                "without them: add a signatory on the letter if needed."
            )
            continue
        LetterSignatory.objects.create(letter=letter, signatory_id=signer["id"], position=position)
        position += 1
    return notes
