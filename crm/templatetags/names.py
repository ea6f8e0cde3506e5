"""Names as a donor page shows them: a couple joined in the page's language ('Ana and Luis'
on an English page, 'Ana y Luis' on a Spanish one)."""

from django import template
from django.utils import translation

from crm import greetings

register = template.Library()


@register.filter
def in_page_language(names: str) -> str:
    return greetings.in_language(names or "", translation.get_language() or "en")
