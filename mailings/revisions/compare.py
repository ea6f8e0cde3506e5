"""Two saved versions side by side: per field, the words taken out of the older one and the
words put into the newer one (difflib over words and punctuation)."""

import difflib
import re
from dataclasses import dataclass

from mailings.revisions.snapshot import Snapshot, readable_fields

# Words, punctuation marks and the spaces between them, each a token: line breaks survive the
# diff, and "spring." becoming "spring, with" marks the comma, not the word.
TOKENS = re.compile(r"\s+|\w+|[^\w\s]")
# What an unchanged stretch between two changes must not hold to be shown as part of them.
NOT_A_BRIDGE = re.compile(r"\w|\n")


@dataclass(frozen=True)
class Part:
    kind: str  # "same", "removed" (only in the older text) or "added" (only in the newer)
    text: str


@dataclass(frozen=True)
class FieldComparison:
    label: str
    older: list[Part]
    newer: list[Part]
    changed: bool


def compare_snapshots(older: Snapshot, newer: Snapshot) -> list[FieldComparison]:
    """Every field of the letter, in the form's order, each marked changed or not."""
    old_text = dict(readable_fields(older))
    comparisons = []
    for label, new in readable_fields(newer):
        old = old_text.get(label, "")
        if old == new:
            same = [Part("same", new)]
            comparisons.append(FieldComparison(label, same, same, changed=False))
        else:
            comparisons.append(FieldComparison(label, *_word_diff(old, new), changed=True))
    return comparisons


def _word_diff(old: str, new: str) -> tuple[list[Part], list[Part]]:
    a, b = TOKENS.findall(old), TOKENS.findall(new)
    older: list[Part] = []
    newer: list[Part] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            older.append(Part("same", "".join(a[a0:a1])))
            newer.append(Part("same", "".join(b[b0:b1])))
            continue
        if a1 > a0:
            older.append(Part("removed", "".join(a[a0:a1])))
        if b1 > b0:
            newer.append(Part("added", "".join(b[b0:b1])))
    return _merged(older), _merged(newer)


def _merged(parts: list[Part]) -> list[Part]:
    """Neighbours of one kind as one part; spaces or punctuation alone between two changes
    join them, so three changed words read as one marked phrase rather than three."""
    merged: list[Part] = []
    for part in parts:
        if merged and merged[-1].kind == part.kind:
            merged[-1] = Part(part.kind, merged[-1].text + part.text)
        else:
            merged.append(part)
    joined: list[Part] = []
    for index, part in enumerate(merged):
        between_changes = (
            part.kind == "same"
            and not NOT_A_BRIDGE.search(part.text)
            and 0 < index < len(merged) - 1
            and merged[index - 1].kind == merged[index + 1].kind != "same"
        )
        if between_changes or (joined and joined[-1].kind == part.kind):
            if between_changes:
                part = Part(joined[-1].kind, part.text)
            joined[-1] = Part(part.kind, joined[-1].text + part.text)
        else:
            joined.append(part)
    return joined
