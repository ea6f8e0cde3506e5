"""Spreadsheet formulas, both ways: a cell an import would read as a formula is refused with a
message, and a value an export writes is kept from running as one (CSV/XLSX injection). And an
exported value is written as people read it (human_value), not as the code stored."""

import re
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import BooleanField

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


def human_value(instance: Any, attribute: str | None, value: Any) -> Any:
    """An exported model value as the screens show it: a choice's label ('Opted in', not
    'opted_in'; 'Check', not 'cheque'), a yes/no field as 'Yes' or 'No'. Anything else, and
    any attribute that is not a field of the instance's own model, is returned unchanged."""
    if not attribute or "__" in attribute:
        return value
    try:
        field = instance._meta.get_field(attribute)
    except FieldDoesNotExist:
        return value
    if field.choices:
        return str(getattr(instance, f"get_{field.name}_display")())
    if isinstance(field, BooleanField):
        return "Yes" if getattr(instance, field.attname) else "No"
    return value
