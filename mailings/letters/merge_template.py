"""The merge-field language staff write letters in: Django template syntax cut down to
`{{ field }}`, `{{ field|filter }}` and `{% if %}` blocks, over an allow-list of plain values.

A letter is checked when it is saved (check_template): an unknown field, a dotted lookup
(`{{ supporter.delete }}`), also as a filter's argument (`|default:settings.SECRET_KEY`), any
other tag (`load`, `include`, `extends`, `for`...), a link whose address a merge tag chooses,
nesting deeper than MAX_DEPTH, a text longer than MAX_CHARS or a syntax error is refused with its
line number and a suggestion. At send time (render) the template sees only a dict of plain
values (strings, numbers, dates, Money), never a model object.

Every template is compiled through ENGINE.from_string, which makes it inert (make_inert): a
quoted literal (`{{ "..." }}`, `|default:"..."`) is plain text that the HTML output escapes like
any value (Django itself would mark it safe and print it raw), a dotted lookup renders as empty
instead of reaching into a value, and a missing name is empty also as a filter's argument (where
Django would raise). So a letter saved before these checks, or a template that bypassed them,
still renders and still reaches nothing else.
"""

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import InvalidOperation
from typing import Any

from django.template import Context, Library, Template, TemplateSyntaxError
from django.template.base import (
    FilterExpression,
    Lexer,
    Node,
    TokenType,
    Variable,
    VariableDoesNotExist,
    VariableNode,
)
from django.template.defaultfilters import capfirst, date, default, lower, title, upper
from django.template.defaulttags import IfNode, do_if
from django.template.engine import Engine
from django.utils import translation

from mailings.letters import content
from mailings.letters.merge_fields import FIELDS, Money

FILTERS = {"default": default, "date": date, "upper": upper, "lower": lower, "title": title,
           "capfirst": capfirst}  # fmt: skip

# A letter is a page or two (the seed letters are 4,000-6,200 characters); these limits leave
# room for any real letter while keeping parsing cheap and Django's recursive parser far from
# Python's recursion limit (1,000 nested {% if %} blocks crash it).
MAX_CHARS = 50_000
MAX_DEPTH = 10
MAX_CONDITION_WORDS = 25

# Fields whose values the product makes (always an https address), so a link may point at them.
LINK_FIELDS = ("donate_url", "preferences_url", "unsubscribe_url", "account_url")
SAFE_LINK_START = re.compile(r"(https?|mailto|tel):", re.IGNORECASE)

library = Library()
library.tag("if", do_if)
for _name, _function in FILTERS.items():
    library.filter(_name, _function)


@library.filter(name="money")
def money(value: Any) -> str:
    """'$1,250' or '$12.50'; an empty value stays empty (so `|default` can follow). Not an
    amount (`{{ first_name|money }}`) prints as it is: a letter must never fail to render."""
    if value in (None, ""):
        return ""
    if isinstance(value, Money):
        return str(value)
    try:
        return str(Money(value))
    except (InvalidOperation, ValueError, TypeError):
        return str(value)


FILTER_NAMES = {function: name for name, function in library.filters.items()}


