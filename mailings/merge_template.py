"""The merge-field language staff write letters in: Django template syntax cut down to
`{{ field }}`, `{{ field|filter }}` and `{% if %}` blocks, over an allow-list of plain values.

A letter is checked when it is saved (check_template): an unknown field, a dotted lookup
(`{{ supporter.delete }}`), any other tag (`load`, `include`, `extends`, `for`...) or a syntax
error is refused with its line number and a suggestion. At send time (render) the template sees
only a dict of plain values (strings, numbers, dates, Money), never a model object, so even a
template that bypassed the check could reach nothing else.
"""

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.template import Context, Library, Template, TemplateSyntaxError
from django.template.base import FilterExpression, Node, VariableNode
from django.template.defaultfilters import capfirst, date, default, lower, title, upper
from django.template.defaulttags import IfNode, do_if
from django.template.engine import Engine
from django.utils import translation

from mailings.merge_fields import FIELDS, Money

FILTERS = {"default": default, "date": date, "upper": upper, "lower": lower, "title": title,
           "capfirst": capfirst}  # fmt: skip

library = Library()
library.tag("if", do_if)
for _name, _function in FILTERS.items():
    library.filter(_name, _function)


@library.filter(name="money")
def money(value: Any) -> str:
    """'$1,250' or '$12.50'; an empty value stays empty (so `|default` can follow)."""
    if value in (None, ""):
        return ""
    return str(value if isinstance(value, Money) else Money(value))


class _MergeEngine(Engine):
    # Django's own tags and filters (load, include, extends, for, with, url...) are not
    # available at all: only the library above.
    default_builtins: list[str] = []


ENGINE = _MergeEngine(libraries={}, autoescape=True, debug=False)
ENGINE.template_builtins = [library]


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


def check_template(source: str) -> list[Problem]:
    """Every problem in a letter's text, in plain words with its line; [] when it is fine."""
    try:
        template = Template(source, engine=ENGINE)
    except TemplateSyntaxError as exc:
        return [Problem(_error_line(source, exc), _plain_syntax_error(str(exc)))]
    problems = []
    for expression, line in _expressions(template.nodelist):
        problems += _check_expression(expression, line)
    return problems


def used_fields(source: str) -> list[str]:
    """The merge fields a (valid) template uses, in order of first use."""
    try:
        template = Template(source, engine=ENGINE)
    except TemplateSyntaxError:
        return []
    seen: dict[str, None] = {}
    for expression, _line in _expressions(template.nodelist):
        lookups = getattr(expression.var, "lookups", None)
        if lookups and lookups[0] in FIELDS:
            seen.setdefault(lookups[0], None)
    return list(seen)


def render(source: str, values: dict[str, Any], *, html: bool, language: str = "en") -> str:
    """Render a checked template with plain values; HTML output escapes every value."""
    template = Template(source, engine=ENGINE)
    with translation.override(language):
        return template.render(Context(values, autoescape=html))


def _expressions(nodes: Iterable[Node]) -> Iterator[tuple[FilterExpression, int]]:
    for node in nodes:
        line = node.token.lineno if getattr(node, "token", None) else 0
        if isinstance(node, VariableNode):
            yield node.filter_expression, line
        elif isinstance(node, IfNode):
            for condition, nodelist in node.conditions_nodelists:
                if condition is not None:
                    yield from ((e, line) for e in _condition_expressions(condition))
                yield from _expressions(nodelist)


def _condition_expressions(condition: Any) -> Iterator[FilterExpression]:
    value = getattr(condition, "value", None)
    if isinstance(value, FilterExpression):
        yield value
    for part in (getattr(condition, "first", None), getattr(condition, "second", None)):
        if part is not None:
            yield from _condition_expressions(part)


def _check_expression(expression: FilterExpression, line: int) -> list[Problem]:
    variable = expression.var
    lookups = getattr(variable, "lookups", None)
    if lookups is None:  # a literal: "text", 25
        return []
    name = ".".join(lookups)
    if len(lookups) > 1:
        hint = f" Did you mean {{{{ {lookups[0]} }}}}?" if lookups[0] in FIELDS else ""
        return [Problem(line, f"'{name}' is not a merge field: fields have no parts.{hint}")]
    if name not in FIELDS:
        close = difflib.get_close_matches(name, FIELDS, n=2, cutoff=0.6)
        hint = f" Did you mean {' or '.join('{{ ' + c + ' }}' for c in close)}?" if close else ""
        return [Problem(line, f"'{name}' is not a merge field.{hint} See the list of fields.")]
    return []


def _error_line(source: str, exc: TemplateSyntaxError) -> int:
    token = getattr(exc, "token", None)
    if token is not None and getattr(token, "lineno", None):
        return token.lineno
    info = getattr(exc, "template_debug", None)
    if info:
        return info["line"]
    # Without debug info, find the first line holding the tag or variable named in the error.
    words = [word for word in str(exc).replace("'", " ").split() if len(word) > 2]
    for number, text in enumerate(source.splitlines(), start=1):
        if ("{%" in text or "{{" in text) and any(word in text for word in words):
            return number
    return 1


def _plain_syntax_error(message: str) -> str:
    if "Invalid block tag" in message:
        tag = message.split("'")[1] if "'" in message else "?"
        if tag in ("endif", "else", "elif"):
            return f"'{{% {tag} %}}' has no '{{% if %}}' before it."
        return (
            f"'{{% {tag} %}}' is not allowed in letters. Only {{% if %}} ... {{% else %}} ... "
            "{% endif %} and {{ fields }} can be used."
        )
    if "Unclosed tag" in message:
        return "An {% if %} is not closed: add {% endif %}."
    if "Invalid filter" in message:
        name = message.split("'")[1] if "'" in message else "?"
        allowed = ", ".join(sorted([*FILTERS, "money"]))
        return f"'|{name}' is not a filter letters can use. Use one of: {allowed}."
    return f"The merge text cannot be read: {message}"
