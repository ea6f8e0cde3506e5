"""US dollar amounts as people read them: '$1,250.00', '-$5.00', '$25' (cents when needed).

The one formatter for money shown anywhere: receipts, statements, emails, letters, the donate
page and the staff pages. `{% load money %}{{ amount|money }}` does the same in templates.

US dollars are written the same way whatever the page's language: US digit grouping and a
decimal point, so a Spanish receipt shows $1,000.50 too (US Spanish writes dollars that way;
Django's Spanish number format, 1.000,50, would make it a thousand times smaller to a US reader).
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

CENT = Decimal("0.01")

Cents = Literal["always", "when_needed"]


def money_amount(amount: Decimal | int | float | str) -> Decimal:
    """The amount rounded half-up to whole cents: Decimal('1.005') -> Decimal('1.01').

    Accepts a Decimal, an int or a numeric string ('12.5', ' 3 '); a float goes through its
    shortest repr (0.1 -> 0.10), never its binary expansion. Raises ValueError for anything
    else: text that is not a number, NaN, infinity, a bool.
    """
    if isinstance(amount, bool):  # True is an int, but never an amount
        raise ValueError(f"Not an amount: {amount!r}")
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValueError(f"Not an amount: {amount!r}") from None
    if not value.is_finite():
        raise ValueError(f"Not an amount: {amount!r}")
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)  # -0.00, from -0.004, is plain 0.00


def money_text(amount: Decimal | int | float | str | None, *, cents: Cents = "always") -> str:
    """The amount in US dollars: '$1,250.00', '-$5.00' (never '$-5.00'); None -> ''.

    cents="always" (receipts, statements, staff pages) prints two decimals; "when_needed"
    (ask amounts, letters: '$25', '$1,000', '$12.50') drops them from a whole-dollar amount.
    Rounds half-up to cents first, so 24.999 is '$25.00' (or '$25'). Input as for
    money_amount, which raises ValueError for what is not an amount.
    """
    if cents not in ("always", "when_needed"):
        raise ValueError(f"cents is 'always' or 'when_needed', not {cents!r}")
    if amount is None:
        return ""
    value = money_amount(amount)
    sign = "-" if value < 0 else ""
    value = abs(value)
    if cents == "when_needed" and value == value.to_integral_value():
        return f"{sign}${int(value):,}"
    return f"{sign}${value:,.2f}"
