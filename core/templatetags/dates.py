"""`{% load dates %}{{ gift.received_on|day }}` -> 'November 23, 2026' ('23 de noviembre de
2026' on a Spanish page); `|day_time` adds the time, `|month_day` leaves out the year.

The template face of core.dates. Like Django's own filters they do not raise for a value: None,
'' and anything that is not a date print as nothing.
"""

import datetime
from typing import Any

from django import template

from core.dates import day_text, day_time_text, month_day_text

register = template.Library()


def _is_moment(value: Any) -> bool:
    return isinstance(value, datetime.date)  # a datetime is a date too


@register.filter(name="day")
def day(value: Any) -> str:
    return day_text(value) if _is_moment(value) else ""


@register.filter(name="day_time")
def day_time(value: Any) -> str:
    return day_time_text(value) if _is_moment(value) else ""


@register.filter(name="month_day")
def month_day(value: Any) -> str:
    return month_day_text(value) if _is_moment(value) else ""
