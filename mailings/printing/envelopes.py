"""Window envelopes, where the address goes for each, and the tap test: does the address stay
fully visible, 1/8 in clear of the window's edges, wherever the folded sheet slides?

Lengths are in PostScript points (1/72 in), measured on the sheet from its top-left corner,
or on the envelope's face from its top-left corner, flap on top.

The rule (USPS DMM 601.6.3, window envelopes, in force since August 2004): "A clear space of at
least 1/8 inch is required between the address block ... and the top, bottom, and left and
right edges of the address window, and must remain when the insert is moved to its full limits
in each direction" (mail houses check it by tapping the envelope on each edge: the tap test).

The sheet's play is derived, not guessed: a sheet folded in thirds is as wide as the paper and
as tall as its address panel (the top of the sheet to the first fold), and can move by the
envelope's size less those. Envelope sizes are the makers' outside sizes; the seams take a
little, so the real play is a little less and the verdict errs strict, never kind.

Presets, with their makers' numbers (window: height x width, from the left, from the bottom):
- #10 single window (ANSI/envelope makers' stock "1 1/8 x 4 1/2, 7/8 L, 1/2 B" on a 4 1/8 x
  9 1/2 in envelope). The sheet can slide 0.46 in up and down, so only 0.67 in of the 1 1/8 in
  window always shows the same part of the sheet; less 1/8 in above and below leaves 0.42 in,
  and three lines of 10 pt type are 0.48 in tall. No address of three lines or more passes the
  full tap test in it: the verdict says so, and the block is placed as well as it can be.
- #10 double window, a print vendor's (Lob's published outer envelope, help.lob.com "Letter
  envelopes": recipient window 1 x 4 in, 0.625 in from the left, 1 in from the bottom; return
  window 0.875 x 3.25 in, 0.625 in L, 2.375 in B).
- DL window envelope for DIN 5008 on A4 (DIN 678-1: DL is 110 x 220 mm; DIN 680: window 45 x
  90 mm, 20 mm from the left, 15 mm from the bottom; DIN 5008 folds A4 at 105 and 210 mm, so
  the folded sheet is 105 x 210 mm). The address is written downward from 62.7 mm, as DIN 5008
  form B asks, not centred.

Placement when no standard fixes it: the block is centred in the always-visible band when it
fits there with its clearance; a taller block keeps its last line (city and ZIP, what the
sorting machines read) 1/8 in above the window's bottom edge with the sheet resting on the
envelope's bottom, and its first lines are the ones that hide when the sheet slides up.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

INCH = 72.0
MM = 72 / 25.4
CLEARANCE = INCH / 8  # DMM 601.6.3
# The block is placed this much further in than the clearance, so the glyphs' half-leading and
# the layout's rounding never eat into the 1/8 in (the verdict still tests 1/8 in).
PLACEMENT_MARGIN = 1.0
PAPER_SIZES = {"letter": (8.5 * INCH, 11 * INCH), "a4": (210 * MM, 297 * MM)}
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@dataclass(frozen=True)
class Rect:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class Window:
    """As envelope makers write it: its size, and its distance from the envelope's left and
    bottom edges, flap on top."""

    width: float
    height: float
    from_left: float
    from_bottom: float


@dataclass(frozen=True)
class Envelope:
    key: str
    name: str
    paper: str  # "letter" or "a4": the sheet it takes, folded in thirds
    width: float
    height: float
    window: Window  # the one the address shows through
    panel_height: float  # top of the sheet to the first fold: the folded sheet's height
    metric: bool = False  # lengths in its verdicts in mm rather than inches
    address_top: float | None = None  # on the sheet, when a standard fixes the first line
    address_left: float | None = None  # on the sheet, when a standard fixes where lines start
    return_window: Window | None = None  # a double window's upper one, for the return address
    source: str = ""

    @property
    def sheet_width(self) -> float:
        return PAPER_SIZES[self.paper][0]

    @property
    def play_x(self) -> float:
        return self.width - self.sheet_width

    @property
    def play_y(self) -> float:
        return self.height - self.panel_height

    def window_on_sheet(
        self, *, up: float = 0.0, right: float = 0.0, window: Window | None = None
    ) -> Rect:
        """The window drawn on the sheet, with the sheet slid `up` from resting on the
        envelope's bottom and `right` from lying against its left side."""
        window = window or self.window
        sheet_top = self.play_y - up  # in the envelope, from its top edge
        top = self.height - window.from_bottom - window.height - sheet_top
        left = window.from_left - right
        return Rect(left, top, left + window.width, top + window.height)

    def always_visible(self) -> Rect:
        """The part of the sheet the window shows wherever the sheet slides (empty, with its
        bottom above its top, when the play is larger than the window)."""
        slid_up = self.window_on_sheet(up=self.play_y)
        at_rest = self.window_on_sheet()
        pushed_right = self.window_on_sheet(right=self.play_x)
        return Rect(at_rest.left, slid_up.top, pushed_right.right, at_rest.bottom)

    def length(self, points: float) -> str:
        """A length in this envelope's units, for a sentence."""
        return f"{points / MM:.1f} mm" if self.metric else f"{points / INCH:.2f} in"

    @property
    def clearance_words(self) -> str:
        return "3.2 mm" if self.metric else "1/8 in"


