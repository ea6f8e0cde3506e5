"""Spreadsheet formulas, both ways: a cell an import would read as a formula is refused with a
message, and a value an export writes is kept from running as one (CSV/XLSX injection)."""

import re
from typing import Any

# What makes Excel, LibreOffice or Google Sheets treat a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A phone number or a negative amount may start with + or -; a formula names a function.
_SIGNED_FORMULA = re.compile(r"^[+-].*[A-Za-z!|=]")


def formula_error(text: str) -> str:
    """A plain-words refusal for an imported cell that looks like a formula; '' when it does not."""
    if text.startswith(("=", "@")) or _SIGNED_FORMULA.match(text):
        shown = text if len(text) <= 30 else text[:27] + "..."
        return (
            f"'{shown}' looks like a spreadsheet formula, which is not imported. "
            "Type the value itself."
        )
    return ""


def neutralise_formula(value: Any) -> Any:
    """A cell a spreadsheet would run as a formula is exported as text, with a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
