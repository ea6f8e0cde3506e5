"""core.money: the one way a dollar amount is written, in Python and in templates."""

from decimal import Decimal

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation

from core.money import money_amount, money_text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1250.5"), "$1,250.50"),
        (Decimal("0"), "$0.00"),
        (25, "$25.00"),
        ("12.5", "$12.50"),
        (" 7 ", "$7.00"),
        (0.1, "$0.10"),  # a float through its repr, not 0.1000000000000000055...
        (Decimal("1234567890.12"), "$1,234,567,890.12"),
    ],
)
def test_it_writes_dollars_with_us_grouping_and_cents(amount, text):
    assert money_text(amount) == text


def test_a_negative_amount_puts_the_sign_before_the_dollar():
    assert money_text(Decimal("-5")) == "-$5.00"
    assert money_text(Decimal("-1234.5")) == "-$1,234.50"
    assert money_text(-5, cents="when_needed") == "-$5"


def test_cents_when_needed_drops_them_only_from_whole_dollars():
    assert money_text(Decimal("25.00"), cents="when_needed") == "$25"
    assert money_text(Decimal("1000"), cents="when_needed") == "$1,000"
    assert money_text(Decimal("12.5"), cents="when_needed") == "$12.50"
    assert money_text(Decimal("0.05"), cents="when_needed") == "$0.05"


def test_it_rounds_half_up_to_cents_before_deciding_on_cents():
    assert money_text(Decimal("1.005")) == "$1.01"  # Python's own :.2f says $1.00 (half-even)
    assert money_text(Decimal("2.675")) == "$2.68"
    assert money_text(Decimal("1.004")) == "$1.00"
    assert money_text(Decimal("-1.005")) == "-$1.01"
    assert money_text(Decimal("24.999"), cents="when_needed") == "$25"
    assert money_amount("1.005") == Decimal("1.01")


def test_an_amount_that_rounds_to_nothing_has_no_minus_sign():
    assert money_text(Decimal("-0.004")) == "$0.00"
    assert money_text(Decimal("-0")) == "$0.00"


def test_none_is_empty():
    assert money_text(None) == ""
    assert money_text(None, cents="when_needed") == ""


@pytest.mark.parametrize("amount", ["", "abc", "$5", "NaN", "Infinity", True, [5], object()])
def test_what_is_not_an_amount_is_a_value_error(amount):
    with pytest.raises(ValueError, match="Not an amount"):
        money_text(amount)


def test_an_unknown_cents_choice_is_refused():
    with pytest.raises(ValueError, match="when_needed"):
        money_text(5, cents="never")  # type: ignore[arg-type]


def test_spanish_pages_write_dollars_the_us_way():
    with translation.override("es"):
        assert money_text(Decimal("1000.5")) == "$1,000.50"
        assert render("{{ x|money }}", x=Decimal("1000.5")) == "$1,000.50"


def render(source: str, **context: object) -> str:
    return Template("{% load money %}" + source).render(Context(context))


def test_the_template_filter_writes_cents_or_only_when_needed():
    assert render("{{ x|money }}", x=Decimal("1250")) == "$1,250.00"
    assert render('{{ x|money:"when_needed" }}', x=Decimal("1250")) == "$1,250"
    assert render("{{ x|money }}", x=Decimal("-5")) == "-$5.00"


def test_the_template_filter_prints_nothing_for_what_is_not_an_amount():
    assert render("[{{ x|money }}]", x=None) == "[]"
    assert render("[{{ x|money }}]", x="") == "[]"
    assert render("[{{ x|money }}]", x="abc") == "[]"
    assert render("[{{ missing|money }}]") == "[]"


def test_a_mistyped_filter_argument_is_an_error_not_a_blank_page():
    with pytest.raises(TemplateSyntaxError, match="when_needed"):
        render('{{ x|money:"when-needed" }}', x=5)