@dataclass(frozen=True)
class Placement:
    """Where letter_pdf puts the address block, on the sheet: a column `left`..`left + width`;
    vertically either from a fixed `top`, or centred between `band_top` and `band_bottom`,
    growing upward from `band_bottom` when taller than that."""

    left: float
    width: float
    top: float | None
    band_top: float
    band_bottom: float


def address_placement(envelope: Envelope) -> Placement:
    band = envelope.always_visible()
    inset = CLEARANCE + PLACEMENT_MARGIN
    left = envelope.address_left or band.left + inset
    width = max(band.right - inset - left, INCH)
    return Placement(
        left=left,
        width=width,
        top=envelope.address_top,
        band_top=band.top + inset,
        band_bottom=band.bottom - inset,
    )


@dataclass(frozen=True)
class TapTest:
    """The tap-test verdict for one address block. `clearances`: the least room between the
    block and each window edge over the sheet's whole play, in points (negative: hidden)."""

    ok: bool
    reason: str
    lines: int
    clearances: dict[str, float]


def tap_test(block: Rect | None, lines: int, envelope: Envelope) -> TapTest:
    """The verdict for an address block (its glyphs' extent on the sheet, from the layout)."""
    if block is None or lines == 0:
        return TapTest(False, "The letter has no address to show in the window.", 0, {})
    band = envelope.always_visible()
    rest = envelope.window_on_sheet()
    clearances = {
        "top": block.top - band.top,
        "bottom": band.bottom - block.bottom,
        "left": block.left - band.left,
        "right": band.right - block.right,
    }
    clear = CLEARANCE - 0.01  # a hundredth of a point: rounding, not room
    count = _lines_words(lines)
    problems = []
    if block.height + 2 * CLEARANCE > envelope.window.height:
        problems.append(
            f"{count} are taller than the window ({envelope.length(block.height)} of type; the "
            f"window is {envelope.length(envelope.window.height)}, with "
            f"{envelope.clearance_words} to keep clear above and below)"
        )
    else:
        if clearances["top"] < clear:
            slide = block.top - CLEARANCE - rest.top
            problems.append(
                f"the first line hides when the sheet slides up {envelope.length(slide)} "
                f"(it can slide {envelope.length(envelope.play_y)})"
                if slide > 0
                else "the first line is too close to the window's top edge even with the "
                "sheet resting on the envelope's bottom"
            )
        if clearances["bottom"] < clear:
            problems.append(
                "the last line hides when the sheet rests on the envelope's bottom "
                f"({envelope.length(max(clearances['bottom'], 0))} clear of the window's "
                f"bottom edge; {envelope.clearance_words} needed)"
            )
    if clearances["left"] < clear:
        problems.append(
            "the lines start too close to the window's left edge when the sheet lies against "
            "the envelope's left side"
        )
    if clearances["right"] < clear:
        slide = rest.right - CLEARANCE - block.right
        problems.append(
            f"the longest line hides when the sheet slides right {envelope.length(slide)} "
            f"(it can slide {envelope.length(envelope.play_x)})"
            if slide > 0
            else "the longest line runs past the window's right edge"
        )
    if problems:
        reason = "; ".join(problems)
        return TapTest(False, reason[:1].upper() + reason[1:] + ".", lines, clearances)
    least = min(clearances.values())
    return TapTest(
        True,
        f"Passes the tap test: {count} stay at least {envelope.length(least)} clear of the "
        "window's edges wherever the sheet slides.",
        lines,
        clearances,
    )


