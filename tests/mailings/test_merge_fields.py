"""The merge-field language: refused at save with a line and a suggestion, rendered from plain
values only, with fallbacks; probes reach nothing."""

import datetime
from decimal import Decimal

import pytest

from mailings.letters.merge_fields import FIELDS, Money, with_fallbacks
from mailings.letters.merge_template import check_template, render, used_fields

REQUIRED = {
    "salutation", "first_name", "last_name", "full_name", "addressee", "address_block",
    "last_gift_amount", "last_gift_date", "highest_gift", "lifetime_total", "this_year_total",
    "last_year_total", "ask_amount", "ask_1", "ask_2", "ask_3", "donate_url", "unsubscribe_url",
    "preferences_url", "organisation_name", "today",
}  # fmt: skip


def test_the_allow_list_has_every_field_with_a_description_and_a_sample():
    assert set(FIELDS) >= REQUIRED
    assert all(f.description and f.sample not in (None, "") for f in FIELDS.values())


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("Dear {{ frist_name }},", 1, "Did you mean {{ first_name }}"),
        ("Hello\n{{ supporter.delete }}", 2, "'supporter.delete' is not a merge field"),
        ("{{ salutation.upper }}", 1, "Did you mean {{ salutation }}?"),
        ("{% load static %}", 1, "'{% load %}' is not allowed in letters"),
        ("a\nb\n{% include 'admin/base.html' %}", 3, "'{% include %}' is not allowed"),
        ("{% extends 'x' %}", 1, "'{% extends %}' is not allowed"),
        ("{% for x in y %}{% endfor %}", 1, "'{% for %}' is not allowed"),
        ("one\n{% if ask_1 %}open", 2, "An {% if %} is not closed"),
        ("{{ first_name|safe }}", 1, "'|safe' is not a filter letters can use"),
        ("{% if secret_key %}x{% endif %}", 1, "'secret_key' is not a merge field"),
        ("{{ first_name.__class__ }}", 1, "cannot be read"),
        ("x\n\n{% endif %}", 3, "has no '{% if %}' before it"),
    ],
)
def test_a_bad_template_is_refused_with_its_line_and_a_hint(source, line, message):
    [problem] = check_template(source)
    assert problem.line == line
    assert message in problem.message, problem.message


def test_good_templates_pass_and_report_the_fields_they_use():
    source = (
        "Dear {{ salutation }},\n{% if last_gift_amount > 100 %}Thank you for {{ "
        "last_gift_amount|money }} on {{ last_gift_date|date:'F j' }}.{% else %}"
        "{{ first_name|default:'Friend'|upper }}{% endif %} {{ ask_1 }}"
    )
    assert check_template(source) == []
    assert used_fields(source) == [
        "salutation", "last_gift_amount", "last_gift_date", "first_name", "ask_1"
    ]  # fmt: skip


def test_rendering_uses_fallbacks_and_escapes_values_in_html():
    values = with_fallbacks({"first_name": "<b>Ana</b>", "ask_1": Money(50)})
    html = render("Dear {{ salutation }}, {{ first_name }} {{ ask_1 }}", values, html=True)
    assert html == "Dear friend, &lt;b&gt;Ana&lt;/b&gt; $50"
    text = render("{{ first_name }}", values, html=False)
    assert text == "<b>Ana</b>"


def test_money_and_dates_read_naturally_in_each_language():
    values = with_fallbacks(
        {"lifetime_total": Money(Decimal("1250.5")), "today": datetime.date(2026, 11, 23)}
    )
    assert render("{{ lifetime_total }} {{ today }}", values, html=False) == (
        "$1,250.50 November 23, 2026"
    )
    assert render("{{ today }}", values, html=False, language="es") == "23 de noviembre de 2026"
    assert render("{% if lifetime_total > 1000 %}big{% endif %}", values, html=False) == "big"
    assert render("{{ last_gift_amount|money|default:'nothing' }}", values, html=False) == (
        "nothing"
    )


def test_a_template_that_skipped_the_check_still_reaches_nothing():
    # Only plain values are ever in the context: no object to call or walk.
    values = with_fallbacks({"first_name": "Ana"})
    with pytest.raises(Exception):  # noqa: B017, PT011 - any refusal will do
        render("{% load static %}", values, html=True)
    assert render("{{ supporter.delete }}{{ request.user }}{{ settings.SECRET_KEY }}", values,
                  html=True) == ""  # fmt: skip


def test_money_puts_a_minus_before_the_dollar_and_leaves_words_alone():
    assert str(Money(Decimal("-5"))) == "-$5"  # was $-5
    assert render("{{ x|money }}", {"x": Decimal("-12.5")}, html=False) == "-$12.50"
    assert render("{{ x|money }}", {"x": "Ana"}, html=False) == "Ana"
