"""Dates as people read them, one way per language: 'November 23, 2026' in English and
'23 de noviembre de 2026' in Spanish (the formats are in config/formats/<language>/).

The one helper for dates shown anywhere: staff pages, admin columns, donor pages. In templates
`{% load dates %}{{ gift.received_on|day }}` does the same. A moment (a datetime) is written in
the site's time zone, so a gift made at 11 pm in New York is not shown as the next day.
"""

import datetime

from django.utils import formats, timezone

Moment = datetime.date | datetime.datetime


def _local(value: Moment) -> Moment:
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def day_text(value: Moment | None) -> str:
    """'November 23, 2026' for a date or a datetime (its day in the site's time zone)."""
    if value is None:
        return ""
    return formats.date_format(_local(value), "DATE_FORMAT")


def day_time_text(value: Moment | None) -> str:
    """'November 23, 2026, 4:05 PM' for a datetime; a plain date is written as its day."""
    if value is None:
        return ""
    if not isinstance(value, datetime.datetime):
        return day_text(value)
    return formats.date_format(_local(value), "DATETIME_FORMAT")


def month_day_text(value: Moment | None) -> str:
    """'November 23' (this year's days in a short list); None -> ''."""
    if value is None:
        return ""
    return formats.date_format(_local(value), "MONTH_DAY_FORMAT")