def _lines_words(lines: int) -> str:
    word = NUMBER_WORDS[lines] if lines < len(NUMBER_WORDS) else str(lines)
    return f"{word} line" if lines == 1 else f"{word} lines"


NUMBER_10 = Envelope(
    key="number10",
    name="#10 window envelope",
    paper="letter",
    width=9.5 * INCH,
    height=4.125 * INCH,
    window=Window(
        width=4.5 * INCH, height=1.125 * INCH, from_left=0.875 * INCH, from_bottom=0.5 * INCH
    ),  # fmt: skip
    panel_height=11 / 3 * INCH,
    source="Envelope makers' stock #10 window: 1 1/8 x 4 1/2 in, 7/8 in left, 1/2 in bottom.",
)
NUMBER_10_DOUBLE = Envelope(
    key="number10_double",
    name="#10 double window envelope (print vendor)",
    paper="letter",
    width=9.5 * INCH,
    height=4.125 * INCH,
    window=Window(width=4 * INCH, height=1 * INCH, from_left=0.625 * INCH, from_bottom=1 * INCH),
    panel_height=11 / 3 * INCH,
    return_window=Window(
        width=3.25 * INCH, height=0.875 * INCH, from_left=0.625 * INCH, from_bottom=2.375 * INCH
    ),  # fmt: skip
    source="Lob's standard #10 double-window outer envelope (help.lob.com, Letter envelopes).",
)
DIN_DL = Envelope(
    key="din_dl",
    name="DL window envelope, DIN 5008 on A4",
    paper="a4",
    width=220 * MM,
    height=110 * MM,
    window=Window(width=90 * MM, height=45 * MM, from_left=20 * MM, from_bottom=15 * MM),
    panel_height=105 * MM,
    metric=True,
    address_top=63 * MM,  # DIN 5008 form B: the recipient written downward from 62.7 mm,
    address_left=25 * MM,  # starting 25 mm from the sheet's left edge
    source="DIN 678-1 (DL 110 x 220 mm), DIN 680 (window 45 x 90 mm, 20 mm L, 15 mm B).",
)
PRESETS = {envelope.key: envelope for envelope in (NUMBER_10, NUMBER_10_DOUBLE, DIN_DL)}
DEFAULT_FOR_PAPER = {"letter": NUMBER_10, "a4": DIN_DL}


def custom_envelope(
    *,
    paper: str,
    unit: str,
    width: Decimal | float,
    height: Decimal | float,
    window_width: Decimal | float,
    window_height: Decimal | float,
    window_left: Decimal | float,
    window_bottom: Decimal | float,
    panel_height: Decimal | float,
) -> Envelope:
    """An envelope from the organization's own measurements, in inches or mm (checked when
    they are entered: core.models.Organisation.clean)."""
    scale = MM if unit == "mm" else INCH

    def points(value: Decimal | float) -> float:
        return float(value) * scale

    return Envelope(
        key="custom",
        name="Your envelope",
        paper=paper,
        width=points(width),
        height=points(height),
        window=Window(
            points(window_width), points(window_height), points(window_left), points(window_bottom)
        ),  # fmt: skip
        panel_height=points(panel_height),
        metric=unit == "mm",
        source="Measured by the organization.",
    )


def envelope_for(organisation: Any) -> Envelope:
    """The organization's envelope. A preset made for the other paper size (settings saved
    before the envelope was chosen) gives way to the paper's own standard envelope."""
    paper = organisation.paper_size if organisation.paper_size in PAPER_SIZES else "letter"
    if organisation.envelope == "custom":
        return custom_envelope(
            paper=paper,
            unit=organisation.envelope_unit,
            width=organisation.envelope_width,
            height=organisation.envelope_height,
            window_width=organisation.window_width,
            window_height=organisation.window_height,
            window_left=organisation.window_left,
            window_bottom=organisation.window_bottom,
            panel_height=organisation.fold_panel_height,
        )
    preset = PRESETS.get(organisation.envelope)
    return preset if preset is not None and preset.paper == paper else DEFAULT_FOR_PAPER[paper]
