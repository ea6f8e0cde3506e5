"""Giving levels: the lower bound of each level of the donor pyramid, in whole dollars,
ascending. Staff type them as text ("1, 250, 1,000, 5,000"); the organisation keeps them as a
list of numbers ([1, 250, 1000, 5000]) that the reports read."""

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

DEFAULT = (1, 250, 1000, 5000)
FEWEST, MOST = 2, 8
EXAMPLE = "1, 250, 1,000, 5,000"
# Levels are separated by a comma and a space, by spaces or by semicolons; a comma between
# digits is a thousands separator ("1,000"), so "1,000" is one level, not two.
SEPARATOR = re.compile(r",?\s+|;")
AMOUNT = re.compile(r"\$?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")


def default_levels() -> list[int]:
    return list(DEFAULT)


def validate(levels: Any) -> None:
    """The stored list: 2 to 8 positive whole-dollar amounts, smallest first, none twice."""
    if not isinstance(levels, list) or not all(
        isinstance(level, int) and not isinstance(level, bool) for level in levels
    ):
        raise ValidationError("Giving levels must be a list of whole-dollar amounts.")
    if not FEWEST <= len(levels) <= MOST:
        raise ValidationError(
            f"Give between {FEWEST} and {MOST} levels (you gave {len(levels)}), e.g. {EXAMPLE}."
        )
    if any(level <= 0 for level in levels):
        raise ValidationError("Each level must be more than $0.")
    repeated = sorted({level for level in levels if levels.count(level) > 1})
    if repeated:
        shown = ", ".join(f"${level:,}" for level in repeated)
        raise ValidationError(f"Each level must be different: {shown} appears more than once.")
    if levels != sorted(levels):
        raise ValidationError(f"List the levels from smallest to largest, e.g. {EXAMPLE}.")


def parse(text: str) -> list[int]:
    """Staff's text as whole dollars; each part that is not an amount is named in the error."""
    parts = [part for part in SEPARATOR.split(text.strip()) if part]
    levels = []
    for part in parts:
        match = AMOUNT.fullmatch(part)
        if not match:
            raise ValidationError(
                f"“{part}” is not an amount in dollars. Separate the levels with a comma and "
                f"a space, e.g. {EXAMPLE}."
            )
        amount = Decimal(match.group(1).replace(",", "") + (match.group(2) or ""))
        if amount != amount.to_integral_value():
            raise ValidationError(f"Use whole dollars: “{part}” has cents.")
        levels.append(int(amount))
    return levels


def display(levels: list[int]) -> str:
    return ", ".join(f"{level:,}" for level in levels)


class LevelsFormField(forms.Field):
    """The levels as one line of text in a form; cleaned to the list the model stores."""

    widget = forms.TextInput

    def __init__(self, *, encoder: Any = None, decoder: Any = None, **kwargs: Any) -> None:
        # Given by the model's JSONField.formfield(); the list needs no JSON in the form.
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return display(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[int] | None:
        if isinstance(value, list):
            return value
        if value in self.empty_values or not str(value).strip():
            return None
        return parse(str(value))  # the model's validator checks the list (validate above)
