"""`{% load report_cells %}{{ value|cell }}`: a report table's cell as the page shows it."""

from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from core.money import money_text
from reports.tables import Pct

register = template.Library()


@register.filter
def cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, Pct):
        return f"{value:.1f}%"
    if isinstance(value, Decimal):
        return money_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return intcomma(value)
    return str(value)


@register.filter
def numeric(value: object) -> bool:
    """Right-aligned in the table: numbers, money, percentages and their blanks."""
    return value is None or (isinstance(value, int | Decimal) and not isinstance(value, bool))
