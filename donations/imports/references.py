"""Campaigns, funds and appeals a gift file names that are not on file: listed in the preview
with an offer to create each (or to use an existing one instead), decided by staff before the
import runs. The decisions come back as {key: "create" | "keep" | "<pk of an existing one>"}
(crm.importing.jobs.import_job_confirm); what staff leave alone gets the default."""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.text import slugify

from crm.importing.outcome import RowOutcome
from donations.models import Campaign, Fund

CREATE, KEEP = "create", "keep"
FIELDS = {"campaign": "campaign", "fund": "fund", "appeal": "appeal_code"}  # kind -> value name
NOUNS = {"campaign": "campaign", "fund": "fund", "appeal": "appeal"}


@dataclass(frozen=True)
class NewReference:
    """A campaign, fund or appeal named in the file and not on file."""

    kind: str  # campaign | fund | appeal
    text: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{slugify(self.text) or self.text.lower()}"

    def __str__(self) -> str:
        return self.text


def references_found(rows: list[RowOutcome]) -> list[dict]:
    """The choices to offer (crm.importing.outcome.ImportReport.choices), one per new name."""
    seen: dict[str, NewReference] = {}
    counts: Counter = Counter()
    for row in rows:
        for name in FIELDS.values():
            ref = row.values.get(name)
            if isinstance(ref, NewReference):
                seen.setdefault(ref.key, ref)
                counts[ref.key] += 1
    if not seen:
        return []
    campaigns = [(str(c.pk), f"Use {c}") for c in Campaign.objects.order_by("name")]
    funds = [(str(f.pk), f"Use {f} ({f.code})") for f in Fund.objects.order_by("name")]
    choices = []
    for key, ref in seen.items():
        if ref.kind == "fund":
            options = [(CREATE, f"Create the fund '{ref.text}'"), *funds]
        elif ref.kind == "campaign":
            options = [(CREATE, f"Create the campaign '{ref.text}'"), *campaigns]
        else:
            options = [
                (KEEP, "Keep it as the gifts' appeal code"),
                (CREATE, f"Create a campaign '{ref.text}' for it"),
                *campaigns,
            ]
        choices.append(
            {
                "key": key,
                "kind": ref.kind,
                "text": ref.text,
                "rows": counts[key],
                "label": f"New {NOUNS[ref.kind]} '{ref.text}' ({counts[key]} "
                f"gift{'s' if counts[key] != 1 else ''})",
                "options": [list(o) for o in options],
                "default": options[0][0],
            }
        )
    return choices


def references_apply(
    rows: list[RowOutcome], choices: list[dict], decisions: Mapping[str, str], *, create: bool
) -> None:
    """Put staff's decisions into the rows: an existing campaign or fund in place of the name,
    the appeal kept as text, or (when `create`, in the import's transaction) a new record."""
    answer = {c["key"]: decisions.get(c["key"], c["default"]) for c in choices}
    offered = {c["key"]: {o[0] for o in c["options"]} for c in choices}
    made: dict[str, Campaign | Fund] = {}
    for row in rows:
        for kind, name in FIELDS.items():
            ref = row.values.get(name)
            if not isinstance(ref, NewReference):
                continue
            decision = answer.get(ref.key, CREATE)
            if decision not in offered.get(ref.key, {decision}):
                decision = CREATE
            if decision == KEEP:
                row.values[name] = ref.text
                continue
            if decision == CREATE and not create:
                continue  # the preview shows it as new
            if decision == CREATE:
                if ref.key not in made:
                    made[ref.key] = _create(ref)
                found = made[ref.key]
            else:
                model = Fund if kind == "fund" else Campaign
                found = model.objects.get(pk=int(decision))
            if kind == "appeal":
                row.values[name] = found.code
                row.values.setdefault("campaign", found)
            else:
                row.values[name] = found


def _create(ref: NewReference) -> Campaign | Fund:
    model = Fund if ref.kind == "fund" else Campaign
    code = base = (slugify(ref.text) or ref.kind)[:40]
    number = 1
    while model.objects.filter(code=code).exists():
        number += 1
        code = f"{base[: 40 - len(str(number)) - 1]}-{number}"
    if model is Fund:
        return Fund.objects.create(name=ref.text[:120], code=code)
    return Campaign.objects.create(name=ref.text[:200], code=code)