class _Text:
    """A quoted literal as plain text. Django marks literals safe (`mark_safe` on every constant
    filter argument at render), which would print staff-typed '<script>' raw into the HTML;
    an argument that 'looks up' this object instead is an ordinary str, escaped on output."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = str.__str__(text)  # a plain str, not a SafeString

    def resolve(self, context: Any) -> str:
        return self.text


class _MergeEngine(Engine):
    # Django's own tags and filters (load, include, extends, for, with, url...) are not
    # available at all: only the library above.
    default_builtins: list[str] = []

    def from_string(self, template_code: str) -> Template:
        template = super().from_string(template_code)
        make_inert(template.nodelist)
        return template


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
    source = source or ""
    limits = _limit_problems(source)
    if limits:  # too big or too deep to parse safely: say so before parsing
        return limits
    try:
        template = Template(source, engine=ENGINE)
    except TemplateSyntaxError as exc:
        return [Problem(_error_line(source, exc), _plain_syntax_error(str(exc)))]
    except RecursionError:  # a guard: the limits above should keep the parser shallow
        return [Problem(1, f"The merge text is too complicated to read. {_SIMPLIFY}")]
    problems = []
    for expression, line in _expressions(template.nodelist):
        problems += _check_expression(expression, line)
    return problems + _link_problems(source)


def used_fields(source: str) -> list[str]:
    """The merge fields a (valid) template uses, in order of first use."""
    if _limit_problems(source or ""):
        return []
    try:
        template = Template(source, engine=ENGINE)
    except (TemplateSyntaxError, RecursionError):
        return []
    seen: dict[str, None] = {}
    for expression, _line in _expressions(template.nodelist):
        for variable in _variables(expression):
            if variable.lookups and variable.lookups[0] in FIELDS:
                seen.setdefault(variable.lookups[0], None)
    return list(seen)


def render(source: str, values: dict[str, Any], *, html: bool, language: str = "en") -> str:
    """Render a checked template with plain values; HTML output escapes every value."""
    template = ENGINE.from_string(source)
    with translation.override(language):
        return template.render(Context(values, autoescape=html))


def make_inert(nodes: Iterable[Node]) -> None:
    """Make a compiled merge template safe to render whatever it says (see the module note):
    literals become plain text, dotted lookups become empty text, and a name missing from the
    values is empty as a filter's argument too (Django raises there, failing the whole letter)."""
    for node in nodes:
        if isinstance(node, VariableNode):
            _make_expression_inert(node.filter_expression)
        elif isinstance(node, IfNode):
            for condition, nodelist in node.conditions_nodelists:
                if condition is not None:
                    for expression in _condition_expressions(condition):
                        _make_expression_inert(expression)
                make_inert(nodelist)


def _make_expression_inert(expression: FilterExpression) -> None:
    if expression.is_var and _is_dotted(expression.var):
        expression.var, expression.is_var = "", False
    elif isinstance(expression.var, str):
        expression.var = str.__str__(expression.var)  # drop the SafeString mark
    filters = []
    for function, args in expression.filters:
        inert: list[tuple[bool, Any]] = []
        for lookup, arg in args:
            if not lookup:
                inert.append((True, _Text(arg if isinstance(arg, str) else str(arg))))
            elif isinstance(arg, Variable) and _is_dotted(arg):
                inert.append((True, _Text("")))
            elif isinstance(arg, Variable) and arg.lookups is not None:
                inert.append((True, _Name(arg)))
            else:
                inert.append((lookup, arg))
        filters.append((function, inert))
    expression.filters = filters


def _is_dotted(variable: Variable) -> bool:
    return variable.lookups is not None and len(variable.lookups) > 1


class _Name:
    """A filter argument naming a value: empty when the values do not have it."""

    __slots__ = ("variable",)

    def __init__(self, variable: Variable) -> None:
        self.variable = variable

    def resolve(self, context: Any) -> Any:
        try:
            return self.variable.resolve(context)
        except VariableDoesNotExist:
            return ""


_SIMPLIFY = (
    f"Nest at most {MAX_DEPTH} {{% if %}} blocks inside one another, and keep each "
    f"{{% if %}} to {MAX_CONDITION_WORDS} words."
)


