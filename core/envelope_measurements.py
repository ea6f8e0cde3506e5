"""The organization's window envelope as it is entered: the choices, and the checks on a custom
envelope's measurements (core imports no app; the geometry and the tap test are in
mailings.printing.envelopes)."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

ENVELOPE_CHOICES = [
    ("number10", "#10 single window (window 4 1/2 x 1 1/8 in, 7/8 in from the left, "
                 "1/2 in from the bottom) for US Letter"),
    ("number10_double", "#10 double window, a print vendor's (address window 4 x 1 in, "
                        "5/8 in from the left, 1 in from the bottom) for US Letter"),
    ("din_dl", "DL window envelope for DIN 5008 on A4 (window 90 x 45 mm, 20 mm from the "
               "left, 15 mm from the bottom)"),
    ("custom", "Custom: the measurements below"),
]  # fmt: skip
UNIT_CHOICES = [("in", "inches"), ("mm", "millimeters")]
PRESET_PAPER = {"number10": "letter", "number10_double": "letter", "din_dl": "a4"}
PAPER = {  # width, height, in inches and in mm
    "letter": {"in": (Decimal("8.5"), Decimal(11)), "mm": (Decimal("215.9"), Decimal("279.4"))},
    "a4": {"in": (Decimal("8.27"), Decimal("11.69")), "mm": (Decimal(210), Decimal(297))},
}
PAPER_NAMES = {"letter": "US Letter", "a4": "A4"}
MEASUREMENTS = {
    "envelope_width": "the envelope's width",
    "envelope_height": "the envelope's height",
    "window_width": "the window's width",
    "window_height": "the window's height",
    "window_left": "the window's distance from the left edge",
    "window_bottom": "the window's distance from the bottom edge",
    "fold_panel_height": "the folded letter's top panel",
}


def check(organisation: Any) -> None:
    """ValidationError, by field, when the envelope does not suit the paper or a custom
    envelope's measurements cannot hold the folded letter."""
    paper = organisation.paper_size
    wanted = PRESET_PAPER.get(organisation.envelope)
    if wanted and wanted != paper:
        raise ValidationError(
            {
                "envelope": f"This envelope takes {PAPER_NAMES[wanted]} paper, and the paper "
                f"size is {PAPER_NAMES.get(paper, paper)}: change one of them."
            }
        )
    if organisation.envelope == "custom":
        _check_custom(organisation, paper)


def _check_custom(organisation: Any, paper: str) -> None:
    values = {name: getattr(organisation, name) for name in MEASUREMENTS}
    errors = {
        name: f"Enter {what} to use a custom envelope."
        for name, what in MEASUREMENTS.items()
        if values[name] is None
    }
    errors.update(
        {
            name: f"Enter {MEASUREMENTS[name]} as a length larger than zero."
            for name, value in values.items()
            if value is not None and value <= 0
        }
    )
    if errors:
        raise ValidationError(errors)
    unit = organisation.envelope_unit
    sheet_width, sheet_height = PAPER.get(paper, PAPER["letter"])[unit]
    width, height = values["envelope_width"], values["envelope_height"]
    panel = values["fold_panel_height"]
    window_width, window_height = values["window_width"], values["window_height"]

    def length(value: Decimal) -> str:
        return f"{value.normalize():f} {unit}"

    if sheet_width >= width:
        errors["envelope_width"] = (
            f"A {PAPER_NAMES[paper]} sheet is {length(sheet_width)} wide: it does not fit an "
            f"envelope {length(width)} wide."
        )
    # A third, give or take 1% (3.66 in for 3 2/3 in).
    if panel * 3 < sheet_height * Decimal("0.99") or panel >= sheet_height:
        errors["fold_panel_height"] = (
            f"Folded in three, a {PAPER_NAMES[paper]} sheet ({length(sheet_height)} tall) has a "
            f"top panel of at least a third of it ({length(round(sheet_height / 3, 3))}) and less "
            "than the whole sheet."
        )
    elif panel >= height:
        errors["fold_panel_height"] = (
            f"The folded letter ({length(panel)} tall) does not fit an envelope "
            f"{length(height)} tall."
        )
    if values["window_left"] + window_width > width:
        errors["window_width"] = (
            "The window runs past the envelope's right edge: its distance from the left "
            f"edge and its width come to more than the envelope's width ({length(width)})."
        )
    if values["window_bottom"] + window_height > height:
        errors["window_height"] = (
            "The window runs past the envelope's top edge: its distance from the bottom and "
            f"its height come to more than the envelope's height ({length(height)})."
        )
    if not errors:
        play_y, play_x = height - panel, width - sheet_width
        if window_height <= play_y:
            errors["window_height"] = (
                f"The folded letter can slide {length(play_y)} up and down in this envelope "
                f"and the window is only {length(window_height)} tall, so no line of the "
                "address would always show. It needs a taller window, or a letter folded "
                "with a longer top panel."
            )
        if window_width <= play_x:
            errors["window_width"] = (
                f"The folded letter can slide {length(play_x)} sideways in this envelope and "
                f"the window is only {length(window_width)} wide, so no address would always "
                "show."
            )
    if errors:
        raise ValidationError(errors)
