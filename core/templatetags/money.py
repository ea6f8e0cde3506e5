"""`{% load money %}{{ gift.amount|money }}` -> '$1,250.00'; `|money:"when_needed"` -> '$25'.

The template face of core.money.money_text. Like Django's own filters it does not raise for a
value: None, '' and anything that is not an amount print as nothing, so a page never fails on
a bad value (only a wrong argument, a mistake in the template itself, is an error).
"""

from typing import Any

from django import template

from core.money import money_text

register = template.Library()


@register.filter(name="money")
def money(value: Any, cents: str = "always") -> str:
    if cents not in ("always", "when_needed"):  # a typo in a template fails loudly
        raise template.TemplateSyntaxError(f'money takes "always" or "when_needed", not {cents!r}')
    if value in (None, ""):
        return ""
    try:
        return money_text(value, cents=cents)  # type: ignore[arg-type]
    except ValueError:
        return ""
