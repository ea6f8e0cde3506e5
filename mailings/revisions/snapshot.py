"""A letter as plain JSON, and back: its settings, every language version's fields and its
signatories in order. The snapshot keeps names beside ids (the campaign's, the signers') so a
saved version still reads right after a campaign or signatory is renamed or deleted."""

from typing import Any

from django.utils.text import capfirst

from mailings.models import LANGUAGES, TEMPLATED_FIELDS, Letter, LetterVersion

LETTER_FIELDS = (
    "name",
    "purpose",
    "appeal_code",
    "reply_slip",
    "ask_base",
    "ask_multipliers",
    "ask_floor",
    "default_asks",
)
VERSION_FIELDS = TEMPLATED_FIELDS  # every field of a language version
LANGUAGE_NAMES = dict(LANGUAGES)
Snapshot = dict[str, Any]


def letter_snapshot(letter: Letter) -> Snapshot:
    settings = {field: getattr(letter, field) for field in LETTER_FIELDS}
    # Decimal is not JSON; two places always, so 25 and 25.00 are one value.
    settings["ask_floor"] = f"{letter.ask_floor:.2f}"
    settings["campaign_id"] = letter.campaign_id
    settings["campaign"] = str(letter.campaign) if letter.campaign_id else ""
    return {
        "letter": settings,
        "versions": {
            version.language: {field: getattr(version, field) for field in VERSION_FIELDS}
            for version in letter.versions.order_by("language")
        },
        "signatories": [
            {"id": signs.signatory_id, "name": str(signs.signatory)}
            for signs in letter.lettersignatory_set.select_related("signatory").order_by(
                "position", "pk"
            )
        ],
    }


def same_letter(a: Snapshot, b: Snapshot) -> bool:
    """Whether two snapshots are the same letter. Only ids count for the campaign and the
    signers: renaming a signatory elsewhere changes no letter."""
    return _essence(a) == _essence(b)


def _essence(snapshot: Snapshot) -> Snapshot:
    settings = {k: v for k, v in snapshot["letter"].items() if k != "campaign"}
    signers = [signer["id"] for signer in snapshot["signatories"]]
    return {"letter": settings, "versions": snapshot["versions"], "signatories": signers}


def readable_fields(snapshot: Snapshot) -> list[tuple[str, str]]:
    """(label, text) for everything a person reads in a snapshot, in the letter form's order.
    A language the letter does not have reads as empty fields under its name."""
    settings = snapshot["letter"]
    fields = []
    for field in LETTER_FIELDS:
        model_field = Letter._meta.get_field(field)
        value = settings.get(field, "")
        if model_field.choices:
            value = dict(model_field.choices).get(value, value)
        elif isinstance(value, bool):
            value = "Yes" if value else "No"
        fields.append((capfirst(model_field.verbose_name), str(value)))
        if field == "purpose":
            fields.append(("Campaign", settings.get("campaign") or "(none)"))
    for language, language_name in LANGUAGES:
        version = snapshot["versions"].get(language)
        if version is None:
            fields.append((f"{language_name} version", "(none)"))
            continue
        fields.append((f"{language_name} version", "Yes"))
        for field in VERSION_FIELDS:
            label = capfirst(LetterVersion._meta.get_field(field).verbose_name)
            fields.append((f"{label} ({language_name})", version.get(field, "")))
    signers = "\n".join(signer["name"] for signer in snapshot["signatories"])
    fields.append(("Signatories, in order", signers or "(none)"))
    return fields


def changed_labels(before: Snapshot, after: Snapshot) -> list[str]:
    old = dict(readable_fields(before))
    return [label for label, text in readable_fields(after) if old.get(label) != text]


def describe_changes(before: Snapshot | None, after: Snapshot) -> str:
    """What a save changed, in words: 'Changed Body (English), Subject (English).'"""
    if before is None:
        return "First saved version."
    sentences = []
    labels = changed_labels(before, after)
    for language, language_name in LANGUAGES:
        had, has = language in before["versions"], language in after["versions"]
        if had != has:  # a language added or removed: say so, not each of its fields
            sentences.append(f"{'Added' if has else 'Removed'} the {language_name} version.")
            labels = [
                label for label in labels
                if label != f"{language_name} version" and not label.endswith(f"({language_name})")
            ]  # fmt: skip
    if labels:
        sentences.insert(0, "Changed " + ", ".join(labels) + ".")
    # Nothing readable changed: only an id behind an unchanged name (a signer for a namesake).
    return " ".join(sentences) or "Changed the signatories."
