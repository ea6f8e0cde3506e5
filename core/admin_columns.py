"""Admin list columns that show a value the one way the product shows it everywhere.

Django's admin writes a DecimalField as a bare number ('1250.00'); a money column is written
by core.money ('$1,250.00'). Dates need nothing here: the admin writes them with DATE_FORMAT,
the same format core.dates uses (config/formats/).

    list_display = ["refunded_on", "gift", money_column("amount"), ...]
"""

from collections.abc import Callable
from typing import Any

from django.contrib import admin

from core.money import money_text


def money_column(name: str, description: str = "") -> Callable[[Any], str]:
    """A list_display column for the money field `name`: '$1,250.00', sortable by the field."""

    def column(obj: Any) -> str:
        return money_text(getattr(obj, name))

    column.__name__ = f"{name}_money"
    label = description or name.replace("_", " ").capitalize()
    return admin.display(description=label, ordering=name)(column)
