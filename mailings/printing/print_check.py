"""What a printed letter will look like on paper, read from its layout: how many pages it takes,
whether its last page holds only a line or two (worth shortening), and the tap-test verdict
for its address in the organization's window envelope.

`print_check` is the one call for a preview (the composer's, the preview page's): it renders
the letter with the window drawn over it. A print run checks every letter from its own
layout (`letter_checks`), without the drawing.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.models import Organisation
from core.pdf import MeasuredBox, MeasuredPdf
from crm.models import Supporter
from mailings.letters.rendering import CompiledVersion
from mailings.models import Letter
from mailings.printing.envelopes import Envelope, Rect, TapTest, envelope_for, tap_test
from mailings.printing.letter_pdf import LINE_PITCH, PAPER, letters_pdf_measured
from mailings.printing.printed_letter import printed_letter

# A last page with this many lines of text or fewer, or with only the letter's ending (this
# many lines of the body at most, the sign-off, the P.S.): worth shortening the letter.
SPILL_LINES = 2
LINES = {1: "one line", 2: "two lines"}


@dataclass(frozen=True)
class LetterCheck:
    pages: int
    spill_warning: str  # empty when the last page is worth its sheet
    envelope_verdict: TapTest


@dataclass(frozen=True)
class PrintCheck(LetterCheck):
    pdf_bytes: bytes = b""


def print_check(
    compiled_version: CompiledVersion,
    values: dict[str, Any],
    supporter: Supporter | None,
    letter: Letter,
    organisation: Organisation | None = None,
    *,
    window_overlay: bool = True,
) -> PrintCheck:
    """One letter as printed for `supporter` (or sample `values`), checked; its PDF has the
    envelope's window drawn over the first page unless `window_overlay` is off. The drawing
    is the only difference from the print run's PDF."""
    organisation = organisation or Organisation.current()
    envelope = envelope_for(organisation)
    measured = letters_pdf_measured(
        [printed_letter(compiled_version, values, supporter)],
        organisation=organisation, paper=envelope.paper, envelope=envelope,
        window_overlay=window_overlay,
    )  # fmt: skip
    [check] = letter_checks(measured, count=1, envelope=envelope)
    return PrintCheck(
        pages=check.pages,
        spill_warning=check.spill_warning,
        envelope_verdict=check.envelope_verdict,
        pdf_bytes=measured.pdf,
    )


def checked_letters_pdf(
    items: Sequence[tuple[CompiledVersion, dict[str, Any], Supporter | None]],
    *,
    duplex_safe: bool,
    organisation: Organisation,
) -> tuple[bytes, list[LetterCheck]]:
    """The print run's PDF of these letters (no window drawn) and each letter's check."""
    envelope = envelope_for(organisation)
    measured = letters_pdf_measured(
        [printed_letter(compiled, values, supporter) for compiled, values, supporter in items],
        organisation=organisation, paper=envelope.paper, envelope=envelope,
        duplex_safe=duplex_safe,
    )  # fmt: skip
    return measured.pdf, letter_checks(measured, count=len(items), envelope=envelope)


def letter_checks(measured: MeasuredPdf, *, count: int, envelope: Envelope) -> list[LetterCheck]:
    """A check for each of the `count` letters laid out in one document, in its order."""
    by_label: dict[str, list[MeasuredBox]] = {}
    for box in measured.boxes:
        by_label.setdefault(box.label, []).append(box)
    return [_check(index, by_label, envelope) for index in range(count)]


def _check(index: int, by_label: dict[str, list[MeasuredBox]], envelope: Envelope) -> LetterCheck:
    pages = sorted({box.page for box in by_label.get(f"letter {index}", [])})
    address = by_label.get(f"address {index}", [])
    block, lines = None, 0
    if address and address[0].top != float("inf"):
        first = address[0]
        block, lines = Rect(first.left, first.top, first.right, first.bottom), first.lines
    return LetterCheck(
        pages=len(pages),
        spill_warning=_spill(index, pages, by_label, envelope.paper),
        envelope_verdict=tap_test(block, lines, envelope),
    )


def _spill(
    index: int, pages: Sequence[int], by_label: dict[str, list[MeasuredBox]], paper: str
) -> str:
    if len(pages) < 2:
        return ""
    last, before = pages[-1], pages[-2]
    text = {box.page: box for box in by_label.get(f"text {index}", [])}
    text_lines = text[last].lines if last in text else 0
    slip_there = any(box.page == last for box in by_label.get(f"slip {index}", []))
    with_slip = " with the reply slip" if slip_there else ""
    page = len(pages)
    if text_lines == 0:
        if slip_there:
            return (
                f"The reply slip goes onto page {page} by itself; shorten the letter to bring "
                f"it back onto page {page - 1}."
            )
        return ""
    # What must go: the text on the last page, less the room left under the text on the
    # page before it, in lines of the body's type.
    layout = PAPER.get(paper, PAPER["letter"])
    over = text[last].bottom - layout["margin_top"]
    room = layout["content_bottom"] - text[before].bottom if before in text else 0.0
    cut = max(1, math.ceil((over - room) / LINE_PITCH - 0.05))
    shorten = f"shorten by {'a line' if cut == 1 else _lines(cut)}."
    if text_lines <= SPILL_LINES:
        return f"Runs {LINES[text_lines]} onto page {page}{with_slip}; {shorten}"
    # More lines, but only the letter's ending: its last line or two, the sign-off (which
    # moves as one block) or the P.S.
    body_lines = _lines_on(by_label, f"body {index}", last)
    if body_lines > SPILL_LINES:
        return ""
    last_lines = {1: "the last line of the letter", 2: "the last two lines of the letter"}
    parts = [last_lines[body_lines]] if body_lines else []
    parts += [name for label, name in (("signoff", "the sign-off"), ("ps", "the P.S."))
              if _lines_on(by_label, f"{label} {index}", last)]  # fmt: skip
    ending = parts[-1] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    verb = "goes" if len(parts) == 1 and body_lines != 2 else "go"
    return f"Only {ending} {verb} onto page {page}{with_slip}; {shorten}"


def _lines_on(by_label: dict[str, list[MeasuredBox]], label: str, page: int) -> int:
    return sum(box.lines for box in by_label.get(label, []) if box.page == page)


def _lines(count: int) -> str:
    words = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    return f"{words[count] if count < len(words) else count} lines"


def window_problem_groups(problems: Sequence[dict[str, Any]], *, names: int = 8) -> list[dict]:
    """A print run's window problems (Mailing.print_window_problems) by reason, most letters
    first, each with its count and the first few addressees."""
    groups: dict[str, list[str]] = {}
    for problem in problems:
        groups.setdefault(problem["reason"], []).append(problem["name"])
    return [
        {"reason": reason, "count": len(people), "names": people[:names],
         "more": max(len(people) - names, 0)}
        for reason, people in sorted(groups.items(), key=lambda item: -len(item[1]))
    ]  # fmt: skip