def _limit_problems(source: str) -> list[Problem]:
    """Size and nesting, read from the raw tags (no recursion), so a huge or deeply nested
    text gets a plain message instead of tying up or crashing Django's parser."""
    if len(source) > MAX_CHARS:
        line = source.count("\n", 0, MAX_CHARS) + 1
        return [
            Problem(
                line,
                f"The text is too long: {len(source):,} characters, and a letter may have at "
                f"most {MAX_CHARS:,}. It passes the limit on this line.",
            )
        ]
    depth = 0
    for token in Lexer(source).tokenize():
        if token.token_type != TokenType.BLOCK:
            continue
        words = token.split_contents()
        if not words:
            continue
        if words[0] == "if":
            depth += 1
            if depth > MAX_DEPTH:
                message = f"{{% if %}} blocks are nested too deeply here. {_SIMPLIFY}"
                return [Problem(token.lineno, message)]
        elif words[0] == "endif":
            depth = max(depth - 1, 0)
        if words[0] in ("if", "elif") and len(words) > MAX_CONDITION_WORDS + 1:
            return [Problem(token.lineno, f"This {{% {words[0]} %}} is too long. {_SIMPLIFY}")]
    return []


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


def _variables(expression: FilterExpression) -> Iterator[Variable]:
    """The names an expression looks up: its value and every filter argument."""
    if expression.is_var:
        yield expression.var
    for _function, args in expression.filters:
        for lookup, arg in args:
            if lookup and isinstance(arg, Variable) and arg.lookups is not None:
                yield arg


def _check_expression(expression: FilterExpression, line: int) -> list[Problem]:
    problems = []
    if expression.is_var and expression.var.lookups is not None:
        problems += _check_name(expression.var.lookups, line)
    for function, args in expression.filters:
        name = FILTER_NAMES.get(function, "?")
        for lookup, arg in args:
            if not lookup or not isinstance(arg, Variable) or arg.lookups is None:
                continue  # a quoted text or a number: plain text, escaped in HTML
            written = ".".join(arg.lookups)
            if name == "date":
                message = (
                    f"'|date:{written}': write a date's format in quotes, like |date:'F j, Y'."
                )
                problems.append(Problem(line, message))
                continue
            problems += _check_name(arg.lookups, line, where=f"In '|{name}:{written}', ")
    return problems


def _check_name(lookups: tuple[str, ...], line: int, *, where: str = "") -> list[Problem]:
    name = ".".join(lookups)
    if len(lookups) > 1:
        hint = f" Did you mean {{{{ {lookups[0]} }}}}?" if lookups[0] in FIELDS else ""
        message = f"'{name}' is not a merge field: a merge field is one word, with no dots in it."
        return [Problem(line, f"{where}{message}{hint}")]
    if name not in FIELDS:
        close = difflib.get_close_matches(name, FIELDS, n=2, cutoff=0.6)
        hint = f" Did you mean {' or '.join('{{ ' + c + ' }}' for c in close)}?" if close else ""
        return [
            Problem(line, f"{where}'{name}' is not a merge field.{hint} See the list of fields.")
        ]
    return []


_HREF = re.compile(r'href="((?:{{.*?}}|{%.*?%}|[^"])*)"', re.DOTALL)  # a tag may hold quotes
_LINK_FIELD_ONLY = re.compile(r"{{\s*(" + "|".join(LINK_FIELDS) + r")\s*}}")


def _link_problems(source: str) -> list[Problem]:
    """A link's address chosen by a merge tag (`[Give]({{ "javascript:..." }})`, or a field
    with a `|default`) would skip the sanitiser's check of the address's scheme, made before the
    tags were put back: so the address must start with a fixed https/mailto/tel, or be one of
    the product's own links."""
    problems = []
    fields = ", ".join("{{ " + field + " }}" for field in LINK_FIELDS)
    for match in _HREF.finditer(content.body_html_template(source)):
        address = match.group(1)
        tag = content.TAG.search(address)
        if tag is None or SAFE_LINK_START.match(address) or _LINK_FIELD_ONLY.fullmatch(address):
            continue
        line = next((n for n, text in enumerate(source.splitlines(), 1) if tag[0] in text), 1)
        message = (
            f"A link's address cannot be made by '{tag[0]}': start it with https:// "
            f"(or mailto:, tel:), or use {fields}."
        )
        problems.append(Problem(line, message))
    return problems


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
